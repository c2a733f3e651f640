import { createAccuracyPredictor, loadPredictor, type AccuracyPredictor, type PredictorConfig, type PredictorFitOptions, type PredictorJson, type PredictorTrainOptions } from './accuracyPredictor';
import { PredictorError } from './errors';

/** A saved ensemble (`toJSON` / `loadPredictorEnsemble`). */
export interface PredictorEnsembleJson {
  format: 'fbnas.predictor-ensemble/v1';
  members: PredictorJson[];
}

/**
 * Several accuracy predictors that differ only in their seed (initialisation, dropout masks, batch order), trained
 * on the same data: the mean of their predictions is the estimate and their spread the uncertainty (a deep
 * ensemble). Same interface as one predictor, plus `predictWithUncertainty`.
 */
export class PredictorEnsemble {
  constructor(readonly members: AccuracyPredictor[]) {
    if (members.length === 0) throw new PredictorError('EMPTY', 'fbnas.PredictorEnsemble', 'an ensemble needs at least one member');
  }

  /** Pretrain every member on the free statistics (see `AccuracyPredictor.pretrain`). */
  async pretrain(x: number[][], proxies: number[][], options: PredictorTrainOptions & { epochs?: number } = {}): Promise<void> {
    for (const m of this.members) await m.pretrain(x, proxies, options);
  }

  /** Fit every member on the accuracy labels (see `AccuracyPredictor.fit`). */
  async fit(x: number[][], accuracy: number[], options: PredictorFitOptions = {}): Promise<void> {
    for (const m of this.members) await m.fit(x, accuracy, options);
  }

  /** The members' mean prediction per architecture. */
  predict(x: number[][], recipes?: number[][]): number[] {
    return this.predictWithUncertainty(x, recipes).mean;
  }

  /** Mean and standard deviation (across members) of the predicted accuracy per architecture. */
  predictWithUncertainty(x: number[][], recipes?: number[][]): { mean: number[]; std: number[] } {
    const all = this.members.map((m) => m.predict(x, recipes));
    const k = all.length;
    const mean = all[0].map((_, i) => all.reduce((s, p) => s + p[i], 0) / k);
    const std = mean.map((mu, i) => Math.sqrt(all.reduce((s, p) => s + (p[i] - mu) ** 2, 0) / k));
    return { mean, std };
  }

  toJSON(): PredictorEnsembleJson {
    return { format: 'fbnas.predictor-ensemble/v1', members: this.members.map((m) => m.toJSON()) };
  }

  dispose(): void {
    for (const m of this.members) m.dispose();
  }
}

/** An ensemble of `size` predictors with seeds `config.seed`, `config.seed + 1`, ... [size 5]. */
export function createPredictorEnsemble(config: PredictorConfig, size = 5): PredictorEnsemble {
  if (!Number.isInteger(size) || size < 1) throw new PredictorError('INVALID_ARGUMENT', 'fbnas.createPredictorEnsemble', `size must be a positive integer, got ${String(size)}`);
  return new PredictorEnsemble(Array.from({ length: size }, (_, i) => createAccuracyPredictor({ ...config, seed: (config.seed ?? 0) + i })));
}

/** Restore an ensemble saved with `toJSON()`; typed errors for corrupt files (naming the member). */
export function loadPredictorEnsemble(input: PredictorEnsembleJson | string): PredictorEnsemble {
  const api = 'fbnas.loadPredictorEnsemble';
  let json: PredictorEnsembleJson;
  try {
    json = typeof input === 'string' ? (JSON.parse(input) as PredictorEnsembleJson) : input;
  } catch (err) {
    throw new PredictorError('CORRUPT_MODEL', api, `not valid JSON: ${(err as Error).message}`);
  }
  if (!json || json.format !== 'fbnas.predictor-ensemble/v1' || !Array.isArray(json.members) || json.members.length === 0) {
    throw new PredictorError('CORRUPT_MODEL', api, `format must be "fbnas.predictor-ensemble/v1" with at least one member, got ${JSON.stringify(json?.format)}`);
  }
  const members: AccuracyPredictor[] = [];
  try {
    json.members.forEach((m, i) => {
      try {
        members.push(loadPredictor(m));
      } catch (err) {
        throw new PredictorError('CORRUPT_MODEL', api, `member ${i}: ${(err as Error).message}`);
      }
    });
  } catch (err) {
    for (const m of members) m.dispose();
    throw err;
  }
  return new PredictorEnsemble(members);
}
