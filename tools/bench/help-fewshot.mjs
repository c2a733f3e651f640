// Benchmark: few-shot latency prediction on HELP's measured devices (FBNet CIFAR space, 5,000 architectures,
// ../shared/data/help_fbnet_latency, not shipped). For each device measured whole-model (GPUs at batch 1/32/64,
// Xeon CPUs, phones; raspi4, pixel3, eyeriss and fpga are skipped: HELP's values for them are HW-NAS-Bench LUT
// sums, which are also our reference features), --shots N (20) architectures drawn at random are "measured",
// `fitFewShotLatency` adapts from them (features: the bundled HW-NAS-Bench tables' sums, multiply-adds, params;
// ridge strength by leave-one-out on the N shots only), and Spearman rho is computed on the other 4,980.
// Mean over --seeds S (5) draws per device. HELP's anchor: 0.91 mean Spearman on this space. One JSON line.
import { readFileSync, existsSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRng, fbnetCifarSpace } from '@fbnas/search-space';
import { fitFewShotLatency, HW_NAS_BENCH_METRICS, hwNasBenchCostTable } from '@fbnas/latency-model';
import { spearmanRho } from '@fbnas/predictor';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const shots = arg('shots', 20);
const seeds = arg('seeds', 5);
const path = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'shared', 'data', 'help_fbnet_latency', 'fbnet_5000_archs_latency.json.gz');
if (!existsSync(path)) {
  console.error(`${path} not found (HELP's benchmark data is not shipped with fbnas)`);
  process.exit(1);
}
const data = JSON.parse(gunzipSync(readFileSync(path)).toString('utf8'));
const space = fbnetCifarSpace();
const references = HW_NAS_BENCH_METRICS.map((m) => hwNasBenchCostTable(m, 'cifar100'));
const skip = new Set(['raspi4', 'pixel3', 'eyeriss', 'fpga']);
const perDevice = {};
for (const [device, lat] of Object.entries(data.latency)) {
  if (skip.has(device)) continue;
  const rhos = [];
  for (let seed = 0; seed < seeds; seed++) {
    const order = createRng(seed).shuffle(data.archs.map((_, i) => i));
    const train = order.slice(0, shots);
    const test = order.slice(shots);
    const model = fitFewShotLatency(space, train.map((i) => ({ genome: data.archs[i], latency: lat[i] })), { references });
    rhos.push(spearmanRho(model.predict(test.map((i) => data.archs[i])), test.map((i) => lat[i])));
  }
  perDevice[device] = +(rhos.reduce((a, b) => a + b, 0) / seeds).toFixed(3);
  console.error(`${device.padEnd(14)} Spearman ${perDevice[device].toFixed(3)}`);
}
const values = Object.values(perDevice);
console.log(JSON.stringify({ bench: 'help-fewshot', shots, seeds, devices: values.length, meanSpearman: +(values.reduce((a, b) => a + b, 0) / values.length).toFixed(3), perDevice }));
