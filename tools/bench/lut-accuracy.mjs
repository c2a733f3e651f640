// Benchmark: how well an onnxruntime-node LUT (single blocks, 1 thread, batch 1) predicts whole-model
// latency measured in onnxruntime-node, for random architectures of the CIFAR and 28x28 FBNet spaces.
// For each timing statistic (median, p10; the same on LUT entries and whole models), predictions: the LUT sum
// with the per-call overhead counted once ("raw"), then the LUT calibrated on
// --calib N (20) other measured architectures, drawn with another seed and never scored ("affine", and
// "per-candidate" fusion corrections). Prints MAPE, Spearman, Kendall and the share within +-10% on the --archs
// N (100) held-out architectures of each space, then one JSON line.
// --rounds R (default 5): the timing protocol. R > 1 times LUT entries and whole models in R interleaved rounds
// (measureOnnxInterleaved: every model a few runs per round, median of the round medians), so the machine's slow
// drifts hit every model alike; --rounds 1 is the earlier protocol (each model timed once, one after another).
import * as ort from 'onnxruntime-node';
import { createRng, fbnet28Space, fbnetCifarSpace, sampleUniform } from '@fbnas/search-space';
import { exportOnnx } from '@fbnas/export-onnx';
import { buildLatencyLut, calibrateCostTable, costOfGenome, costTableFromLut, lutSignatures, measureOnnxInterleaved } from '@fbnas/latency-model';
import { kendallTau as kendall, spearmanRho as spearman } from '@fbnas/predictor';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const nArchs = arg('archs', 100);
const seed = arg('seed', 0);
const nCalib = arg('calib', 20);
const rounds = arg('rounds', 5);

async function measureWhole(bytes, s, c) {
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' });
  const feeds = { input: new ort.Tensor('float32', new Float32Array(c * s * s).fill(0.5), [1, c, s, s]) };
  for (let i = 0; i < 10; i++) await session.run(feeds);
  const ms = [];
  for (let i = 0; i < 30; i++) { const t0 = performance.now(); await session.run(feeds); ms.push(performance.now() - t0); }
  await session.release();
  ms.sort((a, b) => a - b);
  return { median: ms[15], p10: ms[3] };
}

const results = {};
for (const [name, space] of [['fbnet-cifar', fbnetCifarSpace()], ['fbnet-28', fbnet28Space()]]) {
  const t0 = performance.now();
  const sigs = lutSignatures(space);
  const lut = await buildLatencyLut(sigs, { rules: space.config.rules, rounds, minRepeats: rounds > 1 ? 20 : undefined });
  const lutSeconds = (performance.now() - t0) / 1000;
  const calibGenomes = sampleUniform(space, nCalib, createRng(seed + 1000));
  const genomes = sampleUniform(space, nArchs, createRng(seed));
  const input = { height: space.config.inputSize, width: space.config.inputSize, channels: space.config.inputChannels };
  let calibMs;
  let measuredRaw;
  if (rounds > 1) {
    // calibration and scored architectures in one interleaved measurement
    const all = await measureOnnxInterleaved([...calibGenomes, ...genomes].map((g) => ({ model: exportOnnx(space.toArch(g), { seed: 1 }), input })), { rounds, repeatsPerRound: 10 });
    calibMs = all.slice(0, nCalib);
    measuredRaw = all.slice(nCalib);
  } else {
    const measure = async (g) => measureWhole(exportOnnx(space.toArch(g), { seed: 1 }), space.config.inputSize, space.config.inputChannels);
    calibMs = [];
    for (const g of calibGenomes) calibMs.push(await measure(g));
    measuredRaw = [];
    for (const g of genomes) measuredRaw.push(await measure(g));
  }
  const calibRaw = calibGenomes.map((g, i) => ({ genome: g, ms: calibMs[i] }));
  results[name] = { rounds, archs: nArchs, calibrationArchs: nCalib, lutEntries: sigs.length, lutBuildSeconds: +lutSeconds.toFixed(1), overheadMs: +lut.header.overheadMs.toFixed(4) };
  // Same statistic on both sides: LUT entries and whole-model timings.
  for (const statistic of ['median', 'p10']) {
    const table = costTableFromLut(space, lut, { statistic });
    const measured = measuredRaw.map((m) => m[statistic]);
    const calib = calibRaw.map((c) => ({ genome: c.genome, measured: c.ms[statistic] }));
    const score = (t) => {
      const predicted = genomes.map((g) => costOfGenome(t, g));
      const ape = predicted.map((p, i) => Math.abs(p - measured[i]) / measured[i]);
      return {
        mape: +(100 * ape.reduce((s2, v) => s2 + v, 0) / nArchs).toFixed(2),
        within10pct: +(100 * ape.filter((v) => v <= 0.1).length / nArchs).toFixed(1),
        spearman: +spearman(predicted, measured).toFixed(4),
        kendall: +kendall(predicted, measured).toFixed(4),
      };
    };
    results[name][statistic] = {
      medianModelMs: +[...measured].sort((a, b) => a - b)[Math.floor(nArchs / 2)].toFixed(3),
      raw: score(table),
      affine: score(calibrateCostTable(table, calib)),
      perCandidate: score(calibrateCostTable(table, calib, { method: 'per-candidate', ridge: 1e-2 })),
    };
  }
  console.log(`${name}: ${JSON.stringify(results[name])}`);
}
console.log(JSON.stringify({ bench: 'lut-accuracy', ...results }));
