import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { cpus } from 'node:os';
import { archStats, fbnet28Space, serializeArch, type Arch, type Genome } from '@fbnas/search-space';
import { buildModel, initBackend, loadMnistFamily, type BuildModelOptions, type MnistFamilyName } from '@fbnas/nn';
import {
  buildOrtLatencyLut,
  costOfGenome,
  costTableFromLut,
  loadLatencyLut,
  lutSignatures,
  statCostTable,
  type LayerwiseCostTable,
  type LatencyLut,
} from '@fbnas/latency-model';
import { sampleArchitectures, searchDnas, type DnasEpochRecord, type DnasOptions } from '@fbnas/dnas';
import { PipelineError } from './errors';
import { SEARCH_FBNET_CONFIG_SCHEMA } from './schemas';
import { writeRunReport } from './runReport';
import { writeJsonAtomic, writeFileAtomic } from './runFiles';
import { checkPipelineConfig, RunStages, trainExportMeasure, type FbnetTrainSettings, type FinalTrainSplit, type PipelineRunConfig, type StageProgress } from './runStages';

export type { FbnetTrainSettings, FinalTrainSplit } from './runStages';

/** Search settings of {@link searchFbnet}: `searchDnas` options without data and cost table. */
export type FbnetSearchSettings = Omit<DnasOptions, 'train' | 'costTable' | 'checkpointPath' | 'resume' | 'onProgress' | 'signal' | 'keepSupernet' | 'seed'>;

/** Configuration of {@link searchFbnet}. Every field has a default (the embedded default setup). */
export interface SearchFbnetConfig extends PipelineRunConfig<SearchFbnetProgress> {
  /** Cost in the loss: `latency` (an onnxruntime-node LUT measured here, or `lut.path`), `macs` or `params` ['latency']. */
  cost?: 'latency' | 'macs' | 'params';
  /**
   * The LUT: an existing file (`path`), or measured here with `threads` [1] in `rounds` interleaved passes
   * over all blocks of 20 runs each [30] (`buildLatencyLut`; 3 s for this space); `statistic` of an entry
   * ['median']. Timed one block after another (`rounds: 1`), entries moved by up to 4x between builds on
   * this machine and re-ordered candidates (k3_e3 below k3_e1); in 30 rounds, 1.27x at worst.
   */
  lut?: { path?: string; threads?: number; rounds?: number; statistic?: 'median' | 'p10' };
  search?: FbnetSearchSettings;
  /** Architectures drawn from P_θ besides the argmax [6]. */
  samples?: number;
  /**
   * Which derived architecture is trained, exported and measured ['argmax']: `argmax` (the most likely block
   * of every layer), or `sample` (FBNet's way: the first architecture drawn from P_θ). While P_θ is still
   * flat the argmax is decided by small, systematic differences (with Adam, a latency term moves every
   * layer's skip the same way) and can be far cheaper than anything P_θ draws; a draw follows P_θ's
   * expected cost.
   */
  deploy?: 'argmax' | 'sample';
  /** Build options of the trained network: `dropout` before the classifier [0.1], `zeroInitResidualGamma` [false]. */
  model?: FbnetModelSettings;
}

/** The `buildModel` options {@link searchFbnet} exposes for the trained network. */
export type FbnetModelSettings = Pick<BuildModelOptions, 'dropout' | 'zeroInitResidualGamma'>;

/** Progress of the pipeline: stage starts and ends, plus the stages' own progress. */
export type SearchFbnetProgress =
  | StageProgress<SearchFbnetStage>
  | { type: 'lut'; done: number; total: number }
  | { type: 'search-step'; phase: 'weights' | 'theta'; epoch: number; step: number; steps: number; loss: number }
  | { type: 'search-epoch'; record: DnasEpochRecord };

export type SearchFbnetStage = 'data' | 'lut' | 'search' | 'derive' | 'train' | 'export' | 'measure';

/** What a run produced (also written to `metrics.json`). */
export interface SearchFbnetResult {
  outDir: string;
  dataset: MnistFamilyName;
  genome: Genome;
  arch: Arch;
  candidates: string[];
  multiplyAdds: number;
  params: number;
  costMetric: string;
  costUnit: string;
  /** Cost of the chosen architecture in the cost table (LUT latency in ms for `latency`). */
  predictedCost: number;
  /** Validation-split accuracy of the trained model (after its last epoch). */
  valAccuracy: number | null;
  /** Epochs the final training's schedule spanned (`train.epochs`, or what `budgetMinutes` settled on). */
  trainEpochs: number;
  /** Steps the final training's schedule spanned (null when an earlier release finished the training). */
  trainSteps: number | null;
  testAccuracy: number;
  testImages: number;
  /** Whole-model latency measured in onnxruntime-node, batch 1 (median ms). */
  measuredLatencyMs: number;
  onnxMaxAbsDiff: number;
  files: { arch: string; onnx: string; weights: string; metrics: string; architectures: string; history: string; lut: string | null; config: string; report: string };
  seconds: Record<SearchFbnetStage | 'total', number>;
}

/**
 * The defaults of the embedded setup, sized for under 10 minutes on 2 CPU cores: a hard-mode search with
 * shared candidate weights for 4 epochs of 50 weight steps (+ 12 θ steps after a 1-epoch warm-up), the
 * argmax trained from scratch for 250 steps. FBNet's loss and schedule (α 0.2, β 0.6, τ0 5, decay 0.045,
 * SGD 0.1) are kept; the budget is small, so θ's Adam learning rate is 0.05 instead of 0.01 (36 θ steps
 * instead of thousands). `docs/dnas.md` gives the longer recipe.
 */
export const SEARCH_FBNET_DEFAULTS = {
  dataset: 'fashion-mnist' as MnistFamilyName,
  seed: 0,
  cost: 'latency' as const,
  search: { mode: 'hard', epochs: 4, warmupEpochs: 1, maxStepsPerEpoch: 50, batchSize: 64, thetaLearningRate: 0.05 } satisfies FbnetSearchSettings,
  samples: 6,
  deploy: 'argmax' as 'argmax' | 'sample',
  model: { dropout: 0.1, zeroInitResidualGamma: false } satisfies FbnetModelSettings,
  finalTrainSplit: 'train' as FinalTrainSplit,
  train: {
    epochs: 2, maxStepsPerEpoch: 125, batchSize: 64, optimizer: 'sgd', learningRate: 0.1, warmupEpochs: 0.2, weightDecay: 5e-5, labelSmoothing: 0.1,
    augment: { randomCrop: 2 },
  } satisfies FbnetTrainSettings,
};

function elapsed(t0: number) {
  return (Date.now() - t0) / 1000;
}

/**
 * FBNet end to end on Fashion-MNIST or MNIST with the 28x28 FBNet space: latency LUT (measured in
 * onnxruntime-node on this machine, 1 thread, or loaded) → DNAS → K sampled architectures + argmax → the
 * argmax (or a draw from P_θ, `deploy`) trained from scratch → ONNX export checked against tfjs →
 * whole-model latency measured in onnxruntime-node. Every stage writes its result into `outDir` atomically; with `resume` a stopped run skips
 * finished stages and continues the interrupted one from its checkpoint.
 */
export async function searchFbnet(config: SearchFbnetConfig): Promise<SearchFbnetResult> {
  const t0 = Date.now();
  const outDir = checkPipelineConfig(config, SEARCH_FBNET_CONFIG_SCHEMA, 'fbnas.searchFbnet');
  const dataset = config.dataset ?? SEARCH_FBNET_DEFAULTS.dataset;
  const seed = config.seed ?? SEARCH_FBNET_DEFAULTS.seed;
  const costKind = config.cost ?? SEARCH_FBNET_DEFAULTS.cost;
  const search: FbnetSearchSettings = { ...SEARCH_FBNET_DEFAULTS.search, ...config.search };
  const trainSettings: FbnetTrainSettings = { ...SEARCH_FBNET_DEFAULTS.train, ...config.train };
  const samples = config.samples ?? SEARCH_FBNET_DEFAULTS.samples;
  const deploy = config.deploy ?? SEARCH_FBNET_DEFAULTS.deploy;
  const modelSettings: FbnetModelSettings = { ...SEARCH_FBNET_DEFAULTS.model, ...config.model };
  if (deploy === 'sample' && samples < 1) throw new PipelineError('INVALID_ARGUMENT', 'fbnas.searchFbnet', 'config.deploy "sample" needs config.samples >= 1, got 0');
  const emit = config.onProgress ?? (() => undefined);
  const files = {
    config: join(outDir, 'config.json'),
    state: join(outDir, 'state.json'),
    lut: join(outDir, 'lut.json'),
    searchCheckpoint: join(outDir, 'search.ckpt'),
    history: join(outDir, 'theta-history.json'),
    architectures: join(outDir, 'architectures.json'),
    arch: join(outDir, 'arch.json'),
    trainCheckpoint: join(outDir, 'train.ckpt'),
    weights: join(outDir, 'weights.ckpt'),
    onnx: join(outDir, 'model.onnx'),
    metrics: join(outDir, 'metrics.json'),
  };
  const finalTrainSplit = config.finalTrainSplit ?? SEARCH_FBNET_DEFAULTS.finalTrainSplit;
  const resolved = { dataset, seed, limitPerClass: config.limitPerClass ?? null, budgetMinutes: config.budgetMinutes ?? null, cost: costKind, lut: config.lut ?? {}, search, samples, deploy, model: modelSettings, train: trainSettings, finalTrainSplit };
  const run = new RunStages<SearchFbnetStage>('fbnas.searchFbnet', files.state, Object.values(files), resolved, config.resume === true, emit, [files.lut]);
  writeJsonAtomic(files.config, resolved);
  const { seconds } = run;
  const stage = run.stage.bind(run);
  const finish = run.finish.bind(run);

  await initBackend();
  const space = fbnet28Space();
  const d0 = Date.now();
  const data = loadMnistFamily(dataset, { seed, limitPerClass: config.limitPerClass });
  seconds.data = elapsed(d0);

  // 1. cost table
  const table: LayerwiseCostTable = await stage('lut', async () => {
    if (costKind !== 'latency') return statCostTable(space, costKind);
    const path = config.lut?.path ?? files.lut;
    const lut: LatencyLut =
      config.lut?.path && existsSync(path)
        ? loadLatencyLut(path)
        : await buildOrtLatencyLut(lutSignatures(space), {
        rules: space.config.rules, path, threads: config.lut?.threads ?? 1, rounds: config.lut?.rounds ?? 30, signal: config.signal,
            onProgress: (e) => emit({ type: 'lut', done: e.done, total: e.total }),
          });
    return finish('lut', costTableFromLut(space, lut, { statistic: config.lut?.statistic ?? 'median' }));
  });

  // 2. search
  const searched = await stage('search', async () => {
    const r = await searchDnas(space, {
      ...search, train: data.train, costTable: table, seed, checkpointPath: files.searchCheckpoint, resume: true, signal: config.signal,
      onProgress: (e) => emit(e.type === 'step' ? { type: 'search-step', phase: e.phase, epoch: e.epoch, step: e.step, steps: e.steps, loss: e.loss } : { type: 'search-epoch', record: e.record }),
    });
    writeJsonAtomic(files.history, { costLoss: r.costLoss, costMetric: table.metric, costUnit: table.unit, candidates: space.config.candidates.map((c) => c.name), theta: r.theta, history: r.history });
    return finish('search', { theta: r.theta, probs: r.probs, argmax: r.argmax });
  });

  // 3. derive
  const derived = await stage('derive', async () => {
    const list = sampleArchitectures(space, searched.probs, { count: samples, seed, costTable: table });
    writeJsonAtomic(files.architectures, list.map((a) => ({ source: a.source, genome: a.genome, logProb: a.logProb, cost: a.cost, macs: a.macs, params: a.params })));
    // list = [argmax, ...distinct draws]; a first draw equal to the argmax was de-duplicated into it
    const firstDraw = sampleArchitectures(space, searched.probs, { count: 1, seed, costTable: table }).at(-1) ?? list[0];
    const chosen = deploy === 'argmax' ? list[0] : firstDraw;
    writeFileAtomic(files.arch, serializeArch({ ...chosen.arch, name: `fbnet-${dataset}-searched` }));
    return finish('derive', { genome: chosen.genome });
  });
  const arch = { ...space.toArch(derived.genome), name: `fbnet-${dataset}-searched` };

  // 4-6. train from scratch, export (checked), measure
  const model = buildModel(arch, { seed, ...modelSettings });
  try {
    const done = await trainExportMeasure(run, {
      model, arch, train: data.train, val: data.val, finalTrainSplit, test: data.test, trainOptions: { ...trainSettings, seed }, threads: config.lut?.threads ?? 1, seed, signal: config.signal, emit,
      files: { trainCheckpoint: files.trainCheckpoint, weights: files.weights, onnx: files.onnx },
      budget: { minutes: config.budgetMinutes, startedAt: t0 },
    });
    seconds.total = elapsed(t0);
    const stats = archStats(arch);
    const result: SearchFbnetResult = {
      outDir,
      dataset,
      genome: derived.genome,
      arch,
      candidates: derived.genome.map((c) => space.config.candidates[c].name),
      multiplyAdds: stats.macs,
      params: stats.params,
      costMetric: table.metric,
      costUnit: table.unit,
      predictedCost: costOfGenome(table, derived.genome),
      valAccuracy: done.valAccuracy,
      trainEpochs: done.trainEpochs,
      trainSteps: done.trainSteps,
      testAccuracy: done.testAccuracy,
      testImages: data.test.count,
      measuredLatencyMs: done.measuredLatencyMs,
      onnxMaxAbsDiff: done.onnxMaxAbsDiff,
      files: {
        arch: files.arch, onnx: files.onnx, weights: files.weights, metrics: files.metrics, architectures: files.architectures, history: files.history,
        lut: costKind === 'latency' ? (config.lut?.path ?? files.lut) : null, config: files.config, report: join(outDir, 'report.html'),
      },
      seconds,
    };
    writeJsonAtomic(files.metrics, { ...result, arch: undefined, cpu: cpus()[0]?.model ?? 'unknown' });
    writeRunReport(outDir);
    return result;
  } finally {
    model.dispose();
  }
}
