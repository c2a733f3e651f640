import { defineConfig } from 'tsup';
import { packageConfig } from '../../tools/tsupConfig.mjs';

// The data-parallel training worker is its own entry: worker threads start it by file name.
export default defineConfig(packageConfig({ entries: { 'data-parallel-worker': 'src/train/dataParallelWorker.ts' } }));
