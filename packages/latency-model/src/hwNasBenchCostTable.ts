import type { LayerwiseCostTable } from './costTable';
import { HW_NAS_BENCH_FBNET_DATA, HW_NAS_BENCH_UNITS } from './data/hwNasBenchFbnet.generated';
import { LatencyModelError } from './errors';

/** The eight HW-NAS-Bench FBNet metrics. */
export const HW_NAS_BENCH_METRICS = Object.keys(HW_NAS_BENCH_UNITS) as Array<keyof typeof HW_NAS_BENCH_UNITS>;
/** One of {@link HW_NAS_BENCH_METRICS}. */
export type HwNasBenchMetric = keyof typeof HW_NAS_BENCH_UNITS;

/**
 * A bundled HW-NAS-Bench device table for the FBNet space (`cifar100` = `fbnetCifarSpace()`, `ImageNet` =
 * `fbnetImageNetSpace({ headChannels: 1984 })`): raspi4, pixel3, edgegpu, eyeriss, fpga latency; edgegpu,
 * eyeriss, fpga energy. Attribution: DATA.md.
 * @example
 * import { hwNasBenchCostTable, costOfGenome } from '@fbnas/latency-model';
 * const ms = costOfGenome(hwNasBenchCostTable('pixel3_latency'), new Array(22).fill(0)); // 7.789 ms
 */
export function hwNasBenchCostTable(metric: HwNasBenchMetric, dataset: 'cifar100' | 'ImageNet' = 'cifar100'): LayerwiseCostTable {
  const api = 'fbnas.hwNasBenchCostTable';
  if (!HW_NAS_BENCH_METRICS.includes(metric)) {
    throw new LatencyModelError('UNKNOWN_NAME', api, `metric ${JSON.stringify(metric)} is not one of ${HW_NAS_BENCH_METRICS.join(', ')}`);
  }
  if (dataset !== 'cifar100' && dataset !== 'ImageNet') throw new LatencyModelError('UNKNOWN_NAME', api, `dataset must be "cifar100" or "ImageNet", got ${JSON.stringify(dataset)}`);
  const d = HW_NAS_BENCH_FBNET_DATA[dataset][metric];
  // HW-NAS-Bench's total: stem + head + avgpool + fc + sum of the 22 layers, in that order.
  const fixed = d.fixed.stem + d.fixed.head + d.fixed.avgpool + d.fixed.fc;
  return { metric, unit: HW_NAS_BENCH_UNITS[metric], fixed, layers: d.layers.map((row) => [...row]) };
}
