// FBNetV3's constrained iterative optimization on Fashion-MNIST with the 28x28 FBNet space, small enough for a
// few minutes on 2 cores: a Sobol pool of 100 architectures under 12 M multiply-adds, iteration 1 trains 4 of
// them for 3 epochs (200 images per class; validation accuracy after each epoch), picks the early-stop epoch,
// then 2 more iterations train 2 predicted-best candidates each to that epoch. Every evaluation is recorded in
// --record (cio-fmnist.json); run again after a kill to resume. --kill-after N SIGKILLs the run after N
// evaluations (to try the resume). Prints one JSON line.
import { archStats, fbnet28Space, macsConstraint } from '@fbnas/search-space';
import { initBackend } from '@fbnas/nn';
import { constrainedIterativeOptimization, mnistEvaluator } from '@fbnas/predictor';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const recordPath = arg('record', 'cio-fmnist.json');
const killAfter = Number(arg('kill-after', 0));
await initBackend();
const space = fbnet28Space();
const t0 = Date.now();
let evaluated = 0;
const r = await constrainedIterativeOptimization(space, {
  evaluate: mnistEvaluator(space, { dataset: 'fashion-mnist', limitPerClass: 200, seed: 0 }),
  fullEpochs: 3,
  poolSize: 100,
  constraint: macsConstraint(space, { max: 12e6 }),
  iterations: 3,
  firstBatch: 4,
  batchSize: 2,
  exploration: 0,
  correlationThreshold: 0.8,
  proxies: (g) => {
    const s = archStats(space.toArch(g));
    return [s.macs / 1e6, s.params / 1e3];
  },
  fit: { epochs: 200, fineTuneEpochs: 20 },
  recordPath,
  seed: 0,
  onProgress: (e) => {
    if (e.type === 'evaluated') {
      console.error(`iteration ${e.record.iteration}: [${e.record.genome.join(',')}] ${e.record.epochs} epochs -> val ${(100 * e.record.accuracy).toFixed(2)}% (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
      if (killAfter > 0 && ++evaluated === killAfter) process.kill(process.pid, 'SIGKILL');
    }
    if (e.type === 'early-stop') console.error(`early-stop epoch ${e.epoch} (Spearman ${e.correlation.toFixed(3)} with the final accuracy)`);
  },
});
r.predictor.dispose();
console.log(
  JSON.stringify({
    example: 'cio-fashion-mnist',
    evaluations: r.records.length,
    resumedRecords: r.resumedRecords,
    earlyStopEpoch: r.earlyStopEpoch,
    earlyStopCorrelation: +r.earlyStopCorrelation.toFixed(3),
    correlationByEpoch: r.correlationByEpoch.map((c) => +c.toFixed(3)),
    best: r.records.reduce((b, x) => (x.accuracy > b.accuracy ? x : b)),
    seconds: Math.round((Date.now() - t0) / 1000),
  }),
);
