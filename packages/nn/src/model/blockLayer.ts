import * as tf from '@tensorflow/tfjs';
import { irPoolLayout, isIdentitySkip, type ArchRules, type Block } from '@fbnas/search-space';
import { NnError } from '../errors';
import { globalAvgPool } from '../ops/fusedOps';
import { convLayer } from './convLayer';
import type { LayerFn } from './forwardContext';
import { irBlockLayer } from './irBlockLayer';
import type { WeightStore } from './weightStore';

/** Options of {@link blockLayer}. */
export interface BlockLayerOptions {
  /** Stochastic-depth rate of this block's residual branch [0]. */
  dropPathRate?: number;
  zeroInitResidualGamma?: boolean;
}

/**
 * The tfjs layer of one spatial block (conv, ir, skip, ir_pool, pool) with its weights created in
 * `store` under `name`. `buildModel` assembles these; a supernet (DNAS) builds one per candidate.
 */
export function blockLayer(store: WeightStore, name: string, block: Block, inChannels: number, rules: ArchRules, options: BlockLayerOptions = {}): LayerFn {
  switch (block.op) {
    case 'conv':
      return convLayer(store, name, {
        inChannels, outChannels: block.channels, kernel: block.kernel, stride: block.stride, padding: block.padding ?? Math.floor(block.kernel / 2),
        groups: block.groups, bias: block.bias, bn: block.bn, activation: block.activation,
      });
    case 'ir':
      return irBlockLayer(store, name, block, inChannels, rules, { dropPathRate: options.dropPathRate ?? 0, zeroInitResidualGamma: options.zeroInitResidualGamma ?? false });
    case 'skip':
      if (isIdentitySkip(block, inChannels)) return (x) => x;
      return convLayer(store, `${name}.proj`, { inChannels, outChannels: block.channels, kernel: 1, stride: block.stride, padding: 0, groups: 1, bias: false, bn: true, activation: block.activation });
    case 'ir_pool': {
      const { midChannels, hasPw } = irPoolLayout(block, inChannels, rules);
      const pw = hasPw
        ? convLayer(store, `${name}.pw`, { inChannels, outChannels: midChannels, kernel: 1, stride: 1, padding: 0, groups: 1, bias: block.bias, bn: true, activation: block.activation })
        : null;
      const pwl = convLayer(store, `${name}.pwl`, { inChannels: midChannels, outChannels: block.channels, kernel: 1, stride: 1, padding: 0, groups: 1, bias: block.bias, bn: false, activation: block.activation });
      return (x, ctx) => pwl(globalAvgPool(pw ? pw(x, ctx) : x), ctx);
    }
    case 'pool':
      return (x) => globalAvgPool(x);
    case 'fc':
      throw new NnError('UNSUPPORTED', 'fbnas.blockLayer', `${name} is an fc block; it is not spatial (buildModel adds the classifier)`);
  }
}

/** A weighted sum of layers (a supernet's soft mixed op): sum_i weights[i] * layer_i(x). */
export function mixLayers(outputs: tf.Tensor4D[], weights: tf.Tensor1D): tf.Tensor4D {
  const parts = outputs.map((y, i) => tf.mul(y, tf.slice(weights, [i], [1])));
  return tf.addN(parts) as tf.Tensor4D;
}
