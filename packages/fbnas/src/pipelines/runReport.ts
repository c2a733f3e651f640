import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { archStats, createRng, fbnet28Space, parseArch, sampleUniform, type Arch } from '@fbnas/search-space';
import { costOfGenome, costTableFromLut, loadLatencyLut, statCostTable, type LayerwiseCostTable } from '@fbnas/latency-model';
import { PipelineError } from './errors';
import { writeFileAtomic } from './runFiles';
import { renderFbnetV3Report } from './runReportV3';

interface HistoryFile {
  costMetric: string;
  costUnit: string;
  candidates: string[];
  history: Array<{ epoch: number; tau: number; weightLoss: number; thetaLoss: number | null; probs: number[][]; expectedCost: number; argmaxCost: number }>;
}

export function readJson<T>(path: string): T {
  if (!existsSync(path)) throw new PipelineError('INVALID_ARGUMENT', 'fbnas.writeRunReport', `${path} is missing; is this a finished search run directory?`);
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch (err) {
    throw new PipelineError('INVALID_ARGUMENT', 'fbnas.writeRunReport', `${path} is not valid JSON: ${(err as Error).message}`);
  }
}

/** The blocks of a network as the report's diagram draws them (label, output channels and size, stride). */
export function networkLayers(arch: Arch): Array<{ label: string; channels: number; size: number; stride: number }> {
  const stats = archStats(arch);
  return stats.layers.map((l, i) => {
    const b = arch.blocks[i];
    const label = b.op === 'ir' ? `ir k${b.kernel} e${b.expansion}${b.groups > 1 ? ` g${b.groups}` : ''}` : b.op === 'conv' ? `conv k${b.kernel}` : b.op;
    return { label, channels: l.output.channels, size: l.output.height, stride: 'stride' in b ? b.stride : 1 };
  });
}

/** The data the report plots, gathered from a run directory (also handy for custom plots). */
export function runReportData(runDir: string) {
  const metrics = readJson<Record<string, unknown> & { genome: number[]; testAccuracy: number; measuredLatencyMs: number; predictedCost: number; dataset: string; pipeline?: string }>(join(runDir, 'metrics.json'));
  if (metrics.pipeline === 'fbnetv3') throw new PipelineError('INVALID_ARGUMENT', 'fbnas.runReportData', `${runDir} is an FBNetV3 run; its data comes from fbnetV3ReportData`);
  const history = readJson<HistoryFile>(join(runDir, 'theta-history.json'));
  const derived = readJson<Array<{ source: string; genome: number[]; cost: number; macs: number }>>(join(runDir, 'architectures.json'));
  const arch = parseArch(readFileSync(join(runDir, 'arch.json'), 'utf8'));
  const space = fbnet28Space();
  const lutPath = join(runDir, 'lut.json');
  const table: LayerwiseCostTable = existsSync(lutPath) ? costTableFromLut(space, loadLatencyLut(lutPath)) : statCostTable(space, 'macs');
  const random = sampleUniform(space, 200, createRng(12345)).map((genome) => ({ genome, cost: costOfGenome(table, genome), macs: archStats(space.toArch(genome)).macs }));
  const stats = archStats(arch);
  return {
    metrics,
    costMetric: history.costMetric,
    costUnit: history.costUnit,
    candidates: history.candidates,
    epochs: history.history.map((h) => ({ epoch: h.epoch, tau: h.tau, weightLoss: h.weightLoss, thetaLoss: h.thetaLoss, expectedCost: h.expectedCost, argmaxCost: h.argmaxCost, probs: h.probs })),
    // `chosen`: the derived architecture that was trained (the argmax, or a draw with deploy: sample)
    derived: derived.map((d) => ({ source: d.source, cost: d.cost, macs: d.macs, chosen: d.genome.join(',') === metrics.genome.join(',') })),
    random: random.map((r) => ({ cost: r.cost, macs: r.macs })),
    chosen: { cost: metrics.predictedCost, macs: stats.macs, testAccuracy: metrics.testAccuracy, measuredLatencyMs: metrics.measuredLatencyMs },
    network: networkLayers(arch),
  };
}

// Inline scripts: every plot is drawn as SVG from the embedded data (no network, no libraries).
/** Shared by both reports: the data, SVG helpers, axes, and the network diagram (element id `network`). */
export const REPORT_HELPERS = String.raw`
const D = JSON.parse(document.getElementById('data').textContent);
const NS = 'http://www.w3.org/2000/svg';
function el(tag, attrs, parent, text) { const e = document.createElementNS(NS, tag); for (const k in attrs) e.setAttribute(k, attrs[k]); if (text !== undefined) e.textContent = text; if (parent) parent.appendChild(e); return e; }
function svg(id, w, h) { const s = el('svg', { width: w, height: h, viewBox: '0 0 ' + w + ' ' + h, 'data-plot': id }); document.getElementById(id).appendChild(s); return s; }
function scale(lo, hi, a, b) { return (v) => a + (hi === lo ? 0.5 : (v - lo) / (hi - lo)) * (b - a); }
function color(p) { const l = Math.round(97 - 62 * p); return 'hsl(215,70%,' + l + '%)'; }
function axes(s, w, h, xlabel, ylabel) {
  el('line', { x1: 50, y1: h - 30, x2: w - 20, y2: h - 30, stroke: '#888' }, s);
  el('line', { x1: 50, y1: 20, x2: 50, y2: h - 30, stroke: '#888' }, s);
  el('text', { x: w / 2 - 40, y: h - 6, 'font-size': 10 }, s, xlabel);
  el('text', { x: 4, y: 14, 'font-size': 10 }, s, ylabel);
}
(function () {
  const bw = 34, s = svg('network', D.network.length * (bw + 6) + 20, 150);
  D.network.forEach((b, i) => {
    const x = 10 + i * (bw + 6), hgt = 20 + Math.min(90, b.channels / 3);
    el('rect', { x, y: 120 - hgt, width: bw, height: hgt, fill: b.label === 'skip' ? '#ddd' : b.label.startsWith('ir') ? '#9ecae1' : '#fdae6b', stroke: '#555', class: 'block' }, s).appendChild(el('title', {}, null, b.label + ', ' + b.channels + ' ch, ' + b.size + 'x' + b.size));
    el('text', { x: x + 2, y: 135, 'font-size': 7 }, s, b.label);
    el('text', { x: x + 2, y: 146, 'font-size': 7 }, s, b.channels + 'ch');
  });
})();
`;

const FBNET_SCRIPT = String.raw`
// 1. probabilities per epoch: one 22 x 9 heatmap per epoch
(function () {
  const cell = 9, gap = 14, L = D.epochs[0] ? D.epochs[0].probs.length : 0, C = D.candidates.length;
  // colour relative to the largest probability of the run, so early, near-uniform epochs stay readable
  const pMax = Math.max(1e-9, ...D.epochs.flatMap((e) => e.probs.flat()));
  const s = svg('heatmap', Math.max(1, D.epochs.length) * (C * cell + gap) + 40, L * cell + 40);
  D.epochs.forEach((e, k) => {
    const x0 = 30 + k * (C * cell + gap);
    el('text', { x: x0, y: 12, 'font-size': 10 }, s, 'epoch ' + e.epoch);
    e.probs.forEach((row, l) => row.forEach((p, c) => el('rect', { x: x0 + c * cell, y: 20 + l * cell, width: cell - 1, height: cell - 1, fill: color(p / pMax), class: 'cell' }, s).appendChild(el('title', {}, null, 'layer ' + l + ' ' + D.candidates[c] + ': ' + p.toFixed(3)))));
  });
  for (let l = 0; l < L; l += 5) el('text', { x: 2, y: 28 + l * cell, 'font-size': 8 }, s, 'L' + l);
})();
// 2. curves
function lines(id, series, ylabel) {
  const w = 420, h = 220, s = svg(id, w, h);
  const xs = D.epochs.map((e) => e.epoch);
  const all = series.flatMap((q) => q.values.filter((v) => v !== null));
  const x = scale(Math.min(...xs), Math.max(...xs), 50, w - 20), y = scale(Math.min(...all), Math.max(...all), h - 30, 20);
  axes(s, w, h, 'epoch', ylabel);
  const lo = Math.min(...all), hi = Math.max(...all);
  el('text', { x: 4, y: y(hi) + 4, 'font-size': 9 }, s, hi.toPrecision(3));
  el('text', { x: 4, y: y(lo) + 4, 'font-size': 9 }, s, lo.toPrecision(3));
  series.forEach((q, i) => {
    const pts = q.values.map((v, k) => (v === null ? null : x(xs[k]).toFixed(1) + ',' + y(v).toFixed(1))).filter(Boolean);
    el('polyline', { points: pts.join(' '), fill: 'none', stroke: q.color, 'stroke-width': 2, class: 'series' }, s);
    pts.forEach((p) => { const [cx, cy] = p.split(','); el('circle', { cx, cy, r: 2.5, fill: q.color }, s); });
    el('text', { x: w - 150, y: 14 + 12 * i, 'font-size': 10, fill: q.color }, s, q.name);
  });
}
lines('losses', [{ name: 'weight loss (CE)', color: '#1f77b4', values: D.epochs.map((e) => e.weightLoss) }, { name: 'theta loss', color: '#d62728', values: D.epochs.map((e) => e.thetaLoss) }], 'loss');
lines('latency', [{ name: 'expected ' + D.costUnit, color: '#2ca02c', values: D.epochs.map((e) => e.expectedCost) }, { name: 'argmax ' + D.costUnit, color: '#9467bd', values: D.epochs.map((e) => e.argmaxCost) }], D.costMetric + ' (' + D.costUnit + ')');
// 4. cost vs multiply-adds: random, sampled, chosen, Pareto front (low cost, high multiply-adds)
(function () {
  const w = 460, h = 300, s = svg('pareto', w, h);
  const pts = D.random.map((r) => ({ ...r, kind: 'random' })).concat(D.derived.map((d) => ({ ...d, kind: d.chosen ? 'chosen' : d.source })));
  const x = scale(0, Math.max(...pts.map((p) => p.cost)) * 1.05, 50, w - 20), y = scale(0, Math.max(...pts.map((p) => p.macs)) * 1.05, h - 30, 20);
  axes(s, w, h, D.costMetric + ' (' + D.costUnit + ')', 'multiply-adds');
  const fill = { random: '#bbb', sample: '#1f77b4', argmax: '#9467bd', chosen: '#d62728' };
  pts.forEach((p) => el('circle', { cx: x(p.cost), cy: y(p.macs), r: p.kind === 'random' ? 2.5 : 4, fill: fill[p.kind], class: 'point ' + p.kind }, s));
  const sorted = [...pts].sort((a, b) => a.cost - b.cost || b.macs - a.macs);
  const front = []; let best = -1;
  for (const p of sorted) if (p.macs > best) { front.push(p); best = p.macs; }
  el('polyline', { points: front.map((p) => x(p.cost).toFixed(1) + ',' + y(p.macs).toFixed(1)).join(' '), fill: 'none', stroke: '#ff7f0e', 'stroke-width': 1.5, class: 'front' }, s);
  [['random architectures', '#bbb'], ['sampled from P(theta)', '#1f77b4'], ['argmax of P(theta)', '#9467bd'], ['chosen (trained)', '#d62728'], ['Pareto front', '#ff7f0e']].forEach(([t, c], i) => el('text', { x: 60, y: 30 + 13 * i, 'font-size': 10, fill: c }, s, t));
})();
document.body.setAttribute('data-rendered', 'true');
`;

/** A self-contained report page: title, summary rows, figure sections (`[element id, caption]`), data and scripts. */
export function reportPage(title: string, rows: Array<[string, string]>, sections: Array<[string, string]>, data: unknown, script: string): string {
  const json = JSON.stringify(data).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>fbnas run report</title>
<style>body{font-family:system-ui,sans-serif;margin:24px;color:#222}section{margin:18px 0}h2{font-size:16px;margin:8px 0}table{border-collapse:collapse}td,th{padding:2px 10px 2px 0;text-align:left}.fig{overflow-x:auto}</style>
</head><body>
<h1>${escapeHtml(title)}</h1>
<table>
${rows.map(([k, v]) => `<tr><td>${escapeHtml(k)}</td><td>${v}</td></tr>`).join('\n')}
</table>
${sections.map(([id, caption]) => `<section><h2>${caption}</h2><div class="fig" id="${id}"></div></section>`).join('\n')}
<script type="application/json" id="data">${json}</script>
<script>${REPORT_HELPERS}${script}</script>
</body></html>
`;
}

export const escapeHtml = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string);

/** The self-contained HTML report of an FBNet run directory (plots drawn by an inline script, no network). */
export function renderRunReport(runDir: string): string {
  const d = runReportData(runDir);
  const m = d.metrics;
  return reportPage(
    `FBNet search on ${String(m.dataset)}`,
    [
      ['test accuracy', `${(100 * Number(m.testAccuracy)).toFixed(2)}%`],
      ...(typeof m.trainEpochs === 'number' ? [['training epochs', `${m.trainEpochs}${typeof m.trainSteps === 'number' ? ` (${m.trainSteps.toLocaleString('en-US')} steps)` : ''}`] as [string, string]] : []),
      ['measured latency (onnxruntime-node, batch 1)', `${Number(m.measuredLatencyMs).toFixed(3)} ms`],
      [`${d.costMetric} predicted`, `${Number(m.predictedCost).toFixed(3)} ${escapeHtml(d.costUnit)}`],
      ['multiply-adds', `${(d.chosen.macs / 1e6).toFixed(2)} M`],
      ['architecture', escapeHtml(d.network.map((b) => b.label).join(' | '))],
    ],
    [
      ['heatmap', `Per-layer candidate probabilities P(θ) after each epoch (rows: layers; columns: ${escapeHtml(d.candidates.join(', '))}; darkest = the run's largest probability, ${Math.max(...d.epochs.flatMap((e) => e.probs.flat())).toFixed(3)})`],
      ['losses', 'Losses'],
      ['latency', 'Expected and argmax cost'],
      ['network', 'The chosen network (height: output channels)'],
      ['pareto', 'Cost vs multiply-adds: 200 random architectures, the architectures sampled from P(θ), the chosen one, and the Pareto front. Only the chosen architecture was trained (test accuracy above).'],
    ],
    d,
    FBNET_SCRIPT,
  );
}

/** Write `report.html` into a run directory (atomically) and return its path. */
export function writeRunReport(runDir: string): string {
  const path = join(runDir, 'report.html');
  const { pipeline } = readJson<{ pipeline?: string }>(join(runDir, 'metrics.json'));
  writeFileAtomic(path, pipeline === 'fbnetv3' ? renderFbnetV3Report(runDir) : renderRunReport(runDir));
  return path;
}
