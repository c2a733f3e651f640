import { nasBench201Space, sampleUniform, createRng, type Genome } from '@fbnas/search-space';
import { initBackend } from '@fbnas/nn';
import { constrainedIterativeOptimization, createTabularBenchmark, isPredictorError, nasBench201Benchmark, nasBenchMacroBenchmark, tabularEvaluator } from '../src';

beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
});

describe('tabular benchmarks', () => {
  const macro = nasBenchMacroBenchmark();

  it('bundles NAS-Bench-Macro CIFAR-10 as its README describes it', () => {
    expect(macro.size).toBe(6561);
    // README: mean_acc from 45.36 (00000000) to 93.13 (22212220); params 0.39-2.93 M; FLOPs 7.7-105.7 M
    expect(macro.record([0, 0, 0, 0, 0, 0, 0, 0]).accuracy).toBeCloseTo(45.36, 2);
    const optimum = macro.optimum();
    expect(optimum.accuracy).toBeCloseTo(93.13, 2);
    const best = macro.record([2, 2, 2, 1, 2, 2, 2, 0]);
    expect(macro.record(optimum.genome)).toEqual(best); // 22212220 or an equivalent key sharing its record
    expect(best.runs).toEqual([93.28, 93.33, 92.77]);
    expect(best.params).toBe(1985514);
    const all = sampleUniform(macro.space, 500, createRng(1));
    const params = all.map((g) => macro.record(g).params as number);
    expect(Math.min(...params)).toBeGreaterThanOrEqual(0.39e6 - 1e4);
    expect(Math.max(...params)).toBeLessThanOrEqual(2.93e6 + 1e4);
    // equivalent architectures (an identity moved to the end of its stage, here stage 2 = layers 2-4) share one record
    expect(macro.record([1, 1, 1, 0, 1, 1, 1, 1]).accuracy).toBe(macro.record([1, 1, 1, 1, 0, 1, 1, 1]).accuracy);
  });

  it('serves as a batched evolution fitness and as a CIO evaluator', async () => {
    const some = sampleUniform(macro.space, 50, createRng(3));
    expect(macro.accuracy(some)).toEqual(some.map((g) => macro.record(g).accuracy));
    const seen: number[][] = [];
    const cio = await constrainedIterativeOptimization(macro.space, {
      evaluate: tabularEvaluator(macro, { sampleRuns: true, seed: 1 }),
      fullEpochs: 3, poolSize: 300, iterations: 3, firstBatch: 10, batchSize: 10, exploration: 0,
      predictor: { encoder: [32], head: [32], embedding: 8 }, fit: { epochs: 100, fineTuneEpochs: 10 }, seed: 2,
      onProgress: (e) => e.type === 'evaluated' && seen.push(e.record.epochAccuracies),
    });
    expect(cio.earlyStopEpoch).toBe(1); // a table has final accuracies only: every epoch reports the same value
    for (const curve of seen) expect(new Set(curve).size).toBe(1);
    for (const rec of cio.records) expect(macro.record(rec.genome).runs?.map((a) => a / 100)).toContain(rec.accuracy);
    // the predictor-chosen candidates of iterations 2-3 beat the random first batch on average
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(cio.records.filter((x) => x.iteration > 1).map((x) => x.accuracy))).toBeGreaterThan(mean(cio.records.filter((x) => x.iteration === 1).map((x) => x.accuracy)));
    cio.predictor.dispose();
  }, 60_000);

  it('builds NAS-Bench-201 from your copy of the accuracies, per dataset', () => {
    const space = nasBench201Space();
    const a: Genome = [3, 3, 3, 3, 3, 3];
    const b: Genome = [0, 0, 0, 0, 0, 0];
    const archs = { [space.toKey(a)]: { cifar10_test_acc: 94.1, cifar100_test_acc: 73 }, [space.toKey(b)]: { cifar10_test_acc: 10, cifar100_test_acc: 1 } };
    expect(nasBench201Benchmark(archs).accuracy([a, b])).toEqual([94.1, 10]);
    expect(nasBench201Benchmark(archs, 'cifar100').optimum()).toEqual({ genome: a, accuracy: 73 });
    expect(nasBench201Benchmark({ [space.toKey(a)]: 50 }).record(a).accuracy).toBe(50);
  });

  it('rejects bad tables and unknown architectures with typed errors', () => {
    const space = nasBench201Space();
    const cases: Array<[() => unknown, RegExp]> = [
      [() => createTabularBenchmark('t', space, {}), /t has no entries/],
      [() => createTabularBenchmark('t', space, { '|bad|': { accuracy: 1 } }), /entry "\|bad\|" is not an architecture of nas-bench-201/],
      [() => nasBench201Benchmark({ [space.toKey([1, 1, 1, 1, 1, 1])]: { cifar100_test_acc: 5 } }), /needs a finite accuracy/],
      [() => nasBench201Benchmark({ [space.toKey([1, 1, 1, 1, 1, 1])]: Number.NaN }), /needs a finite accuracy/],
      [() => nasBench201Benchmark({}, 'svhn' as 'cifar10'), /dataset must be cifar10, cifar100 or ImageNet16-120, got "svhn"/],
      [() => nasBench201Benchmark({ [space.toKey([1, 1, 1, 1, 1, 1])]: 5 }).record([2, 2, 2, 2, 2, 2]), /is not in the table/],
    ];
    for (const [fn, message] of cases) {
      try {
        fn();
        throw new Error('accepted');
      } catch (err) {
        expect(isPredictorError(err)).toBe(true);
        expect((err as Error).message).toMatch(message);
      }
    }
    expect(() => macro.record([3, 0, 0, 0, 0, 0, 0, 0])).toThrow(/layer0|genome/);
  });
});
