// Benchmark: training throughput of trainModel on Fashion-MNIST with 1 thread against `workers: 2`
// (data-parallel worker threads), side by side in one run: the example network of
// tools/examples/train-fashion-mnist.mjs (5.5 M multiply-adds), batch 128, the same steps for each, repeated
// in alternating rounds so that both see the same machine. Prints images/s for each and the speed-up.
// Options: --steps N (40 per round), --rounds N (2), --batch N (128), --workers N (2).
import { cpus } from 'node:os';
import { MBCONV_FMNIST_ARCH } from '../examples/mbconvFmnistArch.mjs';
import { parseArch } from '@fbnas/search-space';
import { buildModel, initBackend, loadMnistFamily, trainModel } from '@fbnas/nn';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const steps = arg('steps', 40);
const rounds = arg('rounds', 2);
const batchSize = arg('batch', 128);
const workers = arg('workers', 2);

const backend = await initBackend();
const { train } = loadMnistFamily('fashion-mnist', { seed: 0 });
const arch = parseArch(MBCONV_FMNIST_ARCH);

/** Seconds per step of one short training run (the worker start-up is timed separately). */
async function timeRun(w) {
  const model = buildModel(arch, { seed: 0, dropout: 0.1 });
  let first = null;
  let last = null;
  const t0 = performance.now();
  await trainModel(model, train, {
    epochs: 1, maxStepsPerEpoch: steps + 1, batchSize, seed: 0, workers: w, learningRate: 0.1, labelSmoothing: 0.1, augment: { randomCrop: 2, flip: true },
    onProgress: (e) => {
      if (e.type !== 'step') return;
      if (e.step === 0) first = performance.now();
      last = performance.now();
    },
  });
  model.dispose();
  return { perStep: (last - first) / 1000 / steps, startup: (first - t0) / 1000 };
}

console.log(`backend ${backend.name}; ${cpus().length} cores; ${steps} steps x ${rounds} rounds at batch ${batchSize}`);
const times = { 1: [], [workers]: [] };
const startup = [];
for (let r = 0; r < rounds; r++) {
  for (const w of r % 2 === 0 ? [1, workers] : [workers, 1]) {
    const t = await timeRun(w);
    times[w].push(t.perStep);
    if (w > 1) startup.push(t.startup);
    console.log(`round ${r + 1}, workers ${w}: ${(t.perStep * 1000).toFixed(0)} ms per step (${(batchSize / t.perStep).toFixed(0)} images/s)`);
  }
}
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const single = median(times[1]);
const parallel = median(times[workers]);
const result = {
  bench: 'data-parallel',
  backend: backend.name,
  workers,
  batchSize,
  imagesPerSecondSingle: Math.round(batchSize / single),
  imagesPerSecondParallel: Math.round(batchSize / parallel),
  speedup: Number((single / parallel).toFixed(2)),
  workerStartupSeconds: Number(median(startup).toFixed(2)),
};
console.log(`speed-up with ${workers} workers: ${result.speedup}x`);
console.log(JSON.stringify(result));
