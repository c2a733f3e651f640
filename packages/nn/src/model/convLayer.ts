import * as tf from '@tensorflow/tfjs';
import type { ConvLayerSpec } from '@fbnas/search-space';
import { FUSED_ACTIVATION_CODES, type FusedActivation } from '../contract';
import { blockDiagonal, groupedConv1x1 } from '../ops/fusedOps';
import { applyActivation } from './activation';
import { batchNormLayer } from './batchNormLayer';
import type { LayerFn } from './forwardContext';
import type { WeightStore } from './weightStore';

/** Options of {@link convLayer}: the shared conv spec plus the input width. */
export interface ConvLayerOptions extends ConvLayerSpec {
  inChannels: number;
  /** Initialise the BN scale to zero (last BN of residual blocks). */
  zeroGamma?: boolean;
}

/** The `[rows, cols]` 0/1 mask of a grouped 1x1 filter: row r feeds column c when both are in the same one of `groups` groups. */
export function groupMask(rows: number, cols: number, groups: number): Float32Array {
  const m = new Float32Array(rows * cols);
  const rg = rows / groups;
  const cg = cols / groups;
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) if (Math.floor(r / rg) === Math.floor(c / cg)) m[r * cols + c] = 1;
  return m;
}

/**
 * conv [+ bias] [+ BN] [+ activation], NHWC. Weights: `<name>.conv.weight` HWIO `[k, k, in/groups, out]`
 * (depthwise: `[k, k, in, 1]`), `<name>.conv.bias`, `<name>.bn.*`. Grouped convs run as one conv with a
 * block-diagonal filter; a group count equal to the channel count is a depthwise conv.
 */
export function convLayer(store: WeightStore, name: string, o: ConvLayerOptions): LayerFn {
  const depthwise = o.groups > 1 && o.groups === o.inChannels && o.groups === o.outChannels;
  const shape = depthwise ? [o.kernel, o.kernel, o.inChannels, 1] : [o.kernel, o.kernel, o.inChannels / o.groups, o.outChannels];
  const fanOut = depthwise ? o.kernel * o.kernel : (o.kernel * o.kernel * o.outChannels) / o.groups;
  const w = store.heNormal(`${name}.conv.weight`, shape, fanOut);
  const b = o.bias ? store.constant(`${name}.conv.bias`, [o.outChannels], 0, true) : null;
  // the piecewise-linear activations run inside the BatchNorm kernels
  const fused = o.bn && o.activation in FUSED_ACTIVATION_CODES ? (o.activation as FusedActivation) : undefined;
  const bn = o.bn ? batchNormLayer(store, `${name}.bn`, o.outChannels, o.zeroGamma ?? false, fused) : null;
  const pad = o.padding;
  const mask = !depthwise && o.groups > 1 ? groupMask(o.inChannels, o.outChannels, o.groups) : null;
  return (x, ctx) => {
    let y: tf.Tensor4D;
    if (depthwise) y = tf.depthwiseConv2d(x, w as tf.Tensor4D, o.stride, pad, 'NHWC', 1, 'floor');
    else if (o.groups === 1) y = tf.conv2d(x, w as tf.Tensor4D, o.stride, pad, 'NHWC', 1, 'floor');
    else if (o.kernel === 1 && o.stride === 1 && pad === 0) y = groupedConv1x1(x, w as tf.Tensor4D, o.groups, mask as Float32Array);
    else y = tf.conv2d(x, blockDiagonal(w as tf.Tensor4D, o.groups, mask as Float32Array), o.stride, pad, 'NHWC', 1, 'floor');
    if (b) y = tf.add(y, b) as tf.Tensor4D;
    if (bn) y = bn(y, ctx);
    return fused ? y : (applyActivation(y, o.activation) as tf.Tensor4D);
  };
}
