import * as tf from '@tensorflow/tfjs';
import type { LayerwiseCostTable } from '@fbnas/latency-model';
import { DnasError } from './errors';

/**
 * Which per-layer candidate weights COST is the expectation under.
 * - `relaxed`: the Gumbel-softmax weights m = softmax((θ + g) / τ) of the step's forward pass (FBNet's LAT,
 *   fbnet-family.md §1.3). At the high early temperatures (τ0 = 5) m is close to uniform whatever θ is, so this
 *   COST barely follows P_θ: it stays near the uniform average while P_θ's expected cost moves away.
 * - `policy`: P_θ = softmax(θ) itself (no noise, no temperature), the distribution the architectures are drawn
 *   from: a budget on it is a budget on what the search returns.
 */
export type CostExpectation = 'relaxed' | 'policy';

/**
 * How the architecture's cost enters the loss of the θ step.
 * - `fbnet` (default): CE · α · (log(scale · COST))^β (FBNet, fbnet-family.md §1.3; α 0.2, β 0.6). β = 0 ignores
 *   the cost. COST under the `relaxed` weights by default (as FBNet).
 * - `target`: CE + weight · max(0, COST / target - 1), a penalty above a cost budget (in the table's unit, or a
 *   fraction of the uniform distribution's expected cost with `relativeTo: 'uniform'`). COST
 *   under `policy` (P_θ) by default: measured under the relaxed weights, a 0.65 ms target on a space whose uniform
 *   average is 0.72 ms kept pushing down while P_θ's expected cost fell from 0.76 to 0.42 ms (weight 50).
 */
export type CostLoss =
  | { kind: 'fbnet'; alpha?: number; beta?: number; scale?: number | 'auto'; expectation?: CostExpectation }
  /**
   * CE + weight · max(0, COST / target − 1); with `twoSided` CE + weight · |COST / target − 1| (TuNAS's
   * absolute reward), which also pushes up when the expected cost falls under the target: with shared
   * weights, cheap paths (skip) train fastest and win on cross-entropy alone, and a one-sided penalty lets
   * the search collapse onto them.
   */
  | {
      kind: 'target';
      target: number;
      weight?: number;
      twoSided?: boolean;
      expectation?: CostExpectation;
      /**
       * What `target` is measured in. `absolute` (default): the table's unit (ms for a latency LUT).
       * `uniform`: a fraction of the uniform architecture distribution's expected cost on this table
       * (`costRange(table).uniform`), so one recipe means the same relative budget on any machine: latency
       * LUTs of the same space differ in scale between machines, and between runs on a shared VM (the uniform
       * expectation of the FBNet-28 LUT measured 0.59 to 0.81 ms in different runs on one 2-core VM).
       */
      relativeTo?: 'absolute' | 'uniform';
    };

/** The cost range of a table: fixed plus the cheapest, uniform-average and dearest choice per layer. */
export function costRange(table: LayerwiseCostTable): { min: number; uniform: number; max: number } {
  let min = table.fixed;
  let uniform = table.fixed;
  let max = table.fixed;
  for (const row of table.layers) {
    min += Math.min(...row);
    max += Math.max(...row);
    uniform += row.reduce((a, b) => a + b, 0) / row.length;
  }
  return { min, uniform, max };
}

/**
 * Reference value of `scale: 'auto'`: the uniform architecture distribution's expected cost is mapped to 20
 * units, the regime of FBNet's loss (about 20 ms on the Samsung S8, fbnet-family.md §1.7). The strength of β
 * depends on the unit (d log loss / d log COST = β / log COST), so a fixed unit would make a 0.3 ms network
 * and a 30 ms network feel β differently.
 */
export const AUTO_COST_REFERENCE = 20;

/** A resolved cost loss: a function of CE and the expected cost (both scalars) plus what was resolved. */
export interface ResolvedCostLoss {
  kind: 'fbnet' | 'target';
  /** The candidate weights COST is computed under (see {@link CostExpectation}). */
  expectation: CostExpectation;
  describe: Record<string, number | string | boolean>;
  apply(ce: tf.Scalar, cost: tf.Scalar): tf.Scalar;
}

/** Validate a {@link CostLoss} against its table and turn it into a tfjs function. */
export function resolveCostLoss(loss: CostLoss, table: LayerwiseCostTable, api = 'fbnas.resolveCostLoss'): ResolvedCostLoss {
  const range = costRange(table);
  if (!(range.min > 0 && Number.isFinite(range.max))) {
    throw new DnasError('INVALID_ARGUMENT', api, `costTable must have positive finite costs (cheapest architecture ${range.min}, dearest ${range.max})`);
  }
  const expectation = loss.expectation ?? (loss.kind === 'target' ? 'policy' : 'relaxed');
  if (expectation !== 'relaxed' && expectation !== 'policy') {
    throw new DnasError('INVALID_ARGUMENT', api, `costLoss.expectation must be "relaxed" or "policy", got ${JSON.stringify(loss.expectation)}`);
  }
  if (loss.kind === 'target') {
    const weight = loss.weight ?? 1;
    if (!(loss.target > 0 && Number.isFinite(loss.target))) throw new DnasError('INVALID_ARGUMENT', api, `costLoss.target must be a positive number, got ${String(loss.target)}`);
    if (!(weight >= 0 && Number.isFinite(weight))) throw new DnasError('INVALID_ARGUMENT', api, `costLoss.weight must be a non-negative number, got ${String(loss.weight)}`);
    const twoSided = loss.twoSided ?? false;
    if (typeof twoSided !== 'boolean') throw new DnasError('INVALID_ARGUMENT', api, `costLoss.twoSided must be a boolean, got ${String(loss.twoSided)}`);
    const relativeTo = loss.relativeTo ?? 'absolute';
    if (relativeTo !== 'absolute' && relativeTo !== 'uniform') {
      throw new DnasError('INVALID_ARGUMENT', api, `costLoss.relativeTo must be "absolute" or "uniform", got ${JSON.stringify(loss.relativeTo)}`);
    }
    const target = relativeTo === 'uniform' ? loss.target * range.uniform : loss.target;
    const excess = twoSided ? tf.abs : tf.relu;
    return {
      kind: 'target',
      expectation,
      describe: { kind: 'target', target, weight, twoSided, expectation, ...(relativeTo === 'uniform' ? { relativeTo, fractionOfUniform: loss.target, uniform: range.uniform } : {}) },
      apply: (ce, cost) => tf.tidy(() => tf.add(ce, tf.mul(weight, excess(tf.sub(tf.div(cost, target), 1))))) as tf.Scalar,
    };
  }
  if (loss.kind !== 'fbnet') throw new DnasError('INVALID_ARGUMENT', api, `costLoss.kind must be "fbnet" or "target", got ${JSON.stringify((loss as { kind: unknown }).kind)}`);
  const alpha = loss.alpha ?? 0.2;
  const beta = loss.beta ?? 0.6;
  if (!(alpha > 0 && Number.isFinite(alpha))) throw new DnasError('INVALID_ARGUMENT', api, `costLoss.alpha must be a positive number, got ${String(loss.alpha)}`);
  if (!(beta >= 0 && Number.isFinite(beta))) throw new DnasError('INVALID_ARGUMENT', api, `costLoss.beta must be a non-negative number, got ${String(loss.beta)}`);
  const scale = loss.scale === undefined || loss.scale === 'auto' ? AUTO_COST_REFERENCE / range.uniform : loss.scale;
  if (!(scale > 0 && Number.isFinite(scale))) throw new DnasError('INVALID_ARGUMENT', api, `costLoss.scale must be a positive number or "auto", got ${String(loss.scale)}`);
  // log(scale * COST) must stay positive for a fractional power: checked on the cheapest architecture.
  if (beta > 0 && !(scale * range.min > 1)) {
    throw new DnasError(
      'INVALID_ARGUMENT',
      api,
      `log(scale * cost) must be positive for every architecture, but the cheapest costs ${+range.min.toPrecision(6)} ${table.unit} and scale is ${scale}: pick a larger costLoss.scale (more than ${+(1 / range.min).toPrecision(6)})`,
    );
  }
  return {
    kind: 'fbnet',
    expectation,
    describe: { kind: 'fbnet', alpha, beta, scale, expectation },
    apply: (ce, cost) => tf.tidy(() => (beta === 0 ? tf.mul(ce, alpha) : tf.mul(tf.mul(ce, alpha), tf.pow(tf.log(tf.mul(cost, scale)), beta)))) as tf.Scalar,
  };
}
