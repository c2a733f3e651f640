// `npm run bench -- <name>`: runs tools/bench/<name>.mjs. Each benchmark measures its comparisons side by
// side in one run and ends by printing one line of JSON with its figures.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const available = readdirSync(here).filter((f) => f.endsWith('.mjs') && f !== 'run.mjs').map((f) => f.replace(/\.mjs$/, ''));
const [name, ...rest] = process.argv.slice(2);
if (!name || !existsSync(join(here, `${name}.mjs`))) {
  console.error(`usage: npm run bench -- <name>\navailable: ${available.length ? available.join(', ') : '(none yet)'}`);
  process.exit(2);
}
// Benchmarks import the built packages: build them first (Nx caches, so an up-to-date build takes seconds
// and a stale dist never gets measured).
const root = join(here, '..', '..');
const build = spawnSync('npx', ['nx', 'run-many', '-t', 'build', '--output-style=static'], { stdio: ['ignore', 'ignore', 'inherit'], cwd: root, env: { ...process.env, NX_DAEMON: 'false' } });
if (build.status !== 0) {
  console.error('bench: the build failed (run `npx nx run-many -t build` to see why)');
  process.exit(1);
}
const run = spawnSync(process.execPath, [join(here, `${name}.mjs`), ...rest], { stdio: 'inherit' });
process.exit(run.status ?? 1);
