import type { Options } from 'tsup';
export function packageConfig(options?: { extra?: Options[] }): Options[];
