// Node module hooks that run the workspace's TypeScript sources directly (tests spawn child processes
// with them, e.g. the kill-and-resume test of @fbnas/dnas): extensionless relative imports resolve to
// `.ts` or `/index.ts`, and `.ts` files are transpiled by @swc/core (types stripped, no type check), with
// `__filename`/`__dirname` defined where a file uses them.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { transformSync } from '@swc/core';

export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (error) {
    if (/^\.{1,2}\//.test(specifier) && !/\.[cm]?[jt]s$/.test(specifier)) {
      for (const suffix of ['.ts', '/index.ts']) {
        try {
          return await nextResolve(specifier + suffix, context);
        } catch {
          // try the next suffix
        }
      }
    }
    throw error;
  }
}

export async function load(url, context, nextLoad) {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return nextLoad(url, context);
  const filename = fileURLToPath(url);
  const { code } = transformSync(readFileSync(filename, 'utf8'), {
    filename,
    sourceMaps: 'inline',
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'es6' },
  });
  // CommonJS globals that tsup shims in the built packages
  const shim = /\b__(file|dir)name\b/.test(code)
    ? "import { fileURLToPath as __fbnasPath } from 'node:url'; const __filename = __fbnasPath(import.meta.url); const __dirname = __fbnasPath(new URL('.', import.meta.url));\n"
    : '';
  return { format: 'module', source: shim + code, shortCircuit: true };
}
