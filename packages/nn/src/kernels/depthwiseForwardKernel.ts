import { DepthwiseConv2dNative, type KernelConfig, type KernelFunc, type NamedAttrMap, type NamedTensorInfoMap, type TensorInfo } from '@tensorflow/tfjs';
import { convGeometry, kernelWindowArgs, type ConvGradAttrs } from './convGeometry';
import { fbnasKernelModule } from './fbnasKernelModule';
import { heapMemory, heapOffset, type WasmBackendLike } from './wasmHeap';

/**
 * `DepthwiseConv2dNative` for the wasm backend: SIMD row sweeps (assembly `depthwiseForward`) for NHWC,
 * channel multiplier 1 and windows of 5x5 or more; the stock (XNNPACK) kernel otherwise. Measured here at
 * batch 128 (16-288 channels, 7-28 px, one thread): 5x5 windows 1.1-2.2x faster than stock; 3x3 windows
 * 0.4-1.4x, no consistent gain, so they stay with XNNPACK.
 */
/** The smallest window (kernel height x width) the row sweeps take: 5x5. */
const MIN_TAPS = 25;

export function depthwiseForwardKernel(stock: KernelFunc): KernelConfig {
  return {
    kernelName: DepthwiseConv2dNative,
    backendName: 'wasm',
    kernelFunc: (args: { inputs: NamedTensorInfoMap; backend: unknown; attrs?: NamedAttrMap }): TensorInfo | TensorInfo[] => {
      const { inputs, backend, attrs } = args;
      const { x, filter } = inputs as { x: TensorInfo; filter: TensorInfo };
      const { strides, dilations, pad, dimRoundingMode, dataFormat } = attrs as unknown as ConvGradAttrs & { dataFormat?: 'NHWC' | 'NCHW' };
      const fs = filter.shape as [number, number, number, number];
      if (fs[3] !== 1 || dataFormat === 'NCHW' || fs[0] * fs[1] < MIN_TAPS) return stock(args as never);
      const be = backend as WasmBackendLike;
      const g = convGeometry(x.shape as [number, number, number, number], fs, strides, dilations ?? 1, pad, dimRoundingMode, true);
      const out = be.makeOutput([g.batch, g.outHeight, g.outWidth, g.inChannels], 'float32');
      fbnasKernelModule(heapMemory(be)).depthwiseForward(heapOffset(be, x), heapOffset(be, filter), heapOffset(be, out), g.batch, g.inHeight, g.inWidth, g.inChannels, ...kernelWindowArgs(g));
      return out;
    },
  };
}
