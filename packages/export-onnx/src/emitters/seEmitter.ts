import type { Activation, SeGate } from '@fbnas/search-space';
import { emitActivation } from './activationEmitter';
import type { EmitContext, OnnxValue } from './emitContext';

/** Squeeze-excitation: GlobalAveragePool -> Conv 1x1 -> act -> Conv 1x1 -> gate -> Mul. */
export function emitSe(ctx: EmitContext, x: OnnxValue, name: string, squeeze: number, activation: Activation, gate: SeGate): OnnxValue {
  const { g, weights } = ctx;
  const c = x.shape.channels;
  // [1, 1, C, S] HWIO is [C, S] in memory; ONNX wants [S, C, 1, 1]
  const w1 = weights.get(`${name}.reduce.weight`, [1, 1, c, squeeze]);
  const w2 = weights.get(`${name}.expand.weight`, [1, 1, squeeze, c]);
  const t1 = new Float32Array(w1.length);
  for (let i = 0; i < c; i++) for (let s = 0; s < squeeze; s++) t1[s * c + i] = w1[i * squeeze + s];
  const t2 = new Float32Array(w2.length);
  for (let s = 0; s < squeeze; s++) for (let i = 0; i < c; i++) t2[i * squeeze + s] = w2[s * c + i];
  const pooled = g.node('GlobalAveragePool', [x.name]);
  const h = g.node('Conv', [pooled, g.constant(`${name}.reduce.weight`, [squeeze, c, 1, 1], t1), g.constant(`${name}.reduce.bias`, [squeeze], weights.get(`${name}.reduce.bias`, [squeeze]))], { kernel_shape: [1, 1] });
  const e = g.node('Conv', [emitActivation(ctx, h, activation), g.constant(`${name}.expand.weight`, [c, squeeze, 1, 1], t2), g.constant(`${name}.expand.bias`, [c], weights.get(`${name}.expand.bias`, [c]))], { kernel_shape: [1, 1] });
  return { name: g.node('Mul', [x.name, emitActivation(ctx, e, gate)]), shape: x.shape };
}
