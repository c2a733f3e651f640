import { Identity, type KernelConfig, type KernelFunc, type NamedTensorInfoMap, type TensorInfo } from '@tensorflow/tfjs';

interface RefCountingBackend {
  incRef(dataId: object): void;
}

/**
 * `Identity` for the wasm backend that shares the input's buffer (one more reference, as the cpu backend
 * does) instead of copying it. The engine clones every tensor a kernel saves for its gradient through
 * `Identity`, so under a gradient tape the stock kernel copied ~1,600 activations per training step (a
 * full memcpy each, ~6% of an FBNet-28 step at batch 128). tfjs tensors are immutable and every fbnas kernel
 * writes only to fresh outputs, so sharing is safe; string tensors (not on the heap) keep the stock path.
 */
export function identityKernel(stock: KernelFunc): KernelConfig {
  return {
    kernelName: Identity,
    backendName: 'wasm',
    kernelFunc: (args: Parameters<KernelFunc>[0]): TensorInfo | TensorInfo[] => {
      const { x } = args.inputs as NamedTensorInfoMap as { x: TensorInfo };
      if (x.dtype === 'string') return stock(args);
      (args.backend as unknown as RefCountingBackend).incRef(x.dataId);
      return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
    },
  };
}
