import { OnnxExportError } from './errors';
import { onnx, type OnnxNamespace } from './onnxProto';

const API = 'fbnas.evaluateOnnxFloat64';

/** A dense row-major tensor: the input (float32 or float64 values) and output of {@link evaluateOnnxFloat64}. */
export interface DenseTensor<T extends Float32Array | Float64Array = Float64Array> {
  dims: number[];
  data: T;
}
type F64Tensor = DenseTensor;

/** The operator types {@link evaluateOnnxFloat64} implements: every one fbnas exports. */
export const FLOAT64_EVALUATOR_OPS = ['Add', 'BatchNormalization', 'Clip', 'Conv', 'Flatten', 'Gemm', 'GlobalAveragePool', 'HardSigmoid', 'HardSwish', 'Identity', 'Mul', 'Relu', 'Reshape', 'Sigmoid', 'Transpose'] as const;

const size = (dims: number[]) => dims.reduce((a, b) => a * b, 1);
const num = (v: unknown): number => (typeof v === 'number' ? v : Number(String(v)));

function attrs(node: OnnxNamespace.INodeProto): Map<string, OnnxNamespace.IAttributeProto> {
  return new Map((node.attribute ?? []).map((a) => [a.name ?? '', a]));
}

function initializer(t: OnnxNamespace.ITensorProto): F64Tensor {
  const dims = (t.dims ?? []).map(num);
  const name = t.name ?? '';
  let data: Float64Array;
  if (t.dataType === onnx.TensorProto.DataType.INT64) data = Float64Array.from((t.int64Data ?? []).map(num));
  else if (t.dataType === onnx.TensorProto.DataType.FLOAT) {
    const raw = t.rawData ?? new Uint8Array(0);
    if (raw.byteLength % 4 !== 0) throw new OnnxExportError('INVALID_ARGUMENT', API, `initializer "${name}" has ${raw.byteLength} raw bytes, not a whole number of float32 values`, name);
    data = raw.byteLength > 0 ? Float64Array.from(new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength))) : Float64Array.from(t.floatData ?? []);
  } else throw new OnnxExportError('UNSUPPORTED', API, `initializer "${name}" has data type ${String(t.dataType)}; the evaluator reads float32 and int64`, name);
  if (data.length !== size(dims)) throw new OnnxExportError('SHAPE_MISMATCH', API, `initializer "${name}" has ${data.length} values for dims [${dims.join(', ')}]`, name);
  return { dims, data };
}

/** Element-wise binary op with numpy broadcasting. */
function broadcast(a: F64Tensor, b: F64Tensor, f: (x: number, y: number) => number): F64Tensor {
  if (a.dims.length === b.dims.length && a.dims.every((d, i) => d === b.dims[i])) return { dims: a.dims, data: a.data.map((v, i) => f(v, b.data[i])) };
  const rank = Math.max(a.dims.length, b.dims.length);
  const ad = [...new Array<number>(rank - a.dims.length).fill(1), ...a.dims];
  const bd = [...new Array<number>(rank - b.dims.length).fill(1), ...b.dims];
  if (ad.some((d, i) => d !== bd[i] && d !== 1 && bd[i] !== 1)) throw new OnnxExportError('SHAPE_MISMATCH', API, `cannot broadcast [${a.dims.join(', ')}] with [${b.dims.join(', ')}]`);
  const dims = ad.map((d, i) => Math.max(d, bd[i]));
  const out = new Float64Array(size(dims));
  const strides = (d: number[]) => {
    const s = new Array<number>(rank).fill(0);
    let acc = 1;
    for (let i = rank - 1; i >= 0; i--) {
      s[i] = d[i] === 1 ? 0 : acc;
      acc *= d[i];
    }
    return s;
  };
  const as = strides(ad);
  const bs = strides(bd);
  const idx = new Array<number>(rank).fill(0);
  for (let o = 0; o < out.length; o++) {
    let ai = 0;
    let bi = 0;
    for (let i = 0; i < rank; i++) {
      ai += idx[i] * as[i];
      bi += idx[i] * bs[i];
    }
    out[o] = f(a.data[ai], b.data[bi]);
    for (let i = rank - 1; i >= 0; i--) {
      if (++idx[i] < dims[i]) break;
      idx[i] = 0;
    }
  }
  return { dims, data: out };
}

const unary = (x: F64Tensor, f: (v: number) => number): F64Tensor => ({ dims: x.dims, data: x.data.map(f) });

function conv(x: F64Tensor, w: F64Tensor, b: F64Tensor | undefined, a: Map<string, OnnxNamespace.IAttributeProto>): F64Tensor {
  const [n, c, h, wd] = x.dims;
  const [m, cg, kh, kw] = w.dims;
  const group = num(a.get('group')?.i ?? 1);
  const [sh, sw] = (a.get('strides')?.ints ?? [1, 1]).map(num);
  const [pt, pl] = (a.get('pads')?.ints ?? [0, 0, 0, 0]).map(num);
  const [pb, pr] = (a.get('pads')?.ints ?? [0, 0, 0, 0]).slice(2).map(num);
  const [dh, dw] = (a.get('dilations')?.ints ?? [1, 1]).map(num);
  if (c !== cg * group) throw new OnnxExportError('SHAPE_MISMATCH', API, `Conv input has ${c} channels, weight expects ${cg} x ${group} groups`);
  // a dilated kernel spans (k - 1) * d + 1 input pixels
  const oh = Math.floor((h + pt + pb - (kh - 1) * dh - 1) / sh) + 1;
  const ow = Math.floor((wd + pl + pr - (kw - 1) * dw - 1) / sw) + 1;
  const mg = m / group;
  const out = new Float64Array(n * m * oh * ow);
  const plane = oh * ow;
  const pointwise = kh === 1 && kw === 1 && sh === 1 && sw === 1 && pt + pl + pb + pr === 0;
  for (let bn = 0; bn < n; bn++) {
    for (let oc = 0; oc < m; oc++) {
      const g = Math.floor(oc / mg);
      const o0 = (bn * m + oc) * plane;
      out.fill(b ? b.data[oc] : 0, o0, o0 + plane);
      if (pointwise) {
        for (let ic = 0; ic < cg; ic++) {
          const wv = w.data[oc * cg + ic];
          const x0 = (bn * c + g * cg + ic) * plane;
          for (let p = 0; p < plane; p++) out[o0 + p] += wv * x.data[x0 + p];
        }
        continue;
      }
      for (let ic = 0; ic < cg; ic++) {
        const xc = (bn * c + g * cg + ic) * h;
        for (let ky = 0; ky < kh; ky++) {
          for (let kx = 0; kx < kw; kx++) {
            const wv = w.data[((oc * cg + ic) * kh + ky) * kw + kx];
            // output columns whose input column ox * sw - pl + kx * dw lies inside the image
            const oxLo = Math.max(0, Math.ceil((pl - kx * dw) / sw));
            const oxHi = Math.min(ow - 1, Math.floor((wd - 1 + pl - kx * dw) / sw));
            for (let oy = 0; oy < oh; oy++) {
              const iy = oy * sh - pt + ky * dh;
              if (iy < 0 || iy >= h) continue;
              const xr = (xc + iy) * wd - pl + kx * dw;
              const orow = o0 + oy * ow;
              for (let ox = oxLo; ox <= oxHi; ox++) out[orow + ox] += wv * x.data[xr + ox * sw];
            }
          }
        }
      }
    }
  }
  return { dims: [n, m, oh, ow], data: out };
}

function run(node: OnnxNamespace.INodeProto, inputs: (F64Tensor | undefined)[]): F64Tensor {
  const a = attrs(node);
  const [x, y, z] = inputs as F64Tensor[];
  switch (node.opType) {
    case 'Identity':
      return x;
    case 'Relu':
      return unary(x, (v) => Math.max(0, v));
    case 'Clip':
      return unary(x, (v) => Math.min(z.data[0], Math.max(y.data[0], v)));
    case 'Sigmoid':
      return unary(x, (v) => 1 / (1 + Math.exp(-v)));
    case 'HardSigmoid': {
      const alpha = num(a.get('alpha')?.f ?? 0.2);
      const beta = num(a.get('beta')?.f ?? 0.5);
      return unary(x, (v) => Math.max(0, Math.min(1, alpha * v + beta)));
    }
    case 'HardSwish':
      return unary(x, (v) => v * Math.max(0, Math.min(1, v / 6 + 0.5)));
    case 'Add':
      return broadcast(x, y, (p, q) => p + q);
    case 'Mul':
      return broadcast(x, y, (p, q) => p * q);
    case 'Conv':
      return conv(x, y, z, a);
    case 'BatchNormalization': {
      const [, scale, bias, mean, variance] = inputs as F64Tensor[];
      const eps = num(a.get('epsilon')?.f ?? 1e-5);
      const [n, c] = x.dims;
      const hw = size(x.dims.slice(2));
      const out = new Float64Array(x.data.length);
      for (let i = 0; i < n * c; i++) {
        const ch = i % c;
        const k = scale.data[ch] / Math.sqrt(variance.data[ch] + eps);
        for (let j = 0; j < hw; j++) out[i * hw + j] = (x.data[i * hw + j] - mean.data[ch]) * k + bias.data[ch];
      }
      return { dims: x.dims, data: out };
    }
    case 'GlobalAveragePool': {
      const [n, c] = x.dims;
      const hw = size(x.dims.slice(2));
      const out = new Float64Array(n * c);
      for (let i = 0; i < n * c; i++) {
        let s = 0;
        for (let j = 0; j < hw; j++) s += x.data[i * hw + j];
        out[i] = s / hw;
      }
      return { dims: [n, c, ...x.dims.slice(2).map(() => 1)], data: out };
    }
    case 'Flatten': {
      const axis = num(a.get('axis')?.i ?? 1);
      return { dims: [size(x.dims.slice(0, axis)), size(x.dims.slice(axis))], data: x.data };
    }
    case 'Reshape': {
      const shape = Array.from(y.data);
      const dims = shape.map((d, i) => (d === 0 ? x.dims[i] : d));
      const known = dims.filter((d) => d !== -1).reduce((p, q) => p * q, 1);
      return { dims: dims.map((d) => (d === -1 ? x.data.length / known : d)), data: x.data };
    }
    case 'Transpose': {
      const perm = (a.get('perm')?.ints ?? []).map(num);
      const dims = perm.map((p) => x.dims[p]);
      const inStrides = x.dims.map((_, i) => size(x.dims.slice(i + 1)));
      const out = new Float64Array(x.data.length);
      const idx = new Array<number>(dims.length).fill(0);
      for (let o = 0; o < out.length; o++) {
        let src = 0;
        for (let i = 0; i < dims.length; i++) src += idx[i] * inStrides[perm[i]];
        out[o] = x.data[src];
        for (let i = dims.length - 1; i >= 0; i--) {
          if (++idx[i] < dims[i]) break;
          idx[i] = 0;
        }
      }
      return { dims, data: out };
    }
    case 'Gemm': {
      const transA = num(a.get('transA')?.i ?? 0);
      const transB = num(a.get('transB')?.i ?? 0);
      const alpha = num(a.get('alpha')?.f ?? 1);
      const beta = num(a.get('beta')?.f ?? 1);
      const [m, k] = transA ? [x.dims[1], x.dims[0]] : x.dims;
      const nOut = transB ? y.dims[0] : y.dims[1];
      const out = new Float64Array(m * nOut);
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < nOut; j++) {
          let s = 0;
          for (let t = 0; t < k; t++) s += x.data[transA ? t * m + i : i * k + t] * y.data[transB ? j * k + t : t * nOut + j];
          out[i * nOut + j] = alpha * s + (z ? beta * z.data[z.data.length === nOut ? j : i * nOut + j] : 0);
        }
      }
      return { dims: [m, nOut], data: out };
    }
    default:
      throw new OnnxExportError('UNSUPPORTED', API, `node "${node.name ?? ''}" has op type "${String(node.opType)}", which is not an operator fbnas exports (the evaluator runs: ${FLOAT64_EVALUATOR_OPS.join(', ')})`, node.name ?? undefined);
  }
}

/**
 * Evaluate an ONNX model exported by fbnas in float64: the weights as stored (float32, widened exactly), every
 * operation rounded at about 1e-16 instead of 6e-8. It is the exact value the float32 runtimes approximate, so
 * it tells how far each of them (onnxruntime, tfjs) is from it, which a comparison of the two cannot.
 * Plain loops, single-threaded: about 1e8 multiply-adds a second (FBNetV3-A at 224, batch 2: ~9 s).
 * Implements the operators fbnas emits ({@link FLOAT64_EVALUATOR_OPS}); others are refused by name.
 *
 * ```ts
 * import assert from 'node:assert/strict';
 * import { evaluateOnnxFloat64, exportOnnx } from '@fbnas/export-onnx';
 * import { fbnet28Space } from '@fbnas/search-space';
 *
 * const arch = fbnet28Space().toArch(new Array(22).fill(0));
 * const out = evaluateOnnxFloat64(exportOnnx(arch, { seed: 1 }), { dims: [1, 1, 28, 28], data: new Float32Array(784) });
 * assert.deepEqual(out.dims, [1, 10]);
 * ```
 */
export function evaluateOnnxFloat64(bytes: Uint8Array, input: DenseTensor<Float32Array | Float64Array>): DenseTensor {
  let model: OnnxNamespace.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (e) {
    throw new OnnxExportError('INVALID_ARGUMENT', API, `bytes are not an ONNX model (${(e as Error).message})`);
  }
  const graph = model.graph;
  const inputInfo = graph?.input?.[0];
  if (!graph || !inputInfo) throw new OnnxExportError('INVALID_ARGUMENT', API, 'the model has no graph or no graph input');
  const declared = (inputInfo.type?.tensorType?.shape?.dim ?? []).map((d) => (d.dimValue === undefined || d.dimValue === null || d.dimParam ? -1 : num(d.dimValue)));
  const shapeOk = declared.length === input.dims.length && declared.every((d, i) => d === -1 || d === input.dims[i]) && size(input.dims) === input.data.length;
  if (!shapeOk) {
    throw new OnnxExportError('SHAPE_MISMATCH', API, `input must be [${declared.map((d) => (d === -1 ? 'N' : d)).join(', ')}] with as many values, got dims [${input.dims.join(', ')}] and ${input.data.length} values`);
  }
  if (input.data.some((v) => !Number.isFinite(v))) throw new OnnxExportError('INVALID_ARGUMENT', API, 'input contains NaN or infinite values');
  const values = new Map<string, F64Tensor>();
  for (const t of graph.initializer ?? []) values.set(t.name ?? '', initializer(t));
  values.set(inputInfo.name ?? '', { dims: [...input.dims], data: Float64Array.from(input.data) });
  for (const node of graph.node ?? []) {
    const args = (node.input ?? []).map((n) => {
      if (n === '') return undefined;
      const v = values.get(n);
      if (!v) throw new OnnxExportError('INVALID_ARGUMENT', API, `node "${node.name ?? ''}" reads "${n}", which no earlier node or initializer defines`, node.name ?? undefined);
      return v;
    });
    let out: F64Tensor;
    try {
      out = run(node, args);
    } catch (e) {
      if (e instanceof OnnxExportError) throw e;
      throw new OnnxExportError('INVALID_ARGUMENT', API, `node "${node.name ?? ''}" (${String(node.opType)}) cannot be evaluated: ${(e as Error).message}`, node.name ?? undefined);
    }
    if (out.data.length !== size(out.dims) || out.data.some((v) => Number.isNaN(v))) {
      throw new OnnxExportError('SHAPE_MISMATCH', API, `node "${node.name ?? ''}" (${String(node.opType)}) gave ${out.data.length} values for dims [${out.dims.join(', ')}] or NaN`, node.name ?? undefined);
    }
    values.set(node.output?.[0] ?? '', out);
  }
  const result = values.get(graph.output?.[0]?.name ?? '');
  if (!result) throw new OnnxExportError('INVALID_ARGUMENT', API, 'the graph output is computed by no node');
  return result;
}
