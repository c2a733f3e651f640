import { Conv2D, DepthwiseConv2dNative, getKernel, type NamedAttrMap, type TensorInfo } from '@tensorflow/tfjs';
import { heapOffset, type WasmBackendLike } from './wasmHeap';

/**
 * Input gradients computed by the backend's own forward convolution (XNNPACK on wasm), which is faster than
 * any scatter kernel of ours: a stride-1 conv's input gradient is the forward conv of dy with the filter
 * rotated by 180 degrees and in/out channels swapped, padded by k - 1 - pad on each side.
 */

interface DisposingBackend extends WasmBackendLike {
  disposeData(dataId: object, force?: boolean): boolean;
}

/**
 * A fresh filter of `shape` on the heap, written by `fill`, used by `run` and freed. `fill` must take its
 * heap views itself: allocating the filter may grow the heap, which detaches views taken before.
 */
function withFilter(be: WasmBackendLike, shape: [number, number, number, number], fill: (out: Float32Array) => void, run: (f: TensorInfo) => TensorInfo): TensorInfo {
  const f = be.makeOutput([...shape], 'float32');
  try {
    const at = heapOffset(be, f) >> 2;
    fill(be.wasm.HEAPF32.subarray(at, at + shape[0] * shape[1] * shape[2] * shape[3]));
    return run(f);
  } finally {
    (be as DisposingBackend).disposeData(f.dataId, true);
  }
}

/** Heap view of a tensor's float32 data. */
function view(be: WasmBackendLike, t: TensorInfo): Float32Array {
  const at = heapOffset(be, t) >> 2;
  return be.wasm.HEAPF32.subarray(at, at + t.shape.reduce((a, b) => a * b, 1));
}

/**
 * The explicit padding of the forward conv that gives a stride-1, dilation-1 input gradient, or null when
 * the padding is larger than the kernel (no such forward conv; the caller keeps its own kernel).
 */
export function transposedPadding(inSize: number, outSize: number, k: number, padBefore: number): [number, number] | null {
  const before = k - 1 - padBefore;
  const after = inSize - outSize + padBefore;
  return before >= 0 && after >= 0 ? [before, after] : null;
}

/** dx of a stride-1 depthwise conv (channel multiplier 1) = depthwise(dy, rot180(W)). */
export function depthwiseInputGradByForward(be: WasmBackendLike, dy: TensorInfo, filter: TensorInfo, pads: [[number, number], [number, number]]): TensorInfo {
  const [kh, kw, c] = filter.shape as [number, number, number, number];
  const forward = getKernel(DepthwiseConv2dNative, 'wasm');
  if (!forward) throw new Error('fbnas kernels: the wasm backend has no DepthwiseConv2dNative');
  return withFilter(
    be,
    [kh, kw, c, 1],
    (out) => {
      const w = view(be, filter);
      for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) out.set(w.subarray(((kh - 1 - i) * kw + (kw - 1 - j)) * c, ((kh - 1 - i) * kw + (kw - 1 - j) + 1) * c), (i * kw + j) * c);
    },
    (f) =>
      forward.kernelFunc({
        inputs: { x: dy, filter: f },
        backend: be as never,
        attrs: { strides: 1, dilations: 1, pad: [[0, 0], pads[0], pads[1], [0, 0]], dataFormat: 'NHWC' } as unknown as NamedAttrMap,
      }) as TensorInfo,
  );
}

/** dx of a 1x1 stride-1 conv = conv1x1(dy, W^T). */
export function pointwiseInputGradByForward(be: WasmBackendLike, dy: TensorInfo, filter: TensorInfo): TensorInfo {
  const [, , cin, cout] = filter.shape as [number, number, number, number];
  const forward = getKernel(Conv2D, 'wasm');
  if (!forward) throw new Error('fbnas kernels: the wasm backend has no Conv2D');
  return withFilter(
    be,
    [1, 1, cout, cin],
    (out) => {
      const w = view(be, filter);
      for (let o = 0; o < cout; o++) for (let i = 0; i < cin; i++) out[o * cin + i] = w[i * cout + o];
    },
    (f) =>
      forward.kernelFunc({
        inputs: { x: dy, filter: f },
        backend: be as never,
        attrs: { strides: 1, dilations: 1, pad: 0, dataFormat: 'NHWC' } as unknown as NamedAttrMap,
      }) as TensorInfo,
  );
}
