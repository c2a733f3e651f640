import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { createRng, type Genome, type LayerwiseSpace, type RngState } from '@fbnas/search-space';
import { costOfGenome, expectedCostTf, type LayerwiseCostTable } from '@fbnas/latency-model';
import {
  cosineWithWarmup,
  createOptimizer,
  epochOrder,
  makeBatch,
  readCheckpoint,
  softCrossEntropy,
  softTargets,
  writeCheckpoint,
  type AugmentOptions,
  type ImageDataset,
} from '@fbnas/nn';
import { resolveCostLoss, type CostLoss } from './costLoss';
import { DnasError } from './errors';
import { gumbelSoftmaxValues, sampleGumbel, temperatureAt, type TemperatureSchedule } from './gumbelSoftmax';
import { createSupernet, type Supernet, type SupernetMode } from './supernet';

/** Options of {@link searchDnas}; defaults (FBNet's, fbnet-family.md §1.3–1.4, unless noted) in brackets. */
export interface DnasOptions {
  /** Training images; split once (seeded) into the weight part and the θ part. */
  train: ImageDataset;
  /** Per-layer, per-candidate cost (a latency LUT via `costTableFromLut`, or multiply-adds / params via `statCostTable`). */
  costTable: LayerwiseCostTable;
  /** ['hard'] (FBNet itself is 'soft'; hard costs one network per step). */
  mode?: SupernetMode;
  /** Search epochs [8]. */
  epochs?: number;
  /** Epochs that train only the weights before θ starts learning [1] (FBNet: 10 of 90). */
  warmupEpochs?: number;
  /** Share of the training images that trains the weights; the rest trains θ [0.8]. */
  weightShare?: number;
  /**
   * Hard mode: which path a weight step trains ['theta']. `theta` samples it from the Gumbel-softmax of θ
   * (FBNet); `uniform` samples every layer's candidate uniformly (SPOS / FairNAS), so the weights of blocks
   * θ disfavours keep training. With θ-sampling the shared weights of favoured (cheap) paths train fastest,
   * which makes them win on cross-entropy too: the search can collapse onto skip blocks.
   */
  weightSampling?: 'theta' | 'uniform';
  /** [64] */
  batchSize?: number;
  /** Cap on weight steps per epoch (θ steps are capped in proportion); quick runs. */
  maxStepsPerEpoch?: number;
  /** Weights: SGD, momentum 0.9, cosine decay. Learning rate [0.1], weight decay [1e-4]. */
  weightLearningRate?: number;
  weightDecay?: number;
  /** θ: Adam. Learning rate [0.01], weight decay [5e-4]. */
  thetaLearningRate?: number;
  thetaWeightDecay?: number;
  temperature?: TemperatureSchedule;
  /** [{ kind: 'fbnet', alpha: 0.2, beta: 0.6, scale: 'auto' }] */
  costLoss?: CostLoss;
  augment?: AugmentOptions;
  /** Seed of the weights, the split, the batches and the Gumbel noise [0]. */
  seed?: number;
  /** Checkpoint written atomically after every epoch. */
  checkpointPath?: string;
  /** Continue from `checkpointPath` when it exists (same options required). */
  resume?: boolean;
  onProgress?: (event: DnasProgress) => void;
  signal?: AbortSignal;
  /** Return the trained supernet instead of disposing it [false]. */
  keepSupernet?: boolean;
}

/** What one search epoch did. */
export interface DnasEpochRecord {
  epoch: number;
  tau: number;
  /** Mean cross-entropy of the weight steps. */
  weightLoss: number;
  /** Mean loss of the θ steps (null during warm-up). */
  thetaLoss: number | null;
  /** P_θ = softmax(θ) per layer after the epoch. */
  probs: number[][];
  /** Expected cost under P_θ, in the cost table's unit. */
  expectedCost: number;
  /** The most likely architecture and its cost. */
  argmax: Genome;
  argmaxCost: number;
  seconds: number;
}

/** Progress events: one per step of either phase and one per epoch. */
export type DnasProgress =
  | { type: 'step'; phase: 'weights' | 'theta'; epoch: number; step: number; steps: number; loss: number }
  | { type: 'epoch'; record: DnasEpochRecord };

/** Result of {@link searchDnas}. */
export interface DnasResult {
  theta: number[][];
  probs: number[][];
  argmax: Genome;
  history: DnasEpochRecord[];
  resumedFromEpoch: number | null;
  /** The cost loss as resolved (the `auto` scale made explicit). */
  costLoss: Record<string, number | string | boolean>;
  /** The trained supernet when `keepSupernet` was true (the caller disposes it), else null. */
  supernet: Supernet | null;
}

const softmaxRows = (theta: number[][]) => theta.map((row) => Array.from(gumbelSoftmaxValues(row, null, 1, row.length)));
const argmaxRows = (rows: number[][]) => rows.map((r) => r.reduce((best, v, i) => (v > r[best] ? i : best), 0));

function checkNumber(api: string, key: string, v: number, lo: number, hi: number, integer = false) {
  if (!(Number.isFinite(v) && v >= lo && v <= hi) || (integer && !Number.isInteger(v))) {
    throw new DnasError('INVALID_ARGUMENT', api, `options.${key} must be ${integer ? 'an integer' : 'a number'} in [${lo}, ${hi}], got ${String(v)}`);
  }
}

/**
 * FBNet's differentiable architecture search (fbnet-family.md §1.3–1.5) on a layer-wise space: every epoch
 * trains the supernet weights on their split (SGD, CE), then — after the warm-up — θ on the other split
 * (Adam, CE · α · (log LAT)^β with LAT the expected cost under the Gumbel-softmax relaxation, or a cost target
 * on P_θ's expected cost, see {@link CostLoss}), with τ annealed
 * per epoch. Seeded and resumable: with `checkpointPath` + `resume` a killed run continues from its last
 * completed epoch and ends exactly as an uninterrupted one.
 */
export async function searchDnas(space: LayerwiseSpace, options: DnasOptions): Promise<DnasResult> {
  const api = 'fbnas.searchDnas';
  const o = options;
  const epochs = o.epochs ?? 8;
  const warmupEpochs = o.warmupEpochs ?? 1;
  const weightShare = o.weightShare ?? 0.8;
  const weightSampling = o.weightSampling ?? 'theta';
  if (weightSampling !== 'theta' && weightSampling !== 'uniform') throw new DnasError('INVALID_ARGUMENT', api, `options.weightSampling must be "theta" or "uniform", got ${JSON.stringify(weightSampling)}`);
  if (weightSampling === 'uniform' && (o.mode ?? 'hard') !== 'hard') throw new DnasError('INVALID_ARGUMENT', api, 'options.weightSampling "uniform" needs mode "hard" (soft mode runs every candidate)');
  const uniform = weightSampling === 'uniform';
  const batchSize = o.batchSize ?? 64;
  checkNumber(api, 'epochs', epochs, 1, 1e6, true);
  checkNumber(api, 'warmupEpochs', warmupEpochs, 0, epochs, true);
  checkNumber(api, 'weightShare', weightShare, 0.05, 0.95);
  checkNumber(api, 'batchSize', batchSize, 1, 1e5, true);
  const { train, costTable } = o;
  if (!train || train.height !== space.config.inputSize || train.channels !== space.config.inputChannels) {
    throw new DnasError('SHAPE_MISMATCH', api, `options.train must hold ${space.config.inputSize}x${space.config.inputSize}x${space.config.inputChannels} images for ${space.name}, got ${train ? `${train.height}x${train.width}x${train.channels}` : String(train)}`);
  }
  if (train.numClasses !== space.config.numClasses) throw new DnasError('SHAPE_MISMATCH', api, `options.train has ${train.numClasses} classes, ${space.name} has ${space.config.numClasses}`);
  const nCand = space.config.candidates.length;
  if (!costTable || costTable.layers.length !== space.layers.length || costTable.layers.some((r) => r.length !== nCand)) {
    throw new DnasError('SHAPE_MISMATCH', api, `options.costTable must have ${space.layers.length} layers x ${nCand} candidates`);
  }
  const loss = resolveCostLoss(o.costLoss ?? { kind: 'fbnet' }, costTable, api);
  const seed = o.seed ?? 0;
  const split = epochOrder(train.count, createRng(seed + 0x9e3779b9));
  const nW = Math.round(train.count * weightShare);
  const wIdx = split.subarray(0, nW);
  const tIdx = split.subarray(nW);
  const wSteps = Math.min(Math.floor(wIdx.length / batchSize), o.maxStepsPerEpoch ?? Infinity);
  const tSteps = Math.min(Math.floor(tIdx.length / batchSize), o.maxStepsPerEpoch === undefined ? Infinity : Math.max(1, Math.round((o.maxStepsPerEpoch * (1 - weightShare)) / weightShare)));
  if (wSteps < 1 || tSteps < 1) throw new DnasError('INVALID_ARGUMENT', api, `options.train (${train.count} images) is too small for batchSize ${batchSize} with weightShare ${weightShare}`);
  const wLr = o.weightLearningRate ?? 0.1;
  const wWd = o.weightDecay ?? 1e-4;
  const tLr = o.thetaLearningRate ?? 0.01;
  const tWd = o.thetaWeightDecay ?? 5e-4;
  checkNumber(api, 'weightLearningRate', wLr, 0, 10);
  checkNumber(api, 'thetaLearningRate', tLr, 0, 10);
  checkNumber(api, 'weightDecay', wWd, 0, 1);
  checkNumber(api, 'thetaWeightDecay', tWd, 0, 1);
  const tauOf = (epoch: number) => temperatureAt(epoch, o.temperature);
  tauOf(0);

  const { onProgress: _p, signal: _s, checkpointPath: _c, resume: _r, train: _t, keepSupernet: _k, ...rest } = o;
  const fingerprint = JSON.stringify({ space: space.config, train: [train.name, train.count], options: rest });
  const net = createSupernet(space, { mode: o.mode ?? 'hard', seed });
  const wVars = net.weightVariables();
  const decayed = wVars.map((v) => v.rank >= 2);
  const wOpt = createOptimizer('sgd');
  const tOpt = createOptimizer('adam');
  const rng = createRng(seed + 1);
  let history: DnasEpochRecord[] = [];
  let startEpoch = 0;
  let resumedFromEpoch: number | null = null;
  let lastGood: string | null = null;
  let finalTheta: number[][] = [];
  try {
    if (o.resume && o.checkpointPath && existsSync(o.checkpointPath)) {
      const ck = readCheckpoint(o.checkpointPath);
      if (ck.meta.fingerprint !== fingerprint) {
        throw new DnasError('CORRUPT_CHECKPOINT', api, `${o.checkpointPath} was written by a search with another space, data or options; refusing to resume from it`);
      }
      net.loadWeights(ck.groups.weights);
      tf.tidy(() => net.theta.assign(tf.tensor(ck.groups.theta.theta.data, ck.groups.theta.theta.shape)));
      wOpt.loadState(ck.groups.weightOptimizer ?? {});
      tOpt.loadState(ck.groups.thetaOptimizer ?? {});
      rng.setState(ck.meta.rng as RngState);
      history = ck.meta.history as DnasEpochRecord[];
      startEpoch = ck.meta.epoch as number;
      resumedFromEpoch = startEpoch;
      lastGood = o.checkpointPath;
    }
    const totalWSteps = wSteps * epochs;
    const aborted = (epoch: number, phase: string) =>
      new DnasError('ABORTED', api, `stopped in epoch ${epoch} (${phase}); ${lastGood ? `resume from ${lastGood} (it restarts epoch ${epoch})` : 'no checkpoint was written yet'}`);
    const nonFinite = (epoch: number, phase: string, v: number) =>
      new DnasError('NON_FINITE', api, `the ${phase} loss became ${v} in epoch ${epoch}; ${lastGood ? `the last good checkpoint is ${lastGood}` : 'no checkpoint was written yet'}`);

    for (let epoch = startEpoch; epoch < epochs; epoch++) {
      const t0 = Date.now();
      const tau = tauOf(epoch);
      // weights
      const wOrder = epochOrder(wIdx.length, rng);
      let wSum = 0;
      for (let s = 0; s < wSteps; s++) {
        if (o.signal?.aborted) throw aborted(epoch, 'weights');
        const idx = wOrder.subarray(s * batchSize, (s + 1) * batchSize).map((i) => wIdx[i]);
        const batch = makeBatch(train, idx, o.augment ?? null, rng);
        const gumbel = sampleGumbel(rng, space.layers.length, nCand);
        const lr = cosineWithWarmup(epoch * wSteps + s, totalWSteps, wLr, 0, 0);
        const { value, grads } = tf.variableGrads(
          () => tf.tidy(() => softCrossEntropy(net.forward(batch.x, { training: true, tau, gumbel, uniform }).logits, softTargets(batch.labels, train.numClasses, 0, null))),
          wVars,
        );
        const v = (await value.data())[0];
        if (!Number.isFinite(v)) {
          tf.dispose([value, batch.x, ...Object.values(grads)]);
          net.discardBnUpdates();
          throw nonFinite(epoch, 'weight', v);
        }
        // Hard mode: candidates that did not run have no gradient and are left untouched (as PyTorch skips
        // parameters whose grad is None), weight decay and momentum included.
        const g = wVars.map((w, i) => {
          const gi = grads[w.name] ?? null;
          return gi !== null && decayed[i] && wWd > 0 ? tf.tidy(() => tf.add(gi, tf.mul(w, wWd))) : gi;
        });
        wOpt.step(wVars, g, lr);
        net.commitBnUpdates();
        tf.dispose([value, batch.x, ...Object.values(grads), ...g.filter((t): t is tf.Tensor => t !== null)]);
        wSum += v;
        o.onProgress?.({ type: 'step', phase: 'weights', epoch, step: s, steps: wSteps, loss: v });
      }
      // architecture
      let tSum: number | null = null;
      if (epoch >= warmupEpochs) {
        tSum = 0;
        const tOrder = epochOrder(tIdx.length, rng);
        for (let s = 0; s < tSteps; s++) {
          if (o.signal?.aborted) throw aborted(epoch, 'theta');
          const idx = tOrder.subarray(s * batchSize, (s + 1) * batchSize).map((i) => tIdx[i]);
          const batch = makeBatch(train, idx, o.augment ?? null, rng);
          const gumbel = sampleGumbel(rng, space.layers.length, nCand);
          const { value, grads } = tf.variableGrads(
            () =>
              tf.tidy(() => {
                const out = net.forward(batch.x, { training: true, tau, gumbel });
                const ce = softCrossEntropy(out.logits, softTargets(batch.labels, train.numClasses, 0, null));
                return loss.apply(ce, expectedCostTf(costTable, loss.expectation === 'policy' ? (tf.softmax(net.theta) as tf.Tensor2D) : out.probs));
              }),
            [net.theta],
          );
          const v = (await value.data())[0];
          if (!Number.isFinite(v)) {
            tf.dispose([value, batch.x, ...Object.values(grads)]);
            net.discardBnUpdates();
            throw nonFinite(epoch, 'theta', v);
          }
          const g = tf.tidy(() => tf.add(grads[net.theta.name], tf.mul(net.theta, tWd)));
          tOpt.step([net.theta], [g], tLr);
          net.commitBnUpdates();
          tf.dispose([value, batch.x, ...Object.values(grads), g]);
          tSum += v;
          o.onProgress?.({ type: 'step', phase: 'theta', epoch, step: s, steps: tSteps, loss: v });
        }
      }
      const theta = net.thetaValues();
      const probs = softmaxRows(theta);
      const argmax = argmaxRows(probs);
      const expected = probs.reduce((sum, row, l) => sum + row.reduce((a, p, c) => a + p * costTable.layers[l][c], 0), costTable.fixed);
      const record: DnasEpochRecord = {
        epoch,
        tau,
        weightLoss: wSum / wSteps,
        thetaLoss: tSum === null ? null : tSum / tSteps,
        probs,
        expectedCost: expected,
        argmax,
        argmaxCost: costOfGenome(costTable, argmax),
        seconds: (Date.now() - t0) / 1000,
      };
      history.push(record);
      if (o.checkpointPath) {
        const th = await net.theta.data();
        writeCheckpoint(o.checkpointPath, {
          meta: { fingerprint, epoch: epoch + 1, rng: rng.getState(), history },
          groups: {
            weights: await net.exportWeights(),
            theta: { theta: { shape: [...net.theta.shape], data: th as Float32Array } },
            weightOptimizer: await wOpt.exportState(),
            thetaOptimizer: await tOpt.exportState(),
          },
        });
        lastGood = o.checkpointPath;
      }
      o.onProgress?.({ type: 'epoch', record });
    }
    finalTheta = net.thetaValues();
  } finally {
    wOpt.dispose();
    tOpt.dispose();
    if (finalTheta.length === 0 || o.keepSupernet !== true) net.dispose();
  }
  const probs = softmaxRows(finalTheta);
  return { theta: finalTheta, probs, argmax: argmaxRows(probs), history, resumedFromEpoch, costLoss: loss.describe, supernet: o.keepSupernet === true ? net : null };
}
