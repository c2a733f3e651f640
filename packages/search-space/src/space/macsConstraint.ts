import { SearchSpaceError, describeValue } from '../errors';
import { archStats } from '../stats/archStats';
import type { ArchSpace, GenomeConstraint } from './types';

/** A constraint that keeps genomes whose architecture's multiply-adds lie in [min, max]. */
export function macsConstraint(space: ArchSpace, range: { min?: number; max?: number }): GenomeConstraint {
  const min = range.min ?? 0;
  const max = range.max ?? Infinity;
  if (!(min >= 0) || !(max >= min)) {
    throw new SearchSpaceError('INVALID_ARGUMENT', 'fbnas.macsConstraint', `range must satisfy 0 <= min <= max, got min ${describeValue(range.min)}, max ${describeValue(range.max)}`);
  }
  return (genome) => {
    const macs = archStats(space.toArch(genome)).macs;
    return macs >= min && macs <= max;
  };
}
