import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { costOfGenome, statCostTable } from '@fbnas/latency-model';
import { initBackend } from '@fbnas/nn';
import { costRange, isDnasError, sampleArchitectures, searchDnas, type DnasProgress } from '../src';
import { tinyData, tinySpace } from './fixtures/tinySearch';

const root = join(__dirname, '..', '..', '..');
let dir: string;

beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
  dir = mkdtempSync(join(tmpdir(), 'fbnas-dnas-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const space = tinySpace();
const macs = statCostTable(space, 'macs');

function runChild(checkpoint: string, out: string, killAt: number) {
  return spawnSync(
    process.execPath,
    ['--conditions=@fbnas/source', '--import', join(root, 'tools', 'ts-run', 'register.mjs'), join(__dirname, 'fixtures', 'searchRun.ts'), checkpoint, out, String(killAt)],
    { cwd: root, encoding: 'utf8', timeout: 120_000 },
  );
}

describe('searchDnas', () => {
  it('a run killed with SIGKILL mid-epoch and resumed ends with the same theta and architecture as an uninterrupted run', () => {
    const whole = runChild('-', join(dir, 'whole.json'), -1);
    expect(whole.stderr).toBe('');
    expect(whole.status).toBe(0);
    const ck = join(dir, 'search.ckpt');
    // 8 weight steps per epoch: step 20 is inside epoch 2, after the checkpoints of epochs 0 and 1
    const killed = runChild(ck, join(dir, 'killed.json'), 20);
    expect(killed.signal).toBe('SIGKILL');
    expect(existsSync(ck)).toBe(true);
    expect(existsSync(join(dir, 'killed.json'))).toBe(false);
    const resumed = runChild(ck, join(dir, 'resumed.json'), -1);
    expect(resumed.status).toBe(0);
    const a = JSON.parse(readFileSync(join(dir, 'whole.json'), 'utf8'));
    const b = JSON.parse(readFileSync(join(dir, 'resumed.json'), 'utf8'));
    expect(b.resumedFromEpoch).toBe(2);
    expect(b.epochs).toBe(4);
    expect(b.theta).toEqual(a.theta);
    expect(b.argmax).toEqual(a.argmax);
    // theta learned something
    expect(a.theta.flat().some((v: number) => Math.abs(v) > 1e-3)).toBe(true);
  }, 240_000);

  it('the cost term moves the architecture to cheaper candidates than the same search with beta = 0', async () => {
    const train = tinyData(480, 3);
    const common = { train, costTable: macs, epochs: 4, warmupEpochs: 1, batchSize: 32, seed: 2, thetaLearningRate: 0.05 };
    const events: DnasProgress[] = [];
    const withCost = await searchDnas(space, { ...common, costLoss: { kind: 'fbnet', beta: 0.6 }, onProgress: (e) => events.push(e) });
    const without = await searchDnas(space, { ...common, costLoss: { kind: 'fbnet', beta: 0 } });
    const expected = (probs: number[][]) => probs.reduce((s, row, l) => s + row.reduce((a, p, c) => a + p * macs.layers[l][c], 0), macs.fixed);
    expect(expected(withCost.probs)).toBeLessThan(expected(without.probs));
    expect(costOfGenome(macs, withCost.argmax)).toBeLessThan(costOfGenome(macs, without.argmax));
    // history and progress
    expect(withCost.history.map((h) => h.epoch)).toEqual([0, 1, 2, 3]);
    expect(withCost.history[0].thetaLoss).toBeNull();
    expect(withCost.history[1].thetaLoss).not.toBeNull();
    expect(withCost.history[3].tau).toBeCloseTo(5 * Math.exp(-0.045 * 3), 12);
    expect(events.filter((e) => e.type === 'epoch')).toHaveLength(4);
    expect(events.some((e) => e.type === 'step' && e.phase === 'theta')).toBe(true);
    expect(withCost.supernet).toBeNull();
  }, 120_000);

  it('a two-sided cost target on P_theta holds the expected cost near the target; on the relaxed weights it overshoots', async () => {
    const train = tinyData(480, 3);
    const range = costRange(macs);
    const target = range.min + 0.6 * (range.uniform - range.min);
    const run = (expectation: 'policy' | 'relaxed') =>
      searchDnas(space, {
        train, costTable: macs, epochs: 6, warmupEpochs: 1, batchSize: 32, seed: 2, thetaLearningRate: 0.1,
        costLoss: { kind: 'target', target, weight: 20, twoSided: true, expectation },
      });
    const policy = await run('policy');
    const relaxed = await run('relaxed');
    expect(policy.costLoss.expectation).toBe('policy');
    const ratio = (r: typeof policy) => r.history[r.history.length - 1].expectedCost / target;
    // both start above the target (uniform theta); at tau near 5 the relaxed weights stay near uniform, so
    // their cost stays above the target and keeps pushing P_theta down past it
    expect(policy.history[0].expectedCost).toBeGreaterThan(1.3 * target);
    expect(Math.abs(ratio(policy) - 1)).toBeLessThan(0.2);
    expect(Math.abs(ratio(relaxed) - 1)).toBeGreaterThan(Math.abs(ratio(policy) - 1) + 0.1);
  }, 120_000);

  it('refuses a checkpoint written by another search, and stops on abort with a typed error', async () => {
    const train = tinyData(160, 1);
    const ck = join(dir, 'other.ckpt');
    await searchDnas(space, { train, costTable: macs, epochs: 1, warmupEpochs: 0, batchSize: 32, seed: 1, checkpointPath: ck });
    await expect(searchDnas(space, { train, costTable: macs, epochs: 1, warmupEpochs: 0, batchSize: 32, seed: 2, checkpointPath: ck, resume: true })).rejects.toThrow(
      /was written by a search with another space, data or options/,
    );
    writeFileSync(join(dir, 'garbage.ckpt'), 'not a checkpoint');
    await expect(searchDnas(space, { train, costTable: macs, epochs: 1, batchSize: 32, checkpointPath: join(dir, 'garbage.ckpt'), resume: true })).rejects.toThrow();
    const controller = new AbortController();
    controller.abort();
    const err = await searchDnas(space, { train, costTable: macs, epochs: 1, batchSize: 32, signal: controller.signal }).catch((e: unknown) => e);
    expect(isDnasError(err) && err.code === 'ABORTED').toBe(true);
  }, 60_000);

  it('validates its inputs with typed errors naming the option', async () => {
    const train = tinyData(160, 1);
    await expect(searchDnas(space, { train, costTable: { ...macs, layers: macs.layers.slice(1) } })).rejects.toThrow(/options\.costTable must have 4 layers x 9 candidates/);
    await expect(searchDnas(space, { train, costTable: macs, epochs: 0 })).rejects.toThrow(/options\.epochs must be an integer in \[1, 1000000\], got 0/);
    await expect(searchDnas(space, { train, costTable: macs, weightShare: 1.5 })).rejects.toThrow(/options\.weightShare/);
    await expect(searchDnas(space, { train, costTable: macs, weightSampling: 'fair' as never })).rejects.toThrow(/options\.weightSampling must be "theta" or "uniform", got "fair"/);
    await expect(searchDnas(space, { train, costTable: macs, mode: 'soft', weightSampling: 'uniform' })).rejects.toThrow(/needs mode "hard"/);
    await expect(searchDnas(space, { train, costTable: macs, batchSize: 512 })).rejects.toThrow(/too small for batchSize 512/);
    await expect(searchDnas(space, { train: { ...train, numClasses: 10 }, costTable: macs })).rejects.toThrow(/has 10 classes, tiny has 3/);
    await expect(searchDnas(space, { train, costTable: macs, batchSize: 32, temperature: { tau0: -1 } })).rejects.toThrow(/tau must be a positive finite number/);
  });
});

describe('sampleArchitectures', () => {
  const probs = space.layers.map((_, l) => Array.from({ length: 9 }, (_, c) => (c === l ? 0.6 : 0.05)));

  it('returns the argmax first, then seeded, de-duplicated samples with their cost and statistics', () => {
    const a = sampleArchitectures(space, probs, { count: 20, seed: 4, costTable: macs });
    const b = sampleArchitectures(space, probs, { count: 20, seed: 4, costTable: macs });
    expect(a).toEqual(b);
    expect(a[0].source).toBe('argmax');
    expect(a[0].genome).toEqual([0, 1, 2, 3]);
    expect(new Set(a.map((x) => x.genome.join())).size).toBe(a.length);
    for (const x of a) {
      expect(x.cost).toBeCloseTo(costOfGenome(macs, x.genome), 9);
      expect(x.cost).toBeCloseTo(x.macs / 1e6, 6);
      expect(x.logProb).toBeCloseTo(x.genome.reduce((s, c, l) => s + Math.log(probs[l][c]), 0), 9);
    }
    // sampling follows the probabilities: the favoured candidate dominates
    const many = sampleArchitectures(space, probs, { count: 400, seed: 1 });
    const favoured = many.filter((x) => x.genome[0] === 0).length / many.length;
    expect(favoured).toBeGreaterThan(0.3);
  });

  it('rejects probabilities that are not distributions', () => {
    expect(() => sampleArchitectures(space, probs.slice(1))).toThrow(/probs must have 4 rows, got 3/);
    expect(() => sampleArchitectures(space, [[1], ...probs.slice(1)])).toThrow(/probs\[0\] must be 9 non-negative numbers summing to 1/);
    expect(() => sampleArchitectures(space, probs, { count: -1 })).toThrow(/options\.count must be a non-negative integer, got -1/);
  });
});
