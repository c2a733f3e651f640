import { SearchSpaceError, describeValue } from '../errors';
import type { Rng } from '../rng/createRng';
import { dimensionSize } from './validateGenome';
import { unitToGene } from './unitToGenome';
import type { Genome, GenomeConstraint, SearchSpace } from './types';

/** Options of {@link sampleUniform}. */
export interface SampleOptions {
  /** Keep only genomes that satisfy this predicate. */
  constraint?: GenomeConstraint;
  /** Give up after this many rejected draws in total (default 1000 x count). */
  maxTries?: number;
}

/** One uniform random genome. */
export function sampleGenome(space: SearchSpace, rng: Rng): Genome {
  return space.dims.map((d) => (d.kind === 'float' ? unitToGene(d, rng.next()) : unitToGene(d, rng.int(dimensionSize(d)) / dimensionSize(d))));
}

/**
 * `count` seeded uniform samples that satisfy the constraint (rejection sampling).
 * @example
 * import { createRng, fbnetCifarSpace, sampleUniform } from '@fbnas/search-space';
 * const genomes = sampleUniform(fbnetCifarSpace(), 5, createRng(0));
 */
export function sampleUniform(space: SearchSpace, count: number, rng: Rng, options: SampleOptions = {}): Genome[] {
  const api = 'fbnas.sampleUniform';
  if (!Number.isInteger(count) || count < 0) throw new SearchSpaceError('INVALID_ARGUMENT', api, `count must be a non-negative integer, got ${describeValue(count)}`);
  const maxTries = options.maxTries ?? 1000 * Math.max(count, 1);
  const out: Genome[] = [];
  let tries = 0;
  while (out.length < count) {
    if (tries++ >= maxTries) {
      throw new SearchSpaceError('OUT_OF_SPACE', api, `found only ${out.length} of ${count} samples satisfying the constraint in ${maxTries} draws`);
    }
    const g = sampleGenome(space, rng);
    if (!options.constraint || options.constraint(g)) out.push(g);
  }
  return out;
}
