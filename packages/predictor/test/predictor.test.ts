import fc from 'fast-check';
import { createRng, encodeGenome, nasBenchMacroSpace, sampleUniform } from '@fbnas/search-space';
import { initBackend } from '@fbnas/nn';
import { createAccuracyPredictor, createPredictorEnsemble, isPredictorError, kendallTau, loadPredictor, loadPredictorEnsemble, precisionAtK, ranks, rmse, spearmanRho } from '../src';

beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
});

describe('ranking metrics', () => {
  it('match their definitions on known cases', () => {
    expect(kendallTau([1, 2, 3, 4], [1, 2, 3, 4])).toBe(1);
    expect(kendallTau([1, 2, 3, 4], [4, 3, 2, 1])).toBe(-1);
    expect(kendallTau([1, 2, 3], [1, 3, 2])).toBeCloseTo(1 / 3, 12);
    expect(spearmanRho([1, 2, 3, 4], [10, 20, 30, 40])).toBe(1);
    expect(ranks([3, 1, 3, 2])).toEqual([2.5, 0, 2.5, 1]);
    expect(rmse([1, 2], [1, 4])).toBeCloseTo(Math.sqrt(2), 12);
    expect(precisionAtK([0.9, 0.8, 0.1, 0.2], [3, 0, 2, 1], 2)).toBe(0.5); // predicted top-2 {0, 1}, true top-2 {0, 2}
    expect(precisionAtK([0.9, 0.8, 0.1, 0.2], [1, 0, 2, 3], 2)).toBe(0);
    expect(kendallTau([1, 1, 1], [1, 2, 3])).toBe(0);
  });

  it('are invariant under monotone transforms and antisymmetric (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: -50, max: 50 }), fc.integer({ min: -50, max: 50 })), { minLength: 2, maxLength: 40 }), (pairs) => {
        const a = pairs.map((p) => p[0]);
        const b = pairs.map((p) => p[1]);
        const t = kendallTau(a, b);
        expect(kendallTau(a.map((v) => Math.exp(v / 10)), b)).toBeCloseTo(t, 12);
        expect(kendallTau(a.map((v) => -v), b)).toBeCloseTo(-t, 12);
        expect(Math.abs(t)).toBeLessThanOrEqual(1);
        expect(Math.abs(spearmanRho(a, b))).toBeLessThanOrEqual(1 + 1e-12);
      }),
    );
  });

  it('give typed errors for mismatched, short or non-finite input', () => {
    expect(() => kendallTau([1, 2], [1])).toThrow(/fbnas.kendallTau: both inputs must have the same length, got 2 and 1/);
    expect(() => spearmanRho([1], [1])).toThrow(/needs at least 2 pairs/);
    expect(() => rmse([Number.NaN], [1])).toThrow(/value 0 is not finite/);
    expect(() => precisionAtK([1, 2], [1, 2], 3)).toThrow(/k must be an integer in \[1, 2\], got 3/);
  });
});

describe('AccuracyPredictor', () => {
  // NAS-Bench-Macro-shaped toy task: accuracy grows with depth and kernel size, with an interaction
  const space = nasBenchMacroSpace();
  const truth = (g: number[]) => g.reduce((s, v, i) => s + v * (1 + i / 8), 0) + (g[0] === 2 && g[7] === 2 ? 3 : 0);
  const genomes = sampleUniform(space, 400, createRng(0));
  const x = genomes.map((g) => encodeGenome(space, g));
  const y = genomes.map(truth);
  const train = { x: x.slice(0, 150), y: y.slice(0, 150) };
  const test = { x: x.slice(150), y: y.slice(150) };

  it('learns a ranking from few labels, reproducibly per seed, and saves/loads exactly', async () => {
    const p = createAccuracyPredictor({ inputDim: x[0].length, seed: 3, encoder: [64, 32], head: [64, 32], embedding: 16 });
    await p.fit(train.x, train.y, { epochs: 60, fineTuneEpochs: 20 });
    const pred = p.predict(test.x);
    expect(kendallTau(pred, test.y)).toBeGreaterThan(0.7);
    const q = createAccuracyPredictor({ inputDim: x[0].length, seed: 3, encoder: [64, 32], head: [64, 32], embedding: 16 });
    await q.fit(train.x, train.y, { epochs: 60, fineTuneEpochs: 20 });
    expect(q.predict(test.x)).toEqual(pred);
    const restored = loadPredictor(JSON.stringify(p.toJSON()));
    expect(restored.predict(test.x)).toEqual(pred);
    [p, q, restored].forEach((m) => m.dispose());
  }, 60_000);

  it('an ensemble averages members of different seeds, reports their spread, and saves/loads exactly', async () => {
    const small = { inputDim: x[0].length, seed: 3, encoder: [64, 32], head: [64, 32], embedding: 16 };
    const e = createPredictorEnsemble(small, 2);
    await e.fit(train.x, train.y, { epochs: 60, fineTuneEpochs: 20 });
    const { mean, std } = e.predictWithUncertainty(test.x);
    // the members are predictors of seeds 3 and 4: member 1 equals a single predictor of seed 4 trained alike
    expect(e.members.map((m) => m.toJSON().config.seed)).toEqual([3, 4]);
    const single = createAccuracyPredictor({ ...small, seed: 4 });
    await single.fit(train.x, train.y, { epochs: 60, fineTuneEpochs: 20 });
    const [a, b] = e.members.map((m) => m.predict(test.x));
    expect(b).toEqual(single.predict(test.x));
    single.dispose();
    mean.forEach((m, i) => expect(m).toBeCloseTo((a[i] + b[i]) / 2, 6));
    std.forEach((s, i) => expect(s).toBeCloseTo(Math.abs(a[i] - b[i]) / 2, 6));
    expect(std.every((s) => s >= 0) && std.some((s) => s > 0)).toBe(true);
    expect(e.predict(test.x)).toEqual(mean);
    expect(kendallTau(mean, test.y)).toBeGreaterThan(0.7);
    const restored = loadPredictorEnsemble(JSON.stringify(e.toJSON()));
    expect(restored.predictWithUncertainty(test.x)).toEqual({ mean, std });
    const json = e.toJSON();
    json.members[1].weights['head.out.w'].data[0] = Number.NaN;
    expect(() => loadPredictorEnsemble(json)).toThrow(/member 1: .*head\.out\.w/);
    expect(() => loadPredictorEnsemble('{"format":"fbnas.predictor-ensemble/v1","members":[]}')).toThrow(/at least one member/);
    expect(() => createPredictorEnsemble(small, 0)).toThrow(/size must be a positive integer, got 0/);
    [e, restored].forEach((m) => m.dispose());
  }, 120_000);

  it('pretraining teaches the encoder the free statistics, and fitting then trains the head first', async () => {
    const p = createAccuracyPredictor({ inputDim: x[0].length, seed: 1, encoder: [64, 32], head: [32], embedding: 8, proxyOutputs: 2 });
    const proxies = genomes.map((g) => [g.filter((v) => v === 2).length, g.filter((v) => v > 0).length]);
    const losses = await p.pretrain(x, proxies, { epochs: 40, batchSize: 64 });
    expect(losses.at(-1)).toBeLessThan(losses[0] / 3);
    const predicted = p.predictProxies(x.slice(0, 50));
    expect(kendallTau(predicted.map((r) => r[0]), proxies.slice(0, 50).map((r) => r[0]))).toBeGreaterThan(0.8);
    const before = p.toJSON().weights['encoder.0.w'].data.slice(0, 20);
    const { phase1, phase2 } = await p.fit(train.x, train.y, { epochs: 5, fineTuneEpochs: 0 });
    expect(phase1).toHaveLength(5);
    expect(phase2).toHaveLength(0);
    expect(p.toJSON().weights['encoder.0.w'].data.slice(0, 20)).toEqual(before); // frozen in phase 1
    p.dispose();
  }, 60_000);

  it('takes recipe features next to the architecture embedding', async () => {
    const recipes = genomes.map((_, i) => [(i % 5) / 4]);
    const yr = y.map((v, i) => v + 4 * recipes[i][0]);
    const p = createAccuracyPredictor({ inputDim: x[0].length, recipeDim: 1, seed: 2, encoder: [64], head: [64, 32], embedding: 16 });
    await p.fit(x.slice(0, 300), yr.slice(0, 300), { recipes: recipes.slice(0, 300), epochs: 60, fineTuneEpochs: 10 });
    expect(kendallTau(p.predict(x.slice(300), recipes.slice(300)), yr.slice(300))).toBeGreaterThan(0.7);
    expect(() => p.predict(x.slice(300))).toThrow(/recipes must be an array of rows/);
    p.dispose();
  }, 60_000);

  it('gives typed errors for wrong feature dimensions, NaN labels, empty sets and corrupt files', async () => {
    const p = createAccuracyPredictor({ inputDim: 24, seed: 0 });
    await expect(p.fit([[1, 2]], [1])).rejects.toThrow(/fbnas.AccuracyPredictor.fit: x\[0\] has 2 features, the predictor expects 24/);
    await expect(p.fit([x[0], x[1]], [1, Number.NaN])).rejects.toThrow(/accuracy\[1\] is NaN/);
    await expect(p.fit([], [])).rejects.toThrow(/x is empty/);
    await expect(p.pretrain([x[0]], [[1]])).rejects.toThrow(/proxies\[0\] has 1 features, the predictor expects 2/);
    expect(() => p.predict([x[0]])).toThrow(/has not been fitted/);
    const err = (() => {
      try {
        loadPredictor('{"format":"fbnas.predictor/v1","config":{"inputDim":24},"weights":{}}');
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(isPredictorError(err) && err.code === 'CORRUPT_MODEL').toBe(true);
    expect(() => loadPredictor('not json')).toThrow(/not valid JSON/);
    expect(() => createAccuracyPredictor({ inputDim: 0 })).toThrow(/config.inputDim must be a positive integer, got 0/);
    p.dispose();
  });
});
