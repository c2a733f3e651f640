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
// Benchmarks import the built packages: build once on a fresh clone.
const root = join(here, '..', '..');
const missing = readdirSync(join(root, 'packages')).some((p) => !existsSync(join(root, 'packages', p, 'dist', 'index.js')));
if (missing) spawnSync('npx', ['nx', 'run-many', '-t', 'build', '--output-style=static'], { stdio: 'inherit', cwd: root, env: { ...process.env, NX_DAEMON: 'false' } });
const run = spawnSync(process.execPath, [join(here, `${name}.mjs`), ...rest], { stdio: 'inherit' });
process.exit(run.status ?? 1);
