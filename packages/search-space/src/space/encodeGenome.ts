import { SearchSpaceError, describeValue } from '../errors';
import { validateGenome } from './validateGenome';
import type { Dimension, Genome, SearchSpace } from './types';

const width = (d: Dimension) => (d.kind === 'categorical' ? d.choices.length : 1);

/** Length of {@link encodeGenome}'s vectors: one-hot width for categorical dims, 1 per numeric dim. */
export function encodingLength(space: SearchSpace): number {
  return space.dims.reduce((acc, d) => acc + width(d), 0);
}

function toUnit(d: Dimension, v: number): number {
  if (d.kind === 'categorical') return 0;
  if (d.max === d.min) return 0;
  if (d.kind === 'float' && d.log) return (Math.log(v) - Math.log(d.min)) / (Math.log(d.max) - Math.log(d.min));
  return (v - d.min) / (d.max - d.min);
}

/**
 * Predictor / evolution features: one-hot for categorical dimensions, min-max scaled to [0, 1] for
 * numeric ones (log scale for log floats) (fbnet-family.md §3.3).
 */
export function encodeGenome(space: SearchSpace, genome: Genome): number[] {
  validateGenome(space, genome, 'fbnas.encodeGenome');
  const out: number[] = [];
  space.dims.forEach((d, i) => {
    if (d.kind === 'categorical') {
      for (let c = 0; c < d.choices.length; c++) out.push(c === genome[i] ? 1 : 0);
    } else out.push(toUnit(d, genome[i]));
  });
  return out;
}

/**
 * Inverse of {@link encodeGenome}, tolerant of predictor outputs: argmax for one-hot blocks, nearest grid
 * value (clamped) for integers, clamp for floats.
 */
export function decodeEncoding(space: SearchSpace, vector: ArrayLike<number>): Genome {
  const api = 'fbnas.decodeEncoding';
  const n = encodingLength(space);
  if (vector.length !== n) throw new SearchSpaceError('INVALID_ARGUMENT', api, `vector must have ${n} entries for space ${space.name}, got ${vector.length}`);
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(vector[i])) throw new SearchSpaceError('INVALID_ARGUMENT', api, `vector[${i}] must be finite, got ${describeValue(vector[i])}`, `vector[${i}]`);
  }
  let offset = 0;
  return space.dims.map((d) => {
    if (d.kind === 'categorical') {
      let best = 0;
      for (let c = 1; c < d.choices.length; c++) if (vector[offset + c] > vector[offset + best]) best = c;
      offset += d.choices.length;
      return best;
    }
    const u = Math.min(Math.max(vector[offset++], 0), 1);
    if (d.kind === 'int') {
      const steps = Math.floor((d.max - d.min) / d.step);
      return d.min + d.step * Math.min(steps, Math.round((u * (d.max - d.min)) / d.step));
    }
    if (d.log) return Math.min(d.max, Math.max(d.min, Math.exp(Math.log(d.min) + u * (Math.log(d.max) - Math.log(d.min)))));
    return Math.min(d.max, Math.max(d.min, d.min + u * (d.max - d.min)));
  });
}
