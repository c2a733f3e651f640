import { existsSync, readFileSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Arch } from '@fbnas/search-space';
import { concatDatasets, evaluateModel, readCheckpoint, trainModel, writeCheckpoint, type ImageDataset, type MnistFamilyName, type NnModel, type TrainOptions } from '@fbnas/nn';
import { exportOnnx, verifyOnnx } from '@fbnas/export-onnx';
import { measureOnnxLatency } from '@fbnas/latency-model';
import { serializeArch } from '@fbnas/search-space';
import { validateConfig, type ConfigSchema } from './configSchema';
import { PipelineError } from './errors';
import { readJsonIfExists, writeFileAtomic, writeJsonAtomic } from './runFiles';

/** The splits a pipeline's final model trains on, see {@link PipelineRunConfig.finalTrainSplit}. */
export type FinalTrainSplit = 'train' | 'train+val';

/** Training settings of a pipeline's final model: `trainModel` options without run control. */
export type FbnetTrainSettings = Omit<TrainOptions, 'val' | 'checkpointPath' | 'resume' | 'onProgress' | 'signal' | 'seed'>;

/** The fields every pipeline's configuration has; `P` is its progress event. */
export interface PipelineRunConfig<P> {
  /** Run directory; created if missing. */
  outDir: string;
  /** ['fashion-mnist'] */
  dataset?: MnistFamilyName;
  /** Seed of everything (split, weights, noise, sampling) [0]. */
  seed?: number;
  /** Keep at most this many images per class in every split (quick runs and tests) [all]. */
  limitPerClass?: number;
  /** Training of the final model from scratch. */
  train?: Partial<FbnetTrainSettings>;
  /**
   * Images the final model trains on ['train']: the training split, or `train+val`, the training and
   * validation splits together (the usual last step once the settings were chosen on validation accuracy;
   * 5,000 more images for Fashion-MNIST). Nothing is held out then, so the run reports no validation
   * accuracy (`valAccuracy` null); the test split is untouched either way.
   */
  finalTrainSplit?: FinalTrainSplit;
  /**
   * Wall-clock budget of the run in minutes, from the start of this call: the final training gets what the
   * earlier stages left, less {@link BUDGET_RESERVE_SECONDS} for the test evaluation, export and
   * measurement, and trains as many epochs as fit (`train.epochs` is then a cap; `trainModel`'s
   * `timeBudgetSeconds`). The epoch count it settles on is kept in the training checkpoint.
   */
  budgetMinutes?: number;
  /** Continue a stopped run in `outDir` [false]. */
  resume?: boolean;
  onProgress?: (event: P) => void;
  signal?: AbortSignal;
}

/**
 * A pipeline's entry check: `outDir` must be a path, and everything but the run controls (outDir, resume,
 * callbacks) must satisfy the pipeline's schema. Returns the resolved run directory.
 */
export function checkPipelineConfig(config: PipelineRunConfig<never>, schema: ConfigSchema, api: string): string {
  const { outDir, resume: _resume, onProgress: _onProgress, signal: _signal, ...settings } = config;
  if (typeof outDir !== 'string' || outDir === '') throw new PipelineError('INVALID_ARGUMENT', api, `config.outDir must be a directory path, got ${JSON.stringify(outDir)}`);
  validateConfig(schema, settings, api, 'config');
  return resolve(outDir);
}

/** Progress events every pipeline emits: stage starts and ends, and the final training's steps and epochs. */
export type StageProgress<S extends string> =
  | { type: 'stage'; stage: S; state: 'start' | 'done' | 'skipped'; seconds?: number }
  | { type: 'train-step'; epoch: number; step: number; steps: number; loss: number }
  | { type: 'train-epoch'; epoch: number; trainLoss: number; valAccuracy: number | null }
  /**
   * The time budget set the training's length, `steps` in all over `epochs` (the last one partial when `steps`
   * is not a multiple of `stepsPerEpoch`); `epochSeconds` non-null: a re-plan at an epoch end.
   */
  | { type: 'train-budget'; epochs: number; steps: number; stepsPerEpoch: number; stepSeconds: number; budgetSeconds: number; epochSeconds: number | null };

interface RunState<S extends string> {
  fingerprint: string;
  done: Partial<Record<S, unknown>>;
}

const elapsed = (t0: number) => (Date.now() - t0) / 1000;

/**
 * The stage bookkeeping of a pipeline's run directory: `state.json` holds the resolved configuration's
 * fingerprint and each finished stage's result. A resumed run skips finished stages (their result is read
 * back); a run with another configuration in the same directory is refused; a fresh run clears the files
 * of an earlier one (except those in `keep`, e.g. a measured LUT).
 */
export class RunStages<S extends string> {
  readonly seconds = {} as Record<S | 'total', number>;
  private readonly state: RunState<S>;
  private readonly statePath: string;

  constructor(
    readonly api: string,
    statePath: string,
    files: readonly string[],
    resolvedConfig: unknown,
    resume: boolean,
    private readonly emit: (event: StageProgress<S>) => void,
    keep: readonly string[] = [],
  ) {
    this.statePath = statePath;
    const fingerprint = JSON.stringify(resolvedConfig);
    const prior = resume ? readJsonIfExists<RunState<S>>(statePath) : null;
    if (prior && prior.fingerprint !== fingerprint) {
      throw new PipelineError('MISMATCH', api, `${statePath.replace(/[/\\]state\.json$/, '')} holds a run with another configuration; use another outDir or drop resume`);
    }
    if (!prior) for (const f of [statePath, ...files]) if (existsSync(f) && !keep.includes(f)) rmSync(f);
    this.state = prior ?? { fingerprint, done: {} };
    // written at once, so a run stopped inside its first stage still resumes (keeping that stage's checkpoint)
    if (!prior) writeJsonAtomic(statePath, this.state);
  }

  /** Whether a stage finished in this run or an earlier one. */
  isDone(name: S): boolean {
    return name in this.state.done;
  }

  /** Run a stage, or return its recorded result when it finished earlier. `fn` ends by calling {@link finish}. */
  async stage<T>(name: S, fn: () => Promise<T>): Promise<T> {
    if (this.isDone(name)) {
      this.emit({ type: 'stage', stage: name, state: 'skipped' });
      this.seconds[name] = 0;
      return this.state.done[name] as T;
    }
    const s0 = Date.now();
    this.emit({ type: 'stage', stage: name, state: 'start' });
    const value = await fn();
    this.seconds[name] = elapsed(s0);
    this.emit({ type: 'stage', stage: name, state: 'done', seconds: this.seconds[name] });
    return value;
  }

  /** Record a stage's result (written atomically to `state.json`) and return it. */
  finish<T>(name: S, value: T): T {
    this.state.done[name] = value;
    writeJsonAtomic(this.statePath, this.state);
    return value;
  }
}

/** What {@link trainExportMeasure} produced. */
export interface TrainedModel {
  /** Accuracy on the validation split after the last epoch (null for runs without one). */
  valAccuracy: number | null;
  testAccuracy: number;
  testLoss: number;
  /** Epochs the training schedule spanned (`train.epochs`, or what a budget settled on; its last one may be partial). */
  trainEpochs: number;
  /** Steps the training schedule spanned (null when an earlier release finished the training). */
  trainSteps: number | null;
  onnxMaxAbsDiff: number;
  measuredLatencyMs: number;
}

/** Seconds of a run's budget kept for what follows the training (test evaluation, export, measurement). */
export const BUDGET_RESERVE_SECONDS = 30;

/** `trainModel`'s time budget left by a run budget of `minutes` that started at `startedAt` (ms). */
function trainingBudgetSeconds(minutes: number, startedAt: number): number {
  return Math.max(minutes * 60 - (Date.now() - startedAt) / 1000 - BUDGET_RESERVE_SECONDS, 1);
}

/**
 * The last three stages of both FBNet pipelines: train `model` from scratch (checkpointed, resumable) and
 * evaluate it on the test split; export ONNX and check it against tfjs in onnxruntime-node; measure the
 * whole model's latency there (batch 1). A resumed run whose training finished reloads the trained weights.
 */
export async function trainExportMeasure(
  run: RunStages<'train' | 'export' | 'measure'>,
  job: {
    model: NnModel;
    arch: Arch;
    train: ImageDataset;
    /**
     * Evaluated after every epoch (progress and `valAccuracy`), or trained on with `finalTrainSplit`
     * `train+val`; the test split only once, at the end.
     */
    val: ImageDataset;
    finalTrainSplit: FinalTrainSplit;
    test: ImageDataset;
    trainOptions: Omit<TrainOptions, 'checkpointPath' | 'resume' | 'onProgress' | 'signal'>;
    /** The run's budget and start (Date.now()), see {@link PipelineRunConfig.budgetMinutes}. */
    budget?: { minutes: number | undefined; startedAt: number };
    files: { trainCheckpoint: string; weights: string; onnx: string };
    threads: number;
    seed: number;
    signal?: AbortSignal;
    emit: (event: StageProgress<'train'>) => void;
  },
): Promise<TrainedModel> {
  const { model, arch, files, emit } = job;
  const trainedEarlier = run.isDone('train');
  const trained = await run.stage('train', async () => {
    const minutes = job.budget?.minutes;
    const withVal = job.finalTrainSplit === 'train+val';
    const r = await trainModel(model, withVal ? concatDatasets([job.train, job.val]) : job.train, {
      ...job.trainOptions,
      // a run budget replaces the training's own
      ...(job.budget && minutes !== undefined ? { timeBudgetSeconds: trainingBudgetSeconds(minutes, job.budget.startedAt) } : {}),
      val: withVal ? undefined : job.val,
      checkpointPath: files.trainCheckpoint,
      resume: true,
      signal: job.signal,
      onProgress: (e) => {
        if (e.type === 'step') emit({ type: 'train-step', epoch: e.epoch, step: e.step, steps: e.stepsPerEpoch, loss: e.loss });
        else if (e.type === 'epoch') emit({ type: 'train-epoch', epoch: e.record.epoch, trainLoss: e.record.trainLoss, valAccuracy: e.record.valAccuracy });
        else emit({ type: 'train-budget', epochs: e.epochs, steps: e.steps, stepsPerEpoch: e.stepsPerEpoch, stepSeconds: e.stepSeconds, budgetSeconds: e.budgetSeconds, epochSeconds: e.epochSeconds });
      },
    });
    const test = await evaluateModel(model, job.test);
    writeCheckpoint(files.weights, { meta: { arch: serializeArch(arch) }, groups: { weights: await model.exportWeights() } });
    return run.finish('train', { valAccuracy: r.history.at(-1)?.valAccuracy ?? null, testAccuracy: test.accuracy, testLoss: test.loss, epochs: r.epochs, steps: r.scheduledSteps });
  });
  if (trainedEarlier) model.loadWeights(readCheckpoint(files.weights).groups.weights);

  const exported = await run.stage('export', async () => {
    const bytes = exportOnnx(arch, { weights: await model.exportWeights() });
    const check = await verifyOnnx(bytes, model, { batch: 4, seed: job.seed });
    if (!check.ok) throw new PipelineError('EXPORT_MISMATCH', run.api, `the exported model differs from tfjs by ${check.maxAbsDiff}`);
    writeFileAtomic(files.onnx, bytes);
    return run.finish('export', { maxAbsDiff: check.maxAbsDiff });
  });

  const measured = await run.stage('measure', async () => {
    const input = { height: arch.inputSize, width: arch.inputSize, channels: arch.inputChannels };
    const t = await measureOnnxLatency(new Uint8Array(readFileSync(files.onnx)), input, { threads: job.threads, maxRepeats: 300 });
    return run.finish('measure', { medianMs: t.median, p10Ms: t.p10, samples: t.samples });
  });
  return {
    valAccuracy: trained.valAccuracy ?? null,
    testAccuracy: trained.testAccuracy,
    testLoss: trained.testLoss,
    trainEpochs: trained.epochs ?? job.trainOptions.epochs,
    // runs finished by earlier releases recorded epochs only
    trainSteps: trained.steps ?? null,
    onnxMaxAbsDiff: exported.maxAbsDiff,
    measuredLatencyMs: measured.medianMs,
  };
}
