/**
 * Cosine decay with linear warm-up, per step: lr rises linearly from 0 over `warmupSteps`, then follows
 * a half cosine from `baseLr` to `minLr` at `totalSteps`.
 */
export function cosineWithWarmup(step: number, totalSteps: number, baseLr: number, warmupSteps = 0, minLr = 0): number {
  if (warmupSteps > 0 && step < warmupSteps) return (baseLr * (step + 1)) / warmupSteps;
  const span = Math.max(totalSteps - warmupSteps, 1);
  const p = Math.min(Math.max((step - warmupSteps) / span, 0), 1);
  return minLr + 0.5 * (baseLr - minLr) * (1 + Math.cos(Math.PI * p));
}
