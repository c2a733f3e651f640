import type { EmitContext, OnnxValue } from './emitContext';

/** Channel shuffle in NCHW: Reshape [N, g, C/g, H, W] -> Transpose (0, 2, 1, 3, 4) -> Reshape [N, C, H, W]. */
export function emitChannelShuffle(ctx: EmitContext, x: OnnxValue, groups: number): OnnxValue {
  const { g } = ctx;
  const { height: h, width: w, channels: c } = x.shape;
  const split = g.node('Reshape', [x.name, g.int64(g.name('shape'), [0, groups, c / groups, h, w])]);
  const t = g.node('Transpose', [split], { perm: [0, 2, 1, 3, 4] });
  return { name: g.node('Reshape', [t, g.int64(g.name('shape'), [0, c, h, w])]), shape: x.shape };
}
