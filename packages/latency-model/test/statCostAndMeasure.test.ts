import fc from 'fast-check';
import { archStats, fbnet28Space, fbnetCifarSpace, getZooArch } from '@fbnas/search-space';
import { exportOnnx } from '@fbnas/export-onnx';
import { costOfGenome, measureOnnxLatency, statCostTable } from '../src';

describe('statCostTable', () => {
  it.each([['fbnet-28', fbnet28Space()], ['fbnet-cifar', fbnetCifarSpace()]] as const)('sums to archStats for every architecture of %s', (_name, space) => {
    const macs = statCostTable(space, 'macs');
    const params = statCostTable(space, 'params');
    expect(macs.unit).toBe('MMACs');
    expect(params.unit).toBe('kparams');
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 8 }), { minLength: 22, maxLength: 22 }), (genome) => {
        const stats = archStats(space.toArch(genome));
        expect(costOfGenome(macs, genome) * 1e6).toBeCloseTo(stats.macs, 0);
        expect(costOfGenome(params, genome) * 1e3).toBeCloseTo(stats.params, 0);
      }),
      { numRuns: 25 },
    );
  });

  it('rejects an unknown metric', () => {
    expect(() => statCostTable(fbnet28Space(), 'flops' as never)).toThrow(/fbnas.statCostTable: metric must be "macs" or "params", got "flops"/);
  });
});

describe('measureOnnxLatency', () => {
  it('times a whole model in onnxruntime-node and orders a bigger model after a smaller one', async () => {
    const space = fbnet28Space();
    const input = { height: 28, width: 28, channels: 1 };
    const small = await measureOnnxLatency(exportOnnx(space.toArch(new Array(22).fill(8))), input, { warmup: 3, minRepeats: 15, maxRepeats: 30 });
    const big = await measureOnnxLatency(exportOnnx(space.toArch(new Array(22).fill(7))), input, { warmup: 3, minRepeats: 15, maxRepeats: 30 });
    for (const t of [small, big]) {
      expect(t.samples).toBeGreaterThanOrEqual(15);
      expect(t.p10).toBeLessThanOrEqual(t.median);
      expect(t.median).toBeLessThanOrEqual(t.p90);
    }
    // all-skip (0.5 M multiply-adds) vs all k5_e6 (about 60 M): far apart whatever the noise
    expect(big.median).toBeGreaterThan(2 * small.median);
  }, 60_000);

  it('rejects bad options with typed errors', async () => {
    const bytes = exportOnnx(getZooArch('fbnet_a'));
    await expect(measureOnnxLatency(bytes, { height: 224, width: 224, channels: 3 }, { threads: 0 })).rejects.toThrow(/fbnas.measureOnnxLatency: options.threads must be a positive integer, got 0/);
    await expect(measureOnnxLatency(bytes, { height: 224, width: 224, channels: 3 }, { minRepeats: 5, maxRepeats: 2 })).rejects.toThrow(/minRepeats <= maxRepeats/);
  });
});
