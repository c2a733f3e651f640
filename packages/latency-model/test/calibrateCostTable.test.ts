import fc from 'fast-check';
import { createRng, fbnetCifarSpace, sampleUniform } from '@fbnas/search-space';
import { calibrateCostTable, costOfGenome, hwNasBenchCostTable } from '../src';

const table = hwNasBenchCostTable('pixel3_latency');
const space = fbnetCifarSpace();

describe('calibrateCostTable', () => {
  it('recovers an affine device (overhead + speed factor) exactly and predicts held-out architectures', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 5, noNaN: true }), fc.double({ min: 0.2, max: 3, noNaN: true }), fc.integer(), (a, b, seed) => {
        const [train, test] = [sampleUniform(space, 10, createRng(seed)), sampleUniform(space, 20, createRng(seed + 1))];
        const truth = (g: number[]) => a + b * costOfGenome(table, g);
        const cal = calibrateCostTable(table, train.map((g) => ({ genome: g, measured: truth(g) })));
        expect(cal.calibration.scale).toBeCloseTo(b, 6);
        for (const g of test) expect(costOfGenome(cal, g)).toBeCloseTo(truth(g), 6);
      }),
      { numRuns: 30 },
    );
  });

  it('learns per-candidate fusion effects that an affine fit cannot', () => {
    const truth = (g: number[]) => 0.4 + 0.9 * costOfGenome(table, g) - 0.05 * g.filter((c) => c === 8).length + 0.02 * g.filter((c) => c === 3).length;
    const train = sampleUniform(space, 40, createRng(1));
    const test = sampleUniform(space, 100, createRng(2));
    const err = (t: ReturnType<typeof calibrateCostTable>) => Math.max(...test.map((g) => Math.abs(costOfGenome(t, g) - truth(g)) / truth(g)));
    const affine = calibrateCostTable(table, train.map((g) => ({ genome: g, measured: truth(g) })));
    const perCandidate = calibrateCostTable(table, train.map((g) => ({ genome: g, measured: truth(g) })), { method: 'per-candidate', ridge: 1e-9 });
    expect(err(perCandidate)).toBeLessThan(1e-6);
    expect(err(affine)).toBeGreaterThan(10 * err(perCandidate));
    expect(perCandidate.calibration.candidateOffsets[8]).toBeLessThan(0);
  });

  it('rejects too few or bad measurements', () => {
    expect(() => calibrateCostTable(table, [{ genome: new Array(22).fill(0), measured: 1 }])).toThrow(/at least 2 architectures for affine, got 1/);
    expect(() => calibrateCostTable(table, [{ genome: new Array(22).fill(0), measured: 1 }, { genome: new Array(22).fill(1), measured: NaN }])).toThrow(/measurements\[1\].measured must be a positive number, got NaN/);
    expect(() => calibrateCostTable(table, [{ genome: new Array(22).fill(0), measured: 1 }, { genome: new Array(22).fill(0), measured: 2 }])).toThrow(/do not determine the calibration/);
  });
});
