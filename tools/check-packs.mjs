// Tests what users install: packs every published workspace package, installs the tarballs into a
// clean folder, imports each by ESM and by CJS, and runs the `fbnas` bin.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = process.cwd();
const work = mkdtempSync(join(tmpdir(), 'fbnas-pack-'));
const packages = readdirSync(join(root, 'packages'))
  .map((dir) => ({ dir: join(root, 'packages', dir), pkg: JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8')) }))
  .filter(({ pkg }) => !pkg.private);

const tarballs = packages.map(({ dir }) => {
  const out = execFileSync('npm', ['pack', '--silent', '--pack-destination', work], { cwd: dir, encoding: 'utf8' }).trim().split('\n').pop();
  return join(work, out);
});
const app = join(work, 'app');
execFileSync('mkdir', ['-p', app]);
writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'fbnas-pack-check', private: true }));
// --ignore-scripts: onnxruntime-node's install script downloads CUDA binaries from an unreachable host; its CPU
// binaries ship in the package.
execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts', ...tarballs], { cwd: app, stdio: 'inherit' });

for (const { pkg } of packages) {
  const cjs = execFileSync(process.execPath, ['-e', `const m = require(${JSON.stringify(pkg.name)}); console.log(Object.keys(m).length)`], { cwd: app, encoding: 'utf8' }).trim();
  const esm = execFileSync(process.execPath, ['--input-type=module', '-e', `const m = await import(${JSON.stringify(pkg.name)}); console.log(Object.keys(m).length)`], { cwd: app, encoding: 'utf8' }).trim();
  if (!(Number(cjs) > 0) || cjs !== esm) throw new Error(`${pkg.name}: CJS exports ${cjs}, ESM exports ${esm}`);
  console.log(`${pkg.name}: ${cjs} exports via require and import`);
}
const stats = JSON.parse(execFileSync(join(app, 'node_modules', '.bin', 'fbnas'), ['arch', 'stats', 'fbnet_a', '--json'], { cwd: app, encoding: 'utf8' }));
if (Math.abs(stats.macs / 244.5e6 - 1) > 0.01) throw new Error(`fbnas bin: unexpected fbnet_a multiply-adds ${stats.macs}`);
console.log('fbnas bin: arch stats fbnet_a ok');
rmSync(work, { recursive: true, force: true });
