import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { createRng } from '@fbnas/search-space';
import { batchNormTrain, fusedActivation, globalAvgPool, initBackend, registerFbnasKernels, type FusedActivation } from '../src';

// Oracle: the same function composed from stock tfjs ops, differentiated by tfjs autodiff on the cpu
// backend with fbnas kernels out of the way. Tolerance 1e-4 * (1 + max |reference|).
const TOL = 1e-4;

function rand(n: number, seed: number, scale = 1): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n }, () => rng.normal() * scale);
}

function close(ours: ArrayLike<number>, ref: ArrayLike<number>) {
  let m = 0;
  for (let i = 0; i < ref.length; i++) m = Math.max(m, Math.abs(ref[i]));
  for (let i = 0; i < ref.length; i++) expect(Math.abs(ours[i] - ref[i])).toBeLessThanOrEqual(TOL * (1 + m));
}

/** Value and gradients (w.r.t. every input) of sum(f(inputs) * w) for a fixed random weighting w. */
async function valueAndGrads(f: (...xs: tf.Tensor[]) => tf.Tensor, inputs: Array<{ data: Float32Array; shape: number[] }>, seed: number) {
  const xs = inputs.map((i) => tf.tensor(i.data, i.shape));
  const y = f(...xs);
  const w = tf.tensor(rand(y.size, seed + 99), y.shape);
  const gs = tf.grads((...a: tf.Tensor[]) => tf.sum(tf.mul(f(...a), w)))(xs);
  const out = { y: Array.from(await y.data()), g: await Promise.all(gs.map(async (g) => Array.from(await g.data()))) };
  tf.dispose([...xs, y, w, ...gs]);
  return out;
}

async function compare(f: (...xs: tf.Tensor[]) => tf.Tensor, reference: (...xs: tf.Tensor[]) => tf.Tensor, inputs: Array<{ data: Float32Array; shape: number[] }>, seed: number) {
  await tf.setBackend('cpu');
  const ref = await valueAndGrads(reference, inputs, seed);
  for (const backend of ['wasm', 'cpu'] as const) {
    await tf.setBackend(backend);
    const ours = await valueAndGrads(f, inputs, seed);
    close(ours.y, ref.y);
    ours.g.forEach((g, i) => close(g, ref.g[i]));
  }
}

const shapeArb = fc.record({ n: fc.integer({ min: 1, max: 3 }), h: fc.integer({ min: 1, max: 6 }), w: fc.integer({ min: 1, max: 6 }), c: fc.integer({ min: 1, max: 11 }), seed: fc.integer() });

describe('fused ops match stock tfjs composition (values and gradients)', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'wasm' });
    registerFbnasKernels();
  });

  const stockActivation = (a: tf.Tensor, act: FusedActivation | undefined) =>
    act === undefined ? a : act === 'relu' ? tf.relu(a) : act === 'relu6' ? tf.relu6(a) : act === 'hswish' ? tf.mul(a, tf.div(tf.relu6(tf.add(a, 3)), 6)) : tf.div(tf.relu6(tf.add(a, 3)), 6);

  it('batchNormTrain, alone and with each activation fused into it', async () => {
    await fc.assert(
      fc.asyncProperty(shapeArb.filter((s) => s.n * s.h * s.w > 1), fc.constantFrom(undefined, 'relu', 'relu6', 'hswish', 'hsigmoid' as const), async (s, act) => {
        const x = { data: rand(s.n * s.h * s.w * s.c, s.seed, 3), shape: [s.n, s.h, s.w, s.c] };
        // gamma and beta of scale 2 put the normalised values on every piece of the activations
        const gamma = { data: rand(s.c, s.seed + 1, 2), shape: [s.c] };
        const beta = { data: rand(s.c, s.seed + 2, 2), shape: [s.c] };
        await compare(
          (a, g, b) => {
            const r = batchNormTrain(a, g, b, 1e-3, act);
            tf.dispose([r.mean, r.variance]);
            return r.y;
          },
          (a, g, b) => {
            const m = tf.moments(a, [0, 1, 2]);
            return stockActivation(tf.add(tf.mul(tf.div(tf.sub(a, m.mean), tf.sqrt(tf.add(m.variance, 1e-3))), g), b), act);
          },
          [x, gamma, beta],
          s.seed,
        );
      }),
      { numRuns: 60 },
    );
  });

  it('batchNormTrain reports the batch mean and biased variance', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8], [2, 2, 1, 2]);
    const r = batchNormTrain(x, tf.ones([2]), tf.zeros([2]), 1e-5);
    close(await r.mean.data(), [4, 5]);
    close(await r.variance.data(), [5, 5]);
    tf.dispose([x, r.y, r.mean, r.variance]);
  });

  it.each(['relu', 'relu6', 'hswish', 'hsigmoid'] as const)('%s', async (act) => {
    const reference = (a: tf.Tensor) => stockActivation(a, act);
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 40 }), fc.integer(), async (n, seed) => {
        // scale 4 puts values on every piece; exact kinks (measure zero) are avoided by the random draw
        await compare((a) => fusedActivation(a, act), reference, [{ data: rand(n, seed, 4), shape: [n] }], seed);
      }),
      { numRuns: 30 },
    );
  });

  it('globalAvgPool', async () => {
    await fc.assert(
      fc.asyncProperty(shapeArb, async (s) => {
        await compare((a) => globalAvgPool(a as tf.Tensor4D), (a) => tf.mean(a, [1, 2], true), [{ data: rand(s.n * s.h * s.w * s.c, s.seed), shape: [s.n, s.h, s.w, s.c] }], s.seed);
      }),
      { numRuns: 30 },
    );
  });
});
