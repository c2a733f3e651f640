import type { Genome, LayerwiseSpace } from '@fbnas/search-space';
import { costOfGenome, type LayerwiseCostTable } from './costTable';
import { LatencyModelError } from './errors';
import { statCostTable } from './statCostTable';

/** Options of {@link fitFewShotLatency}. */
export interface FewShotOptions {
  /**
   * Cost tables of other devices whose sums describe an architecture (e.g. the bundled HW-NAS-Bench tables);
   * multiply-adds and params of the space are always added.
   */
  references?: LayerwiseCostTable[];
  /** Ridge strengths tried; the one with the lowest leave-one-out error on the measurements wins [1e-4 ... 1e3]. */
  lambdas?: number[];
}

/** A fitted few-shot latency model of one device. */
export interface FewShotLatencyModel {
  /** Predicted latency (the measurements' unit) of each genome. */
  predict(genomes: Genome[]): number[];
  /** The ridge strength chosen by leave-one-out, and its leave-one-out RMSE in log latency. */
  lambda: number;
  looRmse: number;
  features: string[];
}

/** Solve the symmetric positive-definite system A x = b (Cholesky); A is overwritten. */
function solveSpd(a: Float64Array[], b: Float64Array): Float64Array {
  const n = b.length;
  for (let j = 0; j < n; j++) {
    for (let k = 0; k < j; k++) a[j][j] -= a[j][k] * a[j][k];
    a[j][j] = Math.sqrt(Math.max(a[j][j], 1e-300));
    for (let i = j + 1; i < n; i++) {
      for (let k = 0; k < j; k++) a[i][j] -= a[i][k] * a[j][k];
      a[i][j] /= a[j][j];
    }
  }
  const x = Float64Array.from(b);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < i; k++) x[i] -= a[i][k] * x[k];
    x[i] /= a[i][i];
  }
  for (let i = n - 1; i >= 0; i--) {
    for (let k = i + 1; k < n; k++) x[i] -= a[k][i] * x[k];
    x[i] /= a[i][i];
  }
  return x;
}

/**
 * Adapt a latency model to a new device from a few whole-model measurements (HELP's setting: about 20). Each
 * architecture is described by what is free to compute: the log of its cost on reference devices (LUT sums),
 * of its multiply-adds and params, and how many layers use each candidate; log latency is a ridge regression
 * on those, with the strength chosen by leave-one-out on the measurements themselves.
 * @example
 * import { createRng, fbnetCifarSpace, sampleUniform } from '@fbnas/search-space';
 * import { costOfGenome, fitFewShotLatency, hwNasBenchCostTable } from '@fbnas/latency-model';
 * const space = fbnetCifarSpace();
 * const pixel3 = hwNasBenchCostTable('pixel3_latency', 'cifar100');
 * const measured = sampleUniform(space, 20, createRng(0)).map((genome) => ({ genome, latency: 2 * costOfGenome(pixel3, genome) }));
 * const model = fitFewShotLatency(space, measured, { references: [hwNasBenchCostTable('raspi4_latency', 'cifar100')] });
 */
export function fitFewShotLatency(space: LayerwiseSpace, measurements: ReadonlyArray<{ genome: Genome; latency: number }>, options: FewShotOptions = {}): FewShotLatencyModel {
  const api = 'fbnas.fitFewShotLatency';
  if (!Array.isArray(measurements) || measurements.length < 3) {
    throw new LatencyModelError('INVALID_ARGUMENT', api, `measurements must hold at least 3 architectures, got ${Array.isArray(measurements) ? measurements.length : typeof measurements}`);
  }
  measurements.forEach((m, i) => {
    if (!(m.latency > 0 && Number.isFinite(m.latency))) throw new LatencyModelError('INVALID_ARGUMENT', api, `measurements[${i}].latency must be a positive number, got ${String(m.latency)}`);
  });
  const tables = [...(options.references ?? []), statCostTable(space, 'macs'), statCostTable(space, 'params')];
  tables.forEach((t, i) => {
    if (t.layers.length !== space.layers.length) throw new LatencyModelError('MISMATCH', api, `references[${i}] (${t.metric}) has ${t.layers.length} layers, ${space.name} has ${space.layers.length}`);
  });
  // free structural features: how many layers use each candidate (kernel launches dominate small-batch GPUs)
  const nCand = space.config.candidates.length;
  const raw = (g: Genome) => {
    const counts = new Array<number>(nCand).fill(0);
    for (const c of g) counts[c]++;
    return [...tables.map((t) => Math.log(Math.max(costOfGenome(t, g), 1e-12))), ...counts];
  };
  const X = measurements.map((m) => raw(m.genome));
  const y = measurements.map((m) => Math.log(m.latency));
  const n = X.length;
  const d = tables.length + nCand;
  const mean = Array.from({ length: d }, (_, j) => X.reduce((s, r) => s + r[j], 0) / n);
  const std = Array.from({ length: d }, (_, j) => Math.sqrt(X.reduce((s, r) => s + (r[j] - mean[j]) ** 2, 0) / n) || 1);
  const Z = X.map((r) => r.map((v, j) => (v - mean[j]) / std[j]));
  const yMean = y.reduce((a, b) => a + b, 0) / n;
  const yc = y.map((v) => v - yMean);
  const fit = (lambda: number) => {
    const a = Array.from({ length: d }, (_, i) => Float64Array.from({ length: d }, (_, j) => Z.reduce((s, r) => s + r[i] * r[j], 0) + (i === j ? lambda : 0)));
    const b = Float64Array.from({ length: d }, (_, i) => Z.reduce((s, r, k) => s + r[i] * yc[k], 0));
    return solveSpd(a, b);
  };
  // leave-one-out by refitting (n is small)
  const loo = (lambda: number) => {
    let sse = 0;
    for (let k = 0; k < n; k++) {
      const keep = Z.map((_, i) => i).filter((i) => i !== k);
      const m = keep.reduce((s, i) => s + y[i], 0) / keep.length;
      const a = Array.from({ length: d }, (_, i) => Float64Array.from({ length: d }, (_, j) => keep.reduce((s, r) => s + Z[r][i] * Z[r][j], 0) + (i === j ? lambda : 0)));
      const b = Float64Array.from({ length: d }, (_, i) => keep.reduce((s, r) => s + Z[r][i] * (y[r] - m), 0));
      const w = solveSpd(a, b);
      const pred = m + Z[k].reduce((s, v, j) => s + v * w[j], 0);
      sse += (pred - y[k]) ** 2;
    }
    return Math.sqrt(sse / n);
  };
  const lambdas = options.lambdas ?? [1e-4, 1e-3, 1e-2, 1e-1, 1, 10, 100, 1000];
  let best = { lambda: lambdas[0], err: Infinity };
  for (const l of lambdas) {
    if (!(l >= 0)) throw new LatencyModelError('INVALID_ARGUMENT', api, `options.lambdas must be non-negative, got ${String(l)}`);
    const err = loo(l);
    if (err < best.err) best = { lambda: l, err };
  }
  const w = fit(best.lambda);
  return {
    lambda: best.lambda,
    looRmse: best.err,
    features: [...tables.map((t) => `log ${t.metric}`), ...space.config.candidates.map((c) => `layers using ${c.name}`)],
    predict: (genomes) => genomes.map((g) => Math.exp(yMean + raw(g).reduce((s, v, j) => s + ((v - mean[j]) / std[j]) * w[j], 0))),
  };
}
