import { SearchSpaceError, describeValue } from '../errors';
import type { Rng } from '../rng/createRng';
import { validateGenome } from './validateGenome';
import type { Genome, SearchSpace } from './types';

/**
 * Uniform crossover: each gene from either parent with probability 1/2 (`bias` for the first parent).
 * The child is always valid because each gene is a valid gene of its dimension.
 */
export function crossoverGenomes(space: SearchSpace, a: Genome, b: Genome, rng: Rng, options: { bias?: number } = {}): Genome {
  const api = 'fbnas.crossoverGenomes';
  validateGenome(space, a, api);
  validateGenome(space, b, api);
  const bias = options.bias ?? 0.5;
  if (!(bias >= 0 && bias <= 1)) throw new SearchSpaceError('INVALID_ARGUMENT', api, `options.bias must be in [0, 1], got ${describeValue(bias)}`);
  return a.map((gene, i) => (rng.next() < bias ? gene : b[i]));
}
