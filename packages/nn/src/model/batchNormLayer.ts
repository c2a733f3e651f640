import * as tf from '@tensorflow/tfjs';
import type { FusedActivation } from '../contract';
import { batchNormTrain, fusedActivation } from '../ops/fusedOps';
import type { LayerFn } from './forwardContext';
import type { WeightStore } from './weightStore';

/**
 * BatchNorm over N, H, W. Training normalises with the batch moments and queues the running-statistic
 * update (moving = momentum * moving + (1 - momentum) * batch); inference uses the running statistics.
 * Weights: `<name>.gamma`, `<name>.beta` (trained), `<name>.mean`, `<name>.variance` (not trained).
 * An `activation` follows the normalisation, fused into the training kernels (one pass forward, two back).
 */
export function batchNormLayer(store: WeightStore, name: string, channels: number, zeroGamma: boolean, activation?: FusedActivation): LayerFn {
  const gamma = store.constant(`${name}.gamma`, [channels], zeroGamma ? 0 : 1, true);
  const beta = store.constant(`${name}.beta`, [channels], 0, true);
  const mean = store.constant(`${name}.mean`, [channels], 0, false);
  const variance = store.constant(`${name}.variance`, [channels], 1, false);
  return (x, ctx) => {
    if (!ctx.training) {
      const y = tf.batchNorm4d(x, mean as tf.Tensor1D, variance as tf.Tensor1D, beta as tf.Tensor1D, gamma as tf.Tensor1D, ctx.bnEpsilon);
      return activation === undefined ? y : (fusedActivation(y, activation) as tf.Tensor4D);
    }
    const m = batchNormTrain(x, gamma, beta, ctx.bnEpsilon, activation);
    // the running averages are updated after the step, off the gradient tape (ops on it save copies of their inputs)
    ctx.bnUpdates.push({ variable: mean, batch: m.mean, momentum: ctx.bnMomentum }, { variable: variance, batch: m.variance, momentum: ctx.bnMomentum });
    return m.y as tf.Tensor4D;
  };
}
