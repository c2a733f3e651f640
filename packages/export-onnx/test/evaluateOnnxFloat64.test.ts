import fc from 'fast-check';
import * as ort from 'onnxruntime-node';
import { createRng, fbnet28Space, fbnetCifarSpace, fbnetV3Space, sampleUniform } from '@fbnas/search-space';
import { initBackend } from '@fbnas/nn';
import { evaluateOnnxFloat64, exportOnnx, isOnnxExportError, verifyOnnx } from '../src';
import { onnx } from '../src/onnxProto';
import { calibratedModel } from './calibratedModel';

beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
});

/** The error code `f` throws, or 'no throw'. */
function codeOf(f: () => unknown): string {
  try {
    f();
    return 'no throw';
  } catch (err) {
    return isOnnxExportError(err) ? `${err.code}: ${err.message}` : `untyped: ${String(err)}`;
  }
}

describe('evaluateOnnxFloat64', () => {
  // onnxruntime and tfjs are independent float32 implementations; the float64 evaluation must sit within
  // float32 rounding of both, on every operator fbnas emits (shuffle, SE, hswish, hsigmoid, BN kept or folded).
  it.each([
    ['fbnet-28', fbnet28Space(), 3],
    ['fbnet-cifar', fbnetCifarSpace(), 2],
    ['FBNetV3 (at 128 px)', fbnetV3Space({ resolutions: [128] }), 1],
  ] as const)('is within float32 rounding of onnxruntime and of tfjs on sampled %s networks (property)', async (_name, space, numRuns) => {
    await fc.assert(
      fc.asyncProperty(fc.integer(), fc.boolean(), async (seed, fold) => {
        const arch = space.toArch(sampleUniform(space, 1, createRng(seed))[0]);
        const model = await calibratedModel(arch, seed);
        const bytes = exportOnnx(arch, { weights: await model.exportWeights(), foldBatchNorm: fold });
        const r = await verifyOnnx(bytes, model, { batch: 1, seed, exact: true });
        model.dispose();
        const bound = 1e-4 * Math.max(1, r.maxAbsOutput);
        expect(r.exact?.onnxruntimeMaxAbsDiff).toBeLessThanOrEqual(bound);
        expect(r.exact?.tfjsMaxAbsDiff).toBeLessThanOrEqual(bound);
      }),
      { numRuns },
    );
  }, 180_000);

  it('tells an export with other weights apart, far beyond rounding', async () => {
    const arch = fbnet28Space().toArch(new Array(22).fill(4));
    const model = await calibratedModel(arch, 3);
    const wrong = await verifyOnnx(exportOnnx(arch, { seed: 8 }), model, { batch: 1, exact: true });
    model.dispose();
    // onnxruntime agrees with the exact value of the graph it was given; tfjs (another network) does not
    expect(wrong.exact?.onnxruntimeMaxAbsDiff).toBeLessThan(1e-3);
    expect(wrong.exact?.tfjsMaxAbsDiff).toBeGreaterThan(1e-2);
  }, 60_000);

  it('evaluates dilated convolutions as onnxruntime does', async () => {
    // fbnas exports no dilated conv; a graph from elsewhere may have one: dilate every 3x3 conv of an export
    const model = onnx.ModelProto.decode(exportOnnx(fbnet28Space().toArch(new Array(22).fill(2)), { seed: 2 }));
    let dilated = 0;
    for (const node of model.graph?.node ?? []) {
      const k = node.attribute?.find((a) => a.name === 'kernel_shape')?.ints?.map(Number);
      if (node.opType !== 'Conv' || k?.[0] !== 3) continue;
      for (const a of node.attribute ?? []) {
        if (a.name === 'dilations') a.ints = [2, 2];
        if (a.name === 'pads') a.ints = [2, 2, 2, 2];
      }
      dilated++;
    }
    expect(dilated).toBeGreaterThan(10);
    const bytes = onnx.ModelProto.encode(model).finish();
    const data = Float32Array.from({ length: 2 * 784 }, (_, i) => Math.sin(i * 0.37));
    const session = await ort.InferenceSession.create(bytes);
    const want = (await session.run({ input: new ort.Tensor('float32', data, [2, 1, 28, 28]) })).logits.data as Float32Array;
    await session.release();
    const got = evaluateOnnxFloat64(bytes, { dims: [2, 1, 28, 28], data }).data;
    let scale = 0;
    let diff = 0;
    for (let i = 0; i < want.length; i++) {
      scale = Math.max(scale, Math.abs(want[i]));
      diff = Math.max(diff, Math.abs(want[i] - got[i]));
    }
    expect(scale).toBeGreaterThan(0);
    expect(diff).toBeLessThanOrEqual(1e-4 * Math.max(1, scale));
  });

  it('refuses unknown operators, wrong input shapes, NaN and corrupt bytes with typed errors', () => {
    const arch = fbnet28Space().toArch(new Array(22).fill(0));
    const bytes = exportOnnx(arch, { seed: 1 });
    const input = { dims: [1, 1, 28, 28], data: new Float32Array(784) };
    expect(evaluateOnnxFloat64(bytes, input).dims).toEqual([1, 10]);
    const model = onnx.ModelProto.decode(bytes);
    const node = model.graph?.node?.find((n) => n.opType === 'Relu');
    if (!node) throw new Error('the export has no Relu');
    node.opType = 'Elu';
    const mutated = onnx.ModelProto.encode(model).finish();
    expect(codeOf(() => evaluateOnnxFloat64(mutated, input))).toMatch(new RegExp(`^UNSUPPORTED: fbnas\\.evaluateOnnxFloat64: node "${node.name}" has op type "Elu"`));
    expect(codeOf(() => evaluateOnnxFloat64(bytes, { dims: [1, 1, 28, 27], data: new Float32Array(756) }))).toMatch(/^SHAPE_MISMATCH: .*input must be \[N, 1, 28, 28\] with as many values, got dims \[1, 1, 28, 27\]/);
    expect(codeOf(() => evaluateOnnxFloat64(bytes, { dims: [2, 1, 28, 28], data: new Float32Array(784) }))).toMatch(/^SHAPE_MISMATCH: .*got dims \[2, 1, 28, 28\] and 784 values/);
    const nan = new Float32Array(784);
    nan[5] = Number.NaN;
    expect(codeOf(() => evaluateOnnxFloat64(bytes, { dims: [1, 1, 28, 28], data: nan }))).toMatch(/^INVALID_ARGUMENT: .*input contains NaN/);
    expect(codeOf(() => evaluateOnnxFloat64(bytes.slice(0, bytes.length >> 1), input))).toMatch(/^INVALID_ARGUMENT: fbnas\.evaluateOnnxFloat64: /);
  });

  it('gives a typed error on arbitrary bytes (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        expect(codeOf(() => evaluateOnnxFloat64(bytes, { dims: [1, 1, 2, 2], data: new Float32Array(4) }))).toMatch(/^(INVALID_ARGUMENT|SHAPE_MISMATCH|UNSUPPORTED): fbnas\.evaluateOnnxFloat64: /);
      }),
      { numRuns: 300 },
    );
  });
});
