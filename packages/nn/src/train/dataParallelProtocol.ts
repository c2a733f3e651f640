import type { Arch } from '@fbnas/search-space';
import type { BackendName } from '../backend/initBackend';
import type { ImageDataset } from '../data/dataset';
import type { BuildModelOptions, NamedWeights } from '../model/buildModel';
import type { OptimizerName, OptimizerOptions } from './optimizer';
import type { StepRecipe } from './trainStep';

/** Messages from the training loop to a data-parallel worker; each gets one {@link WorkerReply}, in order. */
export type WorkerRequest =
  | {
      type: 'init';
      backend: BackendName;
      arch: Arch;
      build: BuildModelOptions;
      weights: NamedWeights;
      /** Pixels and labels on SharedArrayBuffers: every worker reads the same memory. */
      train: ImageDataset;
      recipe: StepRecipe;
      optimizer: OptimizerName;
      optimizerOptions: OptimizerOptions;
      optimizerState: NamedWeights | null;
      ema: number;
      emaState: NamedWeights | null;
    }
  /** Loss and flat gradients of the shard `indices`; augmentation and dropout draw from `createRng(seed)`. */
  | { type: 'grad'; indices: Int32Array; seed: number }
  /** Apply the averaged flat gradients. */
  | { type: 'apply'; grads: Float32Array; lr: number }
  /** Drop the pending BatchNorm updates of the last `grad` (a non-finite step). */
  | { type: 'discard' }
  /** BatchNorm running statistics (and the EMA state), to be averaged over the replicas. */
  | { type: 'statistics' }
  | { type: 'set-statistics'; statistics: NamedWeights; ema: NamedWeights | null }
  /** This replica's weights, or its optimizer state. */
  | { type: 'weights' }
  | { type: 'optimizer' };

export type WorkerReply = { ok: true; value: unknown } | { ok: false; code: string | null; message: string };
