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
import { fbnasKernelModule } from './fbnasKernelModule';
import { varianceOf } from './fusedKernelsCpu';
import { heapIndex, heapMemory, heapOffset, type WasmBackendLike } from './wasmHeap';

type Args = { inputs: NamedTensorInfoMap; backend: unknown; attrs?: NamedAttrMap };
const channels = (t: TensorInfo) => t.shape[t.shape.length - 1];
/** The BatchNorm kernels' `activation` attribute: a `FUSED_ACTIVATION_CODES` value, or -1 (none). */
const activationKind = (attrs: NamedAttrMap | undefined) => (attrs as { activation: number }).activation;

/** The fused-op kernels on the wasm backend (SIMD, in place on the tfjs heap). */
export const FUSED_WASM_KERNELS: KernelConfig[] = [
  {
    kernelName: FBNAS_BATCH_NORM_TRAIN,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }: Args) => {
      const be = backend as WasmBackendLike;
      const { x, gamma, beta } = inputs as { x: TensorInfo; gamma: TensorInfo; beta: TensorInfo };
      const c = channels(x);
      const y = be.makeOutput([...x.shape], 'float32');
      const mean = be.makeOutput([c], 'float32');
      const invstd = be.makeOutput([c], 'float32');
      const batchMean = be.makeOutput([c], 'float32');
      const batchVariance = be.makeOutput([c], 'float32');
      const epsilon = (attrs as { epsilon: number }).epsilon;
      fbnasKernelModule(heapMemory(be)).bnTrainForward(
        heapOffset(be, x), heapOffset(be, gamma), heapOffset(be, beta), heapOffset(be, y), heapOffset(be, mean), heapOffset(be, invstd),
        util.sizeFromShape(x.shape) / c, c, epsilon, activationKind(attrs),
      );
      const heap = be.wasm.HEAPF32;
      const [m, s, bm, bv] = [mean, invstd, batchMean, batchVariance].map((t) => heapIndex(be, t));
      for (let k = 0; k < c; k++) {
        heap[bm + k] = heap[m + k];
        heap[bv + k] = varianceOf(heap[s + k], epsilon);
      }
      return [y, mean, invstd, batchMean, batchVariance];
    },
  },
  {
    kernelName: FBNAS_BATCH_NORM_TRAIN_GRAD,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }: Args) => {
      const be = backend as WasmBackendLike;
      const { dy, x, mean, invstd, gamma, beta } = inputs as Record<'dy' | 'x' | 'mean' | 'invstd' | 'gamma' | 'beta', TensorInfo>;
      const c = channels(x);
      const dx = be.makeOutput([...x.shape], 'float32');
      const dgamma = be.makeOutput([c], 'float32');
      const dbeta = be.makeOutput([c], 'float32');
      fbnasKernelModule(heapMemory(be)).bnTrainBackward(
        heapOffset(be, dy), heapOffset(be, x), heapOffset(be, mean), heapOffset(be, invstd), heapOffset(be, gamma), heapOffset(be, beta),
        heapOffset(be, dx), heapOffset(be, dgamma), heapOffset(be, dbeta), util.sizeFromShape(x.shape) / c, c, activationKind(attrs),
      );
      return [dx, dgamma, dbeta];
    },
  },
  {
    kernelName: FBNAS_ACTIVATION,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }: Args) => {
      const be = backend as WasmBackendLike;
      const { x } = inputs as { x: TensorInfo };
      const y = be.makeOutput([...x.shape], 'float32');
      fbnasKernelModule(heapMemory(be)).activationForward(heapOffset(be, x), heapOffset(be, y), util.sizeFromShape(x.shape), (attrs as { kind: number }).kind);
      return y;
    },
  },
  {
    kernelName: FBNAS_ACTIVATION_GRAD,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }: Args) => {
      const be = backend as WasmBackendLike;
      const { dy, x } = inputs as { dy: TensorInfo; x: TensorInfo };
      const dx = be.makeOutput([...x.shape], 'float32');
      fbnasKernelModule(heapMemory(be)).activationBackward(heapOffset(be, dy), heapOffset(be, x), heapOffset(be, dx), util.sizeFromShape(x.shape), (attrs as { kind: number }).kind);
      return dx;
    },
  },
  {
    kernelName: FBNAS_GLOBAL_AVG_POOL,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend }: Args) => {
      const be = backend as WasmBackendLike;
      const { x } = inputs as { x: TensorInfo };
      const [n, h, w, c] = x.shape;
      const y = be.makeOutput([n, 1, 1, c], 'float32');
      fbnasKernelModule(heapMemory(be)).globalAvgPoolForward(heapOffset(be, x), heapOffset(be, y), n, h * w, c);
      return y;
    },
  },
  {
    kernelName: FBNAS_GLOBAL_AVG_POOL_GRAD,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }: Args) => {
      const be = backend as WasmBackendLike;
      const { dy } = inputs as { dy: TensorInfo };
      const shape = (attrs as { inputShape: number[] }).inputShape;
      const dx = be.makeOutput([...shape], 'float32');
      fbnasKernelModule(heapMemory(be)).globalAvgPoolBackward(heapOffset(be, dy), heapOffset(be, dx), shape[0], shape[1] * shape[2], shape[3]);
      return dx;
    },
  },
  {
    kernelName: FBNAS_GROUPED_CONV1X1_FILTER_GRAD,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }: Args) => {
      const be = backend as WasmBackendLike;
      const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
      const { groups, masked } = attrs as { groups: number; masked: boolean };
      const [cin, cout] = [channels(x), channels(dy)];
      const dW = be.makeOutput([1, 1, masked ? cin : cin / groups, cout], 'float32');
      const pixels = util.sizeFromShape(x.shape) / cin;
      fbnasKernelModule(heapMemory(be)).conv1x1BackpropFilter(heapOffset(be, x), heapOffset(be, dy), heapOffset(be, dW), pixels, cin, cout, groups, masked ? 1 : 0);
      return dW;
    },
  },
  {
    kernelName: FBNAS_SGD_MOMENTUM,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }: Args) => {
      const be = backend as WasmBackendLike;
      const { w, b, g } = inputs as Record<'w' | 'b' | 'g', TensorInfo>;
      const { lr, momentum, decay } = attrs as { lr: number; momentum: number; decay: number };
      const wOut = be.makeOutput([...w.shape], 'float32');
      const bOut = be.makeOutput([...w.shape], 'float32');
      fbnasKernelModule(heapMemory(be)).sgdMomentum(heapOffset(be, w), heapOffset(be, b), heapOffset(be, g), heapOffset(be, wOut), heapOffset(be, bOut), util.sizeFromShape(w.shape), lr, momentum, decay);
      return [wOut, bOut];
    },
  },
  {
    kernelName: FBNAS_MOVING_AVERAGE,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }: Args) => {
      const be = backend as WasmBackendLike;
      const { moving, batch } = inputs as Record<'moving' | 'batch', TensorInfo>;
      const out = be.makeOutput([...moving.shape], 'float32');
      fbnasKernelModule(heapMemory(be)).movingAverage(heapOffset(be, moving), heapOffset(be, batch), heapOffset(be, out), util.sizeFromShape(moving.shape), (attrs as { momentum: number }).momentum);
      return out;
    },
  },
];
