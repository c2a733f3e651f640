import { EvolutionError } from './errors';

/** Whether `a` Pareto-dominates `b` when every objective is minimised: no worse anywhere, better somewhere. */
export function dominates(a: readonly number[], b: readonly number[]): boolean {
  let better = false;
  for (let i = 0; i < a.length; i++) {
    if (a[i] > b[i]) return false;
    if (a[i] < b[i]) better = true;
  }
  return better;
}

/**
 * Fast non-dominated sorting (Deb et al. 2002) of objective vectors (all minimised), with optional
 * constraint violations (constrained domination: lower violation first, Pareto dominance among feasible).
 * Returns the fronts as index lists, best first.
 */
export function nonDominatedSort(points: readonly (readonly number[])[], violation?: readonly number[]): number[][] {
  const n = points.length;
  const v = violation ?? new Array<number>(n).fill(0);
  const beats = (i: number, j: number) => {
    if (v[i] === 0 && v[j] > 0) return true;
    if (v[i] > 0 || v[j] > 0) return v[i] < v[j];
    return dominates(points[i], points[j]);
  };
  const dominated: number[][] = Array.from({ length: n }, () => []);
  const count = new Array<number>(n).fill(0);
  const fronts: number[][] = [[]];
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      if (beats(i, j)) {
        dominated[i].push(j);
        count[j]++;
      } else if (beats(j, i)) {
        dominated[j].push(i);
        count[i]++;
      }
    }
  }
  for (let i = 0; i < n; i++) if (count[i] === 0) fronts[0].push(i);
  let k = 0;
  while (fronts[k].length > 0) {
    const next: number[] = [];
    for (const i of fronts[k]) {
      for (const j of dominated[i]) if (--count[j] === 0) next.push(j);
    }
    fronts.push(next);
    k++;
  }
  fronts.pop();
  return fronts;
}

/** Crowding distance of each member of one front (boundary points get Infinity). */
export function crowdingDistance(points: readonly (readonly number[])[], front: readonly number[]): Map<number, number> {
  const d = new Map<number, number>(front.map((i) => [i, 0]));
  if (front.length === 0) return d;
  const m = points[front[0]].length;
  for (let k = 0; k < m; k++) {
    const sorted = [...front].sort((a, b) => points[a][k] - points[b][k]);
    const lo = points[sorted[0]][k];
    const hi = points[sorted[sorted.length - 1]][k];
    d.set(sorted[0], Infinity);
    d.set(sorted[sorted.length - 1], Infinity);
    if (hi === lo) continue;
    for (let r = 1; r < sorted.length - 1; r++) d.set(sorted[r], (d.get(sorted[r]) as number) + (points[sorted[r + 1]][k] - points[sorted[r - 1]][k]) / (hi - lo));
  }
  return d;
}

/**
 * Hypervolume of a set of 2-objective points (both minimised) with respect to a reference point: the area
 * dominated by the set and bounded by the reference. Points not better than the reference in both
 * objectives add nothing.
 */
export function hypervolume2d(points: readonly (readonly number[])[], reference: readonly [number, number]): number {
  for (const p of points) {
    if (p.length !== 2 || !p.every(Number.isFinite)) throw new EvolutionError('INVALID_ARGUMENT', 'fbnas.hypervolume2d', `points must be pairs of finite numbers, got [${p.join(', ')}]`);
  }
  const inside = points.filter((p) => p[0] < reference[0] && p[1] < reference[1]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let area = 0;
  let bestY = reference[1];
  for (const [x, y] of inside) {
    if (y < bestY) {
      area += (reference[0] - x) * (bestY - y);
      bestY = y;
    }
  }
  return area;
}
