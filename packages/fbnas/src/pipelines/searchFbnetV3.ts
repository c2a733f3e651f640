import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpus } from 'node:os';
import { archStats, encodeGenome, fbnet28Space, jointSpace, macsConstraint, recipeSpace, serializeArch, type Arch, type Genome, type RecipeSpaceOptions, type TrainingRecipe } from '@fbnas/search-space';
import { buildModel, initBackend, loadMnistFamily, type MnistFamilyName } from '@fbnas/nn';
import { costOfGenome, statCostTable } from '@fbnas/latency-model';
import { constrainedIterativeOptimization, loadPredictor, mnistEvaluator, recipeSettings, type AccuracyPredictor, type CioRecord } from '@fbnas/predictor';
import { adaptiveGa } from '@fbnas/evolution';
import { PipelineError } from './errors';
import { SEARCH_FBNETV3_CONFIG_SCHEMA } from './schemas';
import { writeFileAtomic, writeJsonAtomic } from './runFiles';
import { checkPipelineConfig, RunStages, trainExportMeasure, type FbnetTrainSettings, type FinalTrainSplit, type PipelineRunConfig, type StageProgress } from './runStages';
import { writeRunReport } from './runReport';

/** Constrained iterative optimization settings of {@link searchFbnetV3} (FBNetV3 stage 1). */
export interface FbnetV3CioSettings {
  /** Sobol candidates drawn before the resource filter [400]. */
  poolSize?: number;
  /** Epochs of a full candidate training (iteration 1) [3]. */
  fullEpochs?: number;
  /** Iterations [3]; candidates trained fully in iteration 1 [6]; per later iteration [4]. */
  iterations?: number;
  firstBatch?: number;
  batchSize?: number;
  /** Spearman correlation an early epoch must reach with the final accuracy [0.8]. */
  correlationThreshold?: number;
  /** Share of each later batch drawn at random [0.25]. */
  exploration?: number;
  /** Images per class kept in the training and validation splits candidates train and rank on [200]. */
  limitPerClass?: number;
  /** Training batch size [64] and step cap per epoch [none] of candidate trainings. */
  trainBatchSize?: number;
  maxStepsPerEpoch?: number;
  /** Accuracy-predictor fitting epochs: phase 1 [200] and phase 2 [20]. */
  fitEpochs?: number;
  fineTuneEpochs?: number;
}

/** Predictor-driven genetic search settings of {@link searchFbnetV3} (FBNetV3 stage 2), one run per constraint. */
export interface FbnetV3EvolutionSettings {
  /** [64] */
  populationSize?: number;
  /** [40] */
  maxGenerations?: number;
  /** Stop when the best predicted accuracy moved less than epsilon over `patience` generations [1e-4, 5]. */
  epsilon?: number;
  patience?: number;
}

/** Configuration of {@link searchFbnetV3}. Every field but `outDir` has a default. */
export interface SearchFbnetV3Config extends PipelineRunConfig<SearchFbnetV3Progress> {
  /** Resource constraints: the largest multiply-adds (millions) of each family member [[3, 6, 12]]. */
  constraints?: number[];
  /** Index in `constraints` of the member that is trained from scratch, exported and measured [the last]. */
  deploy?: number;
  /** The training-recipe space joined with the architecture space (`recipeSpace` options without epochs) [SGD and RMSProp, learning rate 0.01-0.4, RMSProp at a tenth]. */
  recipe?: Omit<RecipeSpaceOptions, 'epochs'>;
  cio?: FbnetV3CioSettings;
  evolution?: FbnetV3EvolutionSettings;
  /** Final training of the deployed member; its searched recipe sets optimizer, learning rate, weight decay, mixup and EMA. */
  train?: Partial<FbnetTrainSettings>;
}

export type SearchFbnetV3Stage = 'cio' | 'evolve' | 'train' | 'export' | 'measure';

/** Progress of {@link searchFbnetV3}. */
export type SearchFbnetV3Progress =
  | StageProgress<SearchFbnetV3Stage>
  | { type: 'evaluated'; record: CioRecord }
  | { type: 'early-stop'; epoch: number; correlation: number }
  | { type: 'family-member'; maxMMacs: number; predictedAccuracy: number; mmacs: number; generations: number };

/** One member of the searched family: the best predicted (architecture, recipe) under a multiply-add budget. */
export interface FbnetV3FamilyMember {
  maxMMacs: number;
  genome: Genome;
  candidates: string[];
  recipe: TrainingRecipe;
  /** The predictor's validation accuracy at the early-stop epoch (the proxy the search ranks by). */
  predictedAccuracy: number;
  multiplyAdds: number;
  params: number;
  evaluatedByGa: number;
}

/** What a run produced (also `metrics.json`). */
export interface SearchFbnetV3Result {
  pipeline: 'fbnetv3';
  outDir: string;
  dataset: MnistFamilyName;
  cio: { evaluations: number; earlyStopEpoch: number; earlyStopCorrelation: number; correlationByEpoch: number[]; poolSize: number; bestValAccuracy: number };
  family: FbnetV3FamilyMember[];
  deployed: FbnetV3FamilyMember;
  arch: Arch;
  /** Validation-split accuracy of the trained model (after its last epoch). */
  valAccuracy: number | null;
  /** Epochs the final training's schedule spanned (`train.epochs`, or what `budgetMinutes` settled on). */
  trainEpochs: number;
  /** Steps the final training's schedule spanned (null when an earlier release finished the training). */
  trainSteps: number | null;
  testAccuracy: number;
  testImages: number;
  measuredLatencyMs: number;
  onnxMaxAbsDiff: number;
  files: { records: string; predictor: string; family: string; arch: string; weights: string; onnx: string; metrics: string; config: string; report: string };
  seconds: Record<SearchFbnetV3Stage | 'data' | 'total', number>;
}

/** Defaults of {@link searchFbnetV3}: 14 candidate trainings and a short final training, about half an hour on 2 CPU cores (docs/fbnetv3.md). */
export const SEARCH_FBNETV3_DEFAULTS = {
  dataset: 'fashion-mnist' as MnistFamilyName,
  seed: 0,
  constraints: [3, 6, 12],
  // FBNetV3's optimizers; one learning-rate range for both, RMSProp scaled to its usual tenth of SGD's rate
  recipe: { optimizers: ['sgd', 'rmsprop'], learningRate: [0.01, 0.4], learningRateScale: { rmsprop: 0.1 } } satisfies Omit<RecipeSpaceOptions, 'epochs'>,
  cio: { poolSize: 400, fullEpochs: 3, iterations: 3, firstBatch: 6, batchSize: 4, correlationThreshold: 0.8, exploration: 0.25, limitPerClass: 200, trainBatchSize: 64, fitEpochs: 200, fineTuneEpochs: 20 } satisfies FbnetV3CioSettings,
  evolution: { populationSize: 64, maxGenerations: 40, epsilon: 1e-4, patience: 5 } satisfies Required<FbnetV3EvolutionSettings>,
  train: { epochs: 2, maxStepsPerEpoch: 125, batchSize: 64, warmupEpochs: 0.2, labelSmoothing: 0.1, augment: { randomCrop: 2 } } satisfies Partial<FbnetTrainSettings>,
  finalTrainSplit: 'train' as FinalTrainSplit,
};

const API = 'fbnas.searchFbnetV3';

/**
 * FBNetV3 end to end on Fashion-MNIST or MNIST with the 28x28 FBNet space joined with the training-recipe space:
 * (1) constrained iterative optimization: a Sobol pool of (architecture, recipe) pairs under the largest budget,
 * a first batch trained fully to choose the early-stop epoch, then predictor-chosen batches trained to it, the
 * accuracy predictor pretrained on multiply-adds and params; (2) one predictor-driven adaptive GA per
 * multiply-add budget, giving a family of pairs in seconds; (3) the member of `deploy` trained from scratch with
 * its recipe, exported to ONNX (checked) and measured in onnxruntime-node. Every stage is checkpointed in
 * `outDir`; with `resume` a stopped run continues (CIO resumes from its evaluation records).
 */
export async function searchFbnetV3(config: SearchFbnetV3Config): Promise<SearchFbnetV3Result> {
  const t0 = Date.now();
  const outDir = checkPipelineConfig(config, SEARCH_FBNETV3_CONFIG_SCHEMA, API);
  const { resume, onProgress, signal } = config;
  const D = SEARCH_FBNETV3_DEFAULTS;
  const dataset = config.dataset ?? D.dataset;
  const seed = config.seed ?? D.seed;
  const constraints = config.constraints ?? D.constraints;
  const deploy = config.deploy ?? constraints.length - 1;
  if (deploy >= constraints.length) throw new PipelineError('INVALID_CONFIG', API, `config.deploy must index config.constraints (0..${constraints.length - 1}), got ${deploy}`);
  const recipe = { ...D.recipe, ...config.recipe };
  const cio = { ...D.cio, ...config.cio };
  const evolution = { ...D.evolution, ...config.evolution };
  const train = { ...D.train, ...config.train };
  const emit = onProgress ?? (() => undefined);
  const files = {
    config: join(outDir, 'config.json'),
    state: join(outDir, 'state.json'),
    records: join(outDir, 'cio-records.json'),
    predictor: join(outDir, 'predictor.json'),
    family: join(outDir, 'family.json'),
    arch: join(outDir, 'arch.json'),
    trainCheckpoint: join(outDir, 'train.ckpt'),
    weights: join(outDir, 'weights.ckpt'),
    onnx: join(outDir, 'model.onnx'),
    metrics: join(outDir, 'metrics.json'),
  };
  const resolved = { pipeline: 'fbnetv3', dataset, seed, limitPerClass: config.limitPerClass ?? null, budgetMinutes: config.budgetMinutes ?? null, constraints, deploy, recipe, cio, evolution, train, finalTrainSplit: config.finalTrainSplit ?? D.finalTrainSplit };
  const run = new RunStages<SearchFbnetV3Stage>(API, files.state, Object.values(files).filter((f) => f !== files.state), resolved, resume === true, emit);
  writeJsonAtomic(files.config, resolved);
  const seconds = run.seconds as SearchFbnetV3Result['seconds'];

  await initBackend();
  const archSpace = fbnet28Space();
  const space = jointSpace(archSpace, recipeSpace({ ...recipe, epochs: [cio.fullEpochs] }));
  const archPart = (g: Genome) => g.slice(0, archSpace.dims.length);
  const macsTable = statCostTable(archSpace, 'macs');
  const paramsTable = statCostTable(archSpace, 'params');
  const mmacs = (g: Genome) => costOfGenome(macsTable, archPart(g));
  /** Repair: the layer that saves most moves to its cheapest candidate until the genome fits `max` (recipe kept). */
  const fitBudget = (genome: Genome, max: number): Genome | null => {
    const g = [...genome];
    while (mmacs(g) > max) {
      let best = -1;
      let saving = 0;
      macsTable.layers.forEach((costs, l) => {
        const s = costs[g[l]] - Math.min(...costs);
        if (s > saving) [best, saving] = [l, s];
      });
      if (best < 0) return null;
      g[best] = macsTable.layers[best].indexOf(Math.min(...macsTable.layers[best]));
    }
    return g;
  };
  const d0 = Date.now();
  const data = loadMnistFamily(dataset, { seed, limitPerClass: config.limitPerClass });
  seconds.data = (Date.now() - d0) / 1000;

  // 1. constrained iterative optimization (resumes from its records)
  let predictor: AccuracyPredictor | null = null;
  const searched = await run.stage('cio', async () => {
    const r = await constrainedIterativeOptimization(space, {
      evaluate: mnistEvaluator(space, { dataset, limitPerClass: cio.limitPerClass, seed, train: { batchSize: cio.trainBatchSize, maxStepsPerEpoch: cio.maxStepsPerEpoch } }),
      fullEpochs: cio.fullEpochs,
      poolSize: cio.poolSize,
      constraint: macsConstraint(space, { max: Math.max(...constraints) * 1e6 }),
      iterations: cio.iterations,
      firstBatch: cio.firstBatch,
      batchSize: cio.batchSize,
      correlationThreshold: cio.correlationThreshold,
      exploration: cio.exploration,
      proxies: (g) => [mmacs(g), costOfGenome(paramsTable, archPart(g))],
      fit: { epochs: cio.fitEpochs, fineTuneEpochs: cio.fineTuneEpochs },
      recordPath: files.records,
      seed,
      signal,
      onProgress: (e) => (e.type === 'evaluated' ? emit({ type: 'evaluated', record: e.record }) : e.type === 'early-stop' ? emit({ type: 'early-stop', epoch: e.epoch, correlation: e.correlation }) : undefined),
    });
    predictor = r.predictor;
    writeJsonAtomic(files.predictor, r.predictor.toJSON());
    return run.finish('cio', {
      evaluations: r.records.length,
      earlyStopEpoch: r.earlyStopEpoch,
      earlyStopCorrelation: r.earlyStopCorrelation,
      correlationByEpoch: r.correlationByEpoch,
      poolSize: r.pool.length,
      bestValAccuracy: Math.max(...r.records.map((x) => x.accuracy)),
      ranked: [...r.records].sort((a, b) => b.accuracy - a.accuracy).map((x) => x.genome),
    });
  });

  // 2. one predictor-driven genetic search per budget
  const family = await run.stage('evolve', async () => {
    const p: AccuracyPredictor = predictor ?? loadPredictor(readFileSync(files.predictor, 'utf8'));
    predictor = null; // disposed below
    try {
      const members: FbnetV3FamilyMember[] = [];
      for (const max of constraints) {
        // the trained pairs, best first, each brought under this budget: the GA's first population
        const seeds = new Map<string, Genome>();
        for (const g of searched.ranked) {
          const fitted = fitBudget(g, max);
          if (fitted) seeds.set(fitted.join(','), fitted);
        }
        if (seeds.size === 0) throw new PipelineError('INVALID_CONFIG', API, `no architecture of ${archSpace.name} fits ${max} M multiply-adds; raise config.constraints`);
        const ga = await adaptiveGa(space, {
          fitness: (genomes) => p.predict(genomes.map((g) => encodeGenome(space, g))),
          constraints: [{ name: 'mmacs', evaluate: (genomes) => genomes.map(mmacs), max }],
          initial: [...seeds.values()],
          populationSize: evolution.populationSize,
          maxGenerations: evolution.maxGenerations,
          epsilon: evolution.epsilon,
          patience: evolution.patience,
          seed,
          signal,
        });
        const g = ga.best.genome;
        const stats = archStats(space.toArch(g));
        const member: FbnetV3FamilyMember = {
          maxMMacs: max, genome: g, candidates: archPart(g).map((c) => archSpace.config.candidates[c].name), recipe: space.toRecipe(g),
          predictedAccuracy: ga.best.fitness, multiplyAdds: stats.macs, params: stats.params, evaluatedByGa: ga.evaluations,
        };
        members.push(member);
        emit({ type: 'family-member', maxMMacs: max, predictedAccuracy: member.predictedAccuracy, mmacs: stats.macs / 1e6, generations: ga.generations });
      }
      writeJsonAtomic(files.family, members);
      return run.finish('evolve', members);
    } finally {
      p.dispose();
    }
  });

  // 3. the deployed member: trained with its recipe, exported, measured
  const deployed = family[deploy];
  const arch: Arch = { ...space.toArch(deployed.genome), name: `fbnetv3-${dataset}-searched` };
  if (!existsSync(files.arch)) writeFileAtomic(files.arch, serializeArch(arch));
  const settingsOfRecipe = recipeSettings(deployed.recipe);
  const model = buildModel(arch, { seed, ...settingsOfRecipe.build });
  try {
    const done = await trainExportMeasure(run, {
      model, arch, train: data.train, val: data.val, finalTrainSplit: resolved.finalTrainSplit, test: data.test, trainOptions: { ...train, ...settingsOfRecipe.train, epochs: train.epochs ?? 2, seed }, threads: 1, seed, signal, emit,
      files: { trainCheckpoint: files.trainCheckpoint, weights: files.weights, onnx: files.onnx },
      budget: { minutes: config.budgetMinutes, startedAt: t0 },
    });
    seconds.total = (Date.now() - t0) / 1000;
    const { ranked: _ranked, ...cioSummary } = searched;
    const result: SearchFbnetV3Result = {
      pipeline: 'fbnetv3', outDir, dataset, cio: cioSummary, family, deployed, arch,
      valAccuracy: done.valAccuracy,
      trainEpochs: done.trainEpochs,
      trainSteps: done.trainSteps,
      testAccuracy: done.testAccuracy, testImages: data.test.count, measuredLatencyMs: done.measuredLatencyMs, onnxMaxAbsDiff: done.onnxMaxAbsDiff,
      files: { records: files.records, predictor: files.predictor, family: files.family, arch: files.arch, weights: files.weights, onnx: files.onnx, metrics: files.metrics, config: files.config, report: join(outDir, 'report.html') },
      seconds,
    };
    writeJsonAtomic(files.metrics, { ...result, arch: undefined, cpu: cpus()[0]?.model ?? 'unknown' });
    writeRunReport(outDir);
    return result;
  } finally {
    model.dispose();
  }
}
