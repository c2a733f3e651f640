import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { createRng, type RngState } from '@fbnas/search-space';
import { epochOrder, makeBatch, type AugmentOptions } from '../data/batches';
import type { ImageDataset } from '../data/dataset';
import { NnError } from '../errors';
import type { NnModel } from '../model/buildModel';
import { readCheckpoint, writeCheckpoint } from './checkpointFile';
import { evaluateModel } from './evaluateModel';
import { cosineWithWarmup } from './learningRateSchedule';
import { createOptimizer, type OptimizerName, type OptimizerOptions } from './optimizer';
import { sampleBeta } from './sampleBeta';
import { softCrossEntropy, softTargets } from './softTargetLoss';
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
  /** Checkpoint written atomically after every epoch. */
  checkpointPath?: string;
  /** Continue from `checkpointPath` when it exists. */
  resume?: boolean;
  onProgress?: (event: TrainProgress) => void;
  signal?: AbortSignal;
}

/** Progress events: one per step and one per epoch. */
export type TrainProgress =
  | { type: 'step'; epoch: number; step: number; stepsPerEpoch: number; loss: number; learningRate: number }
  | { type: 'epoch'; record: EpochRecord };

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
}

const DEFAULT_LR: Record<OptimizerName, number> = { sgd: 0.05, adam: 0.002, rmsprop: 0.002 };

function fingerprint(model: NnModel, o: TrainOptions): string {
  const { onProgress: _p, signal: _s, checkpointPath: _c, resume: _r, val: _v, ...rest } = o;
  return JSON.stringify({ arch: model.arch, options: rest });
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
  const stepsPerEpoch = Math.min(Math.floor(train.count / batchSize), o.maxStepsPerEpoch ?? Infinity);
  const totalSteps = stepsPerEpoch * o.epochs;
  const warmupSteps = Math.round((o.warmupEpochs ?? 0) * stepsPerEpoch);
  const wd = o.weightDecay ?? 5e-5;
  const optimizer = createOptimizer(optName, o.optimizerOptions);
  const ema: WeightEma | null = (o.ema ?? 0) > 0 ? createWeightEma(model, o.ema ?? 0) : null;
  const vars = model.trainableVariables();
  const decayed = vars.map((v) => v.rank >= 2);
  const rng = createRng(o.seed ?? 0);
  const print = fingerprint(model, o);
  let history: EpochRecord[] = [];
  let startEpoch = 0;
  let resumedFromEpoch: number | null = null;
  let lastGood: string | null = null;

  if (o.resume && o.checkpointPath && existsSync(o.checkpointPath)) {
    const ck = readCheckpoint(o.checkpointPath);
    if (ck.meta.fingerprint !== print) {
      throw new NnError('CORRUPT_CHECKPOINT', api, `${o.checkpointPath} was written by a run with another architecture or options; refusing to resume from it`);
    }
    model.loadWeights(ck.groups.weights);
    optimizer.loadState(ck.groups.optimizer ?? {});
    if (ema && ck.groups.ema) ema.loadState(ck.groups.ema);
    rng.setState(ck.meta.rng as RngState);
    history = ck.meta.history as EpochRecord[];
    startEpoch = ck.meta.epoch as number;
    resumedFromEpoch = startEpoch;
    lastGood = o.checkpointPath;
  }

  let steps = 0;
  try {
    for (let epoch = startEpoch; epoch < stopAfter; epoch++) {
      const t0 = Date.now();
      const order = epochOrder(train.count, rng);
      let lossSum = 0;
      let lr = baseLr;
      for (let s = 0; s < stepsPerEpoch; s++) {
        if (o.signal?.aborted) {
          throw new NnError('ABORTED', api, `stopped at epoch ${epoch} step ${s}; ${lastGood ? `resume from ${lastGood} (it restarts epoch ${epoch})` : 'no checkpoint was written yet'}`);
        }
        const globalStep = epoch * stepsPerEpoch + s;
        lr = cosineWithWarmup(globalStep, totalSteps, baseLr, warmupSteps, o.minLearningRate ?? 0);
        const batch = makeBatch(train, order.subarray(s * batchSize, (s + 1) * batchSize), o.augment ?? null, rng);
        const mix = (o.mixup ?? 0) > 0 ? { lambda: sampleBeta(o.mixup ?? 0, o.mixup ?? 0, rng), perm: epochOrder(batch.labels.length, rng) } : null;
        const { value, grads } = tf.variableGrads(
          () =>
            tf.tidy(() => {
              let x = batch.x;
              if (mix) x = tf.add(tf.mul(x, mix.lambda), tf.mul(tf.gather(x, tf.tensor1d(mix.perm, 'int32')), 1 - mix.lambda));
              const logits = model.forward(x, { training: true, rng });
              return softCrossEntropy(logits, softTargets(batch.labels, train.numClasses, o.labelSmoothing ?? 0, mix));
            }),
          vars,
        );
        const loss = (await value.data())[0];
        if (!Number.isFinite(loss)) {
          tf.dispose([value, batch.x, ...Object.values(grads)]);
          model.discardBnUpdates();
          throw new NnError('NON_FINITE', api, `the loss became ${loss} at epoch ${epoch} step ${s}; ${lastGood ? `the last good checkpoint is ${lastGood}` : 'no checkpoint was written yet'}`);
        }
        const g = vars.map((v, i) => {
          const gi = grads[v.name];
          return decayed[i] && wd > 0 ? tf.tidy(() => tf.add(gi, tf.mul(v, wd))) : gi;
        });
        optimizer.step(vars, g, lr);
        model.commitBnUpdates();
        ema?.update();
        tf.dispose([value, batch.x, ...Object.values(grads), ...g]);
        lossSum += loss;
        steps++;
        o.onProgress?.({ type: 'step', epoch, step: s, stepsPerEpoch, loss, learningRate: lr });
      }
      let valAccuracy: number | null = null;
      let valLoss: number | null = null;
      if (o.val) {
        const evalFn = () => evaluateModel(model, o.val as ImageDataset, { batchSize: o.evalBatchSize });
        const r = ema ? await ema.withAveraged(evalFn) : await evalFn();
        valAccuracy = r.accuracy;
        valLoss = r.loss;
      }
      const record: EpochRecord = { epoch, trainLoss: lossSum / stepsPerEpoch, valAccuracy, valLoss, learningRate: lr, seconds: (Date.now() - t0) / 1000 };
      history.push(record);
      if (o.checkpointPath) {
        writeCheckpoint(o.checkpointPath, {
          meta: { fingerprint: print, epoch: epoch + 1, rng: rng.getState(), history },
          groups: { weights: await model.exportWeights(), optimizer: await optimizer.exportState(), ...(ema ? { ema: await ema.exportState() } : {}) },
        });
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
    optimizer.dispose();
    ema?.dispose();
  }
  return { history, resumedFromEpoch, steps };
}
