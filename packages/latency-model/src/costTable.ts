import { LatencyModelError } from './errors';

/**
 * Cost of every candidate of a layer-wise space: `layers[l][i]` for candidate i at layer l, plus the
 * fixed stem/head cost. The additive model of FBNet's LUT (fbnet-family.md §1.3): LAT(a) = fixed + sum_l
 * layers[l][a_l].
 */
export interface LayerwiseCostTable {
  /** What is measured, e.g. `raspi4_latency`. */
  metric: string;
  /** e.g. `ms`, `mJ`. */
  unit: string;
  fixed: number;
  layers: number[][];
}

function checkGenome(table: LayerwiseCostTable, genome: readonly number[], api: string) {
  if (!Array.isArray(genome) || genome.length !== table.layers.length) {
    throw new LatencyModelError('INVALID_ARGUMENT', api, `genome must have ${table.layers.length} layer choices, got ${Array.isArray(genome) ? genome.length : typeof genome}`);
  }
  genome.forEach((c, l) => {
    if (!Number.isInteger(c) || c < 0 || c >= table.layers[l].length) {
      throw new LatencyModelError('INVALID_ARGUMENT', api, `genome[${l}] must be a candidate index in [0, ${table.layers[l].length - 1}], got ${String(c)}`);
    }
  });
}

/** The LUT-sum cost of one architecture (a genome of the layer-wise space). */
export function costOfGenome(table: LayerwiseCostTable, genome: readonly number[]): number {
  checkGenome(table, genome, 'fbnas.costOfGenome');
  let sum = table.fixed;
  for (let l = 0; l < genome.length; l++) sum += table.layers[l][genome[l]];
  return sum;
}

/**
 * Expected cost when layer l picks candidate i with probability probs[l][i]: fixed + sum_l sum_i p_li c_li
 * (the differentiable LAT of FBNet's loss). Rows must be probability vectors.
 */
export function expectedCost(table: LayerwiseCostTable, probs: readonly (readonly number[])[]): number {
  const api = 'fbnas.expectedCost';
  if (!Array.isArray(probs) || probs.length !== table.layers.length) {
    throw new LatencyModelError('INVALID_ARGUMENT', api, `probs must have ${table.layers.length} rows, got ${Array.isArray(probs) ? probs.length : typeof probs}`);
  }
  let sum = table.fixed;
  probs.forEach((row, l) => {
    if (row.length !== table.layers[l].length) throw new LatencyModelError('INVALID_ARGUMENT', api, `probs[${l}] must have ${table.layers[l].length} entries, got ${row.length}`);
    let total = 0;
    row.forEach((p: number, i: number) => {
      if (!(p >= 0 && p <= 1)) throw new LatencyModelError('INVALID_ARGUMENT', api, `probs[${l}][${i}] must be in [0, 1], got ${String(p)}`);
      total += p;
      sum += p * table.layers[l][i];
    });
    if (Math.abs(total - 1) > 1e-6) throw new LatencyModelError('INVALID_ARGUMENT', api, `probs[${l}] must sum to 1, got ${total}`);
  });
  return sum;
}
