import * as tf from '@tensorflow/tfjs';
import type { LayerwiseCostTable } from './costTable';
import { LatencyModelError } from './errors';

/**
 * The expected cost as a differentiable tfjs function of per-layer probabilities `[layers, candidates]`
 * (e.g. a Gumbel-softmax output): fixed + sum(probs * costs). Its gradient with respect to probs is the
 * cost matrix, so FBNet's latency loss trains the architecture logits through it.
 * @example
 * import * as tf from '@tensorflow/tfjs';
 * import { hwNasBenchCostTable, expectedCostTf } from '@fbnas/latency-model';
 * const table = hwNasBenchCostTable('raspi4_latency');
 * const lat = expectedCostTf(table, tf.fill([22, 9], 1 / 9) as tf.Tensor2D);
 */
export function expectedCostTf(table: LayerwiseCostTable, probs: tf.Tensor2D): tf.Scalar {
  const rows = table.layers.length;
  const cols = table.layers[0]?.length ?? 0;
  if (probs.rank !== 2 || probs.shape[0] !== rows || probs.shape[1] !== cols || table.layers.some((r) => r.length !== cols)) {
    throw new LatencyModelError('INVALID_ARGUMENT', 'fbnas.expectedCostTf', `probs must have shape [${rows}, ${cols}], got [${probs.shape.join(', ')}]`);
  }
  return tf.tidy(() => tf.add(tf.sum(tf.mul(probs, tf.tensor2d(table.layers.flat(), [rows, cols]))), table.fixed)) as tf.Scalar;
}
