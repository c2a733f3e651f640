// Benchmark: inference time of the same network in onnxruntime-node (exported by @fbnas/export-onnx, 1
// intra-op thread) and in tfjs-wasm (built by @fbnas/nn), at batch 1 and 32, for an FBNet-A-size model
// (fbnet_a at 224) and a 28x28 model (the 28x28 FBNet space, all k3_e6). Median of repeated runs after
// warm-up; prints ratios, then one JSON line.
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { createRng, fbnet28Space, getZooArch } from '@fbnas/search-space';
import { buildModel, initBackend } from '@fbnas/nn';
import { exportOnnx } from '@fbnas/export-onnx';

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
async function timeIt(f, reps) {
  for (let i = 0; i < 2; i++) await f();
  const ms = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await f();
    ms.push(performance.now() - t0);
  }
  return median(ms);
}

await initBackend({ backend: 'wasm' });
const models = [
  ['fbnet_a@224', getZooArch('fbnet_a')],
  ['fbnet28-k3e6@28', fbnet28Space().toArch(new Array(22).fill(3))],
];
const rows = [];
for (const [name, arch] of models) {
  const model = buildModel(arch, { seed: 0 });
  const session = await ort.InferenceSession.create(exportOnnx(arch, { weights: await model.exportWeights() }), { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential' });
  for (const batch of [1, 32]) {
    const s = arch.inputSize;
    const c = arch.inputChannels;
    const rng = createRng(batch);
    const data = Float32Array.from({ length: batch * s * s * c }, () => rng.normal());
    const x = tf.tensor4d(data, [batch, s, s, c]);
    const feeds = { input: new ort.Tensor('float32', data, [batch, c, s, s]) }; // values differ in layout only; timing is what matters
    const reps = batch === 1 ? 30 : 8;
    const tfjsMs = await timeIt(async () => {
      const y = tf.tidy(() => model.forward(x));
      await y.data();
      y.dispose();
    }, reps);
    const ortMs = await timeIt(() => session.run(feeds), reps);
    rows.push({ model: name, batch, tfjsWasmMs: +tfjsMs.toFixed(2), ortMs: +ortMs.toFixed(2), ortSpeedup: +(tfjsMs / ortMs).toFixed(2) });
    console.log(`${name} batch ${batch}: tfjs-wasm ${tfjsMs.toFixed(2)} ms, onnxruntime ${ortMs.toFixed(2)} ms -> ORT ${(tfjsMs / ortMs).toFixed(2)}x`);
    x.dispose();
  }
  await session.release();
  model.dispose();
}
console.log(JSON.stringify({ bench: 'onnx-vs-tfjs', rows, minOrtSpeedup: Math.min(...rows.map((r) => r.ortSpeedup)) }));
