/**
 * Round a channel count to a multiple of `divisor` the way mobile-vision does (`get_divisible_by`):
 * round half up to the nearest multiple; if that loses more than 5% add one more `divisor`; never
 * below `divisor`. A divisor of 1 rounds to the nearest integer (the FBNet paper / HW-NAS-Bench rule).
 */
export function makeDivisible(value: number, divisor: number): number {
  let result = Math.trunc(value);
  if (divisor > 0 && value % divisor !== 0) {
    const q = Math.floor(value / divisor + 0.5);
    result = (q === 0 ? 1 : q) * divisor;
    if (result < 0.95 * value) result += divisor;
  }
  return Math.max(result, divisor);
}
