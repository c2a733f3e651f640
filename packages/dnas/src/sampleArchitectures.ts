import { archStats, createRng, type Arch, type Genome, type LayerwiseSpace } from '@fbnas/search-space';
import { costOfGenome, type LayerwiseCostTable } from '@fbnas/latency-model';
import { DnasError } from './errors';

/** One architecture derived from a search. */
export interface DerivedArchitecture {
  /** `argmax` (most likely per layer) or `sample` (drawn from P_θ). */
  source: 'argmax' | 'sample';
  genome: Genome;
  arch: Arch;
  /** log P_θ(a) = sum_l log p_l(a_l). */
  logProb: number;
  /** Cost in the table's unit (e.g. LUT latency in ms). */
  cost: number;
  macs: number;
  params: number;
}

/**
 * FBNet's final step (fbnet-family.md §1.5): K architectures drawn from P_θ (each layer independently) plus
 * the argmax, de-duplicated (the argmax first), with their log-probability, cost, multiply-adds and params.
 * Seeded. `probs` are the per-layer probabilities (e.g. `DnasResult.probs`).
 */
export function sampleArchitectures(
  space: LayerwiseSpace,
  probs: number[][],
  options: { count?: number; seed?: number; costTable?: LayerwiseCostTable } = {},
): DerivedArchitecture[] {
  const api = 'fbnas.sampleArchitectures';
  const count = options.count ?? 6;
  if (!Number.isInteger(count) || count < 0) throw new DnasError('INVALID_ARGUMENT', api, `options.count must be a non-negative integer, got ${String(options.count)}`);
  const nCand = space.config.candidates.length;
  if (!Array.isArray(probs) || probs.length !== space.layers.length) throw new DnasError('SHAPE_MISMATCH', api, `probs must have ${space.layers.length} rows, got ${Array.isArray(probs) ? probs.length : typeof probs}`);
  probs.forEach((row, l) => {
    if (!Array.isArray(row) || row.length !== nCand || row.some((p) => !(p >= 0)) || Math.abs(row.reduce((a, b) => a + b, 0) - 1) > 1e-4) {
      throw new DnasError('INVALID_ARGUMENT', api, `probs[${l}] must be ${nCand} non-negative numbers summing to 1`);
    }
  });
  const rng = createRng(options.seed ?? 0);
  const argmax = probs.map((r) => r.reduce((best, v, i) => (v > r[best] ? i : best), 0));
  const draws: Array<{ source: 'argmax' | 'sample'; genome: Genome }> = [{ source: 'argmax', genome: argmax }];
  for (let k = 0; k < count; k++) {
    draws.push({
      source: 'sample',
      genome: probs.map((row) => {
        let u = rng.next();
        for (let c = 0; c < nCand - 1; c++) {
          u -= row[c];
          if (u < 0) return c;
        }
        return nCand - 1;
      }),
    });
  }
  const seen = new Set<string>();
  const out: DerivedArchitecture[] = [];
  for (const d of draws) {
    const key = d.genome.join(',');
    if (seen.has(key)) continue;
    seen.add(key);
    const arch = space.toArch(d.genome);
    const stats = archStats(arch);
    out.push({
      source: d.source,
      genome: d.genome,
      arch,
      logProb: d.genome.reduce((s, c, l) => s + Math.log(probs[l][c]), 0),
      cost: options.costTable ? costOfGenome(options.costTable, d.genome) : Number.NaN,
      macs: stats.macs,
      params: stats.params,
    });
  }
  return out;
}
