import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { createRng } from '@fbnas/search-space';
import { costOfGenome, expectedCostTf, statCostTable, type LayerwiseCostTable } from '@fbnas/latency-model';
import { initBackend } from '@fbnas/nn';
import { AUTO_COST_REFERENCE, costRange, gumbelSoftmax, gumbelSoftmaxValues, isDnasError, resolveCostLoss, sampleGumbel, temperatureAt } from '../src';
import { tinySpace } from './fixtures/tinySearch';

beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
});

const L = 4;
const C = 9;

describe('Gumbel-softmax', () => {
  it('stays finite and normalised for tau down to 0.05 and large logits', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e4, max: 1e4, noNaN: true }), { minLength: L * C, maxLength: L * C }),
        fc.double({ min: 0.05, max: 10, noNaN: true }),
        fc.integer({ min: 0, max: 1000 }),
        (theta, tau, seed) => {
          const g = sampleGumbel(createRng(seed), L, C);
          const m = tf.tidy(() => gumbelSoftmax(tf.tensor2d(theta, [L, C]), tf.tensor2d(g, [L, C]), tau).arraySync());
          m.forEach((row) => {
            expect(row.every((p) => Number.isFinite(p) && p >= 0 && p <= 1)).toBe(true);
            expect(Math.abs(row.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-5);
          });
          // its gradient is finite too
          const grad = tf.tidy(() => tf.grad((t: tf.Tensor) => tf.sum(tf.mul(gumbelSoftmax(t as tf.Tensor2D, null, tau), tf.range(0, L * C).reshape([L, C]))))(tf.tensor2d(theta, [L, C])).dataSync());
          expect(Array.from(grad).every(Number.isFinite)).toBe(true);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('the tfjs op equals the float64 host version', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -20, max: 20, noNaN: true }), { minLength: L * C, maxLength: L * C }), fc.double({ min: 0.5, max: 10, noNaN: true }), fc.integer({ min: 0, max: 1000 }), (theta, tau, seed) => {
        const g = sampleGumbel(createRng(seed), L, C);
        const m = tf.tidy(() => gumbelSoftmax(tf.tensor2d(theta, [L, C]), tf.tensor2d(g, [L, C]), tau).dataSync());
        const host = gumbelSoftmaxValues(theta, g, tau, C);
        m.forEach((p, i) => expect(Math.abs(p - host[i])).toBeLessThan(1e-5));
      }),
      { numRuns: 40 },
    );
  });

  it('concentrates on argmax(theta + g) as tau goes to 0', () => {
    const rng = createRng(3);
    const theta = Array.from({ length: L * C }, () => rng.normal());
    const g = sampleGumbel(rng, L, C);
    const m = gumbelSoftmaxValues(theta, g, 0.001, C);
    for (let l = 0; l < L; l++) {
      const z = Array.from({ length: C }, (_, c) => theta[l * C + c] + g[l * C + c]);
      const best = z.indexOf(Math.max(...z));
      expect(m[l * C + best]).toBeGreaterThan(0.999);
    }
  });

  it('rejects a non-positive temperature', () => {
    expect(() => gumbelSoftmaxValues([0, 0], null, 0, 2)).toThrow(/tau must be a positive finite number, got 0/);
  });
});

describe('temperature schedule', () => {
  it('follows tau0 * exp(-decay * epoch) with FBNet defaults and a floor', () => {
    expect(temperatureAt(0)).toBe(5);
    expect(temperatureAt(10)).toBeCloseTo(5 * Math.exp(-0.45), 12);
    expect(temperatureAt(1000)).toBe(0.05);
    expect(temperatureAt(2, { tau0: 1, decay: 0.5, min: 0.1 })).toBeCloseTo(Math.exp(-1), 12);
    expect(() => temperatureAt(-1)).toThrow(/epoch must be a non-negative number, got -1/);
    expect(() => temperatureAt(1, { decay: Number.NaN })).toThrow(/schedule\.decay/);
  });
});

describe('latency-aware loss', () => {
  const space = tinySpace();
  const table: LayerwiseCostTable = statCostTable(space, 'macs');

  it('expected cost equals the LUT sum when theta is one-hot', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: C - 1 }), { minLength: space.layers.length, maxLength: space.layers.length }), (genome) => {
        const theta = genome.flatMap((c) => Array.from({ length: C }, (_, i) => (i === c ? 50 : 0)));
        const lat = tf.tidy(() => expectedCostTf(table, gumbelSoftmax(tf.tensor2d(theta, [genome.length, C]), null, 0.05)).dataSync()[0]);
        expect(Math.abs(lat - costOfGenome(table, genome)) / costOfGenome(table, genome)).toBeLessThan(1e-6);
      }),
      { numRuns: 30 },
    );
  });

  it('its gradient with respect to theta matches finite differences', () => {
    const alpha = 0.2;
    const beta = 0.6;
    const scale = 1000;
    const loss = resolveCostLoss({ kind: 'fbnet', alpha, beta, scale }, table);
    const ce = 1.7;
    const tau = 0.7;
    const rng = createRng(11);
    const rows = table.layers.length;
    const theta = Array.from({ length: rows * C }, () => rng.normal());
    const g = sampleGumbel(rng, rows, C);
    // the same loss in float64 on the host
    const host = (th: number[]) => {
      const m = gumbelSoftmaxValues(th, g, tau, C);
      let lat = table.fixed;
      for (let l = 0; l < rows; l++) for (let c = 0; c < C; c++) lat += m[l * C + c] * table.layers[l][c];
      return ce * alpha * Math.log(scale * lat) ** beta;
    };
    const grad = tf.tidy(() =>
      tf.grad((t: tf.Tensor) => loss.apply(tf.scalar(ce), expectedCostTf(table, gumbelSoftmax(t as tf.Tensor2D, tf.tensor2d(g, [rows, C]), tau))))(tf.tensor2d(theta, [rows, C])).dataSync(),
    );
    const h = 1e-5;
    let maxErr = 0;
    let maxAbs = 0;
    for (let i = 0; i < theta.length; i++) {
      const up = [...theta];
      const down = [...theta];
      up[i] += h;
      down[i] -= h;
      const fd = (host(up) - host(down)) / (2 * h);
      maxErr = Math.max(maxErr, Math.abs(fd - grad[i]));
      maxAbs = Math.max(maxAbs, Math.abs(fd));
    }
    expect(maxAbs).toBeGreaterThan(1e-4);
    expect(maxErr / maxAbs).toBeLessThan(1e-3);
  });

  it('beta = 0 makes the loss independent of the cost; the auto scale maps the uniform cost to 20 units', () => {
    const noCost = resolveCostLoss({ kind: 'fbnet', beta: 0 }, table);
    const a = tf.tidy(() => noCost.apply(tf.scalar(2), tf.scalar(5)).dataSync()[0]);
    const b = tf.tidy(() => noCost.apply(tf.scalar(2), tf.scalar(500)).dataSync()[0]);
    expect(a).toBeCloseTo(0.4, 6);
    expect(b).toBeCloseTo(0.4, 6);
    const auto = resolveCostLoss({ kind: 'fbnet' }, table);
    expect((auto.describe.scale as number) * costRange(table).uniform).toBeCloseTo(AUTO_COST_REFERENCE, 9);
  });

  it('the target penalty is zero under the budget and linear above it', () => {
    const target = resolveCostLoss({ kind: 'target', target: 10, weight: 2 }, table);
    expect(tf.tidy(() => target.apply(tf.scalar(1), tf.scalar(8)).dataSync()[0])).toBeCloseTo(1, 6);
    expect(tf.tidy(() => target.apply(tf.scalar(1), tf.scalar(15)).dataSync()[0])).toBeCloseTo(2, 6);
    // two-sided: |COST / target - 1| on both sides of the target
    const both = resolveCostLoss({ kind: 'target', target: 10, weight: 2, twoSided: true }, table);
    expect(tf.tidy(() => both.apply(tf.scalar(1), tf.scalar(8)).dataSync()[0])).toBeCloseTo(1.4, 6);
    expect(tf.tidy(() => both.apply(tf.scalar(1), tf.scalar(15)).dataSync()[0])).toBeCloseTo(2, 6);
    expect(() => resolveCostLoss({ kind: 'target', target: 10, twoSided: 'yes' } as never, table)).toThrow(/costLoss\.twoSided must be a boolean, got yes/);
    // the expected cost is taken under P_theta for a target, under the relaxed weights for FBNet's loss
    expect(both.expectation).toBe('policy');
    expect(resolveCostLoss({ kind: 'fbnet' }, table).expectation).toBe('relaxed');
    expect(resolveCostLoss({ kind: 'target', target: 10, expectation: 'relaxed' }, table).describe.expectation).toBe('relaxed');
    expect(() => resolveCostLoss({ kind: 'target', target: 10, expectation: 'mean' } as never, table)).toThrow(/costLoss\.expectation must be "relaxed" or "policy", got "mean"/);
  });

  it('a target relative to the uniform expected cost is that fraction of it, and scales with the table', () => {
    const uniform = costRange(table).uniform;
    const rel = resolveCostLoss({ kind: 'target', target: 0.8, weight: 2, twoSided: true, relativeTo: 'uniform' }, table);
    expect(rel.describe).toMatchObject({ relativeTo: 'uniform', fractionOfUniform: 0.8, uniform });
    expect(rel.describe.target as number).toBeCloseTo(0.8 * uniform, 9);
    const abs = resolveCostLoss({ kind: 'target', target: 0.8 * uniform, weight: 2, twoSided: true }, table);
    for (const cost of [0.5 * uniform, 0.8 * uniform, 1.3 * uniform]) {
      const [r, a] = tf.tidy(() => [rel.apply(tf.scalar(1), tf.scalar(cost)).dataSync()[0], abs.apply(tf.scalar(1), tf.scalar(cost)).dataSync()[0]]);
      expect(r).toBeCloseTo(a, 6);
    }
    // The same fraction on a table 3x slower (another machine) is 3x the budget: the penalty is unchanged.
    const slow: LayerwiseCostTable = { ...table, fixed: table.fixed * 3, layers: table.layers.map((row) => row.map((v) => v * 3)) };
    const relSlow = resolveCostLoss({ kind: 'target', target: 0.8, weight: 2, twoSided: true, relativeTo: 'uniform' }, slow);
    expect(relSlow.describe.target as number).toBeCloseTo(3 * 0.8 * uniform, 9);
    expect(tf.tidy(() => relSlow.apply(tf.scalar(1), tf.scalar(3 * 1.3 * uniform)).dataSync()[0])).toBeCloseTo(tf.tidy(() => rel.apply(tf.scalar(1), tf.scalar(1.3 * uniform)).dataSync()[0]), 6);
    expect(resolveCostLoss({ kind: 'target', target: 10 }, table).describe).not.toHaveProperty('relativeTo');
    expect(() => resolveCostLoss({ kind: 'target', target: 0.8, relativeTo: 'fastest' } as never, table)).toThrow(/costLoss\.relativeTo must be "absolute" or "uniform", got "fastest"/);
  });

  it('refuses units where log(cost) would not stay positive, and bad settings, with typed errors', () => {
    const small: LayerwiseCostTable = { metric: 'x', unit: 'ms', fixed: 0.01, layers: table.layers.map((r) => r.map(() => 0.02)) };
    expect(() => resolveCostLoss({ kind: 'fbnet', scale: 1 }, small)).toThrow(/log\(scale \* cost\) must be positive .* cheapest costs 0\.09 ms/);
    expect(() => resolveCostLoss({ kind: 'fbnet', alpha: -1 }, table)).toThrow(/costLoss\.alpha must be a positive number, got -1/);
    expect(() => resolveCostLoss({ kind: 'target', target: Number.NaN }, table)).toThrow(/costLoss\.target/);
    expect(() => resolveCostLoss({ kind: 'magic' } as never, table)).toThrow(/costLoss\.kind must be "fbnet" or "target", got "magic"/);
    try {
      resolveCostLoss({ kind: 'fbnet', beta: Number.POSITIVE_INFINITY }, table);
    } catch (e) {
      expect(isDnasError(e) && e.code === 'INVALID_ARGUMENT' && e.api === 'fbnas.resolveCostLoss').toBe(true);
    }
  });
});
