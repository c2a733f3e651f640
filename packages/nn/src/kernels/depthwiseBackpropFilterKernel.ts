import { DepthwiseConv2dNativeBackpropFilter, type KernelConfig, type NamedAttrMap, type NamedTensorInfoMap, type TensorInfo } from '@tensorflow/tfjs';
import { convGeometry } from './convGeometry';
import { fbnasKernelModule } from './fbnasKernelModule';
import { heapMemory, heapOffset, type WasmBackendLike } from './wasmHeap';

/** `DepthwiseConv2dNativeBackpropFilter` for the wasm backend: one SIMD pass over dy (assembly/kernels.ts). */
export const depthwiseBackpropFilterKernel: KernelConfig = {
  kernelName: DepthwiseConv2dNativeBackpropFilter,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }: { inputs: NamedTensorInfoMap; backend: unknown; attrs?: NamedAttrMap }): TensorInfo => {
    const be = backend as WasmBackendLike;
    const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
    const { strides, dilations, pad, dimRoundingMode, filterShape } = attrs as unknown as {
      strides: number | [number, number];
      dilations: number | [number, number];
      pad: 'same' | 'valid' | number;
      dimRoundingMode?: 'floor' | 'round' | 'ceil';
      filterShape: [number, number, number, number];
    };
    const g = convGeometry(x.shape as [number, number, number, number], filterShape, strides, dilations, pad, dimRoundingMode, true);
    const out = be.makeOutput([...filterShape], 'float32');
    const k = fbnasKernelModule(heapMemory(be));
    const m = filterShape[3];
    const dims = [g.batch, g.inHeight, g.inWidth, g.inChannels];
    const rest = [g.outHeight, g.outWidth, g.kernelHeight, g.kernelWidth, g.strideHeight, g.strideWidth, g.padTop, g.padLeft, g.dilationHeight, g.dilationWidth];
    if (m === 1) k.depthwiseBackpropFilter(heapOffset(be, x), heapOffset(be, dy), heapOffset(be, out), ...dims, ...rest);
    else k.depthwiseBackpropFilterMulti(heapOffset(be, x), heapOffset(be, dy), heapOffset(be, out), ...dims, m, ...rest);
    return out;
  },
};
