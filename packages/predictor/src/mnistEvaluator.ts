import type { ArchSpace, Genome } from '@fbnas/search-space';
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
    const stop = new AbortController();
    const onAbort = () => stop.abort();
    request.signal?.addEventListener('abort', onAbort);
    let last = Number.NaN;
    try {
      await trainModel(model, data.train, {
        optimizer: 'sgd', learningRate: 0.1, batchSize: 64, labelSmoothing: 0.1, warmupEpochs: 0.2,
        ...options.train,
        epochs: request.scheduleEpochs,
        val: data.val,
        seed: options.seed ?? 0,
        signal: stop.signal,
        onProgress: (e) => {
          if (e.type !== 'epoch') return;
          last = e.record.valAccuracy ?? Number.NaN;
          request.onEpoch(e.record.epoch, last);
          if (e.record.epoch + 1 >= request.epochs) stop.abort();
        },
      });
    } catch (err) {
      // the early stop above ends training with ABORTED; a user's abort is passed on
      if (!(isNnError(err) && err.code === 'ABORTED') || request.signal?.aborted) throw err;
    } finally {
      request.signal?.removeEventListener('abort', onAbort);
      model.dispose();
    }
    if (!Number.isFinite(last)) throw new PredictorError('NON_FINITE', 'fbnas.mnistEvaluator', `no validation accuracy was recorded for [${genome.join(', ')}]`);
    return last;
  };
}
