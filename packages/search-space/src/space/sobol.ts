import { SearchSpaceError, describeValue } from '../errors';
import { JOE_KUO_DIRECTIONS } from './joeKuoDirections';

const BITS = 32;

/** The largest number of dimensions {@link createSobol} supports (the bundled direction numbers). */
export const SOBOL_MAX_DIMENSIONS = JOE_KUO_DIRECTIONS.length + 1;

function directionNumbers(dimension: number): Uint32Array {
  const v = new Uint32Array(BITS + 1);
  if (dimension === 0) {
    for (let k = 1; k <= BITS; k++) v[k] = (1 << (BITS - k)) >>> 0;
    return v;
  }
  const [s, a, m] = JOE_KUO_DIRECTIONS[dimension - 1];
  for (let k = 1; k <= Math.min(s, BITS); k++) v[k] = (m[k - 1] << (BITS - k)) >>> 0;
  for (let k = s + 1; k <= BITS; k++) {
    let x = (v[k - s] ^ (v[k - s] >>> s)) >>> 0;
    for (let i = 1; i < s; i++) {
      if ((a >>> (s - 1 - i)) & 1) x = (x ^ v[k - i]) >>> 0;
    }
    v[k] = x;
  }
  return v;
}

/** A Sobol low-discrepancy sequence generator. */
export interface SobolSequence {
  readonly dimensions: number;
  /** Index of the next point. */
  readonly index: number;
  /** The next point in [0, 1)^dimensions. */
  next(): number[];
}

/**
 * Sobol sequence (Gray-code order) with Joe-Kuo direction numbers. The first 2^k points put exactly one
 * point in every dyadic interval [j/2^k, (j+1)/2^k) of every dimension. An optional seed applies a random
 * digital shift (XOR per dimension), which keeps that property.
 * @example
 * import { createSobol } from '@fbnas/search-space';
 * const sobol = createSobol(3);
 * const first = sobol.next(); // [0, 0, 0]
 */
export function createSobol(dimensions: number, options: { shift?: readonly number[] } = {}): SobolSequence {
  const api = 'fbnas.createSobol';
  if (!Number.isInteger(dimensions) || dimensions < 1 || dimensions > SOBOL_MAX_DIMENSIONS) {
    throw new SearchSpaceError('INVALID_ARGUMENT', api, `dimensions must be an integer in [1, ${SOBOL_MAX_DIMENSIONS}], got ${describeValue(dimensions)}`);
  }
  const shift = options.shift ?? new Array<number>(dimensions).fill(0);
  if (shift.length !== dimensions) throw new SearchSpaceError('INVALID_ARGUMENT', api, `shift must have ${dimensions} entries, got ${shift.length}`);
  const directions = Array.from({ length: dimensions }, (_, d) => directionNumbers(d));
  const x = new Uint32Array(dimensions);
  let index = 0;
  return {
    dimensions,
    get index() {
      return index;
    },
    next() {
      if (index > 0) {
        // Gray code: flip the direction number of the lowest zero bit of (index - 1).
        let c = 1;
        let value = index - 1;
        while (value & 1) {
          value >>>= 1;
          c++;
        }
        if (c > BITS) throw new SearchSpaceError('OUT_OF_SPACE', 'fbnas.SobolSequence.next', 'the sequence is exhausted after 2^32 points');
        for (let d = 0; d < dimensions; d++) x[d] = (x[d] ^ directions[d][c]) >>> 0;
      }
      index++;
      return Array.from(x, (xi, d) => ((xi ^ shift[d]) >>> 0) / 4294967296);
    },
  };
}
