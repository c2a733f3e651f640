import type { EmitContext, OnnxValue } from './emitContext';

/** Global average pooling. */
export function emitPool(ctx: EmitContext, x: OnnxValue): OnnxValue {
  return { name: ctx.g.node('GlobalAveragePool', [x.name]), shape: { height: 1, width: 1, channels: x.shape.channels } };
}
