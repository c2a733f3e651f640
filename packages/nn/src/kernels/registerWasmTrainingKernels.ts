import { Conv2DBackpropInput, getKernel, registerKernel, unregisterKernel, type KernelConfig, type KernelFunc } from '@tensorflow/tfjs';
import { conv2dBackpropFilterKernel } from './conv2dBackpropFilterKernel';
import { conv2dBackpropInputKernel } from './conv2dBackpropInputKernel';
import { depthwiseBackpropFilterKernel } from './depthwiseBackpropFilterKernel';
import { depthwiseBackpropInputKernel } from './depthwiseBackpropInputKernel';
import { unsortedSegmentSumKernel } from './unsortedSegmentSumKernel';

/** Kernels fbnas adds to (or replaces in) the tfjs wasm backend so that convnets train there. */
export const WASM_TRAINING_KERNEL_NAMES = [
  'Conv2DBackpropFilter',
  'Conv2DBackpropInput',
  'DepthwiseConv2dNativeBackpropFilter',
  'DepthwiseConv2dNativeBackpropInput',
  'UnsortedSegmentSum',
] as const;

let stockConv2DBackpropInput: KernelFunc | null = null;
let registered = false;

/**
 * Register fbnas's training kernels on the tfjs `wasm` backend. One explicit call (nothing registers at
 * import time); calling it again does nothing. `Conv2DBackpropInput` is replaced by a version with a fast
 * 1x1 path that defers to the stock kernel otherwise.
 * @returns the names of the kernels registered by this call
 */
export function registerWasmTrainingKernels(): string[] {
  if (registered) return [];
  const added: string[] = [];
  const stock = getKernel(Conv2DBackpropInput, 'wasm');
  if (stock) {
    stockConv2DBackpropInput = stock.kernelFunc;
    unregisterKernel(Conv2DBackpropInput, 'wasm');
    registerKernel(conv2dBackpropInputKernel(stockConv2DBackpropInput));
    added.push(Conv2DBackpropInput);
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

/** Undo {@link registerWasmTrainingKernels} (restores the stock `Conv2DBackpropInput`); for tests. */
export function unregisterWasmTrainingKernels(): void {
  if (!registered) return;
  for (const name of WASM_TRAINING_KERNEL_NAMES) if (getKernel(name, 'wasm')) unregisterKernel(name, 'wasm');
  if (stockConv2DBackpropInput) {
    registerKernel({ kernelName: Conv2DBackpropInput, backendName: 'wasm', kernelFunc: stockConv2DBackpropInput });
  }
  registered = false;
}
