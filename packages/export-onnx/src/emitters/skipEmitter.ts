import { isIdentitySkip, type SkipBlock } from '@fbnas/search-space';
import { emitConv } from './convEmitter';
import type { EmitContext, OnnxValue } from './emitContext';

/** `skip`: the input itself, or a 1x1 projection conv + BN + activation when the shape changes. */
export function emitSkip(ctx: EmitContext, x: OnnxValue, name: string, block: SkipBlock): OnnxValue {
  if (isIdentitySkip(block, x.shape.channels)) return x;
  return emitConv(ctx, x, `${name}.proj`, { outChannels: block.channels, kernel: 1, stride: block.stride, padding: 0, groups: 1, bias: false, bn: true, activation: block.activation });
}
