import { irPoolLayout, type ArchRules, type IrPoolBlock } from '@fbnas/search-space';
import { emitConv } from './convEmitter';
import type { EmitContext, OnnxValue } from './emitContext';

/** `ir_pool`: 1x1 expand + BN + act -> GlobalAveragePool -> 1x1 conv (no BN) + act. */
export function emitIrPool(ctx: EmitContext, x: OnnxValue, name: string, block: IrPoolBlock, rules: ArchRules): OnnxValue {
  const { midChannels, hasPw } = irPoolLayout(block, x.shape.channels, rules);
  let y = x;
  if (hasPw) y = emitConv(ctx, y, `${name}.pw`, { outChannels: midChannels, kernel: 1, stride: 1, padding: 0, groups: 1, bias: block.bias, bn: true, activation: block.activation });
  const pooled: OnnxValue = { name: ctx.g.node('GlobalAveragePool', [y.name]), shape: { height: 1, width: 1, channels: midChannels } };
  return emitConv(ctx, pooled, `${name}.pwl`, { outChannels: block.channels, kernel: 1, stride: 1, padding: 0, groups: 1, bias: block.bias, bn: false, activation: block.activation });
}
