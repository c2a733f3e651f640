import { DepthwiseConv2dNativeBackpropInput, type KernelConfig, type NamedAttrMap, type NamedTensorInfoMap, type TensorInfo } from '@tensorflow/tfjs';
import { convGeometry, kernelWindowArgs, type ConvGradAttrs } from './convGeometry';
import { fbnasKernelModule } from './fbnasKernelModule';
import { heapMemory, heapOffset, type WasmBackendLike } from './wasmHeap';

/** `DepthwiseConv2dNativeBackpropInput` for the wasm backend: SIMD row sweeps scattering dy through the filter. */
export const depthwiseBackpropInputKernel: KernelConfig = {
  kernelName: DepthwiseConv2dNativeBackpropInput,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }: { inputs: NamedTensorInfoMap; backend: unknown; attrs?: NamedAttrMap }): TensorInfo => {
    const be = backend as WasmBackendLike;
    const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
    const { strides, dilations, pad, dimRoundingMode, inputShape } = attrs as unknown as ConvGradAttrs & { inputShape: [number, number, number, number] };
    const fs = filter.shape as [number, number, number, number];
    const g = convGeometry(inputShape, fs, strides, dilations ?? 1, pad, dimRoundingMode, true);
    const out = be.makeOutput([...inputShape], 'float32');
    const k = fbnasKernelModule(heapMemory(be));
    const m = fs[3];
    const dims = [g.batch, g.inHeight, g.inWidth, g.inChannels];
    const rest = kernelWindowArgs(g);
    if (m === 1) k.depthwiseBackpropInput(heapOffset(be, dy), heapOffset(be, filter), heapOffset(be, out), ...dims, ...rest);
    else k.depthwiseBackpropInputMulti(heapOffset(be, dy), heapOffset(be, filter), heapOffset(be, out), ...dims, m, ...rest);
    return out;
  },
};
