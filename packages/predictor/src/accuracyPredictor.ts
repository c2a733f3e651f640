import * as tf from '@tensorflow/tfjs';
import { createRng, type Rng } from '@fbnas/search-space';
import { PredictorError } from './errors';

/** Sizes of the FBNetV3 predictor (fbnet-family.md §3.3); defaults from the V3-3P re-implementation. */
export interface PredictorConfig {
  /** Length of an architecture encoding (e.g. `encodingLength(space)`). */
  inputDim: number;
  /** Length of a recipe encoding; 0 for architecture-only prediction [0]. */
  recipeDim?: number;
  /** Hidden widths of the architecture encoder [256, 128]. */
  encoder?: number[];
  /** Embedding width [24]. */
  embedding?: number;
  /** Hidden widths of the accuracy head on [embedding ‖ recipe] [256, 128]. */
  head?: number[];
  /** Outputs of the proxy head (e.g. multiply-adds and params) [2]. */
  proxyOutputs?: number;
  /** Dropout in the hidden layers while training [0.2]. */
  dropout?: number;
  /** Seed of the initialisation, dropout masks and batch order [0]. */
  seed?: number;
}

/** Options of one training phase run. */
export interface PredictorTrainOptions {
  /** [0.001] Adam. */
  learningRate?: number;
  /** [32] */
  batchSize?: number;
  /** Huber loss threshold on standardised targets [1]. */
  huberDelta?: number;
  /** L2 weight decay [0]. */
  weightDecay?: number;
  onEpoch?: (epoch: number, loss: number) => void;
}

/** Options of {@link AccuracyPredictor.fit}. */
export interface PredictorFitOptions extends PredictorTrainOptions {
  /** Phase 1 epochs: only the accuracy head when the encoder was pretrained, everything otherwise [50]. */
  epochs?: number;
  /** Phase 2 epochs: everything, at `learningRate * fineTuneFactor` [50, 0.1]. */
  fineTuneEpochs?: number;
  fineTuneFactor?: number;
  /** Recipe encodings, one row per architecture (required when recipeDim > 0). */
  recipes?: number[][];
}

/** A saved predictor (`toJSON` / `loadPredictor`). */
export interface PredictorJson {
  format: 'fbnas.predictor/v1';
  config: Required<PredictorConfig>;
  pretrained: boolean;
  target: { mean: number; std: number } | null;
  proxy: { mean: number[]; std: number[] } | null;
  weights: Record<string, { shape: number[]; data: number[] }>;
}

type Dense = { w: tf.Variable; b: tf.Variable };

function resolve(config: PredictorConfig): Required<PredictorConfig> {
  const api = 'fbnas.createAccuracyPredictor';
  const c: Required<PredictorConfig> = {
    inputDim: config.inputDim,
    recipeDim: config.recipeDim ?? 0,
    encoder: config.encoder ?? [256, 128],
    embedding: config.embedding ?? 24,
    head: config.head ?? [256, 128],
    proxyOutputs: config.proxyOutputs ?? 2,
    dropout: config.dropout ?? 0.2,
    seed: config.seed ?? 0,
  };
  for (const [k, v] of [['inputDim', c.inputDim], ['embedding', c.embedding], ['proxyOutputs', c.proxyOutputs]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new PredictorError('INVALID_ARGUMENT', api, `config.${k} must be a positive integer, got ${String(v)}`);
  }
  if (!Number.isInteger(c.recipeDim) || c.recipeDim < 0) throw new PredictorError('INVALID_ARGUMENT', api, `config.recipeDim must be a non-negative integer, got ${String(c.recipeDim)}`);
  for (const [k, list] of [['encoder', c.encoder], ['head', c.head]] as const) {
    if (!Array.isArray(list) || list.some((v) => !Number.isInteger(v) || v < 1)) throw new PredictorError('INVALID_ARGUMENT', api, `config.${k} must be a list of positive integers, got ${JSON.stringify(list)}`);
  }
  if (!(c.dropout >= 0 && c.dropout < 1)) throw new PredictorError('INVALID_ARGUMENT', api, `config.dropout must be in [0, 1), got ${String(c.dropout)}`);
  return c;
}

function checkMatrix(api: string, name: string, rows: unknown, cols: number, count?: number): number[][] {
  if (!Array.isArray(rows)) throw new PredictorError('INVALID_ARGUMENT', api, `${name} must be an array of rows, got ${typeof rows}`);
  if (rows.length === 0) throw new PredictorError('EMPTY', api, `${name} is empty`);
  if (count !== undefined && rows.length !== count) throw new PredictorError('SHAPE_MISMATCH', api, `${name} has ${rows.length} rows, expected ${count}`);
  rows.forEach((r: unknown, i) => {
    if (!Array.isArray(r) && !ArrayBuffer.isView(r)) throw new PredictorError('INVALID_ARGUMENT', api, `${name}[${i}] must be an array`);
    const row = r as ArrayLike<number>;
    if (row.length !== cols) throw new PredictorError('SHAPE_MISMATCH', api, `${name}[${i}] has ${row.length} features, the predictor expects ${cols}`);
    for (let j = 0; j < row.length; j++) if (!Number.isFinite(row[j])) throw new PredictorError('NON_FINITE', api, `${name}[${i}][${j}] is ${String(row[j])}`);
  });
  return rows as number[][];
}

function checkVector(api: string, name: string, v: unknown, count: number): number[] {
  if (!Array.isArray(v) && !ArrayBuffer.isView(v)) throw new PredictorError('INVALID_ARGUMENT', api, `${name} must be an array`);
  const arr = Array.from(v as ArrayLike<number>);
  if (arr.length !== count) throw new PredictorError('SHAPE_MISMATCH', api, `${name} has ${arr.length} values for ${count} architectures`);
  arr.forEach((x, i) => {
    if (!Number.isFinite(x)) throw new PredictorError('NON_FINITE', api, `${name}[${i}] is ${String(x)}`);
  });
  return arr;
}

const stats = (v: number[]) => {
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const std = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length) || 1;
  return { mean, std };
};

/**
 * The FBNetV3 accuracy predictor (fbnet-family.md §3.3): an architecture encoder MLP to an embedding, a proxy
 * head (free statistics such as multiply-adds and params) for pretraining, and an accuracy head on
 * [embedding ‖ recipe]; Huber loss on standardised targets, Adam, seeded dropout and batch order.
 */
export class AccuracyPredictor {
  readonly config: Required<PredictorConfig>;
  private readonly layers = new Map<string, Dense>();
  private readonly rng: Rng;
  private pretrained = false;
  private target: { mean: number; std: number } | null = null;
  private proxy: { mean: number[]; std: number[] } | null = null;

  constructor(config: PredictorConfig) {
    this.config = resolve(config);
    this.rng = createRng(this.config.seed);
    const c = this.config;
    let width = c.inputDim;
    c.encoder.forEach((h, i) => {
      this.dense(`encoder.${i}`, width, h);
      width = h;
    });
    this.dense('encoder.out', width, c.embedding);
    this.dense('proxy.out', c.embedding, c.proxyOutputs);
    width = c.embedding + c.recipeDim;
    c.head.forEach((h, i) => {
      this.dense(`head.${i}`, width, h);
      width = h;
    });
    this.dense('head.out', width, 1);
  }

  private dense(name: string, fanIn: number, fanOut: number) {
    // He-uniform weights, zero biases
    const limit = Math.sqrt(6 / fanIn);
    const w = tf.tidy(() => tf.variable(tf.tensor2d(Float32Array.from({ length: fanIn * fanOut }, () => (2 * this.rng.next() - 1) * limit), [fanIn, fanOut])));
    const b = tf.tidy(() => tf.variable(tf.zeros([fanOut])));
    this.layers.set(name, { w, b });
  }

  private apply(name: string, x: tf.Tensor2D, relu: boolean, dropMask: ((n: number, w: number) => tf.Tensor2D) | null): tf.Tensor2D {
    const l = this.layers.get(name) as Dense;
    let y = tf.add(tf.matMul(x, l.w as tf.Tensor2D), l.b) as tf.Tensor2D;
    if (relu) {
      y = tf.relu(y);
      if (dropMask) y = tf.mul(y, dropMask(y.shape[0], y.shape[1]));
    }
    return y;
  }

  private embed(x: tf.Tensor2D, mask: ((n: number, w: number) => tf.Tensor2D) | null): tf.Tensor2D {
    let h = x;
    this.config.encoder.forEach((_, i) => {
      h = this.apply(`encoder.${i}`, h, true, mask);
    });
    return this.apply('encoder.out', h, false, null);
  }

  private headOut(emb: tf.Tensor2D, recipe: tf.Tensor2D | null, mask: ((n: number, w: number) => tf.Tensor2D) | null): tf.Tensor2D {
    let h = recipe ? (tf.concat([emb, recipe], 1) as tf.Tensor2D) : emb;
    this.config.head.forEach((_, i) => {
      h = this.apply(`head.${i}`, h, true, mask);
    });
    return this.apply('head.out', h, false, null);
  }

  private dropoutMask = (n: number, w: number): tf.Tensor2D => {
    const p = this.config.dropout;
    const keep = 1 / (1 - p);
    return tf.tensor2d(Float32Array.from({ length: n * w }, () => (this.rng.next() < p ? 0 : keep)), [n, w]);
  };

  private vars(prefixes: string[]): tf.Variable[] {
    return [...this.layers.entries()].filter(([k]) => prefixes.some((p) => k.startsWith(p))).flatMap(([, l]) => [l.w, l.b]);
  }

  private async train(
    x: number[][],
    extra: number[][] | null,
    y: number[][],
    epochs: number,
    vars: tf.Variable[],
    forward: (x: tf.Tensor2D, extra: tf.Tensor2D | null, mask: ((n: number, w: number) => tf.Tensor2D) | null) => tf.Tensor2D,
    o: PredictorTrainOptions,
    api: string,
  ): Promise<number[]> {
    const lr = o.learningRate ?? 1e-3;
    const batch = Math.min(o.batchSize ?? 32, x.length);
    const delta = o.huberDelta ?? 1;
    const wd = o.weightDecay ?? 0;
    if (!(lr > 0)) throw new PredictorError('INVALID_ARGUMENT', api, `options.learningRate must be positive, got ${String(o.learningRate)}`);
    if (!Number.isInteger(batch) || batch < 1) throw new PredictorError('INVALID_ARGUMENT', api, `options.batchSize must be a positive integer, got ${String(o.batchSize)}`);
    const opt = tf.train.adam(lr);
    const losses: number[] = [];
    const mask = this.config.dropout > 0 ? this.dropoutMask : null;
    const X = tf.tensor2d(x);
    const E = extra ? tf.tensor2d(extra) : null;
    const Y = tf.tensor2d(y);
    try {
      for (let e = 0; e < epochs; e++) {
        const order = Int32Array.from({ length: x.length }, (_, i) => i);
        for (let i = order.length - 1; i > 0; i--) {
          const j = this.rng.int(i + 1);
          [order[i], order[j]] = [order[j], order[i]];
        }
        let sum = 0;
        let steps = 0;
        for (let s = 0; s + batch <= order.length || (s === 0 && order.length > 0); s += batch) {
          const idx = tf.tensor1d(order.subarray(s, Math.min(s + batch, order.length)), 'int32');
          const cost = opt.minimize(
            () =>
              tf.tidy(() => {
                const pred = forward(tf.gather(X, idx) as tf.Tensor2D, E ? (tf.gather(E, idx) as tf.Tensor2D) : null, mask);
                let loss = tf.losses.huberLoss(tf.gather(Y, idx), pred, undefined, delta) as tf.Scalar;
                if (wd > 0) loss = tf.add(loss, tf.mul(wd, tf.addN(vars.filter((v) => v.rank === 2).map((v) => tf.sum(tf.square(v)))))) as tf.Scalar;
                return loss;
              }),
            true,
            vars,
          ) as tf.Scalar;
          sum += (await cost.data())[0];
          steps++;
          tf.dispose([cost, idx]);
        }
        const mean = sum / Math.max(steps, 1);
        if (!Number.isFinite(mean)) throw new PredictorError('NON_FINITE', api, `the training loss became ${mean} at epoch ${e}`);
        losses.push(mean);
        o.onEpoch?.(e, mean);
      }
    } finally {
      opt.dispose();
      tf.dispose([X, Y, ...(E ? [E] : [])]);
    }
    return losses;
  }

  /**
   * Pretrain the encoder and the proxy head on free statistics (one row of `proxyOutputs` values per
   * architecture, standardised per column): FBNetV3's remedy for scarce accuracy labels.
   */
  async pretrain(x: number[][], proxies: number[][], options: PredictorTrainOptions & { epochs?: number } = {}): Promise<number[]> {
    const api = 'fbnas.AccuracyPredictor.pretrain';
    checkMatrix(api, 'x', x, this.config.inputDim);
    checkMatrix(api, 'proxies', proxies, this.config.proxyOutputs, x.length);
    const cols = Array.from({ length: this.config.proxyOutputs }, (_, j) => stats(proxies.map((r) => r[j])));
    this.proxy = { mean: cols.map((c) => c.mean), std: cols.map((c) => c.std) };
    const y = proxies.map((r) => r.map((v, j) => (v - cols[j].mean) / cols[j].std));
    const losses = await this.train(x, null, y, options.epochs ?? 30, this.vars(['encoder.', 'proxy.']), (xb, _e, m) => this.apply('proxy.out', this.embed(xb, m), false, null), options, api);
    this.pretrained = true;
    return losses;
  }

  /** Fit accuracy labels: phase 1 (head only if pretrained), then phase 2 (everything at a lower rate). */
  async fit(x: number[][], accuracy: number[], options: PredictorFitOptions = {}): Promise<{ phase1: number[]; phase2: number[] }> {
    const api = 'fbnas.AccuracyPredictor.fit';
    checkMatrix(api, 'x', x, this.config.inputDim);
    const acc = checkVector(api, 'accuracy', accuracy, x.length);
    const recipes = this.config.recipeDim > 0 ? checkMatrix(api, 'options.recipes', options.recipes, this.config.recipeDim, x.length) : null;
    const t = stats(acc);
    this.target = t;
    const y = acc.map((v) => [(v - t.mean) / t.std]);
    const forward = (xb: tf.Tensor2D, rb: tf.Tensor2D | null, m: ((n: number, w: number) => tf.Tensor2D) | null) => this.headOut(this.embed(xb, m), rb, m);
    const phase1Vars = this.pretrained ? this.vars(['head.']) : this.vars(['encoder.', 'head.']);
    const phase1 = await this.train(x, recipes, y, options.epochs ?? 50, phase1Vars, forward, options, api);
    const phase2 = await this.train(x, recipes, y, options.fineTuneEpochs ?? 50, this.vars(['encoder.', 'head.']), forward, { ...options, learningRate: (options.learningRate ?? 1e-3) * (options.fineTuneFactor ?? 0.1) }, api);
    return { phase1, phase2 };
  }

  /** Predicted accuracy (in the labels' unit) of each architecture, in one batch. */
  predict(x: number[][], recipes?: number[][]): number[] {
    const api = 'fbnas.AccuracyPredictor.predict';
    if (!this.target) throw new PredictorError('INVALID_ARGUMENT', api, 'the predictor has not been fitted on accuracy labels yet');
    if (Array.isArray(x) && x.length === 0) return [];
    checkMatrix(api, 'x', x, this.config.inputDim);
    const r = this.config.recipeDim > 0 ? checkMatrix(api, 'recipes', recipes, this.config.recipeDim, x.length) : null;
    const t = this.target;
    const out = tf.tidy(() => this.headOut(this.embed(tf.tensor2d(x), null), r ? tf.tensor2d(r) : null, null).dataSync());
    return Array.from(out, (v) => v * t.std + t.mean);
  }

  /** Predicted proxy statistics (after pretraining), for checking what the encoder learned. */
  predictProxies(x: number[][]): number[][] {
    const api = 'fbnas.AccuracyPredictor.predictProxies';
    if (!this.proxy) throw new PredictorError('INVALID_ARGUMENT', api, 'the predictor has not been pretrained');
    checkMatrix(api, 'x', x, this.config.inputDim);
    const p = this.proxy;
    const k = this.config.proxyOutputs;
    const flat = tf.tidy(() => this.apply('proxy.out', this.embed(tf.tensor2d(x), null), false, null).dataSync());
    return x.map((_, i) => Array.from({ length: k }, (_, j) => flat[i * k + j] * p.std[j] + p.mean[j]));
  }

  /** Everything needed to restore the predictor (`loadPredictor`). */
  toJSON(): PredictorJson {
    const weights: PredictorJson['weights'] = {};
    for (const [name, l] of this.layers) {
      weights[`${name}.w`] = { shape: [...l.w.shape], data: Array.from(l.w.dataSync()) };
      weights[`${name}.b`] = { shape: [...l.b.shape], data: Array.from(l.b.dataSync()) };
    }
    return { format: 'fbnas.predictor/v1', config: this.config, pretrained: this.pretrained, target: this.target, proxy: this.proxy, weights };
  }

  /** @internal restore state from JSON (used by loadPredictor). */
  restore(json: PredictorJson): void {
    const api = 'fbnas.loadPredictor';
    for (const [name, l] of this.layers) {
      for (const [suffix, v] of [['w', l.w], ['b', l.b]] as const) {
        const w = json.weights[`${name}.${suffix}`];
        if (!w || !Array.isArray(w.data) || w.data.length !== v.size || JSON.stringify(w.shape) !== JSON.stringify(v.shape) || !w.data.every(Number.isFinite)) {
          throw new PredictorError('CORRUPT_MODEL', api, `weight ${name}.${suffix} is missing or does not have shape [${v.shape.join(', ')}]`);
        }
        tf.tidy(() => v.assign(tf.tensor(w.data, w.shape)));
      }
    }
    this.pretrained = json.pretrained === true;
    this.target = json.target;
    this.proxy = json.proxy;
  }

  dispose(): void {
    for (const l of this.layers.values()) tf.dispose([l.w, l.b]);
    this.layers.clear();
  }
}

/**
 * A new FBNetV3 accuracy predictor.
 * @example
 * import { createAccuracyPredictor } from '@fbnas/predictor';
 * const p = createAccuracyPredictor({ inputDim: 30, seed: 1 });
 * p.dispose();
 */
export function createAccuracyPredictor(config: PredictorConfig): AccuracyPredictor {
  return new AccuracyPredictor(config);
}

/** Restore a predictor saved with `toJSON()` (from an object or JSON text); typed errors for corrupt files. */
export function loadPredictor(input: PredictorJson | string): AccuracyPredictor {
  const api = 'fbnas.loadPredictor';
  let json: PredictorJson;
  try {
    json = typeof input === 'string' ? (JSON.parse(input) as PredictorJson) : input;
  } catch (err) {
    throw new PredictorError('CORRUPT_MODEL', api, `not valid JSON: ${(err as Error).message}`);
  }
  if (!json || json.format !== 'fbnas.predictor/v1') throw new PredictorError('CORRUPT_MODEL', api, `format must be "fbnas.predictor/v1", got ${JSON.stringify(json?.format)}`);
  if (!json.config || typeof json.weights !== 'object' || json.weights === null) throw new PredictorError('CORRUPT_MODEL', api, 'config and weights are required');
  const p = new AccuracyPredictor(json.config);
  try {
    p.restore(json);
  } catch (err) {
    p.dispose();
    throw err;
  }
  return p;
}
