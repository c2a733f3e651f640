import { createRng, type Rng } from '@fbnas/search-space';
import type { NamedWeights } from '@fbnas/nn';
import { OnnxExportError } from './errors';

/** Where an emitter gets a weight by its `@fbnas/nn` name and expected shape. */
export interface WeightSource {
  get(name: string, shape: number[]): Float32Array;
  /** Whether a weight exists (optional biases). */
  has(name: string): boolean;
}

/** Trained weights from `NnModel.exportWeights()`; a missing or mis-shaped weight names the layer. */
export function namedWeightSource(weights: NamedWeights, api: string): WeightSource {
  return {
    has: (name) => name in weights,
    get(name, shape) {
      const w = weights[name];
      if (!w) throw new OnnxExportError('MISSING_WEIGHT', api, `missing weight ${name} (shape [${shape.join(', ')}])`, name);
      if (w.shape.length !== shape.length || w.shape.some((d, i) => d !== shape[i])) {
        throw new OnnxExportError('SHAPE_MISMATCH', api, `weight ${name} must have shape [${shape.join(', ')}], got [${w.shape.join(', ')}]`, name);
      }
      return w.data;
    },
  };
}

/**
 * Seeded random weights (for latency measurement): He-normal conv and fc weights, zero biases, BN with
 * gamma 1, beta 0, mean 0, variance 1.
 */
export function randomWeightSource(seed: number): WeightSource {
  const rng: Rng = createRng(seed);
  return {
    has: () => true,
    get(name, shape) {
      const size = shape.reduce((a, b) => a * b, 1);
      const out = new Float32Array(size);
      if (/\.(gamma|variance)$/.test(name)) out.fill(1);
      else if (/\.(beta|mean|bias)$/.test(name)) out.fill(0);
      else {
        const fanOut = shape.length === 4 ? shape[0] * shape[1] * shape[3] : shape[shape.length - 1];
        const std = Math.sqrt(2 / Math.max(fanOut, 1));
        for (let i = 0; i < size; i++) out[i] = rng.normal() * std;
      }
      return out;
    },
  };
}
