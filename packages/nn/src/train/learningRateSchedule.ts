/**
 * A point where a schedule's length changed: from `step` on, the cosine continues from `progress` (the
 * fraction of the decay done there) to its end over the new length, so the learning rate stays continuous.
 */
export interface ScheduleAnchor {
  step: number;
  progress: number;
}

/**
 * Cosine decay with linear warm-up, per step: lr rises linearly from 0 over `warmupSteps`, then follows
 * a half cosine from `baseLr` to `minLr` at `totalSteps`. With an `anchor` (a re-planned length, see
 * {@link rescheduleAnchor}), the decay runs from the anchor's progress at its step to the end at `totalSteps`.
 */
export function cosineWithWarmup(step: number, totalSteps: number, baseLr: number, warmupSteps = 0, minLr = 0, anchor?: ScheduleAnchor): number {
  if (warmupSteps > 0 && step < warmupSteps) return (baseLr * (step + 1)) / warmupSteps;
  const p = decayProgress(step, totalSteps, anchor ?? { step: warmupSteps, progress: 0 });
  return minLr + 0.5 * (baseLr - minLr) * (1 + Math.cos(Math.PI * p));
}

/** The fraction of the decay done at `step`, going linearly from the anchor's progress to 1 at `totalSteps`. */
function decayProgress(step: number, totalSteps: number, from: ScheduleAnchor): number {
  const span = Math.max(totalSteps - from.step, 1);
  return Math.min(Math.max(from.progress + ((1 - from.progress) * (step - from.step)) / span, 0), 1);
}

/**
 * The anchor that changes a schedule's length from `totalSteps` to another at `step` without a jump: the
 * progress the current schedule reaches there (a step inside the warm-up moves to its end).
 */
export function rescheduleAnchor(step: number, totalSteps: number, warmupSteps: number, anchor?: ScheduleAnchor): ScheduleAnchor {
  const at = Math.max(step, warmupSteps);
  return { step: at, progress: decayProgress(at, totalSteps, anchor ?? { step: warmupSteps, progress: 0 }) };
}
