import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { createRng } from '@fbnas/search-space';
import type { NnModel } from '@fbnas/nn';
import { ONNX_INPUT_NAME, ONNX_OUTPUT_NAME } from './contract';
import { OnnxExportError } from './errors';
import { evaluateOnnxFloat64 } from './evaluateOnnxFloat64';

function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Result of {@link verifyOnnx}. */
export interface VerifyResult {
  maxAbsDiff: number;
  /** Largest |tfjs output|, for scale. */
  maxAbsOutput: number;
  /** `maxAbsDiff / maxAbsOutput` (0 when every output is 0). */
  maxRelDiff: number;
  /** `maxAbsDiff <= atol + rtol * maxAbsOutput`. */
  ok: boolean;
  /**
   * With `exact: true`: how far each runtime is from the float64 evaluation of the exported graph
   * ({@link evaluateOnnxFloat64}), max abs. Tells whose rounding a difference is.
   */
  exact?: { onnxruntimeMaxAbsDiff: number; tfjsMaxAbsDiff: number };
}

/** Options of {@link verifyOnnx}. */
export interface VerifyOptions {
  /** NHWC input; default a seeded standard-normal batch. */
  input?: tf.Tensor4D;
  /** Images in the random batch (default 2). */
  batch?: number;
  /** Seed of the random batch (default 0). */
  seed?: number;
  /** Absolute tolerance (default 1e-4). */
  atol?: number;
  /**
   * Tolerance relative to the largest |output| (default 2e-5). The two runtimes round float32 differently:
   * measured on every zoo model, they differ by 3-12e-6 of the largest |logit|, which for a deep network
   * with logits of 20-40 is above 1e-4 absolute. 0 makes the check absolute only.
   */
  rtol?: number;
  /** Also evaluate the exported graph in float64 and report each runtime's distance from it (slow: plain JS loops). */
  exact?: boolean;
}

/**
 * Run an exported model in onnxruntime-node on the given NHWC input (or a seeded random batch) and compare
 * its output with the tfjs model's (inference mode). `ok` when the max abs difference is within
 * `atol + rtol * max |tfjs output|` (as numpy's `allclose`, with the largest output for scale).
 */
export async function verifyOnnx(bytes: Uint8Array, model: NnModel, options: VerifyOptions = {}): Promise<VerifyResult> {
  const api = 'fbnas.verifyOnnx';
  const atol = options.atol ?? 1e-4;
  const rtol = options.rtol ?? 2e-5;
  for (const [key, v] of [['atol', atol], ['rtol', rtol]] as const) {
    if (!(Number.isFinite(v) && v >= 0)) throw new OnnxExportError('INVALID_ARGUMENT', api, `options.${key} must be a finite number >= 0, got ${String(v)}`);
  }
  const { inputSize: s, inputChannels: c } = model.arch;
  const batch = options.batch ?? 2;
  const rng = createRng(options.seed ?? 0);
  const x = options.input ?? tf.tensor4d(Float32Array.from({ length: batch * s * s * c }, () => rng.normal()), [batch, s, s, c]);
  if (x.shape[1] !== s || x.shape[2] !== s || x.shape[3] !== c) throw new OnnxExportError('SHAPE_MISMATCH', api, `input must be [N, ${s}, ${s}, ${c}], got [${x.shape.join(', ')}]`);
  const expected = tf.tidy(() => model.forward(x));
  const want = (await expected.data()) as Float32Array;
  const nchw = tf.tidy(() => tf.transpose(x, [0, 3, 1, 2]));
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  try {
    const out = await session.run({ [ONNX_INPUT_NAME]: new ort.Tensor('float32', (await nchw.data()) as Float32Array, nchw.shape) });
    const got = out[ONNX_OUTPUT_NAME].data as Float32Array;
    if (got.length !== want.length) throw new OnnxExportError('VERIFY_FAILED', api, `onnxruntime gave ${got.length} values, tfjs ${want.length}`);
    let maxAbsOutput = 0;
    for (let i = 0; i < want.length; i++) maxAbsOutput = Math.max(maxAbsOutput, Math.abs(want[i]));
    const maxAbsDiff = maxAbsDifference(got, want);
    const result: VerifyResult = { maxAbsDiff, maxAbsOutput, maxRelDiff: maxAbsOutput > 0 ? maxAbsDiff / maxAbsOutput : 0, ok: maxAbsDiff <= atol + rtol * maxAbsOutput };
    if (options.exact) {
      const reference = evaluateOnnxFloat64(bytes, { dims: nchw.shape, data: (await nchw.data()) as Float32Array }).data;
      result.exact = { onnxruntimeMaxAbsDiff: maxAbsDifference(got, reference), tfjsMaxAbsDiff: maxAbsDifference(want, reference) };
    }
    return result;
  } finally {
    await session.release();
    tf.dispose([expected, nchw]);
    if (!options.input) x.dispose();
  }
}
