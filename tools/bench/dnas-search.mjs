// Benchmark: what FBNet's search buys on Fashion-MNIST with the 28x28 FBNet space, in one run.
//  1. the default search (`searchFbnet` with SEARCH_FBNET_DEFAULTS, beta 0.6) and the same search with beta = 0
//     (same seed, same budget): LUT latency, measured onnxruntime latency and test accuracy of each argmax;
//  2. --random N (20) uniformly random architectures of the space trained the same way (same steps, same
//     recipe): their median measured latency and accuracy.
// Prints one JSON line. Runs about an hour on 2 cores (each training ~2 min, each search ~4 min).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { archStats, createRng, fbnet28Space, sampleUniform } from '@fbnas/search-space';
import { buildModel, evaluateModel, initBackend, loadMnistFamily, trainModel } from '@fbnas/nn';
import { exportOnnx } from '@fbnas/export-onnx';
import { costOfGenome, costTableFromLut, loadLatencyLut, measureOnnxLatency } from '@fbnas/latency-model';
import { searchFbnet, SEARCH_FBNET_DEFAULTS } from 'fbnas';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const nRandom = arg('random', 20);
const seed = arg('seed', 0);
const dir = mkdtempSync(join(tmpdir(), 'fbnas-dnas-search-'));
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const log = (t) => console.error(`[${new Date().toISOString().slice(11, 19)}] ${t}`);

try {
  const runs = {};
  for (const [name, beta] of [['default', 0.6], ['beta0', 0]]) {
    log(`search ${name} (beta ${beta})`);
    const r = await searchFbnet({
      outDir: join(dir, name), seed, lut: { path: name === 'beta0' ? join(dir, 'default', 'lut.json') : undefined },
      search: { costLoss: { kind: 'fbnet', beta } },
    });
    runs[name] = { genome: r.genome, lutLatencyMs: +r.predictedCost.toFixed(4), measuredLatencyMs: +r.measuredLatencyMs.toFixed(4), testAccuracy: r.testAccuracy, mmacs: +(r.multiplyAdds / 1e6).toFixed(2), seconds: Math.round(r.seconds.total) };
    log(`${name}: ${JSON.stringify(runs[name])}`);
  }
  const space = fbnet28Space();
  const table = costTableFromLut(space, loadLatencyLut(join(dir, 'default', 'lut.json')));
  await initBackend();
  const data = loadMnistFamily('fashion-mnist', { seed });
  const random = [];
  for (const [k, genome] of sampleUniform(space, nRandom, createRng(seed + 500)).entries()) {
    const arch = space.toArch(genome);
    const model = buildModel(arch, { seed, dropout: 0.1 });
    await trainModel(model, data.train, { ...SEARCH_FBNET_DEFAULTS.train, seed });
    const acc = (await evaluateModel(model, data.test)).accuracy;
    const lat = await measureOnnxLatency(exportOnnx(arch, { weights: await model.exportWeights() }), { height: 28, width: 28, channels: 1 }, { maxRepeats: 300 });
    model.dispose();
    random.push({ genome, lutLatencyMs: costOfGenome(table, genome), measuredLatencyMs: lat.median, testAccuracy: acc, mmacs: archStats(arch).macs / 1e6 });
    log(`random ${k + 1}/${nRandom}: ${(100 * acc).toFixed(2)}%, ${lat.median.toFixed(3)} ms`);
  }
  const rnd = {
    count: random.length,
    medianMeasuredLatencyMs: +median(random.map((r) => r.measuredLatencyMs)).toFixed(4),
    medianLutLatencyMs: +median(random.map((r) => r.lutLatencyMs)).toFixed(4),
    medianTestAccuracy: +median(random.map((r) => r.testAccuracy)).toFixed(4),
    bestTestAccuracy: +Math.max(...random.map((r) => r.testAccuracy)).toFixed(4),
  };
  console.log(
    JSON.stringify({
      bench: 'dnas-search',
      default: runs.default,
      beta0: runs.beta0,
      lutLatencyReductionVsBeta0: +(1 - runs.default.lutLatencyMs / runs.beta0.lutLatencyMs).toFixed(3),
      random: rnd,
      measuredLatencyVsRandomMedian: +(runs.default.measuredLatencyMs / rnd.medianMeasuredLatencyMs).toFixed(3),
    }),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
