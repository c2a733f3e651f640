import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { createRng } from '@fbnas/search-space';
import { initBackend } from '../src';
import { runFixture } from './fixtures/runFixture';

// Oracle tests: every fbnas wasm kernel against the tfjs cpu backend on random shapes, strides, paddings
// and dilations. Tolerance: |ours - cpu| <= 1e-4 * (1 + max |cpu|), i.e. float32 summation-order noise
// relative to the magnitude of the sums (they add up to a few thousand products).
const TOL = 1e-4;

function randomArray(n: number, seed: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n }, () => rng.normal());
}

async function onBackend(name: 'cpu' | 'wasm', f: () => tf.Tensor): Promise<Float32Array> {
  await tf.setBackend(name);
  const t = f();
  const data = (await t.data()) as Float32Array;
  t.dispose();
  return data;
}

function expectClose(ours: Float32Array, ref: Float32Array) {
  expect(ours.length).toBe(ref.length);
  let maxRef = 0;
  let maxDiff = 0;
  for (let i = 0; i < ref.length; i++) {
    maxRef = Math.max(maxRef, Math.abs(ref[i]));
    maxDiff = Math.max(maxDiff, Math.abs(ours[i] - ref[i]));
  }
  expect(maxDiff).toBeLessThanOrEqual(TOL * (1 + maxRef));
}

/** <a, b> = <c, d> within float32 noise relative to the sum of |terms|. */
function expectAdjoint(a: Float32Array, b: Float32Array, c: Float32Array, d: Float32Array) {
  let lhs = 0;
  let lhsAbs = 0;
  for (let i = 0; i < a.length; i++) {
    lhs += a[i] * b[i];
    lhsAbs += Math.abs(a[i] * b[i]);
  }
  let rhs = 0;
  for (let i = 0; i < c.length; i++) rhs += c[i] * d[i];
  expect(Math.abs(lhs - rhs)).toBeLessThanOrEqual(TOL * (1 + lhsAbs));
}

const convCase = fc.record({
  n: fc.integer({ min: 1, max: 3 }),
  h: fc.integer({ min: 3, max: 12 }),
  w: fc.integer({ min: 3, max: 12 }),
  c: fc.integer({ min: 1, max: 13 }),
  k: fc.constantFrom(1, 2, 3, 5),
  stride: fc.constantFrom(1, 2),
  dilation: fc.constantFrom(1, 2),
  pad: fc.constantFrom('same' as const, 'valid' as const, 0, 1, 2),
  seed: fc.integer(),
}).filter((c) => (c.stride === 1 || c.dilation === 1) && (c.h + 2 * (typeof c.pad === 'number' ? c.pad : 0) >= (c.k - 1) * c.dilation + 1) && (c.w + 2 * (typeof c.pad === 'number' ? c.pad : 0) >= (c.k - 1) * c.dilation + 1));

describe('fbnas wasm training kernels match the cpu backend', () => {
  beforeAll(async () => {
    const info = await initBackend({ backend: 'wasm' });
    expect(info.kernels).toEqual(expect.arrayContaining(['Conv2DBackpropFilter', 'DepthwiseConv2dNativeBackpropFilter', 'DepthwiseConv2dNativeBackpropInput', 'UnsortedSegmentSum', 'Conv2DBackpropInput', 'Identity', 'DepthwiseConv2dNative']));
  });

  // With dilation 1 the wasm kernels must equal the cpu kernels element-wise. The cpu backprop kernels
  // ignore dilation (tfjs has no dilated depthwise gradient), so every case is also checked with the
  // adjoint identity on random probes, using the cpu forward conv (which does dilate):
  //   <dy, conv(x', W)> = <dx, x'>   and   <dy, conv(x, W')> = <dW, W'>.
  it('DepthwiseConv2dNativeBackpropFilter and ...Input (channel multiplier 1 and 2)', async () => {
    await fc.assert(
      fc.asyncProperty(convCase, fc.constantFrom(1, 2), async (c, m) => {
        const xShape: [number, number, number, number] = [c.n, c.h, c.w, c.c];
        const fShape: [number, number, number, number] = [c.k, c.k, c.c, m];
        const x = randomArray(c.n * c.h * c.w * c.c, c.seed);
        const f = randomArray(c.k * c.k * c.c * m, c.seed + 1);
        const attrs = { strides: c.stride, dilations: c.dilation, pad: c.pad };
        const forward = (xs: Float32Array, fs: Float32Array) => () =>
          tf.depthwiseConv2d(tf.tensor4d(xs, xShape), tf.tensor4d(fs, fShape), c.stride, c.pad, 'NHWC', c.dilation);
        await tf.setBackend('cpu');
        const outShape = tf.tidy(() => forward(x, f)().shape);
        const dy = randomArray(outShape.reduce((a, b) => a * b, 1), c.seed + 2);
        const gradFilter = () =>
          tf.engine().runKernel('DepthwiseConv2dNativeBackpropFilter', { x: tf.tensor4d(x, xShape), dy: tf.tensor(dy, outShape) }, { ...attrs, filterShape: fShape }) as tf.Tensor;
        const gradInput = () =>
          tf.engine().runKernel('DepthwiseConv2dNativeBackpropInput', { dy: tf.tensor(dy, outShape), filter: tf.tensor4d(f, fShape) }, { ...attrs, inputShape: xShape }) as tf.Tensor;
        const dW = await onBackend('wasm', gradFilter);
        const dx = await onBackend('wasm', gradInput);
        if (c.dilation === 1) {
          expectClose(dW, await onBackend('cpu', gradFilter));
          expectClose(dx, await onBackend('cpu', gradInput));
        }
        const xProbe = randomArray(x.length, c.seed + 3);
        const fProbe = randomArray(f.length, c.seed + 4);
        expectAdjoint(dy, await onBackend('cpu', forward(xProbe, f)), dx, xProbe);
        expectAdjoint(dy, await onBackend('cpu', forward(x, fProbe)), dW, fProbe);
      }),
      { numRuns: 40 },
    );
  });

  it('DepthwiseConv2dNative (row sweeps for 5x5 and larger windows, stock below; multiplier 1 and 2)', async () => {
    const bigWindow = fc.record({
      n: fc.integer({ min: 1, max: 3 }),
      h: fc.integer({ min: 1, max: 14 }),
      w: fc.integer({ min: 1, max: 14 }),
      c: fc.integer({ min: 1, max: 13 }),
      k: fc.constantFrom(3, 5, 7),
      stride: fc.constantFrom(1, 2),
      dilation: fc.constantFrom(1, 2),
      pad: fc.constantFrom('same' as const, 'valid' as const, 0, 2, 3),
      seed: fc.integer(),
    }).filter((c) => (c.stride === 1 || c.dilation === 1) && [c.h, c.w].every((d) => d + 2 * (typeof c.pad === 'number' ? c.pad : 0) >= (c.k - 1) * c.dilation + 1));
    await fc.assert(
      fc.asyncProperty(bigWindow, fc.constantFrom(1, 1, 2), async (c, m) => {
        const x = randomArray(c.n * c.h * c.w * c.c, c.seed);
        const f = randomArray(c.k * c.k * c.c * m, c.seed + 1);
        const forward = () => tf.depthwiseConv2d(tf.tensor4d(x, [c.n, c.h, c.w, c.c]), tf.tensor4d(f, [c.k, c.k, c.c, m]), c.stride, c.pad, 'NHWC', c.dilation);
        expectClose(await onBackend('wasm', forward), await onBackend('cpu', forward));
      }),
      { numRuns: 60 },
    );
  });

  it('Conv2DBackpropFilter and Conv2DBackpropInput (1x1 fast path and the general case)', async () => {
    await fc.assert(
      fc.asyncProperty(convCase.filter((c) => c.dilation === 1), fc.integer({ min: 1, max: 11 }), async (c, cout) => {
        const xShape: [number, number, number, number] = [c.n, c.h, c.w, c.c];
        const fShape: [number, number, number, number] = [c.k, c.k, c.c, cout];
        const x = randomArray(c.n * c.h * c.w * c.c, c.seed);
        const f = randomArray(c.k * c.k * c.c * cout, c.seed + 1);
        await tf.setBackend('cpu');
        const y = tf.conv2d(tf.tensor4d(x, xShape), tf.tensor4d(f, fShape), c.stride, c.pad);
        const outShape = y.shape;
        y.dispose();
        const dy = randomArray(outShape.reduce((a, b) => a * b, 1), c.seed + 2);
        const attrs = { strides: c.stride, pad: c.pad, dataFormat: 'NHWC' };
        const gradFilter = () =>
          tf.engine().runKernel('Conv2DBackpropFilter', { x: tf.tensor4d(x, xShape), dy: tf.tensor(dy, outShape) }, { ...attrs, filterShape: fShape }) as tf.Tensor;
        const gradInput = () =>
          tf.engine().runKernel('Conv2DBackpropInput', { dy: tf.tensor(dy, outShape), filter: tf.tensor4d(f, fShape) }, { ...attrs, inputShape: xShape }) as tf.Tensor;
        expectClose(await onBackend('wasm', gradFilter), await onBackend('cpu', gradFilter));
        expectClose(await onBackend('wasm', gradInput), await onBackend('cpu', gradInput));
      }),
      { numRuns: 40 },
    );
  });

  it('UnsortedSegmentSum, including out-of-range ids', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 7 }), fc.integer(), async (rows, inner, segments, seed) => {
        const rng = createRng(seed);
        const ids = Int32Array.from({ length: rows }, () => rng.int(segments + 2) - 1);
        const x = randomArray(rows * inner, seed);
        const f = () => tf.unsortedSegmentSum(tf.tensor2d(x, [rows, inner]), tf.tensor1d(ids, 'int32'), segments);
        expectClose(await onBackend('wasm', f), await onBackend('cpu', f));
      }),
      { numRuns: 40 },
    );
  });

  it('gives the gradient of gather on wasm (UnsortedSegmentSum inside)', async () => {
    const f = () => tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, tf.tensor1d([0, 2, 2, 1], 'int32')), tf.tensor1d([1, 2, 3, 4]))))(tf.tensor1d([5, 6, 7]));
    expect(Array.from(await onBackend('wasm', f))).toEqual([1, 4, 5]);
  });

  it('kernels that index the heap from JavaScript are right past 2 GB (offsets >= 2^31)', () => {
    // In a child process: it holds 2.2 GB of heap. A signed `>> 2` of such offsets made the 1x1 input
    // gradient and UnsortedSegmentSum wrong.
    const run = runFixture('highHeap');
    expect({ status: run.status, stderr: run.status === 0 ? '' : run.stderr }).toEqual({ status: 0, stderr: '' });
    const out = run.result as Record<string, { maxAbsDiff: number; offset: number }>;
    expect(Object.keys(out).sort()).toEqual(['batchNormVariance', 'conv1x1InputGrad', 'unsortedSegmentSum']);
    for (const r of Object.values(out)) {
      expect(r.offset).toBeGreaterThanOrEqual(2 ** 31);
      expect(r.maxAbsDiff).toBeLessThanOrEqual(1e-5);
    }
  }, 120_000);

  it('Identity shares the buffer on wasm (no copy) and each reference outlives the other', async () => {
    await tf.setBackend('wasm');
    const be = tf.backend() as unknown as { dataIdMap: { get(id: object): { memoryOffset: number } | undefined; has(id: object): boolean } };
    const x = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]);
    const y = tf.clone(x);
    expect(be.dataIdMap.get(y.dataId)?.memoryOffset).toBe(be.dataIdMap.get(x.dataId)?.memoryOffset);
    x.dispose();
    expect(Array.from(await y.data())).toEqual([1, 2, 3, 4, 5, 6]);
    const z = tf.clone(y);
    y.dispose();
    expect(z.shape).toEqual([2, 3]);
    expect(Array.from(await z.data())).toEqual([1, 2, 3, 4, 5, 6]);
    z.dispose();
    expect(be.dataIdMap.has(z.dataId)).toBe(false);
    // Gradients through ops that save their inputs (via Identity) are unchanged.
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.square(t), t)))(tf.tensor1d([1, -2, 3]));
    expect(Array.from(await g.data())).toEqual([3, 12, 27]);
  });
});
