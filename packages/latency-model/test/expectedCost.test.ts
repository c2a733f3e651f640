import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { costOfGenome, expectedCost, expectedCostTf, hwNasBenchCostTable } from '../src';

const table = hwNasBenchCostTable('pixel3_latency');
const oneHot = (g: number[]) => g.map((c) => Array.from({ length: 9 }, (_, i) => (i === c ? 1 : 0)));

describe('expected cost', () => {
  it('equals the LUT sum when the probabilities are one-hot (numbers and tfjs)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 8 }), { minLength: 22, maxLength: 22 }), (g) => {
        const lut = costOfGenome(table, g);
        expect(expectedCost(table, oneHot(g))).toBeCloseTo(lut, 9);
        const t = expectedCostTf(table, tf.tensor2d(oneHot(g)));
        expect(t.dataSync()[0]).toBeCloseTo(lut, 3); // float32
        t.dispose();
      }),
      { numRuns: 50 },
    );
  });

  it('has the gradient finite differences give, through a softmax over logits', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: 22 * 9, maxLength: 22 * 9 }), (theta) => {
        const f = (logits: tf.Tensor) => expectedCostTf(table, tf.softmax(tf.reshape(logits, [22, 9])) as tf.Tensor2D);
        const logits = tf.tensor1d(theta, 'float32');
        const g = tf.grad(f)(logits).dataSync();
        // central differences in float64, on the number version
        const probs = (th: number[]) => Array.from({ length: 22 }, (_, l) => {
          const row = th.slice(l * 9, l * 9 + 9);
          const m = Math.max(...row);
          const e = row.map((v) => Math.exp(v - m));
          const s = e.reduce((a, b) => a + b, 0);
          return e.map((v) => v / s);
        });
        const h = 1e-5;
        for (const i of [0, 13, 100, 197]) {
          const up = [...theta];
          const down = [...theta];
          up[i] += h;
          down[i] -= h;
          const fd = (expectedCost(table, probs(up)) - expectedCost(table, probs(down))) / (2 * h);
          expect(Math.abs(g[i] - fd)).toBeLessThan(1e-3 * (1 + Math.abs(fd)));
        }
        logits.dispose();
      }),
      { numRuns: 10 },
    );
  });

  it('validates probabilities', () => {
    const uniform = Array.from({ length: 22 }, () => new Array(9).fill(1 / 9));
    expect(expectedCost(table, uniform)).toBeGreaterThan(costOfGenome(table, new Array(22).fill(8)));
    expect(() => expectedCost(table, uniform.slice(1))).toThrow(/probs must have 22 rows, got 21/);
    const bad = uniform.map((r) => [...r]);
    bad[3][0] = 0.5;
    expect(() => expectedCost(table, bad)).toThrow(/probs\[3\] must sum to 1/);
    expect(() => expectedCostTf(table, tf.zeros([22, 8]) as tf.Tensor2D)).toThrow(/probs must have shape \[22, 9\], got \[22, 8\]/);
  });
});
