import { util, type KernelConfig, type NamedAttrMap, type NamedTensorInfoMap, type TensorInfo } from '@tensorflow/tfjs';
import {
  FBNAS_ACTIVATION,
  FBNAS_ACTIVATION_GRAD,
  FBNAS_BATCH_NORM_TRAIN,
  FBNAS_BATCH_NORM_TRAIN_GRAD,
  FBNAS_GLOBAL_AVG_POOL,
  FBNAS_GLOBAL_AVG_POOL_GRAD,
  FBNAS_GROUPED_CONV1X1_FILTER_GRAD,
  FBNAS_MOVING_AVERAGE,
  FBNAS_SGD_MOMENTUM,
} from '../contract';

/** The parts of the tfjs cpu backend the fused kernels use. */
interface CpuBackendLike {
  data: { get(dataId: object): { values: Float32Array } };
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): TensorInfo;
}
type Args = { inputs: NamedTensorInfoMap; backend: unknown; attrs?: NamedAttrMap };
const vals = (be: CpuBackendLike, t: TensorInfo) => be.data.get(t.dataId).values;

/** The activation of code `kind` (`FUSED_ACTIVATION_CODES`; -1: none). */
function actForward(v: number, kind: number): number {
  if (kind < 0) return v;
  if (kind === 0) return v > 0 ? v : 0;
  if (kind === 1) return v < 0 ? 0 : v > 6 ? 6 : v;
  const t = v + 3;
  const h = (t < 0 ? 0 : t > 6 ? 6 : t) / 6;
  return kind === 2 ? v * h : h;
}

function actDerivative(v: number, kind: number): number {
  if (kind < 0) return 1;
  if (kind === 0) return v > 0 ? 1 : 0;
  if (kind === 1) return v > 0 && v < 6 ? 1 : 0;
  if (kind === 2) return v < -3 ? 0 : v > 3 ? 1 : (2 * v + 3) / 6;
  return v > -3 && v < 3 ? 1 / 6 : 0;
}

/**
 * The biased batch variance from invstd = 1 / sqrt(variance + eps), in the float32 steps of
 * `1 / invstd^2 - eps` as tfjs ops compute it (the running statistics do not depend on the backend).
 */
export function varianceOf(invstd: number, eps: number): number {
  const f = Math.fround;
  return f(f(1 / f(invstd * invstd)) - f(eps));
}

/** The same fused kernels on the cpu backend, in plain loops (same formulas as assembly/kernels.ts). */
export const FUSED_CPU_KERNELS: KernelConfig[] = [
  {
    kernelName: FBNAS_BATCH_NORM_TRAIN,
    backendName: 'cpu',
    kernelFunc: ({ inputs, backend, attrs }: Args) => {
      const be = backend as CpuBackendLike;
      const { x, gamma, beta } = inputs as { x: TensorInfo; gamma: TensorInfo; beta: TensorInfo };
      const xs = vals(be, x);
      const g = vals(be, gamma);
      const b = vals(be, beta);
      const c = x.shape[x.shape.length - 1];
      const p = util.sizeFromShape(x.shape) / c;
      const { epsilon: eps, activation: kind } = attrs as { epsilon: number; activation: number };
      const mean = new Float32Array(c);
      const inv = new Float32Array(c);
      for (let i = 0; i < p; i++) for (let k = 0; k < c; k++) mean[k] += xs[i * c + k];
      for (let k = 0; k < c; k++) mean[k] /= p;
      for (let i = 0; i < p; i++) for (let k = 0; k < c; k++) inv[k] += (xs[i * c + k] - mean[k]) ** 2;
      for (let k = 0; k < c; k++) inv[k] = 1 / Math.sqrt(inv[k] / p + eps);
      const y = new Float32Array(xs.length);
      for (let i = 0; i < p; i++) for (let k = 0; k < c; k++) y[i * c + k] = actForward((xs[i * c + k] - mean[k]) * inv[k] * g[k] + b[k], kind);
      const variance = inv.map((s) => varianceOf(s, eps));
      return [be.makeTensorInfo([...x.shape], 'float32', y), be.makeTensorInfo([c], 'float32', mean), be.makeTensorInfo([c], 'float32', inv), be.makeTensorInfo([c], 'float32', mean.slice()), be.makeTensorInfo([c], 'float32', variance)];
    },
  },
  {
    kernelName: FBNAS_BATCH_NORM_TRAIN_GRAD,
    backendName: 'cpu',
    kernelFunc: ({ inputs, backend, attrs }: Args) => {
      const be = backend as CpuBackendLike;
      const t = inputs as Record<'dy' | 'x' | 'mean' | 'invstd' | 'gamma' | 'beta', TensorInfo>;
      const [dyOut, xs, mean, inv, g, b] = [t.dy, t.x, t.mean, t.invstd, t.gamma, t.beta].map((v) => vals(be, v));
      const c = t.x.shape[t.x.shape.length - 1];
      const p = xs.length / c;
      const kind = (attrs as { activation: number }).activation;
      // the gradient at the activation's input
      const dy = kind < 0 ? dyOut : dyOut.map((d, i) => d * actDerivative((xs[i] - mean[i % c]) * inv[i % c] * g[i % c] + b[i % c], kind));
      const dgamma = new Float32Array(c);
      const dbeta = new Float32Array(c);
      for (let i = 0; i < p; i++) {
        for (let k = 0; k < c; k++) {
          const d = dy[i * c + k];
          dbeta[k] += d;
          dgamma[k] += d * (xs[i * c + k] - mean[k]) * inv[k];
        }
      }
      const dx = new Float32Array(xs.length);
      for (let i = 0; i < p; i++) {
        for (let k = 0; k < c; k++) {
          const xh = (xs[i * c + k] - mean[k]) * inv[k];
          dx[i * c + k] = g[k] * inv[k] * (dy[i * c + k] - dbeta[k] / p - (xh * dgamma[k]) / p);
        }
      }
      return [be.makeTensorInfo([...t.x.shape], 'float32', dx), be.makeTensorInfo([c], 'float32', dgamma), be.makeTensorInfo([c], 'float32', dbeta)];
    },
  },
  {
    kernelName: FBNAS_ACTIVATION,
    backendName: 'cpu',
    kernelFunc: ({ inputs, backend, attrs }: Args) => {
      const be = backend as CpuBackendLike;
      const { x } = inputs as { x: TensorInfo };
      const kind = (attrs as { kind: number }).kind;
      return be.makeTensorInfo([...x.shape], 'float32', vals(be, x).map((v) => actForward(v, kind)));
    },
  },
  {
    kernelName: FBNAS_ACTIVATION_GRAD,
    backendName: 'cpu',
    kernelFunc: ({ inputs, backend, attrs }: Args) => {
      const be = backend as CpuBackendLike;
      const { dy, x } = inputs as { dy: TensorInfo; x: TensorInfo };
      const kind = (attrs as { kind: number }).kind;
      const d = vals(be, dy);
      return be.makeTensorInfo([...x.shape], 'float32', vals(be, x).map((v, i) => d[i] * actDerivative(v, kind)));
    },
  },
  {
    kernelName: FBNAS_GLOBAL_AVG_POOL,
    backendName: 'cpu',
    kernelFunc: ({ inputs, backend }: Args) => {
      const be = backend as CpuBackendLike;
      const { x } = inputs as { x: TensorInfo };
      const [n, h, w, c] = x.shape;
      const xs = vals(be, x);
      const y = new Float32Array(n * c);
      for (let b = 0; b < n; b++) for (let p = 0; p < h * w; p++) for (let k = 0; k < c; k++) y[b * c + k] += xs[(b * h * w + p) * c + k] / (h * w);
      return be.makeTensorInfo([n, 1, 1, c], 'float32', y);
    },
  },
  {
    kernelName: FBNAS_GLOBAL_AVG_POOL_GRAD,
    backendName: 'cpu',
    kernelFunc: ({ inputs, backend, attrs }: Args) => {
      const be = backend as CpuBackendLike;
      const { dy } = inputs as { dy: TensorInfo };
      const [n, h, w, c] = (attrs as { inputShape: number[] }).inputShape;
      const d = vals(be, dy);
      const dx = new Float32Array(n * h * w * c);
      for (let b = 0; b < n; b++) for (let p = 0; p < h * w; p++) for (let k = 0; k < c; k++) dx[(b * h * w + p) * c + k] = d[b * c + k] / (h * w);
      return be.makeTensorInfo([n, h, w, c], 'float32', dx);
    },
  },
  {
    kernelName: FBNAS_SGD_MOMENTUM,
    backendName: 'cpu',
    kernelFunc: ({ inputs, backend, attrs }: Args) => {
      const be = backend as CpuBackendLike;
      const t = inputs as Record<'w' | 'b' | 'g', TensorInfo>;
      const [w, b, g] = [t.w, t.b, t.g].map((v) => vals(be, v));
      // Math.fround on the attributes and after each operation: the float32 arithmetic of the wasm kernel and of stock ops
      const f = Math.fround;
      const a = attrs as { lr: number; momentum: number; decay: number };
      const [lr, momentum, decay] = [f(a.lr), f(a.momentum), f(a.decay)];
      const bOut = new Float32Array(w.length);
      const wOut = new Float32Array(w.length);
      for (let i = 0; i < w.length; i++) {
        bOut[i] = f(f(b[i] * momentum) + f(g[i] + f(w[i] * decay)));
        wOut[i] = f(w[i] - f(bOut[i] * lr));
      }
      return [be.makeTensorInfo([...t.w.shape], 'float32', wOut), be.makeTensorInfo([...t.w.shape], 'float32', bOut)];
    },
  },
  {
    kernelName: FBNAS_GROUPED_CONV1X1_FILTER_GRAD,
    backendName: 'cpu',
    kernelFunc: ({ inputs, backend, attrs }: Args) => {
      const be = backend as CpuBackendLike;
      const t = inputs as Record<'x' | 'dy', TensorInfo>;
      const [x, dy] = [vals(be, t.x), vals(be, t.dy)];
      const { groups, masked } = attrs as { groups: number; masked: boolean };
      const cin = t.x.shape[3];
      const cout = t.dy.shape[3];
      const [cinG, coutG] = [cin / groups, cout / groups];
      const rows = masked ? cin : cinG;
      const acc = new Float64Array(rows * cout);
      const pixels = x.length / cin;
      for (let p = 0; p < pixels; p++) {
        for (let co = 0; co < cout; co++) {
          const g = Math.floor(co / coutG);
          const d = dy[p * cout + co];
          if (d === 0) continue;
          for (let i = 0; i < cinG; i++) acc[((masked ? g * cinG : 0) + i) * cout + co] += x[p * cin + g * cinG + i] * d;
        }
      }
      return be.makeTensorInfo([1, 1, rows, cout], 'float32', Float32Array.from(acc));
    },
  },
  {
    kernelName: FBNAS_MOVING_AVERAGE,
    backendName: 'cpu',
    kernelFunc: ({ inputs, backend, attrs }: Args) => {
      const be = backend as CpuBackendLike;
      const t = inputs as Record<'moving' | 'batch', TensorInfo>;
      const [moving, batch] = [t.moving, t.batch].map((v) => vals(be, v));
      const f = Math.fround;
      const m = f((attrs as { momentum: number }).momentum);
      const keep = f(1 - m);
      return be.makeTensorInfo([...t.moving.shape], 'float32', moving.map((v, i) => f(f(v * m) + f(batch[i] * keep))));
    },
  },
];
