import type { ArchSpace, Genome } from '@fbnas/search-space';
import { buildModel, loadMnistFamily, trainModel, type ImageDataset, type MnistFamilyName, type TrainOptions } from '@fbnas/nn';
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
  /** Training recipe (`trainModel` options) [SGD 0.1, batch 64, label smoothing 0.1]. */
  train?: Partial<Omit<TrainOptions, 'epochs' | 'val' | 'signal' | 'onProgress' | 'seed'>>;
}

/**
 * The built-in evaluator of `constrainedIterativeOptimization`: trains an architecture of a 28x28 space on
 * Fashion-MNIST or MNIST with `@fbnas/nn` and reports the validation accuracy after every epoch (the test split is
 * never touched). The learning-rate schedule spans `scheduleEpochs`; training stops after `epochs`.
 */
export function mnistEvaluator(space: ArchSpace, options: MnistEvaluatorOptions = {}): CioEvaluator {
  let data: { train: ImageDataset; val: ImageDataset } | null = null;
  return async (genome: Genome, request) => {
    data ??= loadMnistFamily(options.dataset ?? 'fashion-mnist', { seed: options.seed ?? 0, limitPerClass: options.limitPerClass });
    const model = buildModel(space.toArch(genome), { seed: options.seed ?? 0 });
    let last = Number.NaN;
    try {
      await trainModel(model, data.train, {
        optimizer: 'sgd', learningRate: 0.1, batchSize: 64, labelSmoothing: 0.1, warmupEpochs: 0.2,
        ...options.train,
        epochs: request.scheduleEpochs,
        stopAfterEpochs: request.epochs,
        val: data.val,
        seed: options.seed ?? 0,
        signal: request.signal,
        onProgress: (e) => {
          if (e.type !== 'epoch') return;
          last = e.record.valAccuracy ?? Number.NaN;
          request.onEpoch(e.record.epoch, last);
        },
      });
    } finally {
      model.dispose();
    }
    if (!Number.isFinite(last)) throw new PredictorError('NON_FINITE', 'fbnas.mnistEvaluator', `no validation accuracy was recorded for [${genome.join(', ')}]`);
    return last;
  };
}
