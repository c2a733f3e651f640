import { UnsortedSegmentSum, util, type KernelConfig, type NamedAttrMap, type NamedTensorInfoMap, type TensorInfo } from '@tensorflow/tfjs';
import { heapIndex, type WasmBackendLike } from './wasmHeap';

/**
 * `UnsortedSegmentSum` for the wasm backend (the gradient of gather): out[s, ...] = sum of x[i, ...] over
 * i with segmentIds[i] = s; ids outside [0, numSegments) are dropped, as in TensorFlow.
 */
export const unsortedSegmentSumKernel: KernelConfig = {
  kernelName: UnsortedSegmentSum,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }: { inputs: NamedTensorInfoMap; backend: unknown; attrs?: NamedAttrMap }): TensorInfo => {
    const be = backend as WasmBackendLike;
    const { x, segmentIds } = inputs as { x: TensorInfo; segmentIds: TensorInfo };
    const { numSegments } = attrs as unknown as { numSegments: number };
    const idsRank = segmentIds.shape.length;
    const inner = util.sizeFromShape(x.shape.slice(idsRank));
    const rows = util.sizeFromShape(segmentIds.shape);
    const out = be.makeOutput([numSegments, ...x.shape.slice(idsRank)], x.dtype === 'int32' ? 'int32' : 'float32');
    // Views are taken after makeOutput, which may grow (and so detach) the heap.
    const heap = x.dtype === 'int32' ? be.wasm.HEAP32 : be.wasm.HEAPF32;
    const xs = heapIndex(be, x);
    const ids = heapIndex(be, segmentIds);
    const o = heapIndex(be, out);
    heap.fill(0, o, o + numSegments * inner);
    for (let r = 0; r < rows; r++) {
      const s = be.wasm.HEAP32[ids + r];
      if (s < 0 || s >= numSegments) continue;
      const src = xs + r * inner;
      const dst = o + s * inner;
      for (let j = 0; j < inner; j++) heap[dst + j] += heap[src + j];
    }
    return out;
  },
};
