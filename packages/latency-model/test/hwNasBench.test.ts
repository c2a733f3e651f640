import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { costOfGenome, HW_NAS_BENCH_METRICS, hwNasBenchCostTable, isLatencyModelError, type HwNasBenchMetric } from '../src';

const help = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'help_fbnet_lut_devices.json'), 'utf8')) as { archs: number[][]; latency: Record<string, number[]> };
const checks = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'hw_nas_bench_reference_checks.json'), 'utf8')) as {
  checks: Array<{ arch: number[]; dataset: 'cifar100' | 'ImageNet'; expected: Record<string, number> }>;
};

const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

describe('bundled HW-NAS-Bench FBNet tables', () => {
  it.each(['raspi4', 'pixel3', 'eyeriss', 'fpga'])('predict HELP\'s %s column for all 5000 architectures within 1e-9 relative', (device) => {
    const table = hwNasBenchCostTable(`${device}_latency` as HwNasBenchMetric, 'cifar100');
    let worst = 0;
    help.archs.forEach((arch, i) => {
      worst = Math.max(worst, rel(costOfGenome(table, arch), help.latency[device][i]));
    });
    expect(help.archs).toHaveLength(5000);
    expect(worst).toBeLessThan(1e-9);
  });

  it('reproduce the reference architectures of HW-NAS-Bench\'s example (every metric, both datasets)', () => {
    expect(checks.checks).toHaveLength(6);
    for (const c of checks.checks) {
      for (const metric of HW_NAS_BENCH_METRICS) {
        expect(rel(costOfGenome(hwNasBenchCostTable(metric, c.dataset), c.arch), c.expected[metric])).toBeLessThan(1e-9);
      }
    }
  });

  it('rejects unknown metrics and datasets with typed errors', () => {
    expect(() => hwNasBenchCostTable('tpu_latency' as HwNasBenchMetric)).toThrow(/metric "tpu_latency" is not one of edgegpu_latency/);
    try {
      hwNasBenchCostTable('raspi4_latency', 'cifar10' as never);
    } catch (err) {
      expect(isLatencyModelError(err) && err.code).toBe('UNKNOWN_NAME');
    }
    expect(() => costOfGenome(hwNasBenchCostTable('raspi4_latency'), [9, ...new Array(21).fill(0)])).toThrow(/genome\[0\] must be a candidate index in \[0, 8\], got 9/);
  });
});
