import * as tf from '@tensorflow/tfjs';
import type { ForwardContext } from './forwardContext';

/**
 * Stochastic depth on a residual branch: in training each sample keeps the branch with probability
 * 1 - rate (scaled by 1 / (1 - rate)); masks come from the context's seeded generator.
 */
export function dropPath(branch: tf.Tensor4D, rate: number, ctx: ForwardContext): tf.Tensor4D {
  if (!ctx.training || rate <= 0 || ctx.rng === null) return branch;
  const n = branch.shape[0];
  const keep = 1 - rate;
  const mask = new Float32Array(n);
  for (let i = 0; i < n; i++) mask[i] = ctx.rng.next() < keep ? 1 / keep : 0;
  return tf.mul(branch, tf.tensor4d(mask, [n, 1, 1, 1])) as tf.Tensor4D;
}

/** Dropout on features: each element kept with probability 1 - rate, scaled by 1 / (1 - rate). */
export function dropout<T extends tf.Tensor>(x: T, rate: number, ctx: ForwardContext): T {
  if (!ctx.training || rate <= 0 || ctx.rng === null) return x;
  const keep = 1 - rate;
  const mask = new Float32Array(x.size);
  for (let i = 0; i < mask.length; i++) mask[i] = ctx.rng.next() < keep ? 1 / keep : 0;
  return tf.mul(x, tf.tensor(mask, x.shape)) as T;
}
