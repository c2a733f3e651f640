import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Rng } from '@fbnas/search-space';
import { activeBackend } from '../backend/initBackend';
import type { ImageDataset } from '../data/dataset';
import { NnError } from '../errors';
import type { BuildModelOptions, NamedWeights, NnModel } from '../model/buildModel';
import type { WorkerReply, WorkerRequest } from './dataParallelProtocol';
import type { OptimizerName, OptimizerOptions } from './optimizer';
import { meanWeights, statisticNames, type StepEngine, type StepRecipe } from './trainStep';
import type { WeightEma } from './weightEma';

const API = 'fbnas.trainModel';

/**
 * Where the worker entry is: next to the bundle in a built package (`dist/data-parallel-worker.js`), or the
 * TypeScript source when running from the workspace sources (tests, `tools/ts-run`), which the worker then
 * loads through the workspace's TypeScript hooks.
 */
function workerEntry(): { file: string; execArgv: string[] } {
  const here = dirname(__filename);
  if (__filename.endsWith('.ts')) {
    const hooks = resolve(here, '../../../../tools/ts-run/register.mjs');
    return { file: join(here, 'dataParallelWorker.ts'), execArgv: ['--conditions=@fbnas/source', '--import', pathToFileURL(hooks).href] };
  }
  return { file: join(here, 'data-parallel-worker.js'), execArgv: [] };
}

/** A worker thread whose replies come back in request order. */
class WorkerLink {
  private readonly worker: Worker;
  private readonly waiting: Array<{ resolve: (v: unknown) => void; reject: (e: Error) => void }> = [];
  private failure: Error | null = null;

  constructor(index: number) {
    const entry = workerEntry();
    if (!existsSync(entry.file)) throw new NnError('WORKER_FAILED', API, `the data-parallel worker entry ${entry.file} is missing (is the package built?)`);
    this.worker = new Worker(entry.file, { execArgv: entry.execArgv });
    this.worker.on('message', (reply: WorkerReply) => {
      const w = this.waiting.shift();
      if (!w) return;
      if (reply.ok) w.resolve(reply.value);
      else w.reject(new NnError(reply.code === 'NON_FINITE' || reply.code === 'OUT_OF_MEMORY' ? reply.code : 'WORKER_FAILED', API, `worker ${index}: ${reply.message}`));
    });
    const fail = (err: Error) => {
      this.failure = new NnError('WORKER_FAILED', API, `worker ${index} stopped: ${err.message}`);
      for (const w of this.waiting.splice(0)) w.reject(this.failure);
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`exit code ${code}`)));
  }

  call<T>(req: WorkerRequest, transfer: ArrayBuffer[] = []): Promise<T> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<T>((resolveCall, reject) => {
      this.waiting.push({ resolve: resolveCall as (v: unknown) => void, reject });
      this.worker.postMessage(req, transfer);
    });
  }

  async close(): Promise<void> {
    this.worker.removeAllListeners('exit');
    await this.worker.terminate();
  }
}

/** A copy of the dataset on SharedArrayBuffers (or the dataset itself when it already is). */
function sharedDataset(ds: ImageDataset): ImageDataset {
  const share = <T extends Float32Array | Int32Array>(a: T, make: (b: SharedArrayBuffer) => T): T => {
    if (a.buffer instanceof SharedArrayBuffer) return a;
    const out = make(new SharedArrayBuffer(a.byteLength));
    out.set(a);
    return out;
  };
  return {
    name: ds.name, count: ds.count, height: ds.height, width: ds.width, channels: ds.channels, numClasses: ds.numClasses,
    images: share(ds.images, (b) => new Float32Array(b)),
    labels: share(ds.labels, (b) => new Int32Array(b)),
  };
}

/** Settings of {@link createDataParallelEngine}. */
export interface DataParallelSettings {
  workers: number;
  build: BuildModelOptions;
  recipe: StepRecipe;
  optimizer: OptimizerName;
  optimizerOptions: OptimizerOptions;
  optimizerState: NamedWeights | null;
  /** The loop's EMA (evaluation); the workers keep their own and it is refreshed from them at `sync`. */
  ema: { decay: number; state: WeightEma | null };
}

/**
 * Synchronous data-parallel training on worker threads (one tfjs backend each, so one core each): every
 * batch is split into contiguous shards, each worker computes its shard's gradients, the loop averages
 * them (weighted by shard size) and every replica applies the same update. BatchNorm uses per-shard batch
 * statistics (as PyTorch DDP without SyncBatchNorm); the running statistics are averaged at every `sync`.
 * Deterministic for a given seed and worker count.
 */
export async function createDataParallelEngine(model: NnModel, train: ImageDataset, rng: Rng, s: DataParallelSettings): Promise<StepEngine> {
  const backend = activeBackend()?.name ?? 'wasm';
  const links: WorkerLink[] = [];
  try {
    for (let i = 0; i < s.workers; i++) links.push(new WorkerLink(i));
    const shared = sharedDataset(train);
    const weights = await model.exportWeights();
    const emaState = s.ema.state ? await s.ema.state.exportState() : null;
    await Promise.all(
      links.map((l) =>
        l.call({
          type: 'init', backend, arch: model.arch, build: s.build, weights, train: shared, recipe: s.recipe,
          optimizer: s.optimizer, optimizerOptions: s.optimizerOptions, optimizerState: s.optimizerState, ema: s.ema.decay, emaState,
        }),
      ),
    );
  } catch (err) {
    await Promise.all(links.map((l) => l.close()));
    throw err;
  }
  const statNames = new Set(statisticNames(model));
  return {
    async step(indices, lr) {
      const n = indices.length;
      const bounds = links.map((_, i) => Math.round((i * n) / links.length)).concat(n);
      const shards = links.map((_, i) => indices.slice(bounds[i], bounds[i + 1]));
      const seeds = shards.map(() => rng.nextUint32());
      const parts = await Promise.all(links.map((l, i) => l.call<{ loss: number; grads: Float32Array }>({ type: 'grad', indices: shards[i], seed: seeds[i] })));
      const loss = parts.reduce((sum, p, i) => sum + (p.loss * shards[i].length) / n, 0);
      if (!Number.isFinite(loss)) {
        await Promise.all(links.map((l) => l.call({ type: 'discard' })));
        return loss;
      }
      const mean = new Float32Array(parts[0].grads.length);
      parts.forEach((p, i) => {
        const w = shards[i].length / n;
        for (let k = 0; k < mean.length; k++) mean[k] += w * p.grads[k];
      });
      await Promise.all(links.map((l) => l.call({ type: 'apply', grads: mean, lr })));
      return loss;
    },
    async sync() {
      const parts = await Promise.all(links.map((l) => l.call<{ statistics: NamedWeights; ema: NamedWeights | null }>({ type: 'statistics' })));
      const statistics = meanWeights(parts.map((p) => p.statistics));
      // EMA shadows of trainable weights are identical across replicas; only their statistics are averaged.
      const ema = parts[0].ema ? { ...parts[0].ema, ...meanWeights(parts.map((p) => pick(p.ema as NamedWeights, statNames))) } : null;
      await Promise.all(links.map((l) => l.call({ type: 'set-statistics', statistics, ema })));
      model.loadWeights(await links[0].call<NamedWeights>({ type: 'weights' }));
      if (s.ema.state && ema) s.ema.state.loadState(ema);
    },
    async optimizerState() {
      return links[0].call<NamedWeights>({ type: 'optimizer' });
    },
    async dispose() {
      await Promise.all(links.map((l) => l.close()));
    },
  };
}

function pick(weights: NamedWeights, names: Set<string>): NamedWeights {
  return Object.fromEntries(Object.entries(weights).filter(([name]) => names.has(name)));
}
