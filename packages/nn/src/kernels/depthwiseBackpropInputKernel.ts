import { DepthwiseConv2dNativeBackpropInput, type KernelConfig, type NamedAttrMap, type NamedTensorInfoMap, type TensorInfo } from '@tensorflow/tfjs';
import { convGeometry, kernelWindowArgs, type ConvGradAttrs } from './convGeometry';
import { fbnasKernelModule } from './fbnasKernelModule';
import { depthwiseInputGradByForward, transposedPadding } from './viaForwardConv';
import { heapMemory, heapOffset, type WasmBackendLike } from './wasmHeap';

/**
 * `DepthwiseConv2dNativeBackpropInput` for the wasm backend. 3x3 (or smaller), stride 1, dilation 1,
 * multiplier 1: XNNPACK's forward depthwise conv of dy with the rotated filter (2.4x our scatter kernel on
 * 128x28x28x16). Otherwise a SIMD scatter of dy through the filter (for 5x5 XNNPACK measured the same at
 * 14x14 and 1.6x slower at 7x7, so those stay here).
 */
export const depthwiseBackpropInputKernel: KernelConfig = {
  kernelName: DepthwiseConv2dNativeBackpropInput,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }: { inputs: NamedTensorInfoMap; backend: unknown; attrs?: NamedAttrMap }): TensorInfo => {
    const be = backend as WasmBackendLike;
    const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
    const { strides, dilations, pad, dimRoundingMode, inputShape } = attrs as unknown as ConvGradAttrs & { inputShape: [number, number, number, number] };
    const fs = filter.shape as [number, number, number, number];
    const g = convGeometry(inputShape, fs, strides, dilations ?? 1, pad, dimRoundingMode, true);
    const m = fs[3];
    if (m === 1 && g.kernelHeight * g.kernelWidth <= 9 && g.strideHeight === 1 && g.strideWidth === 1 && g.dilationHeight === 1 && g.dilationWidth === 1) {
      const ph = transposedPadding(g.inHeight, g.outHeight, g.kernelHeight, g.padTop);
      const pw = transposedPadding(g.inWidth, g.outWidth, g.kernelWidth, g.padLeft);
      if (ph && pw) return depthwiseInputGradByForward(be, dy, filter, [ph, pw]);
    }
    const out = be.makeOutput([...inputShape], 'float32');
    const k = fbnasKernelModule(heapMemory(be));
    const dims = [g.batch, g.inHeight, g.inWidth, g.inChannels];
    const rest = kernelWindowArgs(g);
    if (m === 1) k.depthwiseBackpropInput(heapOffset(be, dy), heapOffset(be, filter), heapOffset(be, out), ...dims, ...rest);
    else k.depthwiseBackpropInputMulti(heapOffset(be, dy), heapOffset(be, filter), heapOffset(be, out), ...dims, m, ...rest);
    return out;
  },
};
