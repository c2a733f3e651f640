import type { FcBlock } from '@fbnas/search-space';
import type { EmitContext, OnnxValue } from './emitContext';

/** Flatten + Gemm: Y = X W + b with W `[in, out]` as `@fbnas/nn` stores it (dropout is identity at inference). */
export function emitFc(ctx: EmitContext, x: OnnxValue, name: string, block: FcBlock, outputName?: string): OnnxValue {
  const { g, weights } = ctx;
  const cin = x.shape.channels;
  const flat = g.node('Flatten', [x.name], { axis: 1 });
  const inputs = [flat, g.constant(`${name}.fc.weight`, [cin, block.channels], weights.get(`${name}.fc.weight`, [cin, block.channels]))];
  if (block.bias) inputs.push(g.constant(`${name}.fc.bias`, [block.channels], weights.get(`${name}.fc.bias`, [block.channels])));
  return { name: g.node('Gemm', inputs, {}, outputName), shape: { height: 1, width: 1, channels: block.channels } };
}
