import * as tf from '@tensorflow/tfjs';
import type { Rng } from '@fbnas/search-space';
import { DnasError } from './errors';

/** Gumbel(0, 1) noise for every (layer, candidate): g = -log(-log u), u ~ U(0, 1), drawn from `rng`. */
export function sampleGumbel(rng: Rng, layers: number, candidates: number): Float32Array {
  const g = new Float32Array(layers * candidates);
  for (let i = 0; i < g.length; i++) g[i] = rng.gumbel();
  return g;
}

function checkTau(tau: number, api: string) {
  if (!(tau > 0 && Number.isFinite(tau))) throw new DnasError('INVALID_ARGUMENT', api, `tau must be a positive finite number, got ${String(tau)}`);
}

/**
 * The Gumbel-softmax relaxation of FBNet (fbnet-family.md §1.3), row-wise: m = softmax((θ + g) / τ) as a
 * differentiable tfjs op. Without noise (`gumbel` null) it is softmax(θ / τ). Stable for small τ and
 * large θ (the softmax subtracts the row maximum).
 */
export function gumbelSoftmax(theta: tf.Tensor2D, gumbel: tf.Tensor2D | null, tau: number): tf.Tensor2D {
  checkTau(tau, 'fbnas.gumbelSoftmax');
  return tf.tidy(() => tf.softmax(tf.div(gumbel ? tf.add(theta, gumbel) : theta, tau)) as tf.Tensor2D);
}

/** {@link gumbelSoftmax} on the host (float64), row-major `[layers x candidates]`. */
export function gumbelSoftmaxValues(theta: ArrayLike<number>, gumbel: ArrayLike<number> | null, tau: number, candidates: number): Float64Array {
  checkTau(tau, 'fbnas.gumbelSoftmaxValues');
  const out = new Float64Array(theta.length);
  for (let r = 0; r < theta.length; r += candidates) {
    let max = -Infinity;
    for (let i = 0; i < candidates; i++) {
      const z = (theta[r + i] + (gumbel ? gumbel[r + i] : 0)) / tau;
      out[r + i] = z;
      if (z > max) max = z;
    }
    let sum = 0;
    for (let i = 0; i < candidates; i++) {
      out[r + i] = Math.exp(out[r + i] - max);
      sum += out[r + i];
    }
    for (let i = 0; i < candidates; i++) out[r + i] /= sum;
  }
  return out;
}

/** Options of the temperature schedule; defaults from FBNet (fbnet-family.md §1.4). */
export interface TemperatureSchedule {
  /** Initial temperature τ0 [5]. */
  tau0?: number;
  /** τ is multiplied by exp(-decay) after every epoch [0.045]. */
  decay?: number;
  /** Lower bound [0.05]. */
  min?: number;
}

/** τ at `epoch` (0-based): max(τ0 · exp(-decay · epoch), min). */
export function temperatureAt(epoch: number, schedule: TemperatureSchedule = {}): number {
  const api = 'fbnas.temperatureAt';
  const tau0 = schedule.tau0 ?? 5;
  const decay = schedule.decay ?? 0.045;
  const min = schedule.min ?? 0.05;
  if (!(Number.isFinite(epoch) && epoch >= 0)) throw new DnasError('INVALID_ARGUMENT', api, `epoch must be a non-negative number, got ${String(epoch)}`);
  checkTau(tau0, api);
  if (!(decay >= 0 && Number.isFinite(decay))) throw new DnasError('INVALID_ARGUMENT', api, `schedule.decay must be a non-negative number, got ${String(decay)}`);
  if (!(min > 0 && min <= tau0)) throw new DnasError('INVALID_ARGUMENT', api, `schedule.min must be in (0, tau0], got ${String(min)}`);
  return Math.max(tau0 * Math.exp(-decay * epoch), min);
}
