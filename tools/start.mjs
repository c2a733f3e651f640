// `npm start`: builds the packages if needed, then runs the main job: an FBNet search on Fashion-MNIST with
// the embedded default setup (latency LUT measured in onnxruntime-node here -> DNAS -> the chosen
// architecture trained from scratch -> ONNX export -> measured latency), into runs/fbnet-fashion-mnist.
// Running it again after an interruption (Ctrl-C) continues from the last checkpoint; after a finished run
// it prints the result again. Delete the folder for a fresh run.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const root = process.cwd();
const cli = join(root, 'packages', 'fbnas', 'dist', 'cli.cjs');
if (!existsSync(cli)) {
  console.log('Building the packages (first run)...');
  execFileSync('npx', ['nx', 'run-many', '-t', 'build', '--output-style=static'], {
    stdio: 'inherit',
    env: { ...process.env, NX_DAEMON: 'false' },
  });
}
const out = join('runs', 'fbnet-fashion-mnist');
console.log(`FBNet search on Fashion-MNIST (28x28 FBNet space, 22 layers x 9 candidates) -> ${out}`);
const run = spawnSync(process.execPath, [cli, 'search', 'fbnet', '--out', out, '--resume', ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(run.status ?? 1);
