import { validateGenome, type Genome, type SearchSpace } from '@fbnas/search-space';
import { EvolutionError } from './errors';

/**
 * A fitness (or objective, or constraint quantity) always requested in batches, so a predictor scores a
 * whole generation in one call: sync or async, one finite number per genome.
 */
export type BatchFitness = (genomes: Genome[]) => number[] | Promise<number[]>;

/** A constraint as a range on a batched quantity (latency, multiply-adds, params, ...). */
export interface RangeConstraint {
  name: string;
  evaluate: BatchFitness;
  min?: number;
  max?: number;
}

/** When to stop; every given criterion applies (the first one reached stops). */
export interface StopCriteria {
  /** Distinct genomes evaluated by the (expensive) fitness. */
  maxEvaluations?: number;
  maxGenerations?: number;
  /** Wall-clock budget in ms. */
  timeLimitMs?: number;
}

/** One evaluated genome of a run, in evaluation order. */
export interface EvaluationRecord {
  genome: Genome;
  fitness: number;
  /** 0-based order of evaluation (distinct genomes only). */
  index: number;
  generation: number;
}

const smallInt = (v: number) => Number.isInteger(v) && v >= 0 && v < 0xd800;

/** A Map key of a genome: one UTF-16 unit per small integer gene (the common categorical case), else the joined values. */
export function genomeKey(g: Genome): string {
  return g.every(smallInt) ? String.fromCharCode.apply(null, g) : `f${g.join(',')}`;
}

/** Call a batched function and check it returned one finite number per genome. */
export async function callBatch(fn: BatchFitness, genomes: Genome[], api: string, what: string): Promise<number[]> {
  if (genomes.length === 0) return [];
  const values = await fn(genomes);
  if (!Array.isArray(values) && !ArrayBuffer.isView(values)) throw new EvolutionError('BAD_FITNESS', api, `${what} must return an array, got ${typeof values}`);
  const arr = Array.from(values as ArrayLike<number>);
  if (arr.length !== genomes.length) throw new EvolutionError('BAD_FITNESS', api, `${what} returned ${arr.length} values for ${genomes.length} genomes`);
  arr.forEach((v, i) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new EvolutionError('BAD_FITNESS', api, `${what} returned ${String(v)} for genome [${genomes[i].join(', ')}]`);
  });
  return arr;
}

/** Feasibility of each genome under range constraints (one batched call per constraint) and its total violation. */
export async function checkConstraints(constraints: readonly RangeConstraint[], genomes: Genome[], api: string): Promise<{ feasible: boolean[]; violation: number[] }> {
  const violation = genomes.map(() => 0);
  for (const c of constraints) {
    const values = await callBatch(c.evaluate, genomes, api, `constraint ${c.name}`);
    values.forEach((v, i) => {
      const lo = c.min ?? -Infinity;
      const hi = c.max ?? Infinity;
      // relative violation so constraints of different units add up
      const scale = Math.max(Math.abs(Number.isFinite(hi) ? hi : lo), 1e-12);
      if (v < lo) violation[i] += (lo - v) / scale;
      if (v > hi) violation[i] += (v - hi) / scale;
    });
  }
  return { feasible: violation.map((v) => v === 0), violation };
}

/** Validate options shared by the algorithms. */
export function checkCommon(space: SearchSpace, o: { constraints?: readonly RangeConstraint[]; initial?: Genome[] } & StopCriteria, api: string) {
  if (!space || !Array.isArray(space.dims) || space.dims.length === 0) throw new EvolutionError('INVALID_ARGUMENT', api, 'space must be a search space with dimensions');
  for (const key of ['maxEvaluations', 'maxGenerations', 'timeLimitMs'] as const) {
    const v = o[key];
    if (v !== undefined && !(Number.isFinite(v) && v >= 0)) throw new EvolutionError('INVALID_ARGUMENT', api, `options.${key} must be a non-negative number, got ${String(v)}`);
  }
  if (o.maxEvaluations === undefined && o.maxGenerations === undefined && o.timeLimitMs === undefined) {
    throw new EvolutionError('INVALID_ARGUMENT', api, 'options need a stop criterion: maxEvaluations, maxGenerations or timeLimitMs');
  }
  for (const c of o.constraints ?? []) {
    if (typeof c.evaluate !== 'function') throw new EvolutionError('INVALID_ARGUMENT', api, `constraint ${String(c.name)} needs an evaluate function`);
    if (c.min !== undefined && c.max !== undefined && !(c.min <= c.max)) throw new EvolutionError('INVALID_ARGUMENT', api, `constraint ${c.name} needs min <= max, got ${c.min} and ${c.max}`);
  }
  for (const g of o.initial ?? []) validateGenome(space, g, api);
}
