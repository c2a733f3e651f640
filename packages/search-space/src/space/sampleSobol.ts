import { SearchSpaceError, describeValue } from '../errors';
import type { Rng } from '../rng/createRng';
import { createSobol } from './sobol';
import { unitToGenome } from './unitToGenome';
import type { Genome, GenomeConstraint, SearchSpace } from './types';

/** Options of {@link sampleSobol}. */
export interface SobolSampleOptions {
  /** Keep only genomes that satisfy this predicate; rejected points are skipped. */
  constraint?: GenomeConstraint;
  /** Random digital shift from this generator (a scrambled but still balanced sequence). */
  rng?: Rng;
  /** Give up after this many points in total (default 1000 x count). */
  maxPoints?: number;
}

/**
 * `count` quasi-random genomes: Sobol points mapped to choices with floor(u * |choices|)
 * (FBNetV3's candidate pool, fbnet-family.md §3.4).
 * @example
 * import { fbnetV3Space, sampleSobol } from '@fbnas/search-space';
 * const pool = sampleSobol(fbnetV3Space(), 64);
 */
export function sampleSobol(space: SearchSpace, count: number, options: SobolSampleOptions = {}): Genome[] {
  const api = 'fbnas.sampleSobol';
  if (!Number.isInteger(count) || count < 0) throw new SearchSpaceError('INVALID_ARGUMENT', api, `count must be a non-negative integer, got ${describeValue(count)}`);
  const { rng } = options;
  const shift = rng ? space.dims.map(() => rng.nextUint32()) : undefined;
  const sobol = createSobol(space.dims.length, shift ? { shift } : {});
  const maxPoints = options.maxPoints ?? 1000 * Math.max(count, 1);
  const out: Genome[] = [];
  while (out.length < count) {
    if (sobol.index >= maxPoints) {
      throw new SearchSpaceError('OUT_OF_SPACE', api, `found only ${out.length} of ${count} samples satisfying the constraint in ${maxPoints} points`);
    }
    const g = unitToGenome(space, sobol.next());
    if (!options.constraint || options.constraint(g)) out.push(g);
  }
  return out;
}
