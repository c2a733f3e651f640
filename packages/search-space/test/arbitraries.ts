import fc from 'fast-check';
import type { SearchSpace } from '../src';
import {
  fbnet28Space,
  fbnetCifarSpace,
  fbnetImageNetSpace,
  fbnetV3Space,
  jointSpace,
  nasBench201Space,
  nasBenchMacroSpace,
  recipeSpace,
} from '../src';

/** Every bundled space, for property tests that must hold on each. */
export const ALL_SPACES: SearchSpace[] = [
  fbnetCifarSpace(),
  fbnetImageNetSpace(),
  fbnet28Space(),
  fbnetV3Space(),
  recipeSpace({ epochs: [10, 20, 40] }),
  jointSpace(fbnetV3Space(), recipeSpace()),
  nasBench201Space(),
  nasBenchMacroSpace(),
];

/** A valid genome of `space`. */
export function genomeArb(space: SearchSpace): fc.Arbitrary<number[]> {
  return fc.tuple(
    ...space.dims.map((d) => {
      if (d.kind === 'categorical') return fc.integer({ min: 0, max: d.choices.length - 1 });
      if (d.kind === 'int') return fc.integer({ min: 0, max: Math.floor((d.max - d.min) / d.step) }).map((k) => d.min + k * d.step);
      return fc.double({ min: d.min, max: d.max, noNaN: true });
    }),
  );
}

/** Number of runs of the slower property tests (raise with FBNAS_PROPERTY_RUNS for a deeper check). */
export const PROPERTY_RUNS = Number(process.env.FBNAS_PROPERTY_RUNS ?? 60);
