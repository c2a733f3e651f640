import { irBlockLayout, type ArchRules, type IrBlock } from '@fbnas/search-space';
import { emitChannelShuffle } from './channelShuffleEmitter';
import { emitConv } from './convEmitter';
import type { EmitContext, OnnxValue } from './emitContext';
import { emitSe } from './seEmitter';

/** Inverted residual block: pw [+ shuffle] -> dw -> [SE] -> pwl [-> Add input]. */
export function emitIrBlock(ctx: EmitContext, x: OnnxValue, name: string, block: IrBlock, rules: ArchRules): OnnxValue {
  const layout = irBlockLayout(block, x.shape.channels, rules);
  const mid = layout.midChannels;
  let y = x;
  if (layout.hasPw) y = emitConv(ctx, y, `${name}.pw`, { outChannels: mid, kernel: 1, stride: 1, padding: 0, groups: block.groups, bias: block.bias, bn: true, activation: block.activation });
  if (layout.hasShuffle) y = emitChannelShuffle(ctx, y, block.groups);
  y = emitConv(ctx, y, `${name}.dw`, { outChannels: mid, kernel: block.kernel, stride: block.stride, padding: layout.dwPadding, groups: mid, bias: block.bias, bn: true, activation: block.activation });
  if (block.se) y = emitSe(ctx, y, `${name}.se`, layout.seChannels, block.activation, block.se.gate);
  y = emitConv(ctx, y, `${name}.pwl`, { outChannels: block.channels, kernel: 1, stride: 1, padding: 0, groups: block.groups, bias: block.bias, bn: true, activation: 'identity' });
  return layout.residual ? { name: ctx.g.node('Add', [x.name, y.name]), shape: y.shape } : y;
}
