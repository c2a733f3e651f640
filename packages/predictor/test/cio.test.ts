import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nasBenchMacroSpace, type Genome } from '@fbnas/search-space';
import { initBackend } from '@fbnas/nn';
import { constrainedIterativeOptimization, isPredictorError, type CioEvaluator, type CioOptions } from '../src';

let dir: string;
beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
  dir = mkdtempSync(join(tmpdir(), 'fbnas-cio-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const space = nasBenchMacroSpace();
const quality = (g: Genome) => g.reduce((s, v, i) => s + v * (1 + i / 4), 0);
// learning curves: epoch 1 is noise-dominated, later epochs rank like the final accuracy
const evaluator = (calls: Genome[]): CioEvaluator => async (genome, { epochs, onEpoch }) => {
  calls.push(genome);
  let acc = 0;
  for (let e = 0; e < epochs; e++) {
    // epoch 1: a hash of the genome (unrelated to quality); from epoch 2 on: the learning curve
    const hash = genome.reduce((h, v, i) => (h * 31 + v * (i + 7)) % 101, 17);
    acc = e === 0 ? hash : quality(genome) * (1 - Math.exp(-(e + 1)));
    onEpoch(e, acc);
  }
  return acc;
};
const base = (calls: Genome[]): CioOptions => ({
  evaluate: evaluator(calls),
  fullEpochs: 4,
  poolSize: 200,
  iterations: 3,
  firstBatch: 16,
  batchSize: 8,
  correlationThreshold: 0.9,
  proxies: (g) => [g.filter((v) => v > 0).length, g.filter((v) => v === 2).length],
  predictor: { encoder: [32], head: [32], embedding: 8 },
  fit: { epochs: 200, fineTuneEpochs: 20 },
  seed: 4,
});

describe('constrainedIterativeOptimization', () => {
  it('picks the earliest epoch that ranks like the final accuracy, trains later candidates only that far, and prefers good ones', async () => {
    const calls: Genome[] = [];
    const events: string[] = [];
    const r = await constrainedIterativeOptimization(space, { ...base(calls), onProgress: (e) => events.push(e.type) });
    expect(r.correlationByEpoch).toHaveLength(4);
    expect(r.correlationByEpoch[0]).toBeLessThan(0.9);
    expect(r.earlyStopEpoch).toBe(r.correlationByEpoch.findIndex((c) => c >= 0.9) + 1);
    expect(r.earlyStopEpoch).toBeGreaterThan(1);
    expect(r.earlyStopCorrelation).toBeGreaterThanOrEqual(0.9);
    expect(r.records).toHaveLength(16 + 8 + 8);
    expect(r.records.slice(0, 16).every((x) => x.epochs === 4 && x.epochAccuracies.length === 4)).toBe(true);
    expect(r.records.slice(16).every((x) => x.epochs === r.earlyStopEpoch && x.epochAccuracies.length === r.earlyStopEpoch)).toBe(true);
    expect(new Set(r.records.map((x) => x.genome.join())).size).toBe(32);
    // the predictor-chosen iterations beat the random first batch on average
    const mean = (xs: Genome[]) => xs.reduce((s, g) => s + quality(g), 0) / xs.length;
    expect(mean(r.records.slice(16).map((x) => x.genome))).toBeGreaterThan(mean(r.records.slice(0, 16).map((x) => x.genome)));
    expect(events.filter((e) => e === 'early-stop')).toHaveLength(1);
    r.predictor.dispose();
  }, 120_000);

  it('records every evaluation and resumes a stopped run to the same result', async () => {
    const path = join(dir, 'cio.json');
    const whole = await constrainedIterativeOptimization(space, base([]));
    whole.predictor.dispose();
    const controller = new AbortController();
    let n = 0;
    const stopped = await constrainedIterativeOptimization(space, {
      ...base([]),
      recordPath: path,
      signal: controller.signal,
      onProgress: (e) => {
        if (e.type === 'evaluated' && ++n === 20) controller.abort();
      },
    }).catch((e: unknown) => e);
    expect(isPredictorError(stopped) && stopped.code === 'ABORTED').toBe(true);
    const calls: Genome[] = [];
    const resumed = await constrainedIterativeOptimization(space, { ...base(calls), recordPath: path });
    expect(resumed.resumedRecords).toBe(20);
    expect(calls).toHaveLength(12);
    expect(resumed.records.map((x) => x.genome)).toEqual(whole.records.map((x) => x.genome));
    expect(resumed.earlyStopEpoch).toBe(whole.earlyStopEpoch);
    resumed.predictor.dispose();
    await expect(constrainedIterativeOptimization(space, { ...base([]), seed: 9, recordPath: path })).rejects.toThrow(/was written by a run with other options/);
    writeFileSync(join(dir, 'bad.json'), '{oops');
    await expect(constrainedIterativeOptimization(space, { ...base([]), recordPath: join(dir, 'bad.json') })).rejects.toThrow(/is not a valid record file/);
  }, 120_000);

  it('rejects bad options and non-finite accuracies with typed errors', async () => {
    await expect(constrainedIterativeOptimization(space, { ...base([]), firstBatch: 2 })).rejects.toThrow(/options.firstBatch must be an integer >= 3, got 2/);
    await expect(constrainedIterativeOptimization(space, { ...base([]), pool: [[0, 0, 0, 0, 0, 0, 0, 0]] })).rejects.toThrow(/the pool holds 1 candidates, fewer than firstBatch \(16\)/);
    await expect(constrainedIterativeOptimization(space, { ...base([]), evaluate: async () => Number.NaN })).rejects.toThrow(/the evaluator returned NaN/);
  });
});
