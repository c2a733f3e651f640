import type { ArchSpace, Genome, TrainingRecipe } from '@fbnas/search-space';
import { buildModel, isNnError, loadMnistFamily, trainModel, type ImageDataset, type MnistFamilyName, type TrainOptions } from '@fbnas/nn';
import type { CioEvaluator } from './constrainedIterativeOptimization';
import { PredictorError } from './errors';

/** Options of {@link mnistEvaluator}; defaults in brackets. */
export interface MnistEvaluatorOptions {
  /** ['fashion-mnist'] */
  dataset?: MnistFamilyName;
  /** Seed of the split, the weights and the batches [0]. */
  seed?: number;
  /** Images per class kept (quick runs) [all]. */
  limitPerClass?: number;
  /** Training recipe (`trainModel` options) [SGD 0.1, batch 64, label smoothing 0.1]; a joint space's recipe genes override it. */
  train?: Partial<Omit<TrainOptions, 'epochs' | 'val' | 'signal' | 'onProgress' | 'seed'>>;
  /** Your own splits instead of the dataset's (the evaluator reports accuracy on `val`). */
  data?: { train: ImageDataset; val: ImageDataset };
  /** EMA decay used when a recipe turns EMA on [0.99] (short trainings need a short average). */
  emaDecay?: number;
}

/** The `trainModel` and `buildModel` settings of a searched training recipe (FBNetV3's joint space). */
export function recipeSettings(recipe: TrainingRecipe, emaDecay = 0.99): { train: Partial<TrainOptions>; build: { dropout: number; stochasticDepth: number } } {
  return {
    train: { optimizer: recipe.optimizer, learningRate: recipe.learningRate, weightDecay: recipe.weightDecay, mixup: recipe.mixup, ema: recipe.ema ? emaDecay : 0 },
    build: { dropout: recipe.dropout, stochasticDepth: recipe.stochasticDepth },
  };
}

/**
 * The built-in evaluator of `constrainedIterativeOptimization`: trains an architecture of a 28x28 space on
 * Fashion-MNIST or MNIST with `@fbnas/nn` and reports the validation accuracy after every epoch (the test split is
 * never touched). The learning-rate schedule spans `scheduleEpochs`; training stops after `epochs`. With a joint
 * architecture + recipe space (`jointSpace`), each candidate trains with its own recipe (optimizer, learning rate,
 * weight decay, mixup, EMA, dropout, stochastic depth); a recipe whose loss diverges scores chance accuracy for
 * the remaining epochs (it is a bad recipe, not a failed run).
 */
export function mnistEvaluator(space: ArchSpace & { toRecipe?: (genome: Genome) => TrainingRecipe }, options: MnistEvaluatorOptions = {}): CioEvaluator {
  let data: { train: ImageDataset; val: ImageDataset } | null = options.data ?? null;
  return async (genome: Genome, request) => {
    data ??= loadMnistFamily(options.dataset ?? 'fashion-mnist', { seed: options.seed ?? 0, limitPerClass: options.limitPerClass });
    const recipe = space.toRecipe ? recipeSettings(space.toRecipe(genome), options.emaDecay) : null;
    const model = buildModel(space.toArch(genome), { seed: options.seed ?? 0, ...recipe?.build });
    let last = Number.NaN;
    let epochsDone = 0;
    try {
      await trainModel(model, data.train, {
        optimizer: 'sgd', learningRate: 0.1, batchSize: 64, labelSmoothing: 0.1, warmupEpochs: 0.2,
        ...options.train,
        ...recipe?.train,
        epochs: request.scheduleEpochs,
        stopAfterEpochs: request.epochs,
        val: data.val,
        seed: options.seed ?? 0,
        signal: request.signal,
        onProgress: (e) => {
          if (e.type !== 'epoch') return;
          last = e.record.valAccuracy ?? Number.NaN;
          epochsDone = e.record.epoch;
          request.onEpoch(e.record.epoch, last);
        },
      });
    } catch (err) {
      if (!(recipe && isNnError(err) && err.code === 'NON_FINITE')) throw err;
      last = 1 / data.val.numClasses;
      for (let e = epochsDone + 1; e <= request.epochs; e++) request.onEpoch(e, last);
    } finally {
      model.dispose();
    }
    if (!Number.isFinite(last)) throw new PredictorError('NON_FINITE', 'fbnas.mnistEvaluator', `no validation accuracy was recorded for [${genome.join(', ')}]`);
    return last;
  };
}
