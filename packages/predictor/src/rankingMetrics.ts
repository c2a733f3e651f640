import { PredictorError } from './errors';

function checkPair(api: string, a: ArrayLike<number>, b: ArrayLike<number>, min = 2) {
  if (a.length !== b.length) throw new PredictorError('SHAPE_MISMATCH', api, `both inputs must have the same length, got ${a.length} and ${b.length}`);
  if (a.length < min) throw new PredictorError('EMPTY', api, `needs at least ${min} pairs, got ${a.length}`);
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i]) || !Number.isFinite(b[i])) throw new PredictorError('NON_FINITE', api, `value ${i} is not finite (${a[i]}, ${b[i]})`);
  }
}

/** Average ranks (ties share the mean rank), 0-based. */
export function ranks(values: ArrayLike<number>): number[] {
  const order = Array.from({ length: values.length }, (_, i) => i).sort((i, j) => values[i] - values[j]);
  const r = new Array<number>(values.length);
  for (let s = 0; s < order.length; ) {
    let e = s;
    while (e + 1 < order.length && values[order[e + 1]] === values[order[s]]) e++;
    for (let k = s; k <= e; k++) r[order[k]] = (s + e) / 2;
    s = e + 1;
  }
  return r;
}

function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i];
    mb += b[i];
  }
  ma /= n;
  mb /= n;
  let num = 0;
  let da = 0;
  let db = 0;
  for (let i = 0; i < n; i++) {
    num += (a[i] - ma) * (b[i] - mb);
    da += (a[i] - ma) ** 2;
    db += (b[i] - mb) ** 2;
  }
  return da === 0 || db === 0 ? 0 : num / Math.sqrt(da * db);
}

/** Spearman's rank correlation ρ (Pearson correlation of average ranks; 0 when either side is constant). */
export function spearmanRho(a: ArrayLike<number>, b: ArrayLike<number>): number {
  checkPair('fbnas.spearmanRho', a, b);
  return pearson(ranks(a), ranks(b));
}

/** Kendall's τ-b (tie-corrected; 0 when either side is constant). O(n²), fine for evaluation sets. */
export function kendallTau(a: ArrayLike<number>, b: ArrayLike<number>): number {
  checkPair('fbnas.kendallTau', a, b);
  let concordant = 0;
  let discordant = 0;
  let tiesA = 0;
  let tiesB = 0;
  for (let i = 0; i < a.length; i++) {
    for (let j = i + 1; j < a.length; j++) {
      const da = Math.sign(a[i] - a[j]);
      const db = Math.sign(b[i] - b[j]);
      if (da === 0 && db === 0) continue;
      if (da === 0) tiesA++;
      else if (db === 0) tiesB++;
      else if (da === db) concordant++;
      else discordant++;
    }
  }
  const denom = Math.sqrt((concordant + discordant + tiesA) * (concordant + discordant + tiesB));
  return denom === 0 ? 0 : (concordant - discordant) / denom;
}

/** Root mean squared error. */
export function rmse(predicted: ArrayLike<number>, actual: ArrayLike<number>): number {
  checkPair('fbnas.rmse', predicted, actual, 1);
  let s = 0;
  for (let i = 0; i < predicted.length; i++) s += (predicted[i] - actual[i]) ** 2;
  return Math.sqrt(s / predicted.length);
}

/** Share of the true top-k (by `actual`) among the predicted top-k (by `predicted`). */
export function precisionAtK(predicted: ArrayLike<number>, actual: ArrayLike<number>, k: number): number {
  checkPair('fbnas.precisionAtK', predicted, actual, 1);
  if (!Number.isInteger(k) || k < 1 || k > predicted.length) throw new PredictorError('INVALID_ARGUMENT', 'fbnas.precisionAtK', `k must be an integer in [1, ${predicted.length}], got ${String(k)}`);
  const top = (v: ArrayLike<number>) => new Set(Array.from({ length: v.length }, (_, i) => i).sort((i, j) => v[j] - v[i]).slice(0, k));
  const p = top(predicted);
  let hits = 0;
  for (const i of top(actual)) if (p.has(i)) hits++;
  return hits / k;
}
