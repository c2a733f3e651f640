import type { LayerwiseCostTable } from './costTable';
import { costOfGenome } from './costTable';
import { LatencyModelError } from './errors';

/** One whole-model measurement: an architecture of the table's space and its measured cost. */
export interface CostMeasurement {
  genome: readonly number[];
  measured: number;
}

/** How a calibrated table was fitted. */
export interface CostCalibration {
  method: 'affine' | 'per-candidate';
  intercept: number;
  scale: number;
  /** Additive correction per candidate index (shared by all layers); zeros for `affine`. */
  candidateOffsets: number[];
  samples: number;
}

/** Solve (A^T A + ridge I) x = A^T y by Gaussian elimination (small, dense). */
function ridgeSolve(rows: number[][], y: number[], ridge: number, unpenalised: number): number[] {
  const k = rows[0].length;
  const m = Array.from({ length: k }, (_, i) => Array.from({ length: k + 1 }, (_, j) => (j === k ? 0 : i === j && i >= unpenalised ? ridge : 0)));
  rows.forEach((r, n) => {
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < k; j++) m[i][j] += r[i] * r[j];
      m[i][k] += r[i] * y[n];
    }
  });
  for (let c = 0; c < k; c++) {
    let p = c;
    for (let r = c + 1; r < k; r++) if (Math.abs(m[r][c]) > Math.abs(m[p][c])) p = r;
    [m[c], m[p]] = [m[p], m[c]];
    if (Math.abs(m[c][c]) < 1e-300) throw new LatencyModelError('INVALID_ARGUMENT', 'fbnas.calibrateCostTable', 'the measurements do not determine the calibration (add more varied architectures)');
    for (let r = 0; r < k; r++) {
      if (r === c) continue;
      const f = m[r][c] / m[c][c];
      for (let j = c; j <= k; j++) m[r][j] -= f * m[c][j];
    }
  }
  return m.map((row, i) => row[k] / row[i]);
}

/**
 * Calibrate a LUT against a few whole-model measurements, keeping the table additive (so `costOfGenome` and
 * `expectedCostTf` apply unchanged): `affine` fits measured = a + b * LUT sum (per-model overhead and a global
 * speed factor); `per-candidate` adds one correction per candidate index, shared by all layers (fusion
 * effects of a block type), with a ridge penalty on those corrections.
 * @example
 * import { calibrateCostTable, hwNasBenchCostTable } from '@fbnas/latency-model';
 * const table = hwNasBenchCostTable('raspi4_latency');
 * const cal = calibrateCostTable(table, [{ genome: new Array(22).fill(0), measured: 20 }, { genome: new Array(22).fill(8), measured: 9 }]);
 */
export function calibrateCostTable(
  table: LayerwiseCostTable,
  measurements: readonly CostMeasurement[],
  options: { method?: 'affine' | 'per-candidate'; ridge?: number } = {},
): LayerwiseCostTable & { calibration: CostCalibration } {
  const api = 'fbnas.calibrateCostTable';
  const method = options.method ?? 'affine';
  const candidates = table.layers[0]?.length ?? 0;
  const minimum = method === 'affine' ? 2 : 3;
  if (!Array.isArray(measurements) || measurements.length < minimum) {
    throw new LatencyModelError('INVALID_ARGUMENT', api, `measurements must hold at least ${minimum} architectures for ${method}, got ${Array.isArray(measurements) ? measurements.length : typeof measurements}`);
  }
  measurements.forEach((m, i) => {
    if (!(Number.isFinite(m.measured) && m.measured > 0)) throw new LatencyModelError('INVALID_ARGUMENT', api, `measurements[${i}].measured must be a positive number, got ${String(m.measured)}`);
  });
  const rows = measurements.map((m) => {
    const base = [1, costOfGenome(table, m.genome)];
    if (method === 'affine') return base;
    const counts = new Array(candidates).fill(0);
    for (const c of m.genome) counts[c]++;
    return [...base, ...counts];
  });
  const x = ridgeSolve(rows, measurements.map((m) => m.measured), options.ridge ?? (method === 'affine' ? 0 : 1e-3), 2);
  const [intercept, scale] = x;
  const offsets = method === 'affine' ? new Array(candidates).fill(0) : x.slice(2);
  return {
    metric: `${table.metric}_calibrated`,
    unit: table.unit,
    fixed: intercept + scale * table.fixed,
    layers: table.layers.map((row) => row.map((c, i) => scale * c + offsets[i])),
    calibration: { method, intercept, scale, candidateOffsets: offsets, samples: measurements.length },
  };
}
