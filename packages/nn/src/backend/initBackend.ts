import * as tf from '@tensorflow/tfjs';
import { NnError } from '../errors';
import { fbnasKernelsFor, registerFbnasKernels } from '../kernels/registerFbnasKernels';

/** Backends fbnas trains on: tfjs-node (`tensorflow`, optional), `wasm` with fbnas kernels, `cpu`. */
export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

/** What {@link initBackend} chose and why. */
export interface BackendInfo {
  name: BackendName;
  /** Why this backend (e.g. "@tensorflow/tfjs-node is not installed; using wasm"). */
  reason: string;
  /** The fbnas kernels active on it. */
  kernels: string[];
}

let active: BackendInfo | null = null;

async function tryTfjsNode(): Promise<string | null> {
  try {
    // A variable specifier keeps bundlers from resolving this optional package at build time.
    const name = '@tensorflow/tfjs-node';
    await import(name);
  } catch (err) {
    return `@tensorflow/tfjs-node is not installed (${(err as Error).message.split('\n')[0]})`;
  }
  if (!tf.findBackend('tensorflow') && !tf.engine().registryFactory.tensorflow) {
    return '@tensorflow/tfjs-node is installed but registered on another copy of tfjs-core (versions differ)';
  }
  return (await tf.setBackend('tensorflow')) ? null : 'tfjs-node failed to initialise';
}

async function tryWasm(): Promise<string | null> {
  try {
    await import('@tensorflow/tfjs-backend-wasm');
    if (!(await tf.setBackend('wasm'))) return 'the wasm backend failed to initialise';
    await tf.ready();
    return null;
  } catch (err) {
    return `the wasm backend failed to load (${(err as Error).message})`;
  }
}

/**
 * Choose and initialise the tfjs backend: `@tensorflow/tfjs-node` when installed, else `wasm` with the
 * fbnas training kernels, else `cpu` (about 100x slower for convnets). `backend` forces one; a forced
 * backend that cannot start is an `NnError` (`BACKEND_UNAVAILABLE`), never a silent fallback.
 * @example
 * import { initBackend } from '@fbnas/nn';
 * const info = await initBackend(); // { name: 'wasm', reason: '...', kernels: [...] }
 */
export async function initBackend(options: { backend?: BackendName | 'auto' } = {}): Promise<BackendInfo> {
  const api = 'fbnas.initBackend';
  const wanted = options.backend ?? 'auto';
  if (!['auto', 'tensorflow', 'wasm', 'cpu'].includes(wanted)) {
    throw new NnError('INVALID_ARGUMENT', api, `options.backend must be one of auto, tensorflow, wasm, cpu, got ${JSON.stringify(wanted)}`);
  }
  const notes: string[] = [];
  if (wanted === 'auto' || wanted === 'tensorflow') {
    const why = await tryTfjsNode();
    if (why === null) return (active = { name: 'tensorflow', reason: 'using @tensorflow/tfjs-node', kernels: [] });
    if (wanted === 'tensorflow') throw new NnError('BACKEND_UNAVAILABLE', api, why);
    notes.push(why);
  }
  if (wanted === 'auto' || wanted === 'wasm') {
    const why = await tryWasm();
    if (why === null) {
      registerFbnasKernels();
      return (active = { name: 'wasm', reason: [...notes, 'using wasm (XNNPACK, SIMD) with fbnas training kernels'].join('; '), kernels: fbnasKernelsFor('wasm') });
    }
    if (wanted === 'wasm') throw new NnError('BACKEND_UNAVAILABLE', api, why);
    notes.push(why);
  }
  await tf.setBackend('cpu');
  await tf.ready();
  registerFbnasKernels();
  return (active = { name: 'cpu', reason: [...notes, 'using cpu'].join('; '), kernels: fbnasKernelsFor('cpu') });
}

/** The backend chosen by the last {@link initBackend}, or null before any. */
export function activeBackend(): BackendInfo | null {
  return active;
}
