import * as tf from '@tensorflow/tfjs';
import type { ConvLayerSpec } from '@fbnas/search-space';
import { FUSED_ACTIVATION_CODES, type FusedActivation } from '../contract';
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

/**
 * The dense HWIO filter equal to a grouped one ([k, k, in/g, out] -> [k, k, in, out], zero off the
 * diagonal blocks). One conv with it replaces splitting the activations into groups and concatenating
 * them back (g times the multiply-adds of that conv, but no copies of the large activation tensors).
 */
function blockDiagonal(w: tf.Tensor4D, groups: number): tf.Tensor4D {
  const [kh, kw, cinG, cout] = w.shape;
  const coutG = cout / groups;
  const blocks = Array.from({ length: groups }, (_, j) =>
    tf.pad(tf.slice(w, [0, 0, 0, j * coutG], [kh, kw, cinG, coutG]), [[0, 0], [0, 0], [j * cinG, (groups - 1 - j) * cinG], [0, 0]]),
  );
  return tf.concat(blocks, 3);
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
  return (x, ctx) => {
    let y: tf.Tensor4D;
    if (depthwise) y = tf.depthwiseConv2d(x, w as tf.Tensor4D, o.stride, pad, 'NHWC', 1, 'floor');
    else if (o.groups === 1) y = tf.conv2d(x, w as tf.Tensor4D, o.stride, pad, 'NHWC', 1, 'floor');
    else y = tf.conv2d(x, blockDiagonal(w as tf.Tensor4D, o.groups), o.stride, pad, 'NHWC', 1, 'floor');
    if (b) y = tf.add(y, b) as tf.Tensor4D;
    if (bn) y = bn(y, ctx);
    return fused ? y : (applyActivation(y, o.activation) as tf.Tensor4D);
  };
}
