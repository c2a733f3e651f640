// Entry of a data-parallel training worker thread (see dataParallel.ts): one replica of the model with its
// own tfjs backend, optimizer and EMA. It computes the gradients of its shard of every batch and applies the
// averaged gradients it is sent back, so all replicas stay identical.
import { parentPort } from 'node:worker_threads';
import { createRng } from '@fbnas/search-space';
import type { Variable } from '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../backend/initBackend';
import { buildModel, type NamedWeights, type NnModel } from '../model/buildModel';
import { createOptimizer, type Optimizer } from './optimizer';
import type { WorkerReply, WorkerRequest } from './dataParallelProtocol';
import { applyGradients, batchGradients, statisticNames, type StepRecipe } from './trainStep';
import { createWeightEma, type WeightEma } from './weightEma';
import type { ImageDataset } from '../data/dataset';

interface Replica {
  model: NnModel;
  vars: Variable[];
  train: ImageDataset;
  recipe: StepRecipe;
  optimizer: Optimizer;
  ema: WeightEma | null;
}

let replica: Replica | null = null;

function need(): Replica {
  if (!replica) throw new Error('the worker got a request before init');
  return replica;
}

async function exportNames(model: NnModel, names: string[]): Promise<NamedWeights> {
  const out: NamedWeights = {};
  for (const name of names) {
    const v = model.weight(name);
    out[name] = { shape: [...v.shape], data: (await v.data()) as Float32Array };
  }
  return out;
}

async function handle(req: WorkerRequest): Promise<{ value: unknown; transfer?: ArrayBuffer[] }> {
  switch (req.type) {
    case 'init': {
      await initBackend({ backend: req.backend });
      const model = buildModel(req.arch, req.build);
      model.loadWeights(req.weights);
      const optimizer = createOptimizer(req.optimizer, req.optimizerOptions);
      if (req.optimizerState) optimizer.loadState(req.optimizerState);
      const ema = req.ema > 0 ? createWeightEma(model, req.ema) : null;
      if (ema && req.emaState) ema.loadState(req.emaState);
      replica = { model, vars: model.trainableVariables(), train: req.train, recipe: req.recipe, optimizer, ema };
      return { value: null };
    }
    case 'grad': {
      const r = need();
      const { loss, grads } = await batchGradients(r.model, r.vars, r.train, req.indices, r.recipe, createRng(req.seed));
      const size = grads.reduce((n, g) => n + g.size, 0);
      const flat = new Float32Array(size);
      let at = 0;
      for (const g of grads) {
        flat.set(g.dataSync() as Float32Array, at);
        at += g.size;
      }
      tf.dispose(grads);
      return { value: { loss, grads: flat }, transfer: [flat.buffer] };
    }
    case 'apply': {
      const r = need();
      let at = 0;
      const grads = r.vars.map((v) => {
        const t = tf.tensor(req.grads.subarray(at, at + v.size), v.shape, 'float32');
        at += v.size;
        return t;
      });
      applyGradients(r.model, r.vars, grads, req.lr, r.optimizer, r.recipe.weightDecay, r.ema);
      return { value: null };
    }
    case 'discard':
      need().model.discardBnUpdates();
      return { value: null };
    case 'statistics': {
      const r = need();
      const names = statisticNames(r.model);
      const ema = r.ema ? await r.ema.exportState() : null;
      return { value: { statistics: await exportNames(r.model, names), ema } };
    }
    case 'set-statistics': {
      const r = need();
      for (const [name, w] of Object.entries(req.statistics)) tf.tidy(() => r.model.weight(name).assign(tf.tensor(w.data, w.shape, 'float32')));
      if (r.ema && req.ema) r.ema.loadState(req.ema);
      return { value: null };
    }
    case 'weights':
      return { value: await need().model.exportWeights() };
    case 'optimizer':
      return { value: await need().optimizer.exportState() };
  }
}

// Requests are served one at a time, in order (the replies are matched to requests by order).
let queue: Promise<void> = Promise.resolve();
parentPort?.on('message', (req: WorkerRequest) => {
  queue = queue.then(async () => {
    let reply: WorkerReply;
    let transfer: ArrayBuffer[] = [];
    try {
      const out = await handle(req);
      reply = { ok: true, value: out.value };
      transfer = out.transfer ?? [];
    } catch (err) {
      const e = err as Error & { code?: string };
      reply = { ok: false, code: e.code ?? null, message: e.message };
    }
    parentPort?.postMessage(reply, transfer);
  });
});
