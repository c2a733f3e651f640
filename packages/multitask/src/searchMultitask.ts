import { existsSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { createRng, type Arch, type RngState } from '@fbnas/search-space';
import { cosineWithWarmup, createOptimizer, epochOrder, makeBatch, readCheckpoint, softCrossEntropy, softTargets, writeCheckpoint } from '@fbnas/nn';
import { MultitaskError } from './errors';
import type { KeepSkipSpace } from './keepSkipSpace';
import type { MultitaskDataset } from './multitaskData';
import { createMultitaskSupernet, type MultitaskSupernet, type TaskHead } from './multitaskSupernet';
import { TaskDistributions, type TaskDistributionsOptions } from './taskDistributions';

/** Options of {@link searchMultitask}; defaults in brackets. */
export interface SearchMultitaskOptions {
  space: KeepSkipSpace;
  heads: readonly TaskHead[];
  data: MultitaskDataset;
  /** Training steps; each is one forward and one backward pass, whatever the number of tasks. */
  steps: number;
  /** Steps that train the weights only, on architectures from the initial (uniform) proposal [steps / 5]. */
  warmupSteps?: number;
  /** [64] */
  batchSize?: number;
  /** Peak learning rate of the weights (SGD, momentum 0.9, cosine to 0) [0.05]. */
  learningRate?: number;
  /** L2 weight decay of the weights [4e-5]. */
  weightDecay?: number;
  /** Loss weight gamma_t of each task in the weight step [1]. */
  taskWeights?: Readonly<Record<string, number>>;
  /**
   * Resource weight lambda_t of each task [0]: its reward is loss_t + lambda_t * cost(a) / cost(all kept),
   * both counted through the task head's tap, with `blockCosts` (multiply-adds by default).
   * [UNVERIFIED: FBNetV5 describes no regulariser in the search and scales the found models afterwards.]
   */
  costWeights?: Readonly<Record<string, number>>;
  /**
   * Cost of each backbone block (one number >= 0 per block, e.g. latency measured on the target runtime)
   * [the blocks' multiply-adds]: the resource term uses the kept blocks' share of the total.
   */
  blockCosts?: readonly number[];
  distributions?: TaskDistributionsOptions;
  /** Seed of weights, batches and sampling [0]. */
  seed?: number;
  /**
   * Checkpoint file (written atomically every `checkpointEvery` steps and at the end): the supernet's
   * weights, the optimizer, every task's distribution, the random state, the batch order and the history.
   */
  checkpointPath?: string;
  /** [50] */
  checkpointEvery?: number;
  /** Continue from `checkpointPath` when it exists (same options and data required): the result is the one an uninterrupted run gives. */
  resume?: boolean;
  onProgress?: (event: MultitaskProgress) => void;
  signal?: AbortSignal;
}

/** Progress of {@link searchMultitask}, one event a step. */
export interface MultitaskProgress {
  step: number;
  steps: number;
  /** The architecture this step trained and scored (keep flags of the skippable blocks). */
  keep: boolean[];
  /** Each task's loss on this step's batch. */
  losses: Record<string, number>;
  /** Each task's keep probabilities after the step (unchanged during warm-up). */
  keepProbabilities: Record<string, number[]>;
  /** Each task's relative cost of `keep`: its kept blocks' share of the block costs, through its tap. */
  costs: Record<string, number>;
}

/** Each task's outcome of {@link searchMultitask}. */
export interface MultitaskTaskResult {
  /** The task's most likely architecture: keep block b when its keep probability is above 1/2. */
  keep: boolean[];
  keepProbabilities: number[];
  /** The backbone through the task's tap, with the skipped blocks removed. */
  arch: Arch;
  /** Multiply-adds of `arch` (the head excluded). */
  macs: number;
}

/** The result of {@link searchMultitask}; the caller disposes `supernet`. */
export interface MultitaskSearchResult {
  tasks: Record<string, MultitaskTaskResult>;
  /** One entry a step: the sampled architecture and each task's loss. */
  history: Array<{ step: number; keep: boolean[]; losses: Record<string, number> }>;
  /** Forward + backward passes run: one a step (the steps before a resume included). */
  passes: number;
  /** The step a resumed run continued from, or null. */
  resumedFromStep: number | null;
  seconds: number;
  supernet: MultitaskSupernet;
  distributions: TaskDistributions;
}

function gatherRows(source: Int32Array | Float32Array, indices: ArrayLike<number>, row: number): Float32Array {
  const out = new Float32Array(indices.length * row);
  for (let i = 0; i < indices.length; i++) out.set(source.subarray(indices[i] * row, (indices[i] + 1) * row), i * row);
  return out;
}

/** Each task's loss on a batch: cross-entropy (per pixel for segmentation), L1 for boxes. */
export function multitaskLosses(heads: readonly TaskHead[], outputs: Record<string, tf.Tensor>, data: MultitaskDataset, indices: ArrayLike<number>): Record<string, tf.Scalar> {
  const losses: Record<string, tf.Scalar> = {};
  for (const h of heads) {
    const out = outputs[h.name];
    const target = data.targets[h.name];
    if (h.kind === 'classification') {
      losses[h.name] = softCrossEntropy(out as tf.Tensor2D, softTargets(Int32Array.from(indices, (i) => target[i]), h.classes, 0, null));
    } else if (h.kind === 'segmentation') {
      const row = out.size / out.shape[0];
      const t = tf.tensor2d(gatherRows(target, indices, row), [out.size / h.classes, h.classes]);
      losses[h.name] = softCrossEntropy(tf.reshape(out, [-1, h.classes]) as tf.Tensor2D, t);
    } else {
      losses[h.name] = tf.mean(tf.abs(tf.sub(out, tf.tensor2d(gatherRows(target, indices, 4), [indices.length, 4])))) as tf.Scalar;
    }
  }
  return losses;
}

/**
 * FBNetV5's multitask search in one run: a keep/skip supernet shared by every task, trained on one image
 * set with every task's (pseudo-)labels, and one Bernoulli architecture distribution per task. Each step
 * draws one architecture from the proposal (a mixture of the task distributions), runs one forward and one
 * backward pass through it and every head, updates the shared weights on sum_t gamma_t loss_t, and updates
 * every task's distribution from that same sample by importance-weighted REINFORCE. The cost of a step is
 * one network pass plus the heads, independent of the number of tasks. Each task's architecture is its
 * distribution's most likely one.
 */
export async function searchMultitask(options: SearchMultitaskOptions): Promise<MultitaskSearchResult> {
  const api = 'fbnas.searchMultitask';
  const o = options;
  const names = o.heads.map((h) => h.name);
  for (const [key, v, lo] of [['steps', o.steps, 1], ['batchSize', o.batchSize ?? 64, 1], ['warmupSteps', o.warmupSteps ?? 0, 0]] as const) {
    if (!(Number.isInteger(v) && v >= lo)) throw new MultitaskError('INVALID_ARGUMENT', api, `options.${key} must be an integer >= ${lo}, got ${String(v)}`);
  }
  for (const key of ['taskWeights', 'costWeights'] as const) {
    for (const [name, v] of Object.entries(o[key] ?? {})) {
      if (!names.includes(name)) throw new MultitaskError('UNKNOWN_NAME', api, `options.${key}.${name}: no task of that name (tasks: ${names.join(', ')})`);
      if (!(Number.isFinite(v) && v >= 0)) throw new MultitaskError('INVALID_ARGUMENT', api, `options.${key}.${name} must be a finite number >= 0, got ${String(v)}`);
    }
  }
  const last = o.space.backbone.blocks.length - 1;
  for (const h of o.heads) {
    const target = o.data.targets[h.name];
    if (!target) throw new MultitaskError('UNKNOWN_NAME', api, `options.data has no targets for task ${h.name}`);
    const shape = o.space.shapes[h.tap ?? last];
    const row = h.kind === 'classification' ? 1 : h.kind === 'box' ? 4 : (shape?.height ?? 0) * (shape?.width ?? 0) * h.classes;
    if (target.length !== o.data.images.count * row) {
      throw new MultitaskError('SHAPE_MISMATCH', api, `options.data.targets.${h.name} must hold ${o.data.images.count} x ${row} values for a ${h.kind} head, got ${target.length}`);
    }
  }
  const lr = o.learningRate ?? 0.05;
  if (!(Number.isFinite(lr) && lr > 0)) throw new MultitaskError('INVALID_ARGUMENT', api, `options.learningRate must be a positive number, got ${String(lr)}`);
  const batchSize = o.batchSize ?? 64;
  const warmup = o.warmupSteps ?? Math.floor(o.steps / 5);
  const decay = o.weightDecay ?? 4e-5;
  const gamma = (name: string) => o.taskWeights?.[name] ?? 1;
  const lambda = (name: string) => o.costWeights?.[name] ?? 0;
  const seed = o.seed ?? 0;
  const rng = createRng(seed + 1);
  const net = createMultitaskSupernet(o.space, o.heads, { seed });
  const dists = new TaskDistributions(names, o.space.skippable.length, o.distributions);
  const vars = net.weightVariables();
  const decayed = vars.map((v) => v.shape.length > 1);
  const optimizer = createOptimizer('sgd', { momentum: 0.9 });
  const blockCosts = o.blockCosts ?? o.space.blockMacs;
  if (!Array.isArray(blockCosts) || blockCosts.length !== o.space.backbone.blocks.length || blockCosts.some((c) => !(Number.isFinite(c) && c >= 0))) {
    throw new MultitaskError('INVALID_ARGUMENT', api, `options.blockCosts must be ${o.space.backbone.blocks.length} finite numbers >= 0 (one per backbone block), got ${Array.isArray(blockCosts) ? `${blockCosts.length} values` : String(blockCosts)}`);
  }
  const allKept = o.space.skippable.map(() => true);
  const relativeCost = (keep: readonly boolean[], h: TaskHead) => {
    const all = o.space.cost(allKept, blockCosts, h.tap);
    return all > 0 ? o.space.cost(keep, blockCosts, h.tap) / all : 0;
  };
  const images = o.data.images;
  let history: MultitaskSearchResult['history'] = [];
  const started = Date.now();
  let order = epochOrder(images.count, rng);
  let cursor = 0;
  let first = 0;
  const every = o.checkpointEvery ?? 50;
  if (!(Number.isInteger(every) && every >= 1)) throw new MultitaskError('INVALID_ARGUMENT', api, `options.checkpointEvery must be an integer >= 1, got ${String(every)}`);
  const { onProgress: _p, signal: _s, checkpointPath: _c, checkpointEvery: _e, resume: _r, data: _d, space: _sp, ...settings } = o;
  const fingerprint = JSON.stringify({ backbone: o.space.backbone, settings, images: [images.name, images.count] });
  const save = async (next: number) => {
    if (!o.checkpointPath) return;
    writeCheckpoint(o.checkpointPath, {
      meta: { format: 'fbnas.multitask-search/v1', fingerprint, step: next, cursor, rng: rng.getState(), distributions: dists.exportState(), history },
      groups: { weights: await net.exportWeights(), optimizer: await optimizer.exportState(), order: { order: { shape: [order.length], data: Float32Array.from(order) } } },
    });
  };
  try {
    if (o.resume && o.checkpointPath && existsSync(o.checkpointPath)) {
      const ck = readCheckpoint(o.checkpointPath);
      if (ck.meta.fingerprint !== fingerprint) throw new MultitaskError('INVALID_ARGUMENT', api, `${o.checkpointPath} was written by a search with another space, tasks, data or options; refusing to resume from it`);
      net.loadWeights(ck.groups.weights);
      optimizer.loadState(ck.groups.optimizer ?? {});
      dists.loadState(ck.meta.distributions as ReturnType<TaskDistributions['exportState']>);
      rng.setState(ck.meta.rng as RngState);
      order = Int32Array.from(ck.groups.order.order.data);
      cursor = ck.meta.cursor as number;
      history = ck.meta.history as MultitaskSearchResult['history'];
      first = ck.meta.step as number;
    }
    for (let step = first; step < o.steps; step++) {
      if (o.signal?.aborted) {
        const saved = o.checkpointPath && existsSync(o.checkpointPath) ? `; resume from ${o.checkpointPath}` : '';
        throw new MultitaskError('ABORTED', api, `aborted at step ${step} of ${o.steps}${saved}`);
      }
      if (cursor + batchSize > order.length) {
        order = epochOrder(images.count, rng);
        cursor = 0;
      }
      const indices = order.subarray(cursor, cursor + Math.min(batchSize, images.count));
      cursor += batchSize;
      const batch = makeBatch(images, indices);
      const keep = dists.sample(rng);
      const held: Record<string, tf.Scalar> = {};
      const { value, grads } = tf.variableGrads(
        () =>
          tf.tidy(() => {
            const losses = multitaskLosses(o.heads, net.forward(batch.x, keep, true), o.data, indices);
            for (const name of names) held[name] = tf.keep(losses[name]);
            return tf.addN(names.map((name) => tf.mul(losses[name], gamma(name)))) as tf.Scalar;
          }),
        vars,
      );
      const losses: Record<string, number> = {};
      for (const name of names) losses[name] = (await held[name].data())[0];
      tf.dispose([value, batch.x, ...Object.values(held)]);
      const bad = names.find((name) => !Number.isFinite(losses[name]));
      if (bad !== undefined) {
        tf.dispose(Object.values(grads));
        net.discardBnUpdates();
        throw new MultitaskError('NON_FINITE', api, `task ${bad}'s loss is ${String(losses[bad])} at step ${step} (lower options.learningRate)`);
      }
      const g = vars.map((v, i) => {
        const gi = grads[v.name] ?? null;
        return gi !== null && decayed[i] && decay > 0 ? tf.tidy(() => tf.add(gi, tf.mul(v, decay))) : gi;
      });
      optimizer.step(vars, g, cosineWithWarmup(step, o.steps, lr, 0, 0));
      net.commitBnUpdates();
      tf.dispose([...Object.values(grads), ...g.filter((t): t is tf.Tensor => t !== null)]);
      // a task's cost counts the blocks through its head's tap: later ones never reach it
      const costs = Object.fromEntries(o.heads.map((h) => [h.name, relativeCost(keep, h)]));
      if (step >= warmup) dists.update(keep, Object.fromEntries(names.map((name) => [name, losses[name] + lambda(name) * costs[name]])));
      history.push({ step, keep, losses });
      o.onProgress?.({ step, steps: o.steps, keep, losses, keepProbabilities: Object.fromEntries(names.map((name) => [name, dists.keepProbabilities(name)])), costs });
      if ((step + 1) % every === 0 || step + 1 === o.steps) await save(step + 1);
      await new Promise((r) => setImmediate(r));
    }
  } catch (err) {
    optimizer.dispose();
    net.dispose();
    throw err;
  }
  optimizer.dispose();
  const tasks: Record<string, MultitaskTaskResult> = {};
  for (const h of o.heads) {
    const keep = dists.argmax(h.name);
    tasks[h.name] = { keep, keepProbabilities: dists.keepProbabilities(h.name), arch: o.space.toArch(keep, h.tap), macs: o.space.macs(keep, h.tap) };
  }
  return { tasks, history, passes: history.length, resumedFromStep: first > 0 ? first : null, seconds: (Date.now() - started) / 1000, supernet: net, distributions: dists };
}
