import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import * as ort from 'onnxruntime-node';
import * as tf from '@tensorflow/tfjs';
import { createRng, type ArchRules, type Block, type TensorShape } from '@fbnas/search-space';
import { blockLayer, WeightStore } from '@fbnas/nn';
import { exportBlockOnnx } from '@fbnas/export-onnx';
import { LatencyModelError } from './errors';
import { LATENCY_LUT_FORMAT, loadLatencyLut, saveLatencyLut, type LatencyLut, type LatencyLutEntry, type LatencyLutHeader } from './latencyLut';

/** Options of {@link measureOnnxLatency} and {@link measureTfjsLatency}; defaults in brackets. */
export interface MeasureOnnxOptions {
  /** Intra-op threads [1] (inter-op 1, sequential execution). */
  threads?: number;
  /** Un-timed runs [10]. */
  warmup?: number;
  /** Timed runs: at least `minRepeats` [20], at most `maxRepeats` [200], stopping once the relative standard error of the mean is below `targetRelativeError` [0.01]. */
  minRepeats?: number;
  maxRepeats?: number;
  targetRelativeError?: number;
}

/** Options of {@link buildOrtLatencyLut}; defaults in brackets. */
export interface BuildOrtLutOptions extends MeasureOnnxOptions {
  rules: ArchRules;
  /** Partial LUT file: entries found there are kept, progress is saved there atomically. */
  path?: string;
  /** Save the partial table every this many new entries [10]. */
  saveEvery?: number;
  onProgress?: (event: { done: number; total: number; key: string; entry: LatencyLutEntry }) => void;
  signal?: AbortSignal;
  /**
   * onnxruntime-node only: time the missing entries in this many interleaved rounds (`measureOnnxInterleaved`,
   * `repeatsPerRound` = `minRepeats`) instead of one block after another [1]. Steadier on noisy machines; the table
   * is then saved once, at the end.
   */
  rounds?: number;
}

/** A runtime the LUT builder can time single blocks in. */
export type LutRuntime = 'onnxruntime-node' | 'tfjs';

/** Options of {@link buildLatencyLut}: the runtime [onnxruntime-node] plus the builder's options. */
export interface BuildLutOptions extends BuildOrtLutOptions {
  runtime?: LutRuntime;
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))))];

function resolveMeasureOptions(options: MeasureOnnxOptions, api: string): Required<MeasureOnnxOptions> {
  const o = {
    threads: options.threads ?? 1,
    warmup: options.warmup ?? 10,
    minRepeats: options.minRepeats ?? 20,
    maxRepeats: options.maxRepeats ?? 200,
    targetRelativeError: options.targetRelativeError ?? 0.01,
  };
  if (!Number.isInteger(o.threads) || o.threads < 1) throw new LatencyModelError('INVALID_ARGUMENT', api, `options.threads must be a positive integer, got ${String(options.threads)}`);
  if (!(o.minRepeats >= 1 && o.maxRepeats >= o.minRepeats)) throw new LatencyModelError('INVALID_ARGUMENT', api, `options need 1 <= minRepeats <= maxRepeats, got ${o.minRepeats} and ${o.maxRepeats}`);
  return o;
}

/** Warm up, then time `run` until the relative standard error of the mean is small enough or the cap is hit. */
async function timeRepeated(run: () => Promise<void>, o: Required<MeasureOnnxOptions>): Promise<LatencyLutEntry> {
  for (let i = 0; i < o.warmup; i++) await run();
  const ms: number[] = [];
  let sum = 0;
  let sq = 0;
  while (ms.length < o.maxRepeats) {
    const t0 = performance.now();
    await run();
    const t = performance.now() - t0;
    ms.push(t);
    sum += t;
    sq += t * t;
    const n = ms.length;
    if (n >= o.minRepeats) {
      const mean = sum / n;
      const se = Math.sqrt(Math.max(sq / n - mean * mean, 0) / n);
      if (se / mean < o.targetRelativeError) break;
    }
  }
  ms.sort((a, b) => a - b);
  return { median: quantile(ms, 0.5), p10: quantile(ms, 0.1), p90: quantile(ms, 0.9), samples: ms.length };
}

/**
 * Time an ONNX model (input named `input`, NCHW, as `exportOnnx` writes it) in onnxruntime-node at batch 1:
 * median, p10, p90 in ms and the number of timed runs. Each time includes the runtime's per-call overhead
 * (the LUT header's `overheadMs`).
 * @example
 * import { getZooArch } from '@fbnas/search-space';
 * import { exportOnnx } from '@fbnas/export-onnx';
 * import { measureOnnxLatency } from '@fbnas/latency-model';
 * const t = await measureOnnxLatency(exportOnnx(getZooArch('fbnet_a')), { height: 224, width: 224, channels: 3 }, { maxRepeats: 20 });
 * console.log(`${t.median.toFixed(2)} ms`);
 */
export async function measureOnnxLatency(model: Uint8Array, input: TensorShape, options: MeasureOnnxOptions = {}): Promise<LatencyLutEntry> {
  const o = resolveMeasureOptions(options, 'fbnas.measureOnnxLatency');
  const session = await ort.InferenceSession.create(model, { intraOpNumThreads: o.threads, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' });
  try {
    const data = new Float32Array(input.channels * input.height * input.width).fill(0.5);
    const feeds = { input: new ort.Tensor('float32', data, [1, input.channels, input.height, input.width]) };
    return await timeRepeated(async () => {
      await session.run(feeds);
    }, o);
  } finally {
    await session.release();
  }
}

/** Options of {@link measureOnnxInterleaved}; defaults in brackets. */
export interface InterleavedOptions {
  /** Intra-op threads [1]. */
  threads?: number;
  /** Un-timed runs per model before the first round [10]. */
  warmup?: number;
  /** Passes over all models [5]; timed runs per model per pass [20]. */
  rounds?: number;
  repeatsPerRound?: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/**
 * Time several ONNX models in interleaved rounds: every round runs each model `repeatsPerRound` times, so slow
 * drifts of the machine (other tenants, frequency changes) hit all models alike instead of whichever model was
 * being timed. Per model: `median` is the median of its per-round medians (robust to a disturbed round), `p10`
 * and `p90` are over all its runs. All sessions stay open for the whole measurement.
 */
export async function measureOnnxInterleaved(items: ReadonlyArray<{ model: Uint8Array; input: TensorShape }>, options: InterleavedOptions = {}): Promise<LatencyLutEntry[]> {
  const api = 'fbnas.measureOnnxInterleaved';
  const threads = options.threads ?? 1;
  const rounds = options.rounds ?? 5;
  const repeats = options.repeatsPerRound ?? 20;
  for (const [k, v] of [['threads', threads], ['rounds', rounds], ['repeatsPerRound', repeats]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new LatencyModelError('INVALID_ARGUMENT', api, `options.${k} must be a positive integer, got ${String(v)}`);
  }
  const sessions: ort.InferenceSession[] = [];
  try {
    for (const it of items) sessions.push(await ort.InferenceSession.create(it.model, { intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' }));
    const feeds = items.map((it) => ({ input: new ort.Tensor('float32', new Float32Array(it.input.channels * it.input.height * it.input.width).fill(0.5), [1, it.input.channels, it.input.height, it.input.width]) }));
    for (let i = 0; i < items.length; i++) for (let w = 0; w < (options.warmup ?? 10); w++) await sessions[i].run(feeds[i]);
    const all: number[][] = items.map(() => []);
    const perRound: number[][] = items.map(() => []);
    for (let r = 0; r < rounds; r++) {
      for (let i = 0; i < items.length; i++) {
        const ms: number[] = [];
        for (let k = 0; k < repeats; k++) {
          const t0 = performance.now();
          await sessions[i].run(feeds[i]);
          ms.push(performance.now() - t0);
        }
        all[i].push(...ms);
        perRound[i].push(median(ms));
      }
    }
    return all.map((ms, i) => {
      ms.sort((a, b) => a - b);
      return { median: median(perRound[i]), p10: quantile(ms, 0.1), p90: quantile(ms, 0.9), samples: ms.length };
    });
  } finally {
    for (const s of sessions) await s.release();
  }
}

/**
 * Time one block in tfjs on the active backend (e.g. wasm after `initBackend`): the `@fbnas/nn` layer of the
 * block alone (random weights), batch 1, NHWC, forward and read back, with the repeat protocol of
 * {@link measureOnnxLatency}. Each time includes tfjs's per-call cost (kernel dispatch and read-back).
 */
export async function measureTfjsLatency(block: Block, input: TensorShape, options: MeasureOnnxOptions & { rules?: ArchRules } = {}): Promise<LatencyLutEntry> {
  const o = resolveMeasureOptions(options, 'fbnas.measureTfjsLatency');
  const store = new WeightStore(createRng(0));
  let layer: (x: tf.Tensor4D) => tf.Tensor;
  if (block.op === 'fc') {
    const w = store.uniform('fc.weight', [input.channels, block.channels], 1);
    const b = block.bias ? store.constant('fc.bias', [block.channels], 0, false) : null;
    layer = (x) => {
      const y = tf.matMul(tf.reshape(x, [1, -1]), w);
      return b ? tf.add(y, b) : y;
    };
  } else {
    const fn = blockLayer(store, 'block', block, input.channels, options.rules ?? { widthDivisor: 8, unitExpansionPw: 'omit' });
    layer = (x) => fn(x, { training: false, rng: null, bnUpdates: [], bnMomentum: 0.9, bnEpsilon: 1e-5 });
  }
  const x = tf.fill([1, input.height, input.width, input.channels], 0.5) as tf.Tensor4D;
  try {
    return await timeRepeated(async () => {
      const y = tf.tidy(() => layer(x));
      await y.data();
      if (y !== x) y.dispose(); // an identity skip returns its input

    }, o);
  } finally {
    x.dispose();
    store.dispose();
  }
}

interface BlockTimer {
  runtime: string;
  runtimeVersion: string;
  threads: number;
  time(block: Block, input: TensorShape): Promise<LatencyLutEntry>;
}

function ortTimer(o: Required<MeasureOnnxOptions>, rules: ArchRules): BlockTimer {
  return {
    runtime: 'onnxruntime-node',
    runtimeVersion: ort.env.versions.node ?? 'unknown',
    threads: o.threads,
    time: (block, input) => measureOnnxLatency(exportBlockOnnx(block, input, { rules }), input, o),
  };
}

function tfjsTimer(o: Required<MeasureOnnxOptions>, rules: ArchRules, api: string): BlockTimer {
  if (o.threads !== 1) throw new LatencyModelError('INVALID_ARGUMENT', api, `the tfjs runtime times single-threaded (the wasm backend's threaded build does not run under Node), got options.threads ${o.threads}`);
  return {
    runtime: `tfjs-${tf.getBackend()}`,
    runtimeVersion: tf.version_core,
    threads: 1,
    time: (block, input) => measureTfjsLatency(block, input, { ...o, rules }),
  };
}

/**
 * Measure a latency LUT: each (block, input) signature (e.g. `lutSignatures(space)`) is timed on its own at
 * batch 1 in the chosen runtime: `onnxruntime-node` (exported as a single-block ONNX graph) or `tfjs` (the
 * `@fbnas/nn` layer of the block on the active tfjs backend, e.g. wasm). The header records the runtime, its
 * version, threads, CPU and date, and the per-call overhead (timed on a trivial graph) that each entry includes.
 * With `path`, entries already on disk are kept and progress is saved atomically, so an interrupted build
 * resumes and never replaces a good table with a broken one.
 */
export async function buildLatencyLut(signatures: ReadonlyArray<{ key: string; block: Block; input: TensorShape }>, options: BuildLutOptions): Promise<LatencyLut> {
  const api = 'fbnas.buildLatencyLut';
  const o = resolveMeasureOptions(options, api);
  const runtime = options.runtime ?? 'onnxruntime-node';
  if (runtime !== 'onnxruntime-node' && runtime !== 'tfjs') throw new LatencyModelError('INVALID_ARGUMENT', api, `options.runtime must be "onnxruntime-node" or "tfjs", got ${JSON.stringify(runtime)}`);
  const rounds = options.rounds ?? 1;
  if (!Number.isInteger(rounds) || rounds < 1) throw new LatencyModelError('INVALID_ARGUMENT', api, `options.rounds must be a positive integer, got ${String(options.rounds)}`);
  if (rounds > 1 && runtime !== 'onnxruntime-node') throw new LatencyModelError('INVALID_ARGUMENT', api, `options.rounds applies to onnxruntime-node, got runtime ${runtime}`);
  const timer = runtime === 'tfjs' ? tfjsTimer(o, options.rules, api) : ortTimer(o, options.rules);
  // The per-call overhead: a trivial graph, timed under the entries' protocol. In interleaved rounds it is one
  // more model of the rounds (timed on its own before them, it came out at 0.009-0.022 ms on this machine,
  // which moved a 22-block prediction by 0.2 ms; in the rounds, 0.0086-0.0088 ms).
  const probe = { block: { op: 'pool', stage: 0, kind: 'avg' } as Block, input: { height: 1, width: 1, channels: 8 } };
  const overheadProbe = rounds > 1 ? null : await timer.time(probe.block, probe.input);
  const header: LatencyLutHeader = {
    runtime: timer.runtime,
    runtimeVersion: timer.runtimeVersion,
    threads: timer.threads,
    cpu: cpus()[0]?.model ?? 'unknown',
    date: new Date().toISOString(),
    unit: 'ms',
    batch: 1,
    // set from the rounds below when interleaved
    overheadMs: overheadProbe?.median ?? 0,
  };
  let lut: LatencyLut = { format: LATENCY_LUT_FORMAT, header, entries: {} };
  const resumed = options.path !== undefined && existsSync(options.path);
  if (options.path && resumed) {
    const prior = loadLatencyLut(options.path);
    if (prior.header.runtime !== header.runtime || prior.header.threads !== header.threads || prior.header.batch !== header.batch) {
      throw new LatencyModelError('MISMATCH', api, `${options.path} holds a ${prior.header.runtime} table at ${prior.header.threads} threads; refusing to mix it with ${header.runtime} measurements at ${header.threads} threads`);
    }
    lut = { ...prior, entries: { ...prior.entries } };
  }
  const todo = signatures.filter((s) => !(s.key in lut.entries));
  let sinceSave = 0;
  let done = signatures.length - todo.length;
  if (rounds > 1) {
    if (options.signal?.aborted) throw new LatencyModelError('ABORTED', api, `aborted after ${done} of ${signatures.length} entries`);
    const [overhead, ...entries] = await measureOnnxInterleaved(
      [probe, ...todo].map((t) => ({ model: exportBlockOnnx(t.block, t.input, { rules: options.rules }), input: t.input })),
      { threads: o.threads, warmup: o.warmup, rounds, repeatsPerRound: o.minRepeats },
    );
    // a resumed table keeps the overhead its earlier entries were measured with
    if (!resumed) lut.header.overheadMs = overhead.median;
    todo.forEach((t, i) => {
      lut.entries[t.key] = entries[i];
      options.onProgress?.({ done: ++done, total: signatures.length, key: t.key, entry: entries[i] });
    });
    if (options.path) saveLatencyLut(options.path, lut);
    return lut;
  }
  for (const s of todo) {
    if (options.signal?.aborted) {
      if (options.path) saveLatencyLut(options.path, lut);
      throw new LatencyModelError('ABORTED', api, `aborted after ${done} of ${signatures.length} entries${options.path ? `; run again to resume from ${options.path}` : ''}`);
    }
    const entry = await timer.time(s.block, s.input);
    lut.entries[s.key] = entry;
    done++;
    options.onProgress?.({ done, total: signatures.length, key: s.key, entry });
    if (options.path && ++sinceSave >= (options.saveEvery ?? 10)) {
      saveLatencyLut(options.path, lut);
      sinceSave = 0;
    }
  }
  if (options.path) saveLatencyLut(options.path, lut);
  return lut;
}

/** {@link buildLatencyLut} in onnxruntime-node (the runtime FBNet's pipeline deploys to). */
export function buildOrtLatencyLut(signatures: ReadonlyArray<{ key: string; block: Block; input: TensorShape }>, options: BuildOrtLutOptions): Promise<LatencyLut> {
  return buildLatencyLut(signatures, { ...options, runtime: 'onnxruntime-node' });
}
