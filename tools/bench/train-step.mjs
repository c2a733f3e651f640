// Benchmark: one FBNet-style supernet train step (4 searchable layers x all 9 FBNet candidates mixed by
// softmax weights, batch 64, 28x28x1), wasm + fbnas kernels vs the stock tfjs cpu backend, in one run.
// Prints the step and forward times, the speed-up over cpu, the train/forward ratio and effective GFLOP/s
// (3 x forward multiply-adds x 2 flops per step), then one JSON line.
// Options: --batch N (64), --layers N (4), --cpu-steps N (1; the cpu step takes minutes), --steps N (5).
import * as tf from '@tensorflow/tfjs';
import { blockCost, createRng, fbnet28Space } from '@fbnas/search-space';
import { initBackend, blockLayer, checkpointLayer, fbnasKernelsFor, mixLayers, WeightStore, softCrossEntropy, softTargets } from '@fbnas/nn';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const batch = arg('batch', 64);
const nLayers = arg('layers', 4);
const cpuSteps = arg('cpu-steps', 1);
const steps = arg('steps', 5);

const space = fbnet28Space();
const layers = space.layers.slice(0, nLayers);
const stem = space.stem[0];

/** Forward multiply-adds per image of the supernet (every candidate of every layer runs). */
function supernetMacs() {
  let macs = blockCost(stem, { height: 28, width: 28, channels: 1 }, space.config.rules).macs;
  for (const l of layers) for (let c = 0; c < 9; c++) macs += blockCost(space.candidateBlock(l.index, c), l.input, space.config.rules).macs;
  return macs + layers[layers.length - 1].outChannels * 10;
}

function buildSupernet(seed) {
  const store = new WeightStore(createRng(seed));
  const stemFn = blockLayer(store, 'stem', stem, 1, space.config.rules);
  // Each candidate is checkpointed (recomputed in backward): otherwise the soft supernet's activations
  // at batch 64 exceed the 4 GB wasm heap.
  const mixed = layers.map((l) =>
    Array.from({ length: 9 }, (_, c) => {
      const name = `layer${l.index}.${c}.`;
      const fn = blockLayer(store, name.slice(0, -1), space.candidateBlock(l.index, c), l.inChannels, space.config.rules);
      return checkpointLayer(fn, store.withPrefix(name));
    }),
  );
  const c = layers[layers.length - 1].outChannels;
  const w = store.uniform('fc.weight', [c, 10], 1 / Math.sqrt(c));
  const theta = tf.variable(tf.zeros([layers.length, 9]), true, `theta${seed}`);
  const rng = createRng(seed + 1);
  const gumbel = tf.tensor2d(Float32Array.from({ length: layers.length * 9 }, () => rng.gumbel()), [layers.length, 9]);
  const forward = (x) => {
    const ctx = { training: true, rng: null, bnUpdates: [], bnMomentum: 0.9, bnEpsilon: 1e-5 };
    let y = stemFn(x, ctx);
    const m = tf.softmax(tf.div(tf.add(theta, gumbel), 5));
    mixed.forEach((cands, li) => {
      y = mixLayers(cands.map((f) => f(y, ctx)), tf.reshape(tf.slice(m, [li, 0], [1, 9]), [9]));
    });
    tf.dispose(ctx.bnUpdates.map((u) => u.batch));
    return tf.matMul(tf.reshape(tf.mean(y, [1, 2]), [batch, c]), w);
  };
  return { forward, vars: [...store.trainable(), theta], dispose: () => { store.dispose(); theta.dispose(); gumbel.dispose(); } };
}

const median = (xs) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] : NaN);

async function measure(label, nSteps, warmup) {
  const net = buildSupernet(7);
  const rng = createRng(3);
  const x = tf.tensor4d(Float32Array.from({ length: batch * 784 }, () => rng.normal()), [batch, 28, 28, 1]);
  const labels = Int32Array.from({ length: batch }, (_, i) => i % 10);
  const targets = softTargets(labels, 10, 0, null);
  const step = () => {
    const t0 = performance.now();
    const { value, grads } = tf.variableGrads(() => tf.tidy(() => softCrossEntropy(net.forward(x), targets)), net.vars);
    value.dataSync();
    tf.dispose([value, ...Object.values(grads)]);
    return performance.now() - t0;
  };
  const fwd = () => {
    const t0 = performance.now();
    tf.tidy(() => net.forward(x).dataSync());
    return performance.now() - t0;
  };
  for (let i = 0; i < warmup; i++) step();
  const stepMs = [];
  for (let i = 0; i < nSteps; i++) {
    stepMs.push(step());
    console.error(`${label}: step ${i + 1}/${nSteps} ${stepMs[i].toFixed(0)} ms`);
  }
  for (let i = 0; i < warmup; i++) fwd();
  const fwdMs = [];
  for (let i = 0; i < nSteps; i++) fwdMs.push(fwd());
  if (process.env.FBNAS_PROFILE && nSteps > 0) {
    const prof = await tf.profile(() => { step(); });
    const agg = {};
    for (const k of prof.kernels) { const a = (agg[k.name] ??= { n: 0, ms: 0 }); a.n++; a.ms += typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0; }
    console.error(Object.entries(agg).sort((a, b) => b[1].ms - a[1].ms).slice(0, 16).map(([n, a]) => `  ${n.padEnd(36)} ${String(a.n).padStart(5)} ${a.ms.toFixed(0).padStart(7)} ms`).join('\n'));
  }
  tf.dispose([x, targets]);
  net.dispose();
  return { stepMs: median(stepMs), forwardMs: median(fwdMs) };
}

const info = await initBackend({ backend: 'wasm' });
console.error(`backend: ${info.name} (${info.reason})`);
const wasm = await measure('wasm', steps, 2);
// The stock cpu backend: fbnas's fused cpu kernels are removed, so every op is stock tfjs.
await tf.setBackend('cpu');
for (const name of fbnasKernelsFor('cpu')) tf.unregisterKernel(name, 'cpu');
const cpu = cpuSteps > 0 ? await measure('cpu (stock)', cpuSteps, 0) : { stepMs: NaN, forwardMs: NaN };
const macs = supernetMacs();
const flops = 3 * 2 * macs * batch;
const result = {
  bench: 'train-step',
  batch,
  layers: nLayers,
  candidates: 9,
  forwardMMacsPerImage: +(macs / 1e6).toFixed(2),
  wasmStepMs: +wasm.stepMs.toFixed(1),
  wasmForwardMs: +wasm.forwardMs.toFixed(1),
  cpuStepMs: +cpu.stepMs.toFixed(1),
  speedupVsCpu: +(cpu.stepMs / wasm.stepMs).toFixed(1),
  trainOverForward: +(wasm.stepMs / wasm.forwardMs).toFixed(2),
  wasmGflops: +(flops / wasm.stepMs / 1e6).toFixed(2),
  cpuGflops: +(flops / cpu.stepMs / 1e6).toFixed(3),
};
console.log(`wasm step ${result.wasmStepMs} ms, forward ${result.wasmForwardMs} ms (train/forward ${result.trainOverForward}x, ${result.wasmGflops} GFLOP/s); cpu step ${result.cpuStepMs} ms; speed-up ${result.speedupVsCpu}x`);
console.log(JSON.stringify(result));
