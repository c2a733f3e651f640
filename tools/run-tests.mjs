// Runs every package's jest suite in one jest run and ends with the plain summary line CI reads:
// "N passed, N failed". Exits non-zero when any test (or test file) fails.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'fbnas-jest-'));
const out = join(dir, 'results.json');
const jestBin = join(process.cwd(), 'node_modules', 'jest', 'bin', 'jest.js');
// One jest worker per core (jest's own default leaves one core idle: on 2 cores it runs the files one by one).
// The suites are single-threaded CPU work, so this takes the suite from about 5 to 3 minutes on 2 cores.
// A --maxWorkers / -w / --runInBand given on the command line wins.
const own = process.argv.slice(2);
const chosen = own.some((a) => /^(--maxWorkers|-w|--runInBand|-i)(=|$)/.test(a));
const workers = chosen ? [] : [`--maxWorkers=${availableParallelism()}`];
const args = [jestBin, '--ci', '--json', `--outputFile=${out}`, ...workers, ...own];
const run = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'] });

let passed = 0;
let failed = 0;
try {
  const r = JSON.parse(readFileSync(out, 'utf8'));
  passed = r.numPassedTests;
  // a test file that fails to load counts as one failure
  failed = r.numFailedTests + r.numRuntimeErrorTestSuites;
  if (r.numTotalTests === 0) failed += 1;
} catch {
  failed += 1;
}
rmSync(dir, { recursive: true, force: true });
const failedRun = run.status !== 0 && failed === 0 ? 1 : 0;
console.log(`${passed} passed, ${failed + failedRun} failed`);
process.exit(failed + failedRun > 0 ? 1 : 0);
