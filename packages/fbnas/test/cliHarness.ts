import { readFileSync } from 'node:fs';
import { runCli } from '../src/cli/runCli';

/** Run the CLI in-process on argv, capturing stdout, stderr and the exit code (shared by the CLI tests). */
export async function run(...argv: string[]) {
  let out = '';
  let err = '';
  const code = await runCli(argv, { stdout: (t) => (out += t), stderr: (t) => (err += t), readFile: (p) => readFileSync(p, 'utf8') });
  return { code, out, err };
}
