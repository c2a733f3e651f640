import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRng, encodeGenome, sampleSobol, type Genome, type GenomeConstraint, type SearchSpace } from '@fbnas/search-space';
import { createAccuracyPredictor, loadPredictor, type AccuracyPredictor, type PredictorConfig, type PredictorFitOptions } from './accuracyPredictor';
import { PredictorError } from './errors';
import { spearmanRho } from './rankingMetrics';

/** What an evaluator is asked to do: train `genome` for `epochs` epochs, reporting each epoch's accuracy. */
export interface CioEvaluationRequest {
  epochs: number;
  /** Length of the full training: the learning-rate schedule spans it even when `epochs` stops earlier. */
  scheduleEpochs: number;
  onEpoch: (epoch: number, accuracy: number) => void;
  signal?: AbortSignal;
}

/** User-supplied training of one candidate (the built-in one is `mnistEvaluator`); resolves to the final accuracy. */
export type CioEvaluator = (genome: Genome, request: CioEvaluationRequest) => Promise<number>;

/** One evaluated candidate. */
export interface CioRecord {
  iteration: number;
  genome: Genome;
  epochs: number;
  accuracy: number;
  /** Accuracy after each epoch (iteration 1: every epoch up to the full length). */
  epochAccuracies: number[];
}

/** Options of {@link constrainedIterativeOptimization}; defaults in brackets. */
export interface CioOptions {
  evaluate: CioEvaluator;
  /** Epochs of a full training (iteration 1). */
  fullEpochs: number;
  /** Candidate pool: given genomes, or `poolSize` Sobol samples [1000] kept by `constraint`. */
  pool?: Genome[];
  poolSize?: number;
  constraint?: GenomeConstraint;
  /** Iterations T [4]; candidates trained fully in iteration 1 [8]; per later iteration [8]. */
  iterations?: number;
  firstBatch?: number;
  batchSize?: number;
  /** Spearman correlation with the final accuracy that an early epoch must reach [0.9]. */
  correlationThreshold?: number;
  /** Share of each later batch drawn at random from the pool [0.25]. */
  exploration?: number;
  /** Free statistics per genome for pretraining the encoder (e.g. multiply-adds and params); none skips pretraining. */
  proxies?: (genome: Genome) => number[];
  predictor?: Omit<PredictorConfig, 'inputDim' | 'proxyOutputs' | 'seed'>;
  /** Fitting options; the batch size defaults to a quarter of the labels (2 to 32). */
  fit?: PredictorFitOptions;
  /** Every evaluation is recorded here (atomically) and a rerun resumes from it. */
  recordPath?: string;
  seed?: number;
  onProgress?: (event: { type: 'evaluated'; record: CioRecord } | { type: 'early-stop'; epoch: number; correlation: number } | { type: 'iteration'; iteration: number }) => void;
  signal?: AbortSignal;
}

/** Result of {@link constrainedIterativeOptimization}. */
export interface CioResult {
  records: CioRecord[];
  /** The chosen early-stop epoch (1-based) and the correlation that justified it; per-epoch correlations. */
  earlyStopEpoch: number;
  earlyStopCorrelation: number;
  correlationByEpoch: number[];
  /** The predictor fitted on every label (the caller disposes it). */
  predictor: AccuracyPredictor;
  pool: Genome[];
  resumedRecords: number;
}

const key = (g: Genome) => g.join(',');

function saveRecords(path: string, data: unknown) {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(data));
  renameSync(tmp, path);
}

/**
 * FBNetV3's constrained iterative optimization (fbnet-family.md §3.4): a Sobol candidate pool filtered by the
 * constraint; iteration 1 trains `firstBatch` random candidates fully, recording every epoch, and picks the
 * earliest epoch whose Spearman correlation with the final accuracy reaches the threshold; each later iteration
 * fits the predictor (encoder pretrained on the free statistics of the whole pool) on every label so far and
 * trains the top-predicted unevaluated candidates (plus some random ones) to that epoch only. With
 * `recordPath`, every evaluation is saved as it finishes and a rerun with the same options resumes.
 */
export async function constrainedIterativeOptimization(space: SearchSpace, o: CioOptions): Promise<CioResult> {
  const api = 'fbnas.constrainedIterativeOptimization';
  const iterations = o.iterations ?? 4;
  const firstBatch = o.firstBatch ?? 8;
  const batchSize = o.batchSize ?? 8;
  const threshold = o.correlationThreshold ?? 0.9;
  const exploration = o.exploration ?? 0.25;
  const seed = o.seed ?? 0;
  if (typeof o.evaluate !== 'function') throw new PredictorError('INVALID_ARGUMENT', api, 'options.evaluate must be a function');
  for (const [k, v, min] of [['fullEpochs', o.fullEpochs, 1], ['iterations', iterations, 1], ['firstBatch', firstBatch, 3], ['batchSize', batchSize, 1]] as const) {
    if (!Number.isInteger(v) || v < min) throw new PredictorError('INVALID_ARGUMENT', api, `options.${k} must be an integer >= ${min}, got ${String(v)}`);
  }
  if (!(threshold > -1 && threshold <= 1)) throw new PredictorError('INVALID_ARGUMENT', api, `options.correlationThreshold must be in (-1, 1], got ${String(o.correlationThreshold)}`);
  const rng = createRng(seed);
  const pool = o.pool ?? sampleSobol(space, o.poolSize ?? 1000, { rng: createRng(seed + 1), constraint: o.constraint });
  if (pool.length < firstBatch) throw new PredictorError('EMPTY', api, `the pool holds ${pool.length} candidates, fewer than firstBatch (${firstBatch})`);
  const fingerprint = JSON.stringify({ space: space.name, pool: pool.map(key), fullEpochs: o.fullEpochs, iterations, firstBatch, batchSize, threshold, exploration, seed });
  let prior: CioRecord[] = [];
  if (o.recordPath && existsSync(o.recordPath)) {
    let saved: { fingerprint: string; records: CioRecord[] };
    try {
      saved = JSON.parse(readFileSync(o.recordPath, 'utf8'));
    } catch (err) {
      throw new PredictorError('CORRUPT_MODEL', api, `${o.recordPath} is not a valid record file: ${(err as Error).message}`);
    }
    if (saved.fingerprint !== fingerprint) throw new PredictorError('INVALID_ARGUMENT', api, `${o.recordPath} was written by a run with other options; use another recordPath`);
    prior = saved.records;
  }
  const records: CioRecord[] = [];
  const priorByKey = new Map(prior.map((r) => [`${r.iteration}|${key(r.genome)}`, r]));
  const run = async (iteration: number, genome: Genome, epochs: number): Promise<CioRecord> => {
    const done = priorByKey.get(`${iteration}|${key(genome)}`);
    if (done) {
      records.push(done);
      return done;
    }
    if (o.signal?.aborted) throw new PredictorError('ABORTED', api, `aborted after ${records.length} evaluations${o.recordPath ? `; rerun to resume from ${o.recordPath}` : ''}`);
    const epochAccuracies: number[] = [];
    const accuracy = await o.evaluate(genome, { epochs, scheduleEpochs: o.fullEpochs, onEpoch: (_e, acc) => epochAccuracies.push(acc), signal: o.signal });
    if (!Number.isFinite(accuracy)) throw new PredictorError('NON_FINITE', api, `the evaluator returned ${accuracy} for [${genome.join(', ')}]`);
    const record: CioRecord = { iteration, genome, epochs, accuracy, epochAccuracies };
    records.push(record);
    if (o.recordPath) saveRecords(o.recordPath, { fingerprint, records });
    o.onProgress?.({ type: 'evaluated', record });
    return record;
  };

  // iteration 1: full training, per-epoch accuracies
  o.onProgress?.({ type: 'iteration', iteration: 1 });
  const order = rng.shuffle(pool.map((_, i) => i));
  const first: CioRecord[] = [];
  for (const i of order.slice(0, firstBatch)) first.push(await run(1, pool[i], o.fullEpochs));
  const finals = first.map((r) => r.accuracy);
  const correlationByEpoch = Array.from({ length: o.fullEpochs }, (_, e) => {
    const at = first.map((r) => r.epochAccuracies[e] ?? r.accuracy);
    return spearmanRho(at, finals);
  });
  let earlyStopEpoch = correlationByEpoch.findIndex((c) => c >= threshold) + 1;
  if (earlyStopEpoch === 0) earlyStopEpoch = o.fullEpochs;
  const earlyStopCorrelation = correlationByEpoch[earlyStopEpoch - 1];
  o.onProgress?.({ type: 'early-stop', epoch: earlyStopEpoch, correlation: earlyStopCorrelation });

  // labels are the accuracy at the early-stop epoch, for iteration 1 too
  const label = (r: CioRecord) => (r.iteration === 1 ? (r.epochAccuracies[earlyStopEpoch - 1] ?? r.accuracy) : r.accuracy);
  const x = pool.map((g) => encodeGenome(space, g));
  let pretrained: ReturnType<AccuracyPredictor['toJSON']> | null = null;
  const fitPredictor = async (iteration: number): Promise<AccuracyPredictor> => {
    const proxyRows = o.proxies ? pool.map((g) => (o.proxies as (g: Genome) => number[])(g)) : null;
    const config = { ...o.predictor, inputDim: x[0].length, proxyOutputs: proxyRows ? proxyRows[0].length : 1, seed: seed + iteration };
    let p: AccuracyPredictor;
    if (proxyRows && pretrained) {
      p = loadPredictor(pretrained);
    } else {
      p = createAccuracyPredictor(config);
      if (proxyRows) {
        await p.pretrain(x, proxyRows, { epochs: 10, batchSize: 128 });
        pretrained = p.toJSON();
      }
    }
    const evaluated = new Map(records.map((r) => [key(r.genome), label(r)]));
    const idx = pool.map((g, i) => [i, evaluated.get(key(g))] as const).filter(([, v]) => v !== undefined);
    // few labels: small batches, so each epoch still takes several steps
    const batchSize = o.fit?.batchSize ?? Math.max(2, Math.min(32, Math.ceil(idx.length / 4)));
    await p.fit(idx.map(([i]) => x[i]), idx.map(([, v]) => v as number), { ...o.fit, batchSize });
    return p;
  };

  let predictor: AccuracyPredictor | null = null;
  for (let it = 2; it <= iterations; it++) {
    o.onProgress?.({ type: 'iteration', iteration: it });
    predictor?.dispose();
    predictor = await fitPredictor(it);
    const seen = new Set(records.map((r) => key(r.genome)));
    const scores = predictor.predict(x);
    const ranked = pool.map((_, i) => i).filter((i) => !seen.has(key(pool[i]))).sort((a, b) => scores[b] - scores[a]);
    const nRandom = Math.round(batchSize * exploration);
    const picks = ranked.slice(0, batchSize - nRandom);
    const rest = rng.shuffle(ranked.slice(batchSize - nRandom));
    picks.push(...rest.slice(0, nRandom));
    for (const i of picks) await run(it, pool[i], earlyStopEpoch);
  }
  predictor?.dispose();
  predictor = await fitPredictor(iterations + 1);
  return { records, earlyStopEpoch, earlyStopCorrelation, correlationByEpoch, predictor, pool, resumedRecords: records.filter((r) => priorByKey.has(`${r.iteration}|${key(r.genome)}`)).length };
}
