import { convOutputSize, type ConvLayerSpec } from '@fbnas/search-space';
import { emitActivation } from './activationEmitter';
import type { EmitContext, OnnxValue } from './emitContext';

/** A conv layer as `@fbnas/nn` builds it (weights under `<name>.conv.*` and `<name>.bn.*`). */
export type ConvSpec = ConvLayerSpec;

/** HWIO [kh, kw, i, o] -> OIHW [o, i, kh, kw]. */
function hwioToOihw(w: Float32Array, kh: number, kw: number, ci: number, co: number): Float32Array {
  const out = new Float32Array(w.length);
  for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) for (let i = 0; i < ci; i++) for (let o = 0; o < co; o++) out[((o * ci + i) * kh + y) * kw + x] = w[((y * kw + x) * ci + i) * co + o];
  return out;
}

/**
 * Conv [+ bias] [+ BN, folded into the conv by default] [+ activation]. Depthwise weights `[k, k, C, 1]`
 * become `[C, 1, k, k]` with group C; grouped weights `[k, k, in/g, out]` become `[out, in/g, k, k]`.
 */
export function emitConv(ctx: EmitContext, x: OnnxValue, name: string, o: ConvSpec): OnnxValue {
  const { g, weights } = ctx;
  const cin = x.shape.channels;
  const depthwise = o.groups > 1 && o.groups === cin && o.groups === o.outChannels;
  const k = o.kernel;
  const hwio = depthwise ? [k, k, cin, 1] : [k, k, cin / o.groups, o.outChannels];
  const raw = weights.get(`${name}.conv.weight`, hwio);
  const w = depthwise
    ? hwioToOihw(raw, k, k, 1, cin) // [k,k,C,1] read as [k,k,1,C]: same memory order
    : hwioToOihw(raw, k, k, hwio[2], o.outChannels);
  const wDims = [o.outChannels, depthwise ? 1 : hwio[2], k, k];
  let bias: Float32Array | null = o.bias ? Float32Array.from(weights.get(`${name}.conv.bias`, [o.outChannels])) : null;
  let bnNode: { gamma: Float32Array; beta: Float32Array; mean: Float32Array; variance: Float32Array } | null = null;
  if (o.bn) {
    bnNode = {
      gamma: weights.get(`${name}.bn.gamma`, [o.outChannels]),
      beta: weights.get(`${name}.bn.beta`, [o.outChannels]),
      mean: weights.get(`${name}.bn.mean`, [o.outChannels]),
      variance: weights.get(`${name}.bn.variance`, [o.outChannels]),
    };
  }
  let wOut = w;
  if (bnNode && ctx.foldBatchNorm) {
    // W' = W * s, b' = (b - mean) * s + beta, s = gamma / sqrt(var + eps)
    const per = w.length / o.outChannels;
    wOut = new Float32Array(w.length);
    const b2 = new Float32Array(o.outChannels);
    for (let c = 0; c < o.outChannels; c++) {
      const s = bnNode.gamma[c] / Math.sqrt(bnNode.variance[c] + ctx.bnEpsilon);
      for (let j = 0; j < per; j++) wOut[c * per + j] = w[c * per + j] * s;
      b2[c] = ((bias ? bias[c] : 0) - bnNode.mean[c]) * s + bnNode.beta[c];
    }
    bias = b2;
    bnNode = null;
  }
  const inputs = [x.name, g.constant(`${name}.weight`, wDims, wOut)];
  if (bias) inputs.push(g.constant(`${name}.bias`, [o.outChannels], bias));
  let y = g.node('Conv', inputs, { kernel_shape: [k, k], strides: [o.stride, o.stride], pads: [o.padding, o.padding, o.padding, o.padding], group: o.groups, dilations: [1, 1] });
  if (bnNode) {
    y = g.node('BatchNormalization', [
      y,
      g.constant(`${name}.bn.gamma`, [o.outChannels], bnNode.gamma),
      g.constant(`${name}.bn.beta`, [o.outChannels], bnNode.beta),
      g.constant(`${name}.bn.mean`, [o.outChannels], bnNode.mean),
      g.constant(`${name}.bn.variance`, [o.outChannels], bnNode.variance),
    ], { epsilon: ctx.bnEpsilon });
  }
  const shape = {
    height: convOutputSize(x.shape.height, k, o.stride, o.padding),
    width: convOutputSize(x.shape.width, k, o.stride, o.padding),
    channels: o.outChannels,
  };
  return { name: emitActivation(ctx, y, o.activation), shape };
}
