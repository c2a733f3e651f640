import { DepthwiseConv2dNativeBackpropFilter, type KernelConfig, type NamedAttrMap, type NamedTensorInfoMap, type TensorInfo } from '@tensorflow/tfjs';
import { convGeometry, kernelWindowArgs, type ConvGradAttrs } from './convGeometry';
import { fbnasKernelModule } from './fbnasKernelModule';
import { heapMemory, heapOffset, type WasmBackendLike } from './wasmHeap';

/** `DepthwiseConv2dNativeBackpropFilter` for the wasm backend: SIMD row sweeps over dy (assembly/kernels.ts). */
export const depthwiseBackpropFilterKernel: KernelConfig = {
  kernelName: DepthwiseConv2dNativeBackpropFilter,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }: { inputs: NamedTensorInfoMap; backend: unknown; attrs?: NamedAttrMap }): TensorInfo => {
    const be = backend as WasmBackendLike;
    const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
    const { strides, dilations, pad, dimRoundingMode, filterShape } = attrs as unknown as ConvGradAttrs & { filterShape: [number, number, number, number] };
    const g = convGeometry(x.shape as [number, number, number, number], filterShape, strides, dilations ?? 1, pad, dimRoundingMode, true);
    const out = be.makeOutput([...filterShape], 'float32');
    const k = fbnasKernelModule(heapMemory(be));
    const m = filterShape[3];
    const dims = [g.batch, g.inHeight, g.inWidth, g.inChannels];
    const rest = kernelWindowArgs(g);
    if (m === 1) k.depthwiseBackpropFilter(heapOffset(be, x), heapOffset(be, dy), heapOffset(be, out), ...dims, ...rest);
    else k.depthwiseBackpropFilterMulti(heapOffset(be, x), heapOffset(be, dy), heapOffset(be, out), ...dims, m, ...rest);
    return out;
  },
};
