import type { TensorInfo } from '@tensorflow/tfjs';

/** The parts of the tfjs wasm backend that the fbnas kernels use (stable across tfjs 4.x). */
export interface WasmBackendLike {
  wasm: { asm: { memory: WebAssembly.Memory }; HEAPF32: Float32Array; HEAP32: Int32Array };
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: 'float32' | 'int32'): TensorInfo;
}

/** Byte offset of a tensor's data in the wasm heap. */
export function heapOffset(backend: WasmBackendLike, t: TensorInfo): number {
  const info = backend.dataIdMap.get(t.dataId);
  if (!info) throw new Error(`fbnas kernels: tensor ${String(t.dataId)} is not on the wasm backend`);
  return info.memoryOffset;
}

/**
 * Index of a float32 / int32 tensor's first element in `HEAPF32` / `HEAP32`. An unsigned shift: the heap
 * grows to 4 GB, and a signed `>> 2` of an offset past 2 GB is negative (a batch-256 step of a 14 M
 * multiply-add network reaches there; the writes then went nowhere and the step's gradients were garbage).
 */
export function heapIndex(backend: WasmBackendLike, t: TensorInfo): number {
  return heapOffset(backend, t) >>> 2;
}

/** The heap memory of the backend. */
export function heapMemory(backend: WasmBackendLike): WebAssembly.Memory {
  return backend.wasm.asm.memory;
}
