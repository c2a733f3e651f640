import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { createRng } from '@fbnas/search-space';
import { batchNormTrain, FBNAS_GROUPED_CONV1X1_FILTER_GRAD, FBNAS_MOVING_AVERAGE, FBNAS_SGD_MOMENTUM, fusedActivation, globalAvgPool, groupedConv1x1, groupMask, initBackend, registerFbnasKernels, type FusedActivation } from '../src';

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

  it('batchNormTrain with gamma and beta as variables (read at backward time, not saved): the same gradients', async () => {
    for (const backend of ['wasm', 'cpu'] as const) {
      await tf.setBackend(backend);
      const x = tf.tensor4d(rand(2 * 3 * 3 * 5, 7, 3), [2, 3, 3, 5]);
      const w = tf.tensor4d(rand(2 * 3 * 3 * 5, 8), [2, 3, 3, 5]);
      const g = tf.variable(tf.tensor1d(rand(5, 9, 2)), true, `g${backend}`);
      const b = tf.variable(tf.tensor1d(rand(5, 10, 2)), true, `b${backend}`);
      const loss = (bn: (gamma: tf.Tensor, beta: tf.Tensor) => tf.Tensor) => () => tf.sum(tf.mul(bn(g, b), w)) as tf.Scalar;
      const fused = tf.variableGrads(loss((gamma, beta) => {
        const r = batchNormTrain(x, gamma, beta, 1e-3, 'hswish');
        tf.dispose([r.mean, r.variance]);
        return r.y;
      }), [g, b]);
      const stock = tf.variableGrads(loss((gamma, beta) => {
        const m = tf.moments(x, [0, 1, 2]);
        return stockActivation(tf.add(tf.mul(tf.div(tf.sub(x, m.mean), tf.sqrt(tf.add(m.variance, 1e-3))), gamma), beta), 'hswish');
      }), [g, b]);
      close(await fused.grads[g.name].data(), await stock.grads[g.name].data());
      close(await fused.grads[b.name].data(), await stock.grads[b.name].data());
      tf.dispose([x, w, g, b, fused.value, stock.value, ...Object.values(fused.grads), ...Object.values(stock.grads)]);
    }
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

  it('groupedConv1x1 (grouped and masked filters) equals a conv with the block-diagonal filter, gradients included', async () => {
    await fc.assert(
      fc.asyncProperty(shapeArb, fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 10 }), fc.boolean(), async (s, groups, cinG, coutG, masked) => {
        const [cin, cout] = [cinG * groups, coutG * groups];
        const mask = groupMask(cin, cout, groups);
        const x = { data: rand(s.n * s.h * s.w * cin, s.seed), shape: [s.n, s.h, s.w, cin] };
        const w = { data: rand((masked ? cin : cinG) * cout, s.seed + 1), shape: [1, 1, masked ? cin : cinG, cout] };
        const m = () => tf.tensor4d(mask, [1, 1, cin, cout]);
        await compare(
          (a, f) => groupedConv1x1(a as tf.Tensor4D, f as tf.Tensor4D, groups, masked ? m() : mask, masked),
          (a, f) => tf.conv2d(a as tf.Tensor4D, tf.mul(masked ? f : tf.tile(f, [1, 1, groups, 1]), m()) as tf.Tensor4D, 1, 0),
          [x, w],
          s.seed,
        );
      }),
      { numRuns: 60 },
    );
  });

  it('the grouped filter-gradient kernel leaves the off-diagonal blocks of a masked filter at zero and skips no input channel', async () => {
    // 3 groups of 5 inputs (not a multiple of the 4-channel tile) and 9 outputs (8-wide tile plus an edge)
    const [groups, cinG, coutG, pixels] = [3, 5, 9, 37];
    const [cin, cout] = [cinG * groups, coutG * groups];
    const mask = groupMask(cin, cout, groups);
    for (const backend of ['wasm', 'cpu'] as const) {
      await tf.setBackend(backend);
      const x = tf.tensor4d(rand(pixels * cin, 7), [1, 1, pixels, cin]);
      const dy = tf.tensor4d(rand(pixels * cout, 8), [1, 1, pixels, cout]);
      const dense = await tf.engine().runKernel(FBNAS_GROUPED_CONV1X1_FILTER_GRAD, { x, dy }, { groups, masked: true }) as tf.Tensor;
      const grouped = await tf.engine().runKernel(FBNAS_GROUPED_CONV1X1_FILTER_GRAD, { x, dy }, { groups, masked: false }) as tf.Tensor;
      const [d, g, xv, gv] = [await dense.data(), await grouped.data(), await x.data(), await dy.data()];
      expect(dense.shape).toEqual([1, 1, cin, cout]);
      expect(grouped.shape).toEqual([1, 1, cinG, cout]);
      for (let ci = 0; ci < cin; ci++) {
        for (let co = 0; co < cout; co++) {
          let want = 0;
          for (let p = 0; p < pixels; p++) want += xv[p * cin + ci] * gv[p * cout + co];
          const inBlock = mask[ci * cout + co] === 1;
          expect(Math.abs(d[ci * cout + co] - (inBlock ? want : 0))).toBeLessThanOrEqual(1e-4 * (1 + Math.abs(want)));
          if (inBlock) expect(Math.abs(g[(ci % cinG) * cout + co] - want)).toBeLessThanOrEqual(1e-4 * (1 + Math.abs(want)));
        }
      }
      tf.dispose([x, dy, dense, grouped]);
    }
  });

  it('globalAvgPool', async () => {
    await fc.assert(
      fc.asyncProperty(shapeArb, async (s) => {
        await compare((a) => globalAvgPool(a as tf.Tensor4D), (a) => tf.mean(a, [1, 2], true), [{ data: rand(s.n * s.h * s.w * s.c, s.seed), shape: [s.n, s.h, s.w, s.c] }], s.seed);
      }),
      { numRuns: 30 },
    );
  });

  it('the SGD-momentum and moving-average kernels equal the stock op composition in float32 (wasm, cpu)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 37 }), fc.integer(), fc.double({ min: 1e-4, max: 1, noNaN: true }), fc.double({ min: 0, max: 0.99, noNaN: true }), fc.constantFrom(0, 5e-5, 1e-3), async (n, seed, lr, momentum, decay) => {
        for (const backend of ['wasm', 'cpu'] as const) {
          await tf.setBackend(backend);
          const [w, b, g] = [0, 1, 2].map((k) => tf.tensor1d(rand(n, seed + k)));
          const [w2, b2] = tf.engine().runKernel(FBNAS_SGD_MOMENTUM, { w, b, g }, { lr, momentum, decay }) as tf.Tensor[];
          const bRef = tf.add(tf.mul(b, momentum), tf.add(g, tf.mul(w, decay)));
          const wRef = tf.sub(w, tf.mul(bRef, lr));
          close(await b2.data(), await bRef.data());
          close(await w2.data(), await wRef.data());
          const avg = tf.engine().runKernel(FBNAS_MOVING_AVERAGE, { moving: w, batch: g }, { momentum }) as tf.Tensor;
          close(await avg.data(), await tf.add(tf.mul(w, momentum), tf.mul(g, 1 - momentum)).data());
          tf.dispose([w, b, g, w2, b2, bRef, wRef, avg]);
        }
      }),
      { numRuns: 30 },
    );
  });
});
