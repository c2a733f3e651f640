import { SearchSpaceError } from '../errors';
import { dimensionSize } from './validateGenome';
import type { Dimension, Genome, SearchSpace } from './types';

/** Map u in [0, 1) to a gene: floor(u * |choices|) for discrete dimensions (fbnet-family.md §5.7). */
export function unitToGene(dim: Dimension, u: number): number {
  const v = Math.min(Math.max(u, 0), 1 - Number.EPSILON);
  switch (dim.kind) {
    case 'categorical':
      return Math.floor(v * dim.choices.length);
    case 'int':
      return dim.min + dim.step * Math.floor(v * dimensionSize(dim));
    case 'float':
      return dim.log ? Math.exp(Math.log(dim.min) + v * (Math.log(dim.max) - Math.log(dim.min))) : dim.min + v * (dim.max - dim.min);
  }
}

/** Map a point of the unit cube to a genome of the space. */
export function unitToGenome(space: SearchSpace, point: ArrayLike<number>): Genome {
  if (point.length !== space.dims.length) {
    throw new SearchSpaceError('INVALID_ARGUMENT', 'fbnas.unitToGenome', `point must have ${space.dims.length} coordinates, got ${point.length}`);
  }
  return space.dims.map((d, i) => unitToGene(d, point[i]));
}
