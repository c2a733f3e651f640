// Benchmark: FBNet search epoch time on Fashion-MNIST with the 28x28 FBNet space (22 layers x 9 candidates),
// soft mode (every candidate runs, checkpointed) vs hard mode (one sampled candidate per layer), both with
// shared candidate weights, batch 64, wasm backend. Times --steps N (4) weight steps and N theta steps of each
// mode after one warm-up step of each, and extrapolates to one epoch of the default split (80% of the
// 55,000 training images for the weights, 20% for theta). Prints one JSON line.
import * as tf from '@tensorflow/tfjs';
import { createRng, fbnet28Space } from '@fbnas/search-space';
import { initBackend, loadMnistFamily, makeBatch, softCrossEntropy, softTargets } from '@fbnas/nn';
import { expectedCostTf, statCostTable } from '@fbnas/latency-model';
import { createSupernet, resolveCostLoss, sampleGumbel } from '@fbnas/dnas';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const steps = arg('steps', 4);
const batch = arg('batch', 64);

await initBackend({ backend: 'wasm' });
const space = fbnet28Space();
const { train } = loadMnistFamily('fashion-mnist', { seed: 0 });
const table = statCostTable(space, 'macs');
const loss = resolveCostLoss({ kind: 'fbnet' }, table);
const wSteps = Math.floor((train.count * 0.8) / batch);
const tSteps = Math.floor((train.count * 0.2) / batch);

async function timeMode(mode) {
  const net = createSupernet(space, { mode, seed: 1 });
  const rng = createRng(2);
  const wVars = net.weightVariables();
  const step = (phase, s) => {
    const b = makeBatch(train, Int32Array.from({ length: batch }, (_, i) => (s * batch + i) % train.count));
    const gumbel = sampleGumbel(rng, space.layers.length, 9);
    const t0 = performance.now();
    const { value, grads } = tf.variableGrads(
      () =>
        tf.tidy(() => {
          const out = net.forward(b.x, { training: true, tau: 5, gumbel });
          const ce = softCrossEntropy(out.logits, softTargets(b.labels, 10, 0, null));
          return phase === 'weights' ? ce : loss.apply(ce, expectedCostTf(table, out.probs));
        }),
      phase === 'weights' ? wVars : [net.theta],
    );
    value.dataSync();
    net.discardBnUpdates();
    const ms = performance.now() - t0;
    tf.dispose([value, b.x, ...Object.values(grads)]);
    return ms;
  };
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  step('weights', 0);
  step('theta', 0);
  const w = [];
  const t = [];
  for (let s = 1; s <= steps; s++) {
    w.push(step('weights', s));
    t.push(step('theta', s));
    console.error(`${mode}: step ${s}/${steps} weights ${w.at(-1).toFixed(0)} ms, theta ${t.at(-1).toFixed(0)} ms`);
  }
  net.dispose();
  const weightStepMs = median(w);
  const thetaStepMs = median(t);
  return { weightStepMs, thetaStepMs, epochSeconds: (wSteps * weightStepMs + tSteps * thetaStepMs) / 1000 };
}

const hard = await timeMode('hard');
const soft = await timeMode('soft');
console.log(
  JSON.stringify({
    bench: 'dnas-epoch',
    space: space.name,
    batch,
    weightStepsPerEpoch: wSteps,
    thetaStepsPerEpoch: tSteps,
    hardWeightStepMs: +hard.weightStepMs.toFixed(0),
    hardThetaStepMs: +hard.thetaStepMs.toFixed(0),
    hardEpochSeconds: +hard.epochSeconds.toFixed(0),
    softWeightStepMs: +soft.weightStepMs.toFixed(0),
    softThetaStepMs: +soft.thetaStepMs.toFixed(0),
    softEpochSeconds: +soft.epochSeconds.toFixed(0),
    softOverHard: +(soft.epochSeconds / hard.epochSeconds).toFixed(2),
  }),
);
