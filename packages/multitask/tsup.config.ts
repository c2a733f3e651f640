import { defineConfig } from 'tsup';
import { packageConfig } from '../../tools/tsupConfig.mjs';

export default defineConfig(packageConfig());
