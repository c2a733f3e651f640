import { SearchSpaceError, describeValue } from '../errors';
import type { Rng } from '../rng/createRng';
import { dimensionSize, validateGenome } from './validateGenome';
import type { Dimension, Genome, SearchSpace } from './types';

/** Options of {@link mutateGenome}. */
export interface MutateOptions {
  /** Probability that each gene mutates (default 1 / number of genes). */
  rate?: number;
  /** Mutate at least one gene (default true), so a child differs from its parent when the space allows. */
  atLeastOne?: boolean;
}

function mutateGene(d: Dimension, gene: number, rng: Rng): number {
  const size = dimensionSize(d);
  if (d.kind === 'categorical') {
    if (size < 2) return gene;
    const other = rng.int(size - 1);
    return other >= gene ? other + 1 : other;
  }
  if (d.kind === 'int') {
    if (size < 2) return gene;
    const index = (gene - d.min) / d.step;
    // Half the time a neighbouring grid value, otherwise any other value.
    let next: number;
    if (rng.next() < 0.5) next = index === 0 ? 1 : index === size - 1 ? size - 2 : index + (rng.next() < 0.5 ? -1 : 1);
    else {
      const other = rng.int(size - 1);
      next = other >= index ? other + 1 : other;
    }
    return d.min + d.step * next;
  }
  if (d.max === d.min) return gene;
  // Gaussian step of 10% of the range (in log space for log dims), reflected at the bounds so a gene
  // sitting on a bound still moves; a step that lands on the same value falls back to a fresh draw.
  const lo = d.log ? Math.log(d.min) : d.min;
  const hi = d.log ? Math.log(d.max) : d.max;
  const x = d.log ? Math.log(gene) : gene;
  let y = x + 0.1 * (hi - lo) * rng.normal();
  if (y < lo) y = 2 * lo - y;
  if (y > hi) y = 2 * hi - y;
  y = Math.min(hi, Math.max(lo, y));
  let next = d.log ? Math.exp(y) : y;
  next = Math.min(d.max, Math.max(d.min, next));
  return next === gene ? Math.min(d.max, Math.max(d.min, d.log ? Math.exp(lo + rng.next() * (hi - lo)) : lo + rng.next() * (hi - lo))) : next;
}

/** Indices of the dimensions with more than one value, per space (spaces are immutable). */
const mutableDims = new WeakMap<SearchSpace, number[]>();
function mutableIndices(space: SearchSpace): number[] {
  let m = mutableDims.get(space);
  if (!m) {
    m = space.dims.map((_, i) => i).filter((i) => dimensionSize(space.dims[i]) > 1);
    mutableDims.set(space, m);
  }
  return m;
}

/**
 * A mutated copy of a genome; every gene stays inside its dimension.
 * @example
 * import { createRng, fbnetCifarSpace, mutateGenome, sampleUniform } from '@fbnas/search-space';
 * const space = fbnetCifarSpace();
 * const rng = createRng(1);
 * const child = mutateGenome(space, sampleUniform(space, 1, rng)[0], rng);
 */
export function mutateGenome(space: SearchSpace, genome: Genome, rng: Rng, options: MutateOptions = {}): Genome {
  const api = 'fbnas.mutateGenome';
  validateGenome(space, genome, api);
  const rate = options.rate ?? 1 / Math.max(space.dims.length, 1);
  if (!(rate >= 0 && rate <= 1)) throw new SearchSpaceError('INVALID_ARGUMENT', api, `options.rate must be in [0, 1], got ${describeValue(rate)}`);
  const child = genome.slice();
  let changed = false;
  space.dims.forEach((d, i) => {
    if (rng.next() < rate) {
      child[i] = mutateGene(d, child[i], rng);
      changed ||= child[i] !== genome[i];
    }
  });
  if (!changed && (options.atLeastOne ?? true)) {
    const mutable = mutableIndices(space);
    // A float draw can (rarely) land on the parent's value again: retry a few times.
    for (let attempt = 0; mutable.length > 0 && attempt < 16; attempt++) {
      const i = mutable[rng.int(mutable.length)];
      child[i] = mutateGene(space.dims[i], genome[i], rng);
      if (child[i] !== genome[i]) break;
    }
  }
  return child;
}
