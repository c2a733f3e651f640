import fc from 'fast-check';
import { createRng, isSearchSpaceError } from '../src';

describe('createRng', () => {
  it('gives the same stream for the same seed and different streams for different seeds', () => {
    const a = createRng(7);
    const b = createRng(7);
    const c = createRng(8);
    const sa = Array.from({ length: 20 }, () => a.nextUint32());
    expect(Array.from({ length: 20 }, () => b.nextUint32())).toEqual(sa);
    expect(Array.from({ length: 20 }, () => c.nextUint32())).not.toEqual(sa);
  });

  it('resumes exactly from a saved state', () => {
    const rng = createRng(123);
    for (let i = 0; i < 5; i++) rng.next();
    const state = rng.getState();
    const expected = Array.from({ length: 10 }, () => rng.next());
    const restored = createRng(0);
    restored.setState(state);
    expect(Array.from({ length: 10 }, () => restored.next())).toEqual(expected);
  });

  it('int stays in range and covers every value', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 50 }), fc.integer(), (n, seed) => {
        const rng = createRng(seed);
        const seen = new Set<number>();
        for (let i = 0; i < 40 * n; i++) {
          const v = rng.int(n);
          expect(Number.isInteger(v) && v >= 0 && v < n).toBe(true);
          seen.add(v);
        }
        expect(seen.size).toBe(n);
      }),
      { numRuns: 30 },
    );
  });

  it('next is uniform enough: mean near 1/2 and gumbel has mean near the Euler-Mascheroni constant', () => {
    const rng = createRng(5);
    let sum = 0;
    let gsum = 0;
    const n = 20000;
    for (let i = 0; i < n; i++) {
      sum += rng.next();
      const g = rng.gumbel();
      expect(Number.isFinite(g)).toBe(true);
      gsum += g;
    }
    expect(Math.abs(sum / n - 0.5)).toBeLessThan(0.01);
    expect(Math.abs(gsum / n - 0.5772)).toBeLessThan(0.03);
  });

  it('rejects bad seeds, bad n and bad states with typed errors', () => {
    for (const bad of [1.5, NaN, Infinity]) {
      expect(() => createRng(bad)).toThrow(/fbnas.createRng: seed must be a safe integer/);
    }
    const rng = createRng(1);
    expect(() => rng.int(0)).toThrow(/n must be a positive integer, got 0/);
    try {
      rng.setState([0, 0, 0, 0]);
      throw new Error('no throw');
    } catch (err) {
      expect(isSearchSpaceError(err)).toBe(true);
    }
  });
});
