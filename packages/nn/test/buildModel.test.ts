import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { archStats, createRng, fbnet28Space, getZooArch, listZooArchs, parseArch, type Arch } from '@fbnas/search-space';
import { buildModel, initBackend, isNnError } from '../src';
import { FUSED_CPU_KERNELS } from '../src/kernels/fusedKernelsCpu';

beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
});

function input(arch: Arch, n: number, seed: number): tf.Tensor4D {
  const rng = createRng(seed);
  const size = n * arch.inputSize * arch.inputSize * arch.inputChannels;
  return tf.tensor4d(Float32Array.from({ length: size }, () => rng.normal()), [n, arch.inputSize, arch.inputSize, arch.inputChannels]);
}

const trainableCount = (m: ReturnType<typeof buildModel>) => m.trainableVariables().reduce((a, v) => a + v.size, 0);

describe('buildModel', () => {
  it.each(listZooArchs())('builds %s with exactly the parameters archStats counts, and runs it', (name) => {
    const arch = getZooArch(name);
    const model = buildModel(arch, { seed: 1 });
    expect(trainableCount(model)).toBe(archStats(arch).params);
    const before = tf.memory().numTensors;
    const y = tf.tidy(() => model.forward(input(arch, 1, 2)));
    expect(y.shape).toEqual([1, 1000]);
    expect(Array.from(y.dataSync()).every(Number.isFinite)).toBe(true);
    y.dispose();
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('initialises reproducibly from the seed', async () => {
    const arch = fbnet28Space().toArch(new Array(22).fill(2));
    const a = buildModel(arch, { seed: 5 });
    const b = buildModel(arch, { seed: 5 });
    const c = buildModel(arch, { seed: 6 });
    const wa = await a.exportWeights();
    expect(await b.exportWeights()).toEqual(wa);
    expect(await c.exportWeights()).not.toEqual(wa);
    [a, b, c].forEach((m) => m.dispose());
  });

  it('exports and loads named weights; bad loads are typed errors naming the weight', async () => {
    const arch = fbnet28Space().toArch(new Array(22).fill(1));
    const a = buildModel(arch, { seed: 1 });
    const b = buildModel(arch, { seed: 2 });
    const weights = await a.exportWeights();
    expect(Object.keys(weights)).toContain('blocks.2.pw.conv.weight');
    expect(weights['blocks.2.pw.conv.weight'].shape).toEqual([1, 1, 8, 16]); // groups 2: in/2 per group
    b.loadWeights(weights);
    const x = input(arch, 2, 3);
    expect(Array.from(b.forward(x).dataSync())).toEqual(Array.from(a.forward(x).dataSync()));
    const broken = { ...weights, 'blocks.2.pw.conv.weight': { shape: [1, 1, 16, 16], data: new Float32Array(256) } };
    expect(() => b.loadWeights(broken)).toThrow(/weight blocks\.2\.pw\.conv\.weight must have shape \[1, 1, 8, 16\], got \[1, 1, 16, 16\]/);
    const { ['blocks.0.conv.weight']: _drop, ...missing } = weights;
    expect(() => b.loadWeights(missing)).toThrow(/missing weights: blocks\.0\.conv\.weight/);
    const nan = { ...weights, 'blocks.0.bn.gamma': { shape: weights['blocks.0.bn.gamma'].shape, data: new Float32Array(16).fill(NaN) } };
    try {
      b.loadWeights(nan);
      throw new Error('no throw');
    } catch (err) {
      expect(isNnError(err) && err.code).toBe('NON_FINITE');
    }
    x.dispose();
    a.dispose();
    b.dispose();
  });

  it('rejects a wrong input shape with a typed error', () => {
    const model = buildModel(fbnet28Space().toArch(new Array(22).fill(0)));
    const x = tf.zeros([1, 32, 32, 1]) as tf.Tensor4D;
    expect(() => model.forward(x)).toThrow(/input must be \[N, 28, 28, 1\], got \[1, 32, 32, 1\]/);
    x.dispose();
    model.dispose();
  });

  it('updates BatchNorm running statistics only when committed', async () => {
    const model = buildModel(fbnet28Space().toArch(new Array(22).fill(0)));
    const x = input(model.arch, 4, 1);
    const before = await model.weight('blocks.0.bn.mean').data();
    tf.dispose(model.forward(x, { training: true }));
    expect(Array.from(await model.weight('blocks.0.bn.mean').data())).toEqual(Array.from(before));
    model.commitBnUpdates();
    expect(Array.from(await model.weight('blocks.0.bn.mean').data())).not.toEqual(Array.from(before));
    x.dispose();
    model.dispose();
  });
});

// Whole IR blocks on wasm (fbnas kernels) against stock tfjs on cpu: forward values and the gradient of
// every trainable weight. Tolerance 1e-3 * (1 + max |cpu|) (deep float32 chains through BN).
describe('IR blocks match the cpu backend in values and gradients', () => {
  const blockArb = fc.record({
    kernel: fc.constantFrom(3, 5),
    expansion: fc.constantFrom(1, 3, 4.5, 6),
    stride: fc.constantFrom(1, 2),
    groups: fc.constantFrom(1, 2),
    se: fc.boolean(),
    activation: fc.constantFrom('relu' as const, 'hswish' as const, 'relu6' as const),
    outChannels: fc.constantFrom(8, 16),
    seed: fc.integer(),
  });

  it('for random IR configurations (property)', async () => {
    await fc.assert(
      fc.asyncProperty(blockArb, async (b) => {
        const arch = parseArch({
          inputSize: 9,
          inputChannels: 2,
          rules: { widthDivisor: 8 },
          blocks: [
            { op: 'conv', channels: 8, kernel: 3, activation: b.activation },
            {
              op: 'ir', channels: b.outChannels, kernel: b.kernel, expansion: b.expansion, stride: b.stride, groups: b.groups, activation: b.activation,
              se: b.se ? { gate: 'hsigmoid', divideByExpansion: true } : null,
            },
            { op: 'ir', channels: b.outChannels, kernel: b.kernel, expansion: 2, groups: b.groups },
            { op: 'pool' },
            { op: 'fc', channels: 3 },
          ],
        });
        const labels = tf.oneHot(tf.tensor1d([0, 2, 1], 'int32'), 3);
        const run = async (backend: 'cpu' | 'wasm') => {
          await tf.setBackend(backend);
          // The reference is stock tfjs: without fbnas's fused cpu kernels the ops compose stock ones.
          if (backend === 'cpu') for (const k of FUSED_CPU_KERNELS) tf.unregisterKernel(k.kernelName, 'cpu');
          const model = buildModel(arch, { seed: b.seed });
          const x = input(arch, 3, b.seed + 1);
          const y = model.forward(x, { training: true });
          const values = Array.from(await y.data());
          const { grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(labels, model.forward(x, { training: true })) as tf.Scalar, model.trainableVariables());
          const g = model.weightNames().filter((n) => model.weight(n).trainable).map((n) => Array.from(grads[model.weight(n).name].dataSync()));
          tf.dispose([x, y, ...Object.values(grads)]);
          model.discardBnUpdates();
          model.dispose();
          if (backend === 'cpu') for (const k of FUSED_CPU_KERNELS) tf.registerKernel(k);
          return { values, g };
        };
        const cpu = await run('cpu');
        const wasm = await run('wasm');
        const close = (a: number[], r: number[]) => {
          const scale = 1 + Math.max(...r.map(Math.abs));
          a.forEach((v, i) => expect(Math.abs(v - r[i])).toBeLessThanOrEqual(1e-3 * scale));
        };
        close(wasm.values, cpu.values);
        expect(wasm.g.length).toBe(cpu.g.length);
        wasm.g.forEach((g, i) => close(g, cpu.g[i]));
      }),
      { numRuns: 15 },
    );
  }, 120_000);
});
