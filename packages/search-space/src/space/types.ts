import type { Arch } from '../arch/types';

/** A choice among listed values; the genome stores the index. */
export interface CategoricalDimension {
  kind: 'categorical';
  name: string;
  choices: readonly (string | number | boolean)[];
}

/** An integer in [min, max] on a grid of `step` from `min`; the genome stores the value. */
export interface IntDimension {
  kind: 'int';
  name: string;
  min: number;
  max: number;
  step: number;
}

/** A real number in [min, max], optionally log-uniform; the genome stores the value. */
export interface FloatDimension {
  kind: 'float';
  name: string;
  min: number;
  max: number;
  log: boolean;
}

/** One searchable dimension. */
export type Dimension = CategoricalDimension | IntDimension | FloatDimension;

/**
 * A point of a space: one number per dimension (the choice index for categorical dimensions, the
 * value itself for numeric ones).
 */
export type Genome = number[];

/** A generic space of categorical / integer / float choices. */
export interface SearchSpace {
  name: string;
  dims: readonly Dimension[];
}

/** A space whose points are network architectures. */
export interface ArchSpace extends SearchSpace {
  /** The architecture of a genome. */
  toArch(genome: Genome): Arch;
}

/** A predicate over genomes (e.g. a multiply-add range). */
export type GenomeConstraint = (genome: Genome) => boolean;
