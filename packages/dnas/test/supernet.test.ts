import * as tf from '@tensorflow/tfjs';
import { createRng } from '@fbnas/search-space';
import { buildModel, initBackend, softCrossEntropy, softTargets } from '@fbnas/nn';
import { childWeights, createSupernet, sampleGumbel, type SupernetMode } from '../src';
import { tinySpace, tinyData } from './fixtures/tinySearch';

beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
});

const space = tinySpace();
const C = space.config.candidates.length;
const L = space.layers.length;

function forceTheta(genome: number[]) {
  return tf.tensor2d(genome.flatMap((c) => Array.from({ length: C }, (_, i) => (i === c ? 30 : 0))), [L, C]);
}

describe('createSupernet', () => {
  it.each<[SupernetMode, 'superkernel' | 'none']>([
    ['hard', 'superkernel'],
    ['soft', 'superkernel'],
    ['hard', 'none'],
    ['soft', 'none'],
  ])('in %s mode with %s weight sharing, with theta forcing an architecture, computes what buildModel computes with the same weights', async (mode, weightSharing) => {
    const net = createSupernet(space, { mode, seed: 2, weightSharing });
    const data = tinyData(12, 4);
    const x = tf.tensor4d(data.images, [12, 8, 8, 1]);
    for (const genome of [[0, 3, 8, 7], [8, 8, 2, 5], [1, 4, 6, 0]]) {
      net.theta.assign(forceTheta(genome));
      const model = buildModel(space.toArch(genome), { seed: 9 });
      model.loadWeights(childWeights(space, await net.exportWeights(), genome));
      const out = net.forward(x, { training: false, tau: 0.05, gumbel: null });
      if (mode === 'hard') expect(out.sampled).toEqual(genome);
      else expect(out.sampled).toBeNull();
      const expected = model.forward(x);
      const diff = tf.max(tf.abs(tf.sub(out.logits, expected))).dataSync()[0];
      expect(diff).toBeLessThan(1e-4);
      tf.dispose([out.logits, out.probs, expected]);
      model.dispose();
    }
    x.dispose();
    net.dispose();
  });

  it('hard mode runs only the sampled candidates: the others get no weight gradient, theta gets one', () => {
    const net = createSupernet(space, { mode: 'hard', seed: 1 });
    const data = tinyData(16, 2);
    const x = tf.tensor4d(data.images, [16, 8, 8, 1]);
    const gumbel = sampleGumbel(createRng(7), L, C);
    let sampled: number[] | null = null;
    const vars = [...net.weightVariables(), net.theta];
    const { value, grads } = tf.variableGrads(() => {
      const out = net.forward(x, { training: true, tau: 1, gumbel });
      sampled = out.sampled;
      return softCrossEntropy(out.logits, softTargets(data.labels, 3, 0, null));
    }, vars);
    net.discardBnUpdates();
    expect(sampled).not.toBeNull();
    const names = Object.keys(grads);
    // weights of unsampled candidates are absent from the gradient map
    const exported = net.weightVariables().map((v) => v.name);
    const withGrad = new Set(names);
    const candidateVar = (l: number, c: number) => exported.filter((n) => n.includes(`/layers.${l}.${c}.`));
    for (let l = 0; l < L; l++) {
      for (let c = 0; c < C; c++) {
        const vs = candidateVar(l, c);
        for (const v of vs) expect(withGrad.has(v)).toBe(c === sampled![l]);
      }
    }
    const gTheta = grads[net.theta.name].dataSync();
    expect(Array.from(gTheta).some((v) => v !== 0)).toBe(true);
    expect(Array.from(gTheta).every(Number.isFinite)).toBe(true);
    tf.dispose([value, x, ...Object.values(grads)]);
    net.dispose();
  });

  it('uniform weight sampling ignores theta: candidates are drawn uniformly and run with weight 1', async () => {
    const net = createSupernet(space, { mode: 'hard', seed: 3 });
    const forced = [0, 3, 8, 7];
    net.theta.assign(forceTheta(forced));
    const data = tinyData(4, 5);
    const x = tf.tensor4d(data.images, [4, 8, 8, 1]);
    const rng = createRng(11);
    const counts = Array.from({ length: L }, () => new Array(C).fill(0));
    let followsTheta = 0;
    const draws = 90;
    for (let k = 0; k < draws; k++) {
      const gumbel = sampleGumbel(rng, L, C);
      const u = net.forward(x, { training: false, tau: 1, gumbel, uniform: true });
      const t = net.forward(x, { training: false, tau: 1, gumbel });
      u.sampled!.forEach((c, l) => counts[l][c]++);
      if (t.sampled!.join() === forced.join()) followsTheta++;
      if (k === 0) {
        // weight 1: the uniform pass equals the plain network of the sampled genome
        const model = buildModel(space.toArch(u.sampled!), { seed: 9 });
        model.loadWeights(childWeights(space, await net.exportWeights(), u.sampled!));
        const expected = model.forward(x);
        expect(tf.max(tf.abs(tf.sub(u.logits, expected))).dataSync()[0]).toBeLessThan(1e-4);
        tf.dispose(expected);
        model.dispose();
      }
      tf.dispose([u.logits, u.probs, t.logits, t.probs]);
    }
    expect(followsTheta).toBe(draws); // theta-sampling always takes the forced architecture
    // uniform: every candidate of every layer shows up (expected 10 each; P(a given one never shows) ~ 3e-5)
    for (const row of counts) expect(Math.min(...row)).toBeGreaterThan(0);
    x.dispose();
    net.dispose();
  });

  it('soft mode mixes every candidate: all of them get a weight gradient (checkpointed recompute included)', () => {
    const net = createSupernet(space, { mode: 'soft', seed: 1 });
    const data = tinyData(8, 3);
    const x = tf.tensor4d(data.images, [8, 8, 8, 1]);
    const gumbel = sampleGumbel(createRng(1), L, C);
    const vars = net.weightVariables();
    const { value, grads } = tf.variableGrads(() => softCrossEntropy(net.forward(x, { training: true, tau: 5, gumbel }).logits, softTargets(data.labels, 3, 0, null)), vars);
    net.discardBnUpdates();
    for (const v of vars) expect(grads[v.name]).toBeDefined();
    tf.dispose([value, x, ...Object.values(grads)]);
    net.dispose();
  });

  it('gives typed errors for a wrong input shape, wrong noise length and unknown mode', () => {
    expect(() => createSupernet(space, { mode: 'fuzzy' as never })).toThrow(/fbnas.createSupernet: options.mode must be "soft" or "hard", got "fuzzy"/);
    const net = createSupernet(space, { seed: 0 });
    const bad = tf.zeros([2, 9, 9, 1]) as tf.Tensor4D;
    expect(() => net.forward(bad, { training: false, tau: 1, gumbel: null })).toThrow(/x must be \[N, 8, 8, 1\], got \[2, 9, 9, 1\]/);
    const ok = tf.zeros([2, 8, 8, 1]) as tf.Tensor4D;
    expect(() => net.forward(ok, { training: false, tau: 1, gumbel: new Float32Array(3) })).toThrow(/gumbel must hold 36 values, got 3/);
    expect(() => childWeights(space, {}, [0, 1])).toThrow(/genome must be 4 candidate indices/);
    expect(() => childWeights(space, { 'other.weight': { shape: [1], data: new Float32Array(1) } }, [0, 0, 0, 0])).toThrow(/unknown weight "other.weight"/);
    tf.dispose([bad, ok]);
    net.dispose();
  });
});
