import { createRng, fbnetCifarSpace, sampleUniform } from '@fbnas/search-space';
import { costOfGenome, fitFewShotLatency, hwNasBenchCostTable, statCostTable } from '../src';

const space = fbnetCifarSpace();
const raspi = hwNasBenchCostTable('raspi4_latency', 'cifar100');
const pixel = hwNasBenchCostTable('pixel3_latency', 'cifar100');
const macs = statCostTable(space, 'macs');

function spearman(a: number[], b: number[]) {
  const rank = (v: number[]) => {
    const r = new Array<number>(v.length);
    v.map((x, i) => [x, i] as const).sort((p, q) => p[0] - q[0]).forEach(([, i], k) => (r[i] = k));
    return r;
  };
  const ra = rank(a);
  const rb = rank(b);
  const n = a.length;
  const d2 = ra.reduce((s, x, i) => s + (x - rb[i]) ** 2, 0);
  return 1 - (6 * d2) / (n * (n * n - 1));
}

describe('fitFewShotLatency', () => {
  // a synthetic device: a power law of another device's latency and of multiply-adds, plus a per-layer launch cost
  const device = (g: number[]) => 0.3 * costOfGenome(pixel, g) ** 0.8 * (costOfGenome(macs, g) / 10) ** 0.3 + 0.05 * g.filter((c) => c !== 8).length;
  const pool = sampleUniform(space, 520, createRng(4));

  it('adapts to a new device from 20 measurements and ranks the rest well', () => {
    const shots = pool.slice(0, 20).map((genome) => ({ genome, latency: device(genome) }));
    const model = fitFewShotLatency(space, shots, { references: [raspi, pixel] });
    const rest = pool.slice(20);
    const predicted = model.predict(rest);
    const truth = rest.map(device);
    expect(spearman(predicted, truth)).toBeGreaterThan(0.97);
    const mape = predicted.reduce((s, p, i) => s + Math.abs(p - truth[i]) / truth[i], 0) / rest.length;
    expect(mape).toBeLessThan(0.05);
    expect(model.features).toContain('log pixel3_latency');
    expect(model.looRmse).toBeGreaterThanOrEqual(0);
  });

  it('rejects too few or invalid measurements and tables of another space', () => {
    expect(() => fitFewShotLatency(space, [{ genome: pool[0], latency: 1 }])).toThrow(/measurements must hold at least 3 architectures, got 1/);
    const bad = pool.slice(0, 5).map((genome, i) => ({ genome, latency: i === 2 ? Number.NaN : 1 }));
    expect(() => fitFewShotLatency(space, bad)).toThrow(/measurements\[2\]\.latency must be a positive number, got NaN/);
    const other = { ...raspi, layers: raspi.layers.slice(1) };
    expect(() => fitFewShotLatency(space, pool.slice(0, 5).map((genome) => ({ genome, latency: 1 })), { references: [other] })).toThrow(/references\[0\] .* has 21 layers/);
  });
});
