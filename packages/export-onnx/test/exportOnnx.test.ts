import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import * as ort from 'onnxruntime-node';
import { createRng, fbnet28Space, fbnetCifarSpace, fbnetV3Space, getZooArch, listZooArchs, parseArch, sampleUniform, type Arch } from '@fbnas/search-space';
import { buildModel, initBackend } from '@fbnas/nn';
import { exportBlockOnnx, exportOnnx, isOnnxExportError, readOnnxMetadata, verifyOnnx } from '../src';
import { calibratedModel } from './calibratedModel';

beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
});

async function exportAndVerify(arch: Arch, seed: number, foldBatchNorm = true) {
  const model = await calibratedModel(arch, seed);
  const bytes = exportOnnx(arch, { weights: await model.exportWeights(), foldBatchNorm });
  const r = await verifyOnnx(bytes, model, { batch: 2, seed });
  model.dispose();
  return r;
}

/**
 * Max abs difference allowed between onnxruntime and tfjs logits: 1e-4, except the FBNetV3 family: 2e-5 of
 * the largest |logit|, at least 1e-4. Measured on every zoo architecture (two seeds each, fresh random
 * images): the runtimes differ by 3-12e-6 of the largest |logit| (float32 rounding through depth; FBNetV3
 * at the top of that range). The FBNetV3 networks' logits, unit-std on the calibration images, reach 10-36 on
 * some fresh images, where that relative error is 1-3.7e-4 absolute (FBNetV3_E: 2.8e-4 at 23.3 with seed 1,
 * 3.7e-4 at 36.0 with seed 3 before this release's depthwise kernel, 3.0e-4 after); every other model's
 * logits stay under 14 and its difference under 1e-4. Not a bug of the export.
 */
const tolerance = (name: string, maxAbsOutput: number) => (name.startsWith('FBNetV3') ? Math.max(1e-4, 2e-5 * maxAbsOutput) : 1e-4);
/**
 * Sampled FBNetV3-space networks reach 10 blocks a stage (deeper than any released one); their float32 rounding
 * reaches 5-6e-4 on unit-std logits (seen over CI runs with random fast-check seeds): 2e-4 of the largest
 * |logit| (at least 2e-4), i.e. about 7e-4 for 2 x 1000 unit-std logits.
 */
const sampledV3Tolerance = (maxAbsOutput: number) => 2e-4 * Math.max(1, maxAbsOutput);

describe('exportOnnx', () => {
  it.each(listZooArchs())('exports %s; onnxruntime matches the tfjs builder (1e-4; FBNetV3 2e-5 of the largest logit)', async (name) => {
    const r = await exportAndVerify(getZooArch(name), 1);
    expect(r.maxAbsDiff).toBeLessThanOrEqual(tolerance(name, r.maxAbsOutput));
  }, 60_000);

  it.each([
    ['fbnet-28', fbnet28Space()],
    ['fbnet-cifar', fbnetCifarSpace()],
    ['FBNetV3 (at 128 px)', fbnetV3Space({ resolutions: [128] })],
  ] as const)('exports sampled architectures of %s that match tfjs (property)', async (name, space) => {
    await fc.assert(
      fc.asyncProperty(fc.integer(), fc.boolean(), async (seed, fold) => {
        const [genome] = sampleUniform(space, 1, createRng(seed));
        const r = await exportAndVerify(space.toArch(genome), seed, fold);
        expect(r.maxAbsDiff).toBeLessThanOrEqual(name.startsWith('FBNetV3') ? sampledV3Tolerance(r.maxAbsOutput) : 1e-4);
      }),
      { numRuns: name.startsWith('FBNetV3') ? 2 : 4 },
    );
  }, 120_000);

  // Why FBNetV3 gets a relative bound: on such a random deep network the tfjs model disagrees with itself by
  // about as much when only the backend changes (wasm vs cpu, same graph and weights), and the exact (float64)
  // value of the exported graph lies between onnxruntime and tfjs, each some 1e-4 from it: float32 rounding,
  // amplified through depth, on both sides. The export cannot be held to less than that noise floor.
  it('FBNetV3-A: tfjs on wasm and on cpu differ by as much as onnxruntime and tfjs do; both are off the exact value', async () => {
    const arch = getZooArch('FBNetV3_A');
    const model = await calibratedModel(arch, 1);
    const weights = await model.exportWeights();
    const rng = createRng(5);
    const data = Float32Array.from({ length: 2 * 224 * 224 * 3 }, () => rng.normal());
    const x = tf.tensor4d(data, [2, 224, 224, 3]);
    const onWasm = tf.tidy(() => model.forward(x)).dataSync();
    const verified = await verifyOnnx(exportOnnx(arch, { weights }), model, { input: x, exact: true });
    const ortDiff = verified.maxAbsDiff;
    await tf.setBackend('cpu');
    const cpuModel = buildModel(arch);
    cpuModel.loadWeights(weights);
    const onCpu = tf.tidy(() => cpuModel.forward(tf.tensor4d(data, [2, 224, 224, 3]))).dataSync();
    let backendDiff = 0;
    for (let i = 0; i < onCpu.length; i++) backendDiff = Math.max(backendDiff, Math.abs(onCpu[i] - onWasm[i]));
    cpuModel.dispose();
    await tf.setBackend('wasm');
    x.dispose();
    model.dispose();
    expect(backendDiff).toBeGreaterThan(0.5 * ortDiff);
    expect(ortDiff).toBeLessThanOrEqual(2e-4);
    // neither runtime is the exact one: each is at least half as far from it as from the other
    expect(verified.exact?.onnxruntimeMaxAbsDiff).toBeGreaterThan(0.5 * ortDiff);
    expect(verified.exact?.tfjsMaxAbsDiff).toBeGreaterThan(0.5 * ortDiff);
  }, 120_000);

  it('keeps BatchNormalization nodes on request and writes the metadata', async () => {
    const arch = getZooArch('fbnet_a');
    const bytes = exportOnnx(arch, { foldBatchNorm: false, seed: 3 });
    const meta = readOnnxMetadata(bytes);
    expect(JSON.parse(meta['fbnas.arch'])).toEqual(arch);
    expect(meta['fbnas.version']).toBe('0.1.0');
    const session = await ort.InferenceSession.create(bytes);
    expect(session.inputNames).toEqual(['input']);
    expect(session.outputNames).toEqual(['logits']);
    // dynamic batch: 3 images
    const out = await session.run({ input: new ort.Tensor('float32', new Float32Array(3 * 3 * 224 * 224), [3, 3, 224, 224]) });
    expect(out.logits.dims).toEqual([3, 1000]);
    await session.release();
  }, 60_000);

  it('verifyOnnx: ok means max |diff| <= atol + rtol * max |output|; a wrong export fails; bad tolerances are refused', async () => {
    const arch = fbnet28Space().toArch([0, 1, 2, 3, 4, 5, 6, 7, 8, 0, 1, 2, 3, 4, 5, 6, 7, 8, 0, 1, 2, 3]);
    const model = await calibratedModel(arch, 4);
    const bytes = exportOnnx(arch, { weights: await model.exportWeights() });
    const r = await verifyOnnx(bytes, model, { seed: 2 });
    expect(r.maxAbsDiff).toBeGreaterThan(0);
    expect(r.ok).toBe(true);
    expect(r.maxRelDiff).toBeCloseTo(r.maxAbsDiff / r.maxAbsOutput, 12);
    const okWith = async (atol: number, rtol: number) => (await verifyOnnx(bytes, model, { seed: 2, atol, rtol })).ok;
    expect(await okWith(r.maxAbsDiff, 0)).toBe(true);
    expect(await okWith(r.maxAbsDiff * 0.99, 0)).toBe(false);
    expect(await okWith(0, r.maxRelDiff * 1.01)).toBe(true);
    expect(await okWith(0, r.maxRelDiff * 0.99)).toBe(false);
    // the same architecture with other random weights is far off under the default tolerances
    const other = await verifyOnnx(exportOnnx(arch, { seed: 9 }), model, { seed: 2 });
    expect(other.ok).toBe(false);
    await expect(verifyOnnx(bytes, model, { rtol: -1 })).rejects.toThrow(/fbnas\.verifyOnnx: options\.rtol must be a finite number >= 0, got -1/);
    await expect(verifyOnnx(bytes, model, { atol: Number.NaN })).rejects.toThrow(/options\.atol must be a finite number >= 0, got NaN/);
    model.dispose();
  }, 60_000);

  it('exports single blocks for latency measurement', async () => {
    const block = fbnet28Space().candidateBlock(3, 5); // k5_e1_g2 at 28x28
    const bytes = exportBlockOnnx(block, { height: 28, width: 28, channels: 16 }, { rules: fbnet28Space().config.rules });
    const session = await ort.InferenceSession.create(bytes);
    const out = await session.run({ input: new ort.Tensor('float32', new Float32Array(16 * 28 * 28), [1, 16, 28, 28]) });
    expect(out.output.dims).toEqual([1, 16, 28, 28]);
    await session.release();
  });

  it('names the layer of a missing or mis-shaped weight', async () => {
    const arch = parseArch({ inputSize: 8, inputChannels: 1, blocks: [{ op: 'conv', channels: 4, kernel: 3 }, { op: 'ir', channels: 8, kernel: 3, expansion: 2 }, { op: 'pool' }, { op: 'fc', channels: 2 }] });
    const model = buildModel(arch);
    const weights = await model.exportWeights();
    const { ['blocks.1.dw.conv.weight']: _drop, ...missing } = weights;
    try {
      exportOnnx(arch, { weights: missing });
      throw new Error('no throw');
    } catch (err) {
      expect(isOnnxExportError(err) && err.code).toBe('MISSING_WEIGHT');
      expect(isOnnxExportError(err) && err.layer).toBe('blocks.1.dw.conv.weight');
    }
    const wrong = { ...weights, 'blocks.3.fc.weight': { shape: [4, 2], data: new Float32Array(8) } };
    expect(() => exportOnnx(arch, { weights: wrong })).toThrow(/weight blocks\.3\.fc\.weight must have shape \[8, 2\], got \[4, 2\]/);
    expect(() => exportOnnx({ ...arch, blocks: [...arch.blocks.slice(0, 2), { op: 'maxpool' } as never] })).toThrow(/blocks\[2\]\.op must be one of/);
    model.dispose();
  });
});
