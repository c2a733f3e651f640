import { Conv2D, Conv2DBackpropInput, getKernel, type KernelConfig, type KernelFunc, type NamedAttrMap, type NamedTensorInfoMap, type TensorInfo } from '@tensorflow/tfjs';
import { heapIndex, type WasmBackendLike } from './wasmHeap';

interface DisposingBackend extends WasmBackendLike {
  disposeData(dataId: object, force?: boolean): boolean;
}

/**
 * dx of a 1x1 stride-1 conv as XNNPACK's forward 1x1 conv of dy with the transposed filter, dx = conv1x1(dy, W^T).
 * The transposed filter lives on the heap for this call only.
 */
function pointwiseInputGrad(be: WasmBackendLike, dy: TensorInfo, filter: TensorInfo): TensorInfo {
  const [, , cin, cout] = filter.shape as [number, number, number, number];
  const forward = getKernel(Conv2D, 'wasm');
  if (!forward) throw new Error('fbnas kernels: the wasm backend has no Conv2D');
  const wt = be.makeOutput([1, 1, cout, cin], 'float32');
  try {
    // Views after the allocation: growing the heap detaches views taken before.
    const src = heapIndex(be, filter);
    const dst = heapIndex(be, wt);
    const heap = be.wasm.HEAPF32;
    for (let o = 0; o < cout; o++) for (let i = 0; i < cin; i++) heap[dst + o * cin + i] = heap[src + i * cout + o];
    const attrs = { strides: 1, dilations: 1, pad: 0, dataFormat: 'NHWC' } as unknown as NamedAttrMap;
    return forward.kernelFunc({ inputs: { x: dy, filter: wt }, backend: be as never, attrs }) as TensorInfo;
  } finally {
    (be as DisposingBackend).disposeData(wt.dataId, true);
  }
}

/**
 * `Conv2DBackpropInput` for the wasm backend: 1x1, stride-1, NHWC convolutions (the pointwise convs of
 * every IR block) run XNNPACK's forward 1x1 conv of dy with the transposed filter (1.1-1.8x the register-tiled
 * SIMD kernel it replaced, which was itself 9x the stock kernel; measured per shape on an FBNet-28 step at
 * batch 128); every other case goes to the stock wasm kernel it replaces.
 */
export function conv2dBackpropInputKernel(stock: KernelFunc): KernelConfig {
  return {
    kernelName: Conv2DBackpropInput,
    backendName: 'wasm',
    kernelFunc: (args: { inputs: NamedTensorInfoMap; backend: unknown; attrs?: NamedAttrMap }): TensorInfo | TensorInfo[] => {
      const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
      const { strides, dataFormat, inputShape } = args.attrs as unknown as {
        strides: number | [number, number];
        dataFormat: 'NHWC' | 'NCHW';
        inputShape: [number, number, number, number];
      };
      const [kh, kw] = filter.shape;
      const s = Array.isArray(strides) ? strides : [strides, strides];
      if (kh !== 1 || kw !== 1 || s[0] !== 1 || s[1] !== 1 || dataFormat === 'NCHW' || dy.shape[1] !== inputShape[1] || dy.shape[2] !== inputShape[2]) {
        return stock(args as Parameters<KernelFunc>[0]);
      }
      return pointwiseInputGrad(args.backend as WasmBackendLike, dy, filter);
    },
  };
}
