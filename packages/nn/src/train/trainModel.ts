import { existsSync } from 'node:fs';
import { createRng, type RngState } from '@fbnas/search-space';
import { epochOrder, type AugmentOptions } from '../data/batches';
import type { ImageDataset } from '../data/dataset';
import { NnError } from '../errors';
import type { NamedWeights, NnModel } from '../model/buildModel';
import { readCheckpoint, writeCheckpoint } from './checkpointFile';
import { evaluateModel } from './evaluateModel';
import { cosineWithWarmup, rescheduleAnchor, type ScheduleAnchor } from './learningRateSchedule';
import { createOptimizer, type OptimizerName, type OptimizerOptions } from './optimizer';
import { createDataParallelEngine } from './dataParallel';
import { localEngine, type StepEngine, type StepRecipe } from './trainStep';
import { createWeightEma, type WeightEma } from './weightEma';

/** Options of {@link trainModel}; the FBNetV3 recipe knobs plus run control. Defaults in brackets. */
export interface TrainOptions {
  epochs: number;
  /** [64] */
  batchSize?: number;
  /** ['sgd'] */
  optimizer?: OptimizerName;
  optimizerOptions?: OptimizerOptions;
  /** Peak learning rate [0.05 for sgd, 0.002 for adam and rmsprop]. */
  learningRate?: number;
  /** Final learning rate of the cosine schedule [0]. */
  minLearningRate?: number;
  /** Linear warm-up length in epochs [0]. */
  warmupEpochs?: number;
  /** L2 weight decay on conv and fc weights (not on BN or biases) [5e-5]. */
  weightDecay?: number;
  /** Label smoothing epsilon [0]. */
  labelSmoothing?: number;
  /** Mixup alpha; 0 disables [0]. */
  mixup?: number;
  /** EMA decay of the weights; 0 disables [0]. Evaluation then uses the averaged weights. */
  ema?: number;
  augment?: AugmentOptions;
  /** Seed of shuffling, augmentation, dropout, drop-path and mixup [0]. */
  seed?: number;
  /** Evaluated after every epoch when given. */
  val?: ImageDataset;
  evalBatchSize?: number;
  /** Cap on steps per epoch (quick runs). */
  maxStepsPerEpoch?: number;
  /** Stop after this many epochs while the learning-rate schedule still spans `epochs` (early-stopped proxy training). */
  stopAfterEpochs?: number;
  /**
   * Wall-clock budget of the whole call, in seconds: `epochs` becomes a cap and the run trains as many
   * steps as fit, the last epoch possibly a partial pass over the data. The first {@link BUDGET_PROBE_STEPS}
   * steps are timed (they always warm the learning rate up linearly, so the schedule before the decision
   * does not depend on it) and {@link budgetedSteps} sets the schedule's length in steps. Epoch times drift
   * (the first steps are slower than the average, and epochs of one run differed by up to a third here), so
   * the length is planned again at the end of every epoch from the second on while another epoch is planned,
   * from the median training time and the median evaluation-and-checkpoint time of the epochs after the
   * first. A new length re-anchors the cosine where it stands (`rescheduleAnchor`): the learning rate stays
   * continuous and the rest of the decay is stretched or shrunk to the new end. Each checkpoint keeps the
   * length and anchor in force (a resumed run keeps them, and plans no more), and the result reports them.
   */
  timeBudgetSeconds?: number;
  /** Checkpoint written atomically after every epoch. */
  checkpointPath?: string;
  /** Continue from `checkpointPath` when it exists. */
  resume?: boolean;
  /**
   * Data-parallel worker threads [1]: each holds a replica on its own tfjs backend (one core each), every
   * batch is split between them and their gradients averaged. Results are deterministic for a given seed
   * and worker count but differ from a single-thread run (per-shard BatchNorm statistics, other random
   * streams). Needs a model from `buildModel` and the package's worker entry (built package or sources).
   */
  workers?: number;
  onProgress?: (event: TrainProgress) => void;
  signal?: AbortSignal;
}

/** Progress events: one per step and one per epoch. */
export type TrainProgress =
  | { type: 'step'; epoch: number; step: number; stepsPerEpoch: number; loss: number; learningRate: number }
  | { type: 'epoch'; record: EpochRecord }
  /**
   * A time budget set the schedule's length, `steps` in all (`epochs` = the epochs they start, the last one
   * partial when `steps` is not a multiple of `stepsPerEpoch`): after the timed steps (`epochSeconds`
   * null), and again whenever a re-plan at an epoch end changes it (`epochSeconds`: the median epoch time,
   * evaluation and checkpoint included, it planned with; `stepSeconds`: the median training time a step).
   */
  | { type: 'budget'; epochs: number; steps: number; stepsPerEpoch: number; stepSeconds: number; budgetSeconds: number; epochSeconds: number | null };

/** What happened in one epoch. */
export interface EpochRecord {
  epoch: number;
  trainLoss: number;
  valAccuracy: number | null;
  valLoss: number | null;
  learningRate: number;
  seconds: number;
}

/** Result of {@link trainModel}. */
export interface TrainResult {
  history: EpochRecord[];
  /** The epoch the run resumed at, or null for a fresh run. */
  resumedFromEpoch: number | null;
  steps: number;
  /** The epochs the learning-rate schedule spans: `epochs`, or the count chosen by `timeBudgetSeconds` (its last one may be partial). */
  epochs: number;
  /** The steps the learning-rate schedule spans: `epochs` x the steps of an epoch, or the length chosen by `timeBudgetSeconds`. */
  scheduledSteps: number;
}

/** Steps timed before a budgeted run fixes its epoch count. */
export const BUDGET_PROBE_STEPS = 20;

/**
 * The training steps of a budgeted run that fit in `secondsLeft`, at `stepSeconds` a step and `evalSeconds`
 * for each epoch they start (evaluation, checkpoint): whole epochs, then the steps of a partial one that fit
 * with its evaluation. At least 1, at most `cap`.
 */
export function budgetedSteps(t: { secondsLeft: number; stepSeconds: number; stepsPerEpoch: number; evalSeconds: number; cap: number }): number {
  const perEpoch = t.stepSeconds * t.stepsPerEpoch + t.evalSeconds;
  const whole = Math.max(Math.floor(t.secondsLeft / perEpoch), 0);
  const partial = Math.max(Math.floor((t.secondsLeft - whole * perEpoch - t.evalSeconds) / t.stepSeconds), 0);
  return Math.min(Math.max(whole * t.stepsPerEpoch + Math.min(partial, t.stepsPerEpoch - 1), 1), t.cap);
}

/**
 * The share of a budget that planning spends: the rest covers what epoch times do not show (the last
 * epoch's spread, the final evaluation).
 */
const BUDGET_SHARE = 0.98;

function median(values: number[]): number {
  const v = [...values].sort((a, b) => a - b);
  const m = v.length >> 1;
  return v.length % 2 === 1 ? v[m] : (v[m - 1] + v[m]) / 2;
}

const DEFAULT_LR: Record<OptimizerName, number> = { sgd: 0.05, adam: 0.002, rmsprop: 0.002 };

function fingerprint(model: NnModel, o: TrainOptions): string {
  // a budget's size is not part of the run (a resumed run has less time left; the checkpoint keeps the epochs)
  const { onProgress: _p, signal: _s, checkpointPath: _c, resume: _r, val: _v, timeBudgetSeconds, ...rest } = o;
  return JSON.stringify({ arch: model.arch, options: rest, budgeted: timeBudgetSeconds !== undefined });
}

/**
 * Train a model on an image dataset: SGD-momentum / Adam / RMSProp, cosine schedule with warm-up, weight
 * decay, label smoothing, mixup, EMA, augmentation; dropout and stochastic depth come from the model
 * (`buildModel` options). Seeded and resumable: with `checkpointPath` + `resume`, a stopped run continues
 * from its last epoch as if never stopped. A non-finite loss stops with an `NnError` (`NON_FINITE`) and
 * leaves the last good checkpoint in place.
 */
export async function trainModel(model: NnModel, train: ImageDataset, options: TrainOptions): Promise<TrainResult> {
  const api = 'fbnas.trainModel';
  const o = options;
  if (!Number.isInteger(o.epochs) || o.epochs < 1) throw new NnError('INVALID_ARGUMENT', api, `options.epochs must be a positive integer, got ${String(o.epochs)}`);
  const batchSize = o.batchSize ?? 64;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > train.count) {
    throw new NnError('INVALID_ARGUMENT', api, `options.batchSize must be an integer in [1, ${train.count}], got ${String(batchSize)}`);
  }
  if (train.height !== model.arch.inputSize || train.channels !== model.arch.inputChannels) {
    throw new NnError('SHAPE_MISMATCH', api, `dataset images are ${train.height}x${train.width}x${train.channels}, the model takes ${model.arch.inputSize}x${model.arch.inputSize}x${model.arch.inputChannels}`);
  }
  const optName = o.optimizer ?? 'sgd';
  const baseLr = o.learningRate ?? DEFAULT_LR[optName];
  for (const [key, v, lo, hi] of [['learningRate', baseLr, 0, 10], ['weightDecay', o.weightDecay ?? 0, 0, 1], ['labelSmoothing', o.labelSmoothing ?? 0, 0, 1], ['mixup', o.mixup ?? 0, 0, 100], ['ema', o.ema ?? 0, 0, 1]] as const) {
    if (!(v >= lo && v < hi)) throw new NnError('INVALID_ARGUMENT', api, `options.${key} must be in [${lo}, ${hi}), got ${String(v)}`);
  }
  const stopAfter = o.stopAfterEpochs ?? o.epochs;
  if (!Number.isInteger(stopAfter) || stopAfter < 1 || stopAfter > o.epochs) {
    throw new NnError('INVALID_ARGUMENT', api, `options.stopAfterEpochs must be an integer in [1, ${o.epochs}], got ${String(o.stopAfterEpochs)}`);
  }
  const workers = o.workers ?? 1;
  if (!Number.isInteger(workers) || workers < 1 || workers > batchSize) {
    throw new NnError('INVALID_ARGUMENT', api, `options.workers must be an integer in [1, batchSize = ${batchSize}], got ${String(o.workers)}`);
  }
  const budget = o.timeBudgetSeconds ?? null;
  if (budget !== null && !(budget > 0 && Number.isFinite(budget))) {
    throw new NnError('INVALID_ARGUMENT', api, `options.timeBudgetSeconds must be a positive number, got ${String(budget)}`);
  }
  const startedAt = performance.now();
  const stepsPerEpoch = Math.min(Math.floor(train.count / batchSize), o.maxStepsPerEpoch ?? Infinity);
  // the schedule's length in steps; a budget sets it (its last epoch may be partial)
  let totalSteps = stepsPerEpoch * o.epochs;
  const epochsOf = (steps: number) => Math.ceil(steps / stepsPerEpoch);
  let stopAt = stopAfter;
  let warmupSteps = Math.round((o.warmupEpochs ?? 0) * stepsPerEpoch);
  // a budgeted run warms up over at least the timed steps
  const probeSteps = budget === null ? 0 : Math.min(BUDGET_PROBE_STEPS, stepsPerEpoch);
  warmupSteps = Math.max(warmupSteps, probeSteps);
  const wd = o.weightDecay ?? 5e-5;
  const optimizer = createOptimizer(optName, o.optimizerOptions);
  const ema: WeightEma | null = (o.ema ?? 0) > 0 ? createWeightEma(model, o.ema ?? 0) : null;
  const rng = createRng(o.seed ?? 0);
  const print = fingerprint(model, o);
  let history: EpochRecord[] = [];
  let startEpoch = 0;
  let resumedFromEpoch: number | null = null;
  let lastGood: string | null = null;
  let resumedOptimizer: NamedWeights | null = null;
  // where a re-plan changed the schedule's length (see cosineWithWarmup)
  let anchor: ScheduleAnchor | undefined;

  if (o.resume && o.checkpointPath && existsSync(o.checkpointPath)) {
    const ck = readCheckpoint(o.checkpointPath);
    if (ck.meta.fingerprint !== print) {
      throw new NnError('CORRUPT_CHECKPOINT', api, `${o.checkpointPath} was written by a run with another architecture or options; refusing to resume from it`);
    }
    model.loadWeights(ck.groups.weights);
    resumedOptimizer = ck.groups.optimizer ?? {};
    optimizer.loadState(resumedOptimizer);
    if (ema && ck.groups.ema) ema.loadState(ck.groups.ema);
    rng.setState(ck.meta.rng as RngState);
    history = ck.meta.history as EpochRecord[];
    startEpoch = ck.meta.epoch as number;
    if (budget !== null) {
      if (!Number.isInteger(ck.meta.epochs)) throw new NnError('CORRUPT_CHECKPOINT', api, `${o.checkpointPath} does not record the epoch count of its time budget`);
      // checkpoints of earlier releases planned whole epochs only
      const planned = ck.meta.totalSteps ?? (ck.meta.epochs as number) * stepsPerEpoch;
      if (!(Number.isInteger(planned) && (planned as number) >= 1 && epochsOf(planned as number) === ck.meta.epochs)) {
        throw new NnError('CORRUPT_CHECKPOINT', api, `${o.checkpointPath} records a schedule of ${String(planned)} steps, not ${String(ck.meta.epochs)} epochs of ${stepsPerEpoch}`);
      }
      totalSteps = planned as number;
      stopAt = Math.min(stopAfter, epochsOf(totalSteps));
      const a = ck.meta.anchor as ScheduleAnchor | null | undefined;
      if (a !== null && a !== undefined && !(Number.isInteger(a.step) && a.progress >= 0 && a.progress <= 1)) {
        throw new NnError('CORRUPT_CHECKPOINT', api, `${o.checkpointPath} records a malformed schedule anchor ${JSON.stringify(a)}`);
      }
      anchor = a ?? undefined;
    }
    resumedFromEpoch = startEpoch;
    lastGood = o.checkpointPath;
  }

  const recipe: StepRecipe = { weightDecay: wd, labelSmoothing: o.labelSmoothing ?? 0, mixup: o.mixup ?? 0, augment: o.augment ?? null };
  let engine: StepEngine | null = null;
  let steps = 0;
  try {
    engine =
      workers > 1
        ? await createDataParallelEngine(model, train, rng, {
            workers, build: model.buildOptions, recipe, optimizer: optName, optimizerOptions: o.optimizerOptions ?? {},
            optimizerState: resumedOptimizer, ema: { decay: o.ema ?? 0, state: ema },
          })
        : localEngine(model, train, rng, recipe, optimizer, ema);
    let decided = budget === null || resumedFromEpoch !== null;
    let probeStart = 0;
    // re-plans of the schedule's length at epoch ends (fresh budgeted runs only)
    const replanning = !decided;
    const trainTimes: number[] = [];
    const tailTimes: number[] = [];
    // the last checkpoint write (re-plans count one per epoch)
    let checkpointSeconds = 0;
    for (let epoch = startEpoch; epoch < stopAt; epoch++) {
      const t0 = Date.now();
      const epochStart = performance.now();
      const order = epochOrder(train.count, rng);
      let lossSum = 0;
      let lr = baseLr;
      let s = 0;
      // the bound is read at every step: the probe's plan may end the first epoch early
      for (; s < Math.min(stepsPerEpoch, totalSteps - epoch * stepsPerEpoch); s++) {
        if (o.signal?.aborted) {
          throw new NnError('ABORTED', api, `stopped at epoch ${epoch} step ${s}; ${lastGood ? `resume from ${lastGood} (it restarts epoch ${epoch})` : 'no checkpoint was written yet'}`);
        }
        const globalStep = epoch * stepsPerEpoch + s;
        const stepStart = performance.now();
        lr = cosineWithWarmup(globalStep, totalSteps, baseLr, warmupSteps, o.minLearningRate ?? 0, anchor);
        const loss = await engine.step(order.subarray(s * batchSize, (s + 1) * batchSize), lr);
        if (!Number.isFinite(loss)) {
          throw new NnError('NON_FINITE', api, `the loss became ${loss} at epoch ${epoch} step ${s}; ${lastGood ? `the last good checkpoint is ${lastGood}` : 'no checkpoint was written yet'}`);
        }
        lossSum += loss;
        steps++;
        if (!decided) {
          // timed from the end of the first step (which pays one-off start-up costs) when there are several
          if (steps === 1) probeStart = performance.now();
          if (steps === probeSteps) {
            const now = performance.now();
            const stepSeconds = (probeSteps > 1 ? (now - probeStart) / (probeSteps - 1) : now - stepStart) / 1000;
            // evaluation: a forward pass costs about a third of a training step per image
            const evalSeconds = o.val ? ((o.val.count / batchSize) * stepSeconds) / 3 : 0;
            // the steps taken belong to the plan: credit their time back
            const secondsLeft = BUDGET_SHARE * (budget as number) - (now - startedAt) / 1000 + probeSteps * stepSeconds;
            totalSteps = Math.max(budgetedSteps({ secondsLeft, stepSeconds, stepsPerEpoch, evalSeconds, cap: o.epochs * stepsPerEpoch }), probeSteps);
            stopAt = Math.min(stopAfter, epochsOf(totalSteps));
            decided = true;
            o.onProgress?.({ type: 'budget', epochs: epochsOf(totalSteps), steps: totalSteps, stepsPerEpoch, stepSeconds, budgetSeconds: budget as number, epochSeconds: null });
          }
        }
        o.onProgress?.({ type: 'step', epoch, step: s, stepsPerEpoch, loss, learningRate: lr });
      }
      await engine.sync();
      const trainEnd = performance.now();
      let valAccuracy: number | null = null;
      let valLoss: number | null = null;
      if (o.val) {
        const evalFn = () => evaluateModel(model, o.val as ImageDataset, { batchSize: o.evalBatchSize });
        const r = ema ? await ema.withAveraged(evalFn) : await evalFn();
        valAccuracy = r.accuracy;
        valLoss = r.loss;
      }
      const record: EpochRecord = { epoch, trainLoss: lossSum / s, valAccuracy, valLoss, learningRate: lr, seconds: (Date.now() - t0) / 1000 };
      history.push(record);
      // epoch 0 carries the start-up costs: re-plans time the epochs after it (medians shrug off a slow one)
      if (replanning && epoch >= 1 && epoch + 1 < epochsOf(totalSteps)) {
        const now = performance.now();
        trainTimes.push((trainEnd - epochStart) / 1000);
        // evaluation now, plus a checkpoint write as long as the last one (this epoch's comes after the plan)
        tailTimes.push((now - trainEnd) / 1000 + checkpointSeconds);
        const stepSeconds = median(trainTimes) / stepsPerEpoch;
        const evalSeconds = median(tailTimes);
        const done = (epoch + 1) * stepsPerEpoch;
        const secondsLeft = BUDGET_SHARE * (budget as number) - (now - startedAt) / 1000 - checkpointSeconds;
        // with no time left for an evaluated step the run ends here, its rate not quite annealed
        const planned = secondsLeft > evalSeconds + stepSeconds ? done + budgetedSteps({ secondsLeft, stepSeconds, stepsPerEpoch, evalSeconds, cap: o.epochs * stepsPerEpoch - done }) : done;
        if (planned !== totalSteps) {
          anchor = rescheduleAnchor(done, totalSteps, warmupSteps, anchor);
          totalSteps = planned;
          stopAt = Math.min(stopAfter, epochsOf(totalSteps));
          o.onProgress?.({ type: 'budget', epochs: epochsOf(totalSteps), steps: totalSteps, stepsPerEpoch, stepSeconds, budgetSeconds: budget as number, epochSeconds: stepSeconds * stepsPerEpoch + evalSeconds });
        }
      }
      // the checkpoint carries the plan in force
      if (o.checkpointPath) {
        const writeStart = performance.now();
        writeCheckpoint(o.checkpointPath, {
          meta: { fingerprint: print, epoch: epoch + 1, epochs: epochsOf(totalSteps), totalSteps, anchor: anchor ?? null, rng: rng.getState(), history },
          groups: { weights: await model.exportWeights(), optimizer: await engine.optimizerState(), ...(ema ? { ema: await ema.exportState() } : {}) },
        });
        checkpointSeconds = (performance.now() - writeStart) / 1000;
        lastGood = o.checkpointPath;
      }
      o.onProgress?.({ type: 'epoch', record });
    }
    // Leave the model holding the weights that were evaluated.
    if (ema) {
      const averaged = await ema.exportState();
      model.loadWeights(averaged);
    }
  } finally {
    await engine?.dispose();
    optimizer.dispose();
    ema?.dispose();
  }
  return { history, resumedFromEpoch, steps, epochs: epochsOf(totalSteps), scheduledSteps: totalSteps };
}
