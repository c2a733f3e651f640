import { blockCost, type LayerwiseSpace } from '@fbnas/search-space';
import type { LayerwiseCostTable } from './costTable';
import { LatencyModelError } from './errors';
import { fixedBlocks } from './latencyLut';

/**
 * A cost table of free statistics instead of a measured LUT: multiply-adds (in millions, `MMACs`) or
 * parameters (in thousands, `kparams`) per layer and candidate, the fixed stem and head included. Exact for
 * these metrics (they add up over blocks), so `costOfGenome` equals `archStats` of the architecture.
 * @example
 * import { fbnet28Space } from '@fbnas/search-space';
 * import { statCostTable, costOfGenome } from '@fbnas/latency-model';
 * const table = statCostTable(fbnet28Space(), 'macs');
 * console.log(costOfGenome(table, new Array(22).fill(0)).toFixed(2), table.unit);
 */
export function statCostTable(space: LayerwiseSpace, metric: 'macs' | 'params'): LayerwiseCostTable {
  if (metric !== 'macs' && metric !== 'params') {
    throw new LatencyModelError('INVALID_ARGUMENT', 'fbnas.statCostTable', `metric must be "macs" or "params", got ${JSON.stringify(metric)}`);
  }
  const scale = metric === 'macs' ? 1e-6 : 1e-3;
  const rules = space.config.rules;
  let fixed = 0;
  for (const { block, input } of fixedBlocks(space)) fixed += blockCost(block, input, rules)[metric] * scale;
  const layers = space.layers.map((l) => space.config.candidates.map((_, c) => blockCost(space.candidateBlock(l.index, c), l.input, rules)[metric] * scale));
  return { metric, unit: metric === 'macs' ? 'MMACs' : 'kparams', fixed, layers };
}
