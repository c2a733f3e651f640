// `npm start`: builds the packages if needed, then runs the main job. Until the FBNet search lands
// (issue "@fbnas/dnas"), the main job is a search-space tour: the zoo, the 28x28 FBNet space that the
// Fashion-MNIST search will use, and quasi-random samples from it with their costs.
import { execFileSync } from 'node:child_process';
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
const fbnas = (...args) => execFileSync(process.execPath, [cli, ...args], { stdio: 'inherit' });

console.log('\n== fbnas model zoo (multiply-adds and params at each model\'s input size) ==');
fbnas('arch', 'list');
console.log('\n== The 28x28 FBNet space for Fashion-MNIST: 22 layers x 9 candidates; 8 Sobol samples ==');
fbnas('space', 'sample', 'fbnet-28', '--count', '8', '--sobol', '--seed', '0');
console.log('\n== FBNetV3-A from the zoo, layer by layer ==');
fbnas('arch', 'stats', 'FBNetV3_A');
console.log('\nThe FBNet search on Fashion-MNIST is not in this build yet; see README.md for the package states.');
