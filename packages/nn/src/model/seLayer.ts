import * as tf from '@tensorflow/tfjs';
import type { Activation, SeGate } from '@fbnas/search-space';
import { globalAvgPool } from '../ops/fusedOps';
import { applyActivation } from './activation';
import type { LayerFn } from './forwardContext';
import type { WeightStore } from './weightStore';

/**
 * Squeeze-excitation: global average pool -> 1x1 conv (bias) -> activation -> 1x1 conv (bias) -> gate ->
 * multiply. Weights `<name>.reduce.weight` `[1, 1, C, S]`, `.reduce.bias`, `<name>.expand.weight`
 * `[1, 1, S, C]`, `.expand.bias`.
 */
export function seLayer(store: WeightStore, name: string, channels: number, squeeze: number, activation: Activation, gate: SeGate): LayerFn {
  const w1 = store.heNormal(`${name}.reduce.weight`, [1, 1, channels, squeeze], squeeze);
  const b1 = store.constant(`${name}.reduce.bias`, [squeeze], 0, true);
  const w2 = store.heNormal(`${name}.expand.weight`, [1, 1, squeeze, channels], channels);
  const b2 = store.constant(`${name}.expand.bias`, [channels], 0, true);
  return (x) => {
    const [n, , , c] = x.shape;
    const s = tf.reshape(globalAvgPool(x), [n, c]);
    const h = applyActivation(tf.add(tf.matMul(s, tf.reshape(w1, [channels, squeeze])), b1), activation);
    const g = applyActivation(tf.add(tf.matMul(h, tf.reshape(w2, [squeeze, channels])), b2), gate);
    return tf.mul(x, tf.reshape(g, [n, 1, 1, c])) as tf.Tensor4D;
  };
}
