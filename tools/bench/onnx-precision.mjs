// Benchmark: how exact the ONNX export is, measured against the exact value. Every zoo model (or those named
// with --models a,b) gets random weights brought to the scale of a trained network (BatchNorm statistics of
// 16 standard-normal images, classifier rescaled to unit-std logits on them, as the export tests do), is
// exported, and is run on 2 fresh standard-normal images in onnxruntime-node (1 thread) and tfjs-wasm; the
// exported graph is also evaluated in float64 (evaluateOnnxFloat64). Prints each runtime's max abs distance
// from the float64 value and from each other, then one JSON line. About 5 minutes for the whole zoo.
import * as tf from '@tensorflow/tfjs';
import { createRng, getZooArch, listZooArchs } from '@fbnas/search-space';
import { buildModel, initBackend } from '@fbnas/nn';
import { exportOnnx, verifyOnnx } from '@fbnas/export-onnx';

const arg = process.argv.indexOf('--models');
const names = arg > 0 ? process.argv[arg + 1].split(',') : listZooArchs();
await initBackend({ backend: 'wasm' });
const seed = 1;
const rows = [];
for (const name of names) {
  const arch = getZooArch(name);
  const model = buildModel(arch, { seed, bnMomentum: 0 });
  const rng = createRng(seed + 1);
  const shape = [16, arch.inputSize, arch.inputSize, arch.inputChannels];
  const x = tf.tensor4d(Float32Array.from({ length: shape.reduce((a, b) => a * b) }, () => rng.normal()), shape);
  tf.tidy(() => model.forward(x, { training: true }));
  model.commitBnUpdates();
  const std = tf.tidy(() => tf.moments(model.forward(x)).variance.sqrt().dataSync()[0]);
  for (const w of model.weightNames().filter((n) => /\.fc\.(weight|bias)$/.test(n))) tf.tidy(() => model.weight(w).assign(tf.div(model.weight(w), std)));
  x.dispose();
  const t0 = performance.now();
  const r = await verifyOnnx(exportOnnx(arch, { weights: await model.exportWeights() }), model, { batch: 2, seed, exact: true });
  model.dispose();
  const row = {
    model: name,
    maxAbsLogit: +r.maxAbsOutput.toFixed(2),
    ortVsTfjs: +r.maxAbsDiff.toExponential(2),
    ortVsExact: +r.exact.onnxruntimeMaxAbsDiff.toExponential(2),
    tfjsVsExact: +r.exact.tfjsMaxAbsDiff.toExponential(2),
  };
  rows.push(row);
  console.log(`${name}: max |logit| ${row.maxAbsLogit}; onnxruntime vs tfjs ${row.ortVsTfjs}, onnxruntime vs exact ${row.ortVsExact}, tfjs vs exact ${row.tfjsVsExact} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
}
const max = (k) => Math.max(...rows.map((r) => r[k]));
console.log(
  JSON.stringify({
    bench: 'onnx-precision',
    rows,
    maxOrtVsTfjs: max('ortVsTfjs'),
    maxOrtVsExact: max('ortVsExact'),
    maxTfjsVsExact: max('tfjsVsExact'),
    modelsOrtVsExactAbove1e4: rows.filter((r) => r.ortVsExact > 1e-4).map((r) => r.model),
  }),
);
