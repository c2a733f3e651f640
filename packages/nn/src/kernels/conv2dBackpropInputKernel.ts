import { Conv2DBackpropInput, type KernelConfig, type KernelFunc, type NamedAttrMap, type NamedTensorInfoMap, type TensorInfo } from '@tensorflow/tfjs';
import { pointwiseInputGradByForward } from './viaForwardConv';
import type { WasmBackendLike } from './wasmHeap';

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
      return pointwiseInputGradByForward(args.backend as WasmBackendLike, dy, filter);
    },
  };
}
