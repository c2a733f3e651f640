import { SearchSpaceError, describeValue } from '../errors';

/** Serializable state of an {@link Rng} (four 32-bit words), for checkpoints. */
export type RngState = readonly [number, number, number, number];

/**
 * Seeded pseudo-random generator (xoshiro128**, seeded through splitmix32). Every fbnas package draws
 * its randomness from one of these, never from `Math.random`, so runs are reproducible and resumable.
 */
export interface Rng {
  /** Uniform 32-bit unsigned integer. */
  nextUint32(): number;
  /** Uniform float in [0, 1) with 32 bits of resolution. */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Standard normal sample (Box-Muller). */
  normal(): number;
  /** Standard Gumbel sample g = -log(-log u), u clamped to [1e-10, 1 - 1e-10] (fbnet-family.md §5.1). */
  gumbel(): number;
  /** In-place Fisher-Yates shuffle; returns the array. */
  shuffle<T>(items: T[]): T[];
  /** Current state, to store in a checkpoint. */
  getState(): RngState;
  /** Restore a state from {@link Rng.getState}. */
  setState(state: RngState): void;
  /** An independent generator derived from this one's next outputs. */
  fork(): Rng;
}

// Bound once: hot loops then make no global lookups (which are slow inside vm contexts such as jest's).
const { imul, log, sqrt, sin, cos, PI, min, max } = Math;

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

class Xoshiro128 implements Rng {
  private s = new Uint32Array(4);
  private spareNormal: number | null = null;

  constructor(state: RngState) {
    this.setState(state);
  }

  nextUint32(): number {
    const s = this.s;
    const result = imul(rotl(imul(s[1], 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1] << 9) >>> 0;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  next(): number {
    return this.nextUint32() / 4294967296;
  }

  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0 || n > 4294967296) {
      throw new SearchSpaceError('INVALID_ARGUMENT', 'fbnas.Rng.int', `n must be a positive integer, got ${describeValue(n)}`);
    }
    // Rejection sampling removes the modulo bias.
    const limit = 4294967296 - (4294967296 % n);
    for (;;) {
      const x = this.nextUint32();
      if (x < limit) return x % n;
    }
  }

  normal(): number {
    if (this.spareNormal !== null) {
      const v = this.spareNormal;
      this.spareNormal = null;
      return v;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const r = sqrt(-2 * log(u));
    this.spareNormal = r * sin(2 * PI * v);
    return r * cos(2 * PI * v);
  }

  gumbel(): number {
    const u = min(max(this.next(), 1e-10), 1 - 1e-10);
    return -log(-log(u));
  }

  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = items[i];
      items[i] = items[j];
      items[j] = tmp;
    }
    return items;
  }

  getState(): RngState {
    return [this.s[0], this.s[1], this.s[2], this.s[3]];
  }

  setState(state: RngState): void {
    if (!Array.isArray(state) || state.length !== 4 || !state.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffffffff)) {
      throw new SearchSpaceError('INVALID_ARGUMENT', 'fbnas.Rng.setState', `state must be four 32-bit unsigned integers, got ${describeValue(state)}`);
    }
    if (state.every((w) => w === 0)) {
      throw new SearchSpaceError('INVALID_ARGUMENT', 'fbnas.Rng.setState', 'state must not be all zeros');
    }
    this.s.set(state);
    this.spareNormal = null;
  }

  fork(): Rng {
    return createRng(this.nextUint32() ^ rotl(this.nextUint32(), 16));
  }
}

/**
 * Create a seeded generator. The same seed always gives the same stream.
 * @example
 * const rng = createRng(42);
 * const u = rng.next(); // in [0, 1)
 */
export function createRng(seed: number): Rng {
  if (!Number.isInteger(seed) || Math.abs(seed) > Number.MAX_SAFE_INTEGER) {
    throw new SearchSpaceError('INVALID_ARGUMENT', 'fbnas.createRng', `seed must be a safe integer, got ${describeValue(seed)}`);
  }
  const mix = splitmix32((seed >>> 0) ^ Math.floor(seed / 4294967296));
  const state: [number, number, number, number] = [mix(), mix(), mix(), mix()];
  if (state.every((w) => w === 0)) state[0] = 1;
  return new Xoshiro128(state);
}
