import { getGradient, getKernel, getKernelsForBackend, registerGradient, registerKernel, unregisterKernel, type KernelConfig } from '@tensorflow/tfjs';
import { FUSED_GRADIENTS } from '../ops/fusedOps';
import { FUSED_CPU_KERNELS } from './fusedKernelsCpu';
import { FUSED_WASM_KERNELS } from './fusedKernelsWasm';
import { registerWasmTrainingKernels, WASM_TRAINING_KERNEL_NAMES } from './registerWasmTrainingKernels';

let done = false;

/**
 * Register everything fbnas adds to tfjs, in one explicit call (nothing registers at import time):
 * the wasm training kernels, the fused BatchNorm / activation / pooling kernels for wasm and cpu, and
 * their gradients. Idempotent; returns the kernel names registered by this call.
 */
export function registerFbnasKernels(): string[] {
  if (done) return [];
  const added = registerWasmTrainingKernels();
  const configs: KernelConfig[] = [...FUSED_WASM_KERNELS, ...FUSED_CPU_KERNELS];
  for (const config of configs) {
    if (getKernel(config.kernelName, config.backendName)) unregisterKernel(config.kernelName, config.backendName);
    registerKernel(config);
    added.push(`${config.kernelName}(${config.backendName})`);
  }
  for (const g of FUSED_GRADIENTS) if (!getGradient(g.kernelName)) registerGradient(g);
  done = true;
  return added;
}

/** The fbnas kernels registered for a backend (after {@link registerFbnasKernels}). */
export function fbnasKernelsFor(backendName: string): string[] {
  const ours = new Set<string>([...FUSED_WASM_KERNELS, ...FUSED_CPU_KERNELS].map((k) => k.kernelName));
  if (backendName === 'wasm' && done) WASM_TRAINING_KERNEL_NAMES.forEach((n) => ours.add(n));
  return getKernelsForBackend(backendName)
    .map((k) => k.kernelName)
    .filter((n) => ours.has(n))
    .sort();
}
