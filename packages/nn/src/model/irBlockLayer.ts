import * as tf from '@tensorflow/tfjs';
import { irBlockLayout, type ArchRules, type IrBlock } from '@fbnas/search-space';
import { channelShuffle } from './channelShuffle';
import { convLayer } from './convLayer';
import { dropPath } from './dropPath';
import type { LayerFn } from './forwardContext';
import { seLayer } from './seLayer';
import type { WeightStore } from './weightStore';

/**
 * Inverted residual block with the layout of `irBlockLayout` (the same rules archStats counts):
 * `<name>.pw` 1x1 (+ shuffle) -> `<name>.dw` kxk depthwise -> `<name>.se` -> `<name>.pwl` 1x1 linear
 * (-> + input, with stochastic depth).
 */
export function irBlockLayer(
  store: WeightStore,
  name: string,
  block: IrBlock,
  inChannels: number,
  rules: ArchRules,
  opts: { dropPathRate: number; zeroInitResidualGamma: boolean },
): LayerFn {
  const layout = irBlockLayout(block, inChannels, rules);
  const mid = layout.midChannels;
  const pw = layout.hasPw
    ? convLayer(store, `${name}.pw`, { inChannels, outChannels: mid, kernel: 1, stride: 1, padding: 0, groups: block.groups, bias: block.bias, bn: true, activation: block.activation })
    : null;
  const dw = convLayer(store, `${name}.dw`, {
    inChannels: mid, outChannels: mid, kernel: block.kernel, stride: block.stride, padding: layout.dwPadding, groups: mid, bias: block.bias, bn: true, activation: block.activation,
  });
  const se = block.se ? seLayer(store, `${name}.se`, mid, layout.seChannels, block.activation, block.se.gate) : null;
  const pwl = convLayer(store, `${name}.pwl`, {
    inChannels: mid, outChannels: block.channels, kernel: 1, stride: 1, padding: 0, groups: block.groups, bias: block.bias, bn: true, activation: 'identity',
    zeroGamma: layout.residual && opts.zeroInitResidualGamma,
  });
  return (x, ctx) => {
    let y = x;
    if (pw) y = pw(y, ctx);
    if (layout.hasShuffle) y = channelShuffle(y, block.groups);
    y = dw(y, ctx);
    if (se) y = se(y, ctx);
    y = pwl(y, ctx);
    return layout.residual ? (tf.add(x, dropPath(y, opts.dropPathRate, ctx)) as tf.Tensor4D) : y;
  };
}
