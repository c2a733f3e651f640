import fc from 'fast-check';
import { makeDivisible } from '../src';

describe('makeDivisible', () => {
  it('matches the mobile-vision rounding on known values', () => {
    expect(makeDivisible(16 * 5.4566, 8)).toBe(88); // 87.3 -> 88
    expect(makeDivisible(24 * 4.7912, 8)).toBe(112); // 114.99 -> 112 (within 5%)
    expect(makeDivisible(10, 8)).toBe(16); // 8 < 0.95 * 10 -> 16
    expect(makeDivisible(3, 8)).toBe(8); // the minimum is the divisor
    expect(makeDivisible(96, 8)).toBe(96);
    expect(makeDivisible(87.3, 1)).toBe(87);
  });

  it('returns a multiple of the divisor within [0.95x, x + divisor/2] for x >= divisor', () => {
    fc.assert(
      fc.property(fc.double({ min: 8, max: 4096, noNaN: true }), fc.constantFrom(1, 2, 4, 8, 16), (x, d) => {
        const r = makeDivisible(x, d);
        expect(r % d).toBe(0);
        expect(r).toBeGreaterThanOrEqual(0.95 * x - 1e-9);
        expect(r).toBeLessThanOrEqual(x + d);
      }),
    );
  });
});
