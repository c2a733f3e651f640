import { KERNELS_WASM_BASE64 } from './kernelsWasm.generated';

/** Exports of the fbnas SIMD kernel module (assembly/kernels.ts); pointers are byte offsets in the heap. */
export interface FbnasKernelExports {
  depthwiseBackpropFilter(x: number, dy: number, dW: number, ...dims: number[]): void;
  depthwiseBackpropInput(dy: number, filter: number, dx: number, ...dims: number[]): void;
  depthwiseForward(x: number, filter: number, y: number, ...dims: number[]): void;
  depthwiseBackpropFilterMulti(x: number, dy: number, dW: number, ...dims: number[]): void;
  depthwiseBackpropInputMulti(dy: number, filter: number, dx: number, ...dims: number[]): void;
  conv2dBackpropFilter(x: number, dy: number, dW: number, ...dims: number[]): void;
  /**
   * `groups` > 1: the `[cin / groups, cout]` filter gradient of a grouped 1x1 conv, or with `masked` (1) the
   * `[cin, cout]` one of a dense filter used through the block-diagonal mask; diagonal blocks only.
   */
  conv1x1BackpropFilter(x: number, dy: number, dW: number, pixels: number, cin: number, cout: number, groups: number, masked: number): void;
  /** `kind`: the activation applied after the normalisation (a `FUSED_ACTIVATION_CODES` value, -1 none). */
  bnTrainForward(x: number, gamma: number, beta: number, y: number, mean: number, invstd: number, pixels: number, c: number, eps: number, kind: number): void;
  bnTrainBackward(dy: number, x: number, mean: number, invstd: number, gamma: number, beta: number, dx: number, dgamma: number, dbeta: number, pixels: number, c: number, kind: number): void;
  activationForward(x: number, y: number, n: number, kind: number): void;
  activationBackward(dy: number, x: number, dx: number, n: number, kind: number): void;
  globalAvgPoolForward(x: number, y: number, n: number, hw: number, c: number): void;
  globalAvgPoolBackward(dy: number, dx: number, n: number, hw: number, c: number): void;
  movingAverage(moving: number, batch: number, out: number, n: number, momentum: number): void;
  sgdMomentum(w: number, b: number, g: number, wOut: number, bOut: number, n: number, lr: number, momentum: number, decay: number): void;
}

let compiled: WebAssembly.Module | null = null;
const instances = new WeakMap<WebAssembly.Memory, FbnasKernelExports>();

/** The kernel module instantiated on `memory` (the tfjs wasm backend's heap); one instance per memory. */
export function fbnasKernelModule(memory: WebAssembly.Memory): FbnasKernelExports {
  let inst = instances.get(memory);
  if (!inst) {
    compiled ??= new WebAssembly.Module(Buffer.from(KERNELS_WASM_BASE64, 'base64'));
    inst = new WebAssembly.Instance(compiled, { env: { memory } }).exports as unknown as FbnasKernelExports;
    instances.set(memory, inst);
  }
  return inst;
}
