import { SearchSpaceError, describeValue } from '../errors';
import type { Dimension, Genome, SearchSpace } from './types';

/** Why a gene is outside its dimension, or null when it is inside. */
export function geneProblem(dim: Dimension, gene: unknown): string | null {
  if (typeof gene !== 'number' || !Number.isFinite(gene)) return `must be a finite number, got ${describeValue(gene)}`;
  switch (dim.kind) {
    case 'categorical':
      return Number.isInteger(gene) && gene >= 0 && gene < dim.choices.length
        ? null
        : `must be a choice index in [0, ${dim.choices.length - 1}], got ${gene}`;
    case 'int':
      return Number.isInteger(gene) && gene >= dim.min && gene <= dim.max && (gene - dim.min) % dim.step === 0
        ? null
        : `must be an integer in [${dim.min}, ${dim.max}] with step ${dim.step}, got ${gene}`;
    case 'float':
      return gene >= dim.min && gene <= dim.max ? null : `must be in [${dim.min}, ${dim.max}], got ${gene}`;
  }
}

/** Whether a value is a genome of the space. */
export function isValidGenome(space: SearchSpace, genome: unknown): genome is Genome {
  return Array.isArray(genome) && genome.length === space.dims.length && space.dims.every((d, i) => geneProblem(d, genome[i]) === null);
}

/** Throws a `SearchSpaceError` (code `OUT_OF_SPACE`) naming the first bad gene; returns the genome. */
export function validateGenome(space: SearchSpace, genome: unknown, api = 'fbnas.validateGenome'): Genome {
  if (!Array.isArray(genome)) {
    throw new SearchSpaceError('OUT_OF_SPACE', api, `genome must be an array of ${space.dims.length} numbers, got ${describeValue(genome)}`);
  }
  if (genome.length !== space.dims.length) {
    throw new SearchSpaceError('OUT_OF_SPACE', api, `genome must have ${space.dims.length} genes for space ${space.name}, got ${genome.length}`);
  }
  space.dims.forEach((dim, i) => {
    const problem = geneProblem(dim, genome[i]);
    if (problem) throw new SearchSpaceError('OUT_OF_SPACE', api, `genome[${i}] (${dim.name}) ${problem}`, `genome[${i}]`);
  });
  return genome as Genome;
}

/** Named values of a genome: categorical indices become their choices. */
export function genomeValues(space: SearchSpace, genome: Genome): Record<string, string | number | boolean> {
  validateGenome(space, genome, 'fbnas.genomeValues');
  return Object.fromEntries(space.dims.map((d, i) => [d.name, d.kind === 'categorical' ? d.choices[genome[i]] : genome[i]]));
}

/** Number of values of a dimension (Infinity for floats). */
export function dimensionSize(dim: Dimension): number {
  if (dim.kind === 'categorical') return dim.choices.length;
  if (dim.kind === 'int') return Math.floor((dim.max - dim.min) / dim.step) + 1;
  return Infinity;
}

/** log10 of the number of points of a space (Infinity when it has float dimensions). */
export function spaceSizeLog10(space: SearchSpace): number {
  return space.dims.reduce((acc, d) => acc + Math.log10(dimensionSize(d)), 0);
}
