import { Conv2DBackpropFilter, type KernelConfig, type NamedAttrMap, type NamedTensorInfoMap, type TensorInfo } from '@tensorflow/tfjs';
import { NnError } from '../errors';
import { convGeometry, kernelWindowArgs, type ConvGradAttrs } from './convGeometry';
import { fbnasKernelModule } from './fbnasKernelModule';
import { heapMemory, heapOffset, type WasmBackendLike } from './wasmHeap';

/**
 * `Conv2DBackpropFilter` for the wasm backend (NHWC): a register-tiled x^T dy for 1x1 stride-1 convs, SIMD
 * rank-1 updates over output channels otherwise.
 */
export const conv2dBackpropFilterKernel: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }: { inputs: NamedTensorInfoMap; backend: unknown; attrs?: NamedAttrMap }): TensorInfo => {
    const be = backend as WasmBackendLike;
    const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
    const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as ConvGradAttrs & { dataFormat: 'NHWC' | 'NCHW'; filterShape: [number, number, number, number] };
    if (dataFormat === 'NCHW') throw new NnError('UNSUPPORTED', 'fbnas.Conv2DBackpropFilter(wasm)', 'dataFormat NCHW is not supported; use NHWC');
    const g = convGeometry(x.shape as [number, number, number, number], filterShape, strides, 1, pad, dimRoundingMode, false);
    const out = be.makeOutput([...filterShape], 'float32');
    const k = fbnasKernelModule(heapMemory(be));
    const pointwise = g.kernelHeight === 1 && g.kernelWidth === 1 && g.strideHeight === 1 && g.strideWidth === 1 && g.padTop === 0 && g.padLeft === 0;
    if (pointwise && g.outHeight === g.inHeight && g.outWidth === g.inWidth) {
      // 1x1 stride 1: dW = x^T dy over all pixels, register-tiled.
      k.conv1x1BackpropFilter(heapOffset(be, x), heapOffset(be, dy), heapOffset(be, out), g.batch * g.inHeight * g.inWidth, g.inChannels, g.outChannels, 1, 0);
      return out;
    }
    k.conv2dBackpropFilter(
      heapOffset(be, x), heapOffset(be, dy), heapOffset(be, out),
      g.batch, g.inHeight, g.inWidth, g.inChannels, g.outHeight, g.outWidth, g.outChannels,
      ...kernelWindowArgs(g).slice(2),
    );
    return out;
  },
};
