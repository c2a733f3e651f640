import fc from 'fast-check';
import { cosineWithWarmup, rescheduleAnchor } from '../src';

describe('cosineWithWarmup', () => {
  it('warms up linearly, starts the decay at the base rate and ends it at the minimum', () => {
    expect(cosineWithWarmup(0, 100, 0.4, 10)).toBeCloseTo(0.04, 12);
    expect(cosineWithWarmup(9, 100, 0.4, 10)).toBeCloseTo(0.4, 12);
    expect(cosineWithWarmup(10, 100, 0.4, 10)).toBeCloseTo(0.4, 12);
    expect(cosineWithWarmup(55, 100, 0.4, 10, 0.1)).toBeCloseTo(0.25, 12);
    expect(cosineWithWarmup(100, 100, 0.4, 10, 0.1)).toBeCloseTo(0.1, 12);
    // the default anchor is the end of the warm-up
    expect(cosineWithWarmup(37, 100, 0.4, 10, 0, { step: 10, progress: 0 })).toBe(cosineWithWarmup(37, 100, 0.4, 10));
  });

  it('a re-planned length keeps the rate continuous and non-increasing, and ends the decay at the new length (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 50 }), fc.integer({ min: 60, max: 400 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 1, max: 400 }),
        (warmup, total, at, extra) => {
          const step = Math.floor(at * total);
          const newTotal = Math.max(step, warmup) + extra;
          const anchor = rescheduleAnchor(step, total, warmup);
          expect(anchor.step).toBe(Math.max(step, warmup));
          expect(anchor.progress).toBeGreaterThanOrEqual(0);
          expect(anchor.progress).toBeLessThanOrEqual(1);
          // at the anchor both schedules give the same rate
          expect(cosineWithWarmup(anchor.step, newTotal, 1, warmup, 0, anchor)).toBeCloseTo(cosineWithWarmup(anchor.step, total, 1, warmup), 12);
          let last = Infinity;
          for (let s = anchor.step; s <= newTotal; s++) {
            const lr = cosineWithWarmup(s, newTotal, 1, warmup, 0, anchor);
            expect(lr).toBeLessThanOrEqual(last + 1e-12);
            last = lr;
          }
          expect(last).toBeCloseTo(0, 12);
          // a second re-plan chains from the first
          const mid = anchor.step + Math.floor((newTotal - anchor.step) / 2);
          const again = rescheduleAnchor(mid, newTotal, warmup, anchor);
          expect(cosineWithWarmup(mid, newTotal + 7, 1, warmup, 0, again)).toBeCloseTo(cosineWithWarmup(mid, newTotal, 1, warmup, 0, anchor), 12);
        },
      ),
      { numRuns: 200 },
    );
  });
});
