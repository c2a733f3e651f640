import { SearchSpaceError, describeValue } from '../errors';
import { validateGenome } from '../space/validateGenome';
import type { Genome, SearchSpace } from '../space/types';

/** NAS-Bench-201 cell operations, in the benchmark's order. */
export const NB201_OPS = ['none', 'skip_connect', 'nor_conv_1x1', 'nor_conv_3x3', 'avg_pool_3x3'] as const;

/** NAS-Bench-201 edges in the order of its arch string: 1<-0 | 2<-0, 2<-1 | 3<-0, 3<-1, 3<-2. */
const NB201_EDGES = [
  [1, 0],
  [2, 0],
  [2, 1],
  [3, 0],
  [3, 1],
  [3, 2],
] as const;

/** A space with a conversion to and from a benchmark's key string. */
export interface BenchmarkSpace extends SearchSpace {
  toKey(genome: Genome): string;
  fromKey(key: string): Genome;
}

/**
 * NAS-Bench-201 as a generic space: 6 edges x 5 operations; keys are the benchmark's arch strings
 * `|op~0|+|op~0|op~1|+|op~0|op~1|op~2|`.
 */
export function nasBench201Space(): BenchmarkSpace {
  const space: BenchmarkSpace = {
    name: 'nas-bench-201',
    dims: NB201_EDGES.map(([to, from]) => ({ kind: 'categorical' as const, name: `edge${to}<-${from}`, choices: [...NB201_OPS] })),
    toKey(genome) {
      validateGenome(space, genome, 'fbnas.nasBench201Space.toKey');
      const op = (i: number) => `${NB201_OPS[genome[i]]}~${NB201_EDGES[i][1]}`;
      return `|${op(0)}|+|${op(1)}|${op(2)}|+|${op(3)}|${op(4)}|${op(5)}|`;
    },
    fromKey(key) {
      const api = 'fbnas.nasBench201Space.fromKey';
      const m = typeof key === 'string' ? /^\|([^|]+)\|\+\|([^|]+)\|([^|]+)\|\+\|([^|]+)\|([^|]+)\|([^|]+)\|$/.exec(key) : null;
      if (!m) throw new SearchSpaceError('PARSE_ERROR', api, `key must look like |op~0|+|op~0|op~1|+|op~0|op~1|op~2|, got ${describeValue(key)}`);
      return m.slice(1).map((part, i) => {
        const [op, from] = part.split('~');
        const idx = (NB201_OPS as readonly string[]).indexOf(op);
        if (idx < 0 || Number(from) !== NB201_EDGES[i][1]) {
          throw new SearchSpaceError('PARSE_ERROR', api, `edge ${i} ${describeValue(part)} must be <op>~${NB201_EDGES[i][1]} with op in ${NB201_OPS.join(', ')}`);
        }
        return idx;
      });
    },
  };
  return space;
}

/** NAS-Bench-Macro layer choices, in the benchmark's digit order. */
export const NB_MACRO_OPS = ['identity', 'mb3_k3', 'mb6_k5'] as const;

/** NAS-Bench-Macro: 8 layers x {identity, MB3-K3, MB6-K5}; keys are 8-digit strings such as `01201222`. */
export function nasBenchMacroSpace(): BenchmarkSpace {
  const space: BenchmarkSpace = {
    name: 'nas-bench-macro',
    dims: Array.from({ length: 8 }, (_, i) => ({ kind: 'categorical' as const, name: `layer${i}`, choices: [...NB_MACRO_OPS] })),
    toKey(genome) {
      validateGenome(space, genome, 'fbnas.nasBenchMacroSpace.toKey');
      return genome.join('');
    },
    fromKey(key) {
      if (typeof key !== 'string' || !/^[012]{8}$/.test(key)) {
        throw new SearchSpaceError('PARSE_ERROR', 'fbnas.nasBenchMacroSpace.fromKey', `key must be 8 digits in 0-2, got ${describeValue(key)}`);
      }
      return key.split('').map(Number);
    },
  };
  return space;
}

/** The four input-to-output paths of a NAS-Bench-201 cell, as edge indices (arch-string order). */
const NB201_PATHS: ReadonlyArray<readonly number[]> = [[3], [0, 4], [1, 5], [0, 2, 5]];

/**
 * Path encoding of a NAS-Bench-201 cell (BANANAS, White et al. 2021): for each of the cell's four input-to-output
 * paths, a one-hot over the sequences of operations along it (5 + 25 + 25 + 125 = 180 features); a path through
 * a `none` edge carries no signal and is all zeros. Architectures that compute the same function through the same
 * paths get the same features, which makes accuracy predictors sample-efficient on this space.
 */
export function nasBench201PathEncoding(genome: Genome): number[] {
  validateGenome(nasBench201Space(), genome, 'fbnas.nasBench201PathEncoding');
  const out: number[] = [];
  for (const path of NB201_PATHS) {
    const block = new Array<number>(NB201_OPS.length ** path.length).fill(0);
    if (path.every((e) => genome[e] !== 0)) block[path.reduce((s: number, e) => s * NB201_OPS.length + genome[e], 0)] = 1;
    out.push(...block);
  }
  return out;
}
