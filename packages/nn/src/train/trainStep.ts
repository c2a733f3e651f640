import * as tf from '@tensorflow/tfjs';
import type { Rng } from '@fbnas/search-space';
import { epochOrder, makeBatch, type AugmentOptions } from '../data/batches';
import type { ImageDataset } from '../data/dataset';
import type { NamedWeights, NnModel } from '../model/buildModel';
import type { Optimizer } from './optimizer';
import { sampleBeta } from './sampleBeta';
import { softCrossEntropy, softTargets } from './softTargetLoss';
import type { WeightEma } from './weightEma';
import { NnError } from '../errors';

/** The per-step recipe knobs shared by the single-process loop and the data-parallel workers. */
export interface StepRecipe {
  weightDecay: number;
  labelSmoothing: number;
  mixup: number;
  augment: AugmentOptions | null;
}

/**
 * Loss and gradients (in `vars` order) of the batch `indices`: augmentation, mixup, dropout and
 * stochastic depth all draw from `rng`. A non-finite loss is returned as is, with the gradients: the
 * caller disposes them and discards the model's pending BatchNorm updates.
 */
export async function batchGradients(model: NnModel, vars: tf.Variable[], train: ImageDataset, indices: ArrayLike<number>, recipe: StepRecipe, rng: Rng): Promise<{ loss: number; grads: tf.Tensor[] }> {
  const batch = makeBatch(train, indices, recipe.augment, rng);
  const mix = recipe.mixup > 0 ? { lambda: sampleBeta(recipe.mixup, recipe.mixup, rng), perm: epochOrder(batch.labels.length, rng) } : null;
  let out: { value: tf.Scalar; grads: tf.NamedTensorMap };
  try {
    out = tf.variableGrads(
      () =>
        tf.tidy(() => {
          let x = batch.x;
          if (mix) x = tf.add(tf.mul(x, mix.lambda), tf.mul(tf.gather(x, tf.tensor1d(mix.perm, 'int32')), 1 - mix.lambda));
          const logits = model.forward(x, { training: true, rng });
          return softCrossEntropy(logits, softTargets(batch.labels, train.numClasses, recipe.labelSmoothing, mix));
        }),
      vars,
    );
  } catch (e) {
    throw heapExhausted(e, indices.length);
  }
  const { value, grads } = out;
  const loss = (await value.data())[0];
  tf.dispose([value, batch.x]);
  return { loss, grads: vars.map((v) => grads[v.name]) };
}

/**
 * The wasm backend's heap is a 32-bit address space (at most 4 GB): a step whose activations do not fit fails
 * inside the module with a bare `RuntimeError` (an out-of-bounds access after a failed allocation). That becomes
 * a typed `OUT_OF_MEMORY` error naming the batch; other errors pass through unchanged.
 */
export function heapExhausted(e: unknown, batch: number): unknown {
  const wasmError = typeof WebAssembly !== 'undefined' && e instanceof WebAssembly.RuntimeError;
  if (!wasmError || !/memory access out of bounds|out of memory|OOM/i.test((e as Error).message)) return e;
  return new NnError(
    'OUT_OF_MEMORY',
    'fbnas.trainModel',
    `a training step on ${batch} images ran out of the wasm heap (${(e as Error).message}): use a smaller batchSize, or workers (each holds one shard of the batch); this process's backend is unusable after the failure, start a new one`,
  );
}

/**
 * One optimizer update with `grads` (disposed here): L2 weight decay on the rank >= 2 weights, then the
 * pending BatchNorm statistics and the EMA.
 */
export function applyGradients(model: NnModel, vars: tf.Variable[], grads: tf.Tensor[], lr: number, optimizer: Optimizer, weightDecay: number, ema: WeightEma | null): void {
  optimizer.step(vars, grads, lr, vars.map((v) => (v.rank >= 2 ? weightDecay : 0)));
  model.commitBnUpdates();
  ema?.update();
  tf.dispose(grads);
}

/** Names of a model's weights that gradients do not train (BatchNorm running statistics). */
export function statisticNames(model: NnModel): string[] {
  return model.weightNames().filter((name) => !model.weight(name).trainable);
}

/** The element-wise mean of the same named tensors from several replicas. */
export function meanWeights(replicas: NamedWeights[]): NamedWeights {
  const out: NamedWeights = {};
  for (const [name, first] of Object.entries(replicas[0])) {
    const data = new Float32Array(first.data.length);
    for (const r of replicas) {
      const d = r[name].data;
      for (let i = 0; i < data.length; i++) data[i] += d[i];
    }
    for (let i = 0; i < data.length; i++) data[i] /= replicas.length;
    out[name] = { shape: [...first.shape], data };
  }
  return out;
}

/** How the training loop runs its steps: in this thread, or on data-parallel workers. */
export interface StepEngine {
  /** One optimizer step on the batch `indices`; returns its loss. A non-finite loss is returned without an update. */
  step(indices: Int32Array, lr: number): Promise<number>;
  /** Make the loop's model (and EMA) hold the trained state; called before evaluation and checkpoints. */
  sync(): Promise<void>;
  optimizerState(): Promise<NamedWeights>;
  dispose(): Promise<void>;
}

/** The single-thread engine: the loop's own model, optimizer, EMA and random stream. */
export function localEngine(model: NnModel, train: ImageDataset, rng: Rng, recipe: StepRecipe, optimizer: Optimizer, ema: WeightEma | null): StepEngine {
  const vars = model.trainableVariables();
  return {
    async step(indices, lr) {
      const { loss, grads } = await batchGradients(model, vars, train, indices, recipe, rng);
      if (!Number.isFinite(loss)) {
        tf.dispose(grads);
        model.discardBnUpdates();
        return loss;
      }
      applyGradients(model, vars, grads, lr, optimizer, recipe.weightDecay, ema);
      return loss;
    },
    sync: async () => undefined,
    optimizerState: () => optimizer.exportState(),
    // the loop owns the optimizer and disposes it
    dispose: async () => undefined,
  };
}
