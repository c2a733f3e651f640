import * as tf from '@tensorflow/tfjs';
import { irBlockLayout, type Block, type IrBlock, type LayerSpec, type LayerwiseSpace } from '@fbnas/search-space';
import { applyActivation, batchNormLayer, channelShuffle, FUSED_ACTIVATION_CODES, groupedConv1x1, groupMask, type FusedActivation, type LayerFn, type NamedWeights, type WeightStore } from '@fbnas/nn';

/**
 * Weight sharing between the IR candidates of one layer (a "superkernel", as in Single-Path NAS, FBNetV2's
 * channel masking and Once-for-All's elastic kernels): layer l keeps one 1x1 expansion
 * `layers.{l}.shared.pw.weight` [1, 1, in, in * maxExpansion], one depthwise `layers.{l}.shared.dw.weight`
 * [maxK, maxK, in * maxExpansion, 1] and one projection `layers.{l}.shared.pwl.weight` [1, 1, in * maxExpansion, out].
 * Candidate (k, e, g) uses the first in * e channels, the centred k x k window and, for g groups, the
 * block-diagonal part of the 1x1 weights (its grouped conv); its BatchNorms stay its own
 * (`layers.{l}.{c}.{pw|dw|pwl}.bn.*`). Candidates then compute aligned features, so a single sampled path
 * per step trains every candidate's share of the layer.
 */

/** Whether a candidate block can use the layer's shared weights (plain IR: no SE, no bias, default padding). */
export function sharesWeights(block: Block): block is IrBlock {
  return block.op === 'ir' && block.se === null && !block.bias && block.dwPadding === null;
}

interface SharedShape {
  maxMid: number;
  maxKernel: number;
}

function sharedShape(space: LayerwiseSpace, layer: LayerSpec): SharedShape | null {
  let maxMid = 0;
  let maxKernel = 0;
  space.config.candidates.forEach((_, c) => {
    const b = space.candidateBlock(layer.index, c);
    if (!sharesWeights(b)) return;
    maxMid = Math.max(maxMid, irBlockLayout(b, layer.inChannels, space.config.rules).midChannels);
    maxKernel = Math.max(maxKernel, b.kernel);
  });
  return maxMid > 0 ? { maxMid, maxKernel } : null;
}

/** `groupMask` as a `[1, 1, rows, cols]` filter mask. */
function groupMaskTensor(rows: number, cols: number, groups: number): tf.Tensor4D {
  return tf.tensor4d(groupMask(rows, cols, groups), [1, 1, rows, cols]);
}

/**
 * The layer functions of every candidate of `layer`, shared-weight ones built on one superkernel; the others
 * (skip) by `fallback`. Returns the functions and the constant masks to dispose with the supernet.
 */
export function sharedCandidateLayers(
  store: WeightStore,
  space: LayerwiseSpace,
  layer: LayerSpec,
  zeroInitResidualGamma: boolean,
  fallback: (c: number) => LayerFn,
): { fns: LayerFn[]; constants: tf.Tensor[] } {
  const shape = sharedShape(space, layer);
  const constants: tf.Tensor[] = [];
  if (!shape) return { fns: space.config.candidates.map((_, c) => fallback(c)), constants };
  const { maxMid, maxKernel } = shape;
  const base = `layers.${layer.index}.shared`;
  const pwW = store.heNormal(`${base}.pw.weight`, [1, 1, layer.inChannels, maxMid], maxMid);
  const dwW = store.heNormal(`${base}.dw.weight`, [maxKernel, maxKernel, maxMid, 1], maxKernel * maxKernel);
  const pwlW = store.heNormal(`${base}.pwl.weight`, [1, 1, maxMid, layer.outChannels], layer.outChannels);
  const fns = space.config.candidates.map((_, c): LayerFn => {
    const block = space.candidateBlock(layer.index, c);
    if (!sharesWeights(block)) return fallback(c);
    const layout = irBlockLayout(block, layer.inChannels, space.config.rules);
    const mid = layout.midChannels;
    const name = `layers.${layer.index}.${c}`;
    // the piecewise-linear activations run inside the BatchNorm kernels
    const fused = block.activation in FUSED_ACTIVATION_CODES ? (block.activation as FusedActivation) : undefined;
    const activate = (t: tf.Tensor4D) => (fused ? t : (applyActivation(t, block.activation) as tf.Tensor4D));
    const pwBn = layout.hasPw ? batchNormLayer(store, `${name}.pw.bn`, mid, false, fused) : null;
    const dwBn = batchNormLayer(store, `${name}.dw.bn`, mid, false, fused);
    const pwlBn = batchNormLayer(store, `${name}.pwl.bn`, block.channels, layout.residual && zeroInitResidualGamma);
    const pwMask = block.groups > 1 ? groupMaskTensor(layer.inChannels, mid, block.groups) : null;
    const pwlMask = block.groups > 1 ? groupMaskTensor(mid, block.channels, block.groups) : null;
    if (pwMask) constants.push(pwMask);
    if (pwlMask) constants.push(pwlMask);
    const off = (maxKernel - block.kernel) / 2;
    return (x, ctx) => {
      let y = x;
      if (pwBn) {
        const w = tf.slice(pwW, [0, 0, 0, 0], [1, 1, layer.inChannels, mid]) as tf.Tensor4D;
        y = activate(pwBn(pwMask ? groupedConv1x1(y, w, block.groups, pwMask, true) : tf.conv2d(y, w, 1, 0), ctx));
      }
      if (layout.hasShuffle) y = channelShuffle(y, block.groups);
      const dw = tf.slice(dwW, [off, off, 0, 0], [block.kernel, block.kernel, mid, 1]) as tf.Tensor4D;
      y = activate(dwBn(tf.depthwiseConv2d(y, dw, block.stride, layout.dwPadding), ctx));
      const w2 = tf.slice(pwlW, [0, 0, 0, 0], [1, 1, mid, block.channels]) as tf.Tensor4D;
      y = pwlBn(pwlMask ? groupedConv1x1(y, w2, block.groups, pwlMask, true) : tf.conv2d(y, w2, 1, 0), ctx);
      return layout.residual ? (tf.add(x, y) as tf.Tensor4D) : y;
    };
  });
  return { fns, constants };
}

/** Copy `[rows, cols]` of a `[1, 1, R, C]` weight into the grouped layout `[1, 1, rows / g, cols]` (or dense for g = 1). */
function grouped1x1(src: Float32Array, srcCols: number, rows: number, cols: number, groups: number): Float32Array {
  const rg = rows / groups;
  const cg = cols / groups;
  const out = new Float32Array(rg * cols);
  for (let r = 0; r < rg; r++) {
    for (let c = 0; c < cols; c++) {
      const j = Math.floor(c / cg);
      out[r * cols + c] = src[(j * rg + r) * srcCols + c];
    }
  }
  return out;
}

/**
 * The conv weights of candidate `c` at `layer` cut out of the shared superkernel, named as `buildModel`
 * names them under `prefix` (`blocks.{i}`): `.pw.conv.weight`, `.dw.conv.weight`, `.pwl.conv.weight`.
 */
export function sharedChildWeights(space: LayerwiseSpace, layer: LayerSpec, c: number, weights: NamedWeights, prefix: string): NamedWeights {
  const block = space.candidateBlock(layer.index, c);
  const out: NamedWeights = {};
  if (!sharesWeights(block)) return out;
  const base = `layers.${layer.index}.shared`;
  const pw = weights[`${base}.pw.weight`];
  const dw = weights[`${base}.dw.weight`];
  const pwl = weights[`${base}.pwl.weight`];
  if (!pw || !dw || !pwl) return out;
  const layout = irBlockLayout(block, layer.inChannels, space.config.rules);
  const mid = layout.midChannels;
  const maxMid = pw.shape[3];
  const maxK = dw.shape[0];
  const g = block.groups;
  if (layout.hasPw) out[`${prefix}.pw.conv.weight`] = { shape: [1, 1, layer.inChannels / g, mid], data: grouped1x1(pw.data, maxMid, layer.inChannels, mid, g) };
  const k = block.kernel;
  const off = (maxK - k) / 2;
  const dwData = new Float32Array(k * k * mid);
  for (let y = 0; y < k; y++) for (let x = 0; x < k; x++) for (let ch = 0; ch < mid; ch++) dwData[(y * k + x) * mid + ch] = dw.data[((y + off) * maxK + (x + off)) * maxMid + ch];
  out[`${prefix}.dw.conv.weight`] = { shape: [k, k, mid, 1], data: dwData };
  out[`${prefix}.pwl.conv.weight`] = { shape: [1, 1, mid / g, block.channels], data: grouped1x1(pwl.data, block.channels, mid, block.channels, g) };
  return out;
}
