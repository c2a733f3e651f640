import { Conv2DBackpropInput, DepthwiseConv2dNative, getKernel, Identity, registerKernel, unregisterKernel, type KernelConfig, type KernelFunc } from '@tensorflow/tfjs';
import { conv2dBackpropFilterKernel } from './conv2dBackpropFilterKernel';
import { conv2dBackpropInputKernel } from './conv2dBackpropInputKernel';
import { depthwiseBackpropFilterKernel } from './depthwiseBackpropFilterKernel';
import { depthwiseBackpropInputKernel } from './depthwiseBackpropInputKernel';
import { depthwiseForwardKernel } from './depthwiseForwardKernel';
import { identityKernel } from './identityKernel';
import { unsortedSegmentSumKernel } from './unsortedSegmentSumKernel';

/** Kernels fbnas adds to (or replaces in) the tfjs wasm backend so that convnets train there. */
export const WASM_TRAINING_KERNEL_NAMES = [
  'Conv2DBackpropFilter',
  'Conv2DBackpropInput',
  'DepthwiseConv2dNativeBackpropFilter',
  'DepthwiseConv2dNativeBackpropInput',
  'UnsortedSegmentSum',
  'Identity',
  'DepthwiseConv2dNative',
] as const;

/** Stock wasm kernels that fbnas wraps: the wrapper's factory gets the stock function for the cases it leaves alone. */
const WRAPPED: ReadonlyArray<readonly [string, (stock: KernelFunc) => KernelConfig]> = [
  [Conv2DBackpropInput, conv2dBackpropInputKernel],
  [Identity, identityKernel],
  [DepthwiseConv2dNative, depthwiseForwardKernel],
];
const stockKernels = new Map<string, KernelFunc>();
let registered = false;

/**
 * Register fbnas's training kernels on the tfjs `wasm` backend. One explicit call (nothing registers at
 * import time); calling it again does nothing. `Conv2DBackpropInput` is replaced by a version with a fast
 * 1x1 path that defers to the stock kernel otherwise, and `Identity` by one that shares the buffer instead of
 * copying it (the engine clones every tensor saved for a gradient).
 * @returns the names of the kernels registered by this call
 */
export function registerWasmTrainingKernels(): string[] {
  if (registered) return [];
  const added: string[] = [];
  for (const [name, wrap] of WRAPPED) {
    const stock = getKernel(name, 'wasm');
    if (!stock) continue;
    stockKernels.set(name, stock.kernelFunc);
    unregisterKernel(name, 'wasm');
    registerKernel(wrap(stock.kernelFunc));
    added.push(name);
  }
  const configs: KernelConfig[] = [conv2dBackpropFilterKernel, depthwiseBackpropFilterKernel, depthwiseBackpropInputKernel, unsortedSegmentSumKernel];
  for (const config of configs) {
    if (getKernel(config.kernelName, 'wasm')) unregisterKernel(config.kernelName, 'wasm');
    registerKernel(config);
    added.push(config.kernelName);
  }
  registered = true;
  return added;
}

/** Undo {@link registerWasmTrainingKernels} (restores the stock `Conv2DBackpropInput`, `Identity` and `DepthwiseConv2dNative`); for tests. */
export function unregisterWasmTrainingKernels(): void {
  if (!registered) return;
  for (const name of WASM_TRAINING_KERNEL_NAMES) if (getKernel(name, 'wasm')) unregisterKernel(name, 'wasm');
  for (const [name, kernelFunc] of stockKernels) registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc });
  stockKernels.clear();
  registered = false;
}
