import * as tf from '@tensorflow/tfjs';
import type { Activation } from '@fbnas/search-space';
import { applyActivation } from './activation';
import { batchNormLayer } from './batchNormLayer';
import type { LayerFn } from './forwardContext';
import type { WeightStore } from './weightStore';

/** Options of {@link convLayer}. */
export interface ConvLayerOptions {
  inChannels: number;
  outChannels: number;
  kernel: number;
  stride: number;
  /** Symmetric explicit padding (PyTorch / ONNX semantics, output size floor((H + 2p - k) / s) + 1). */
  padding: number;
  groups: number;
  bias: boolean;
  bn: boolean;
  activation: Activation;
  /** Initialise the BN scale to zero (last BN of residual blocks). */
  zeroGamma?: boolean;
}

/**
 * conv [+ bias] [+ BN] [+ activation], NHWC. Weights: `<name>.conv.weight` HWIO `[k, k, in/groups, out]`
 * (depthwise: `[k, k, in, 1]`), `<name>.conv.bias`, `<name>.bn.*`. Groups are split/concat convs; a
 * group count equal to the channel count is a depthwise conv.
 */
export function convLayer(store: WeightStore, name: string, o: ConvLayerOptions): LayerFn {
  const depthwise = o.groups > 1 && o.groups === o.inChannels && o.groups === o.outChannels;
  const shape = depthwise ? [o.kernel, o.kernel, o.inChannels, 1] : [o.kernel, o.kernel, o.inChannels / o.groups, o.outChannels];
  const fanOut = depthwise ? o.kernel * o.kernel : (o.kernel * o.kernel * o.outChannels) / o.groups;
  const w = store.heNormal(`${name}.conv.weight`, shape, fanOut);
  const b = o.bias ? store.constant(`${name}.conv.bias`, [o.outChannels], 0, true) : null;
  const bn = o.bn ? batchNormLayer(store, `${name}.bn`, o.outChannels, o.zeroGamma ?? false) : null;
  const pad = o.padding;
  return (x, ctx) => {
    let y: tf.Tensor4D;
    if (depthwise) y = tf.depthwiseConv2d(x, w as tf.Tensor4D, o.stride, pad, 'NHWC', 1, 'floor');
    else if (o.groups === 1) y = tf.conv2d(x, w as tf.Tensor4D, o.stride, pad, 'NHWC', 1, 'floor');
    else {
      const xs = tf.split(x, o.groups, 3);
      const ws = tf.split(w as tf.Tensor4D, o.groups, 3);
      y = tf.concat(xs.map((xi, i) => tf.conv2d(xi as tf.Tensor4D, ws[i] as tf.Tensor4D, o.stride, pad, 'NHWC', 1, 'floor')), 3);
    }
    if (b) y = tf.add(y, b) as tf.Tensor4D;
    if (bn) y = bn(y, ctx);
    return applyActivation(y, o.activation) as tf.Tensor4D;
  };
}
