import { defineConfig } from 'tsup';
import { packageConfig } from '../../tools/tsupConfig.mjs';

// The umbrella also builds its CLI bin.
export default defineConfig(
  packageConfig({ extra: [{ entry: { cli: 'src/cli/main.ts' }, format: ['cjs'], sourcemap: true, target: 'es2022', banner: { js: '#!/usr/bin/env node' } }] }),
);
