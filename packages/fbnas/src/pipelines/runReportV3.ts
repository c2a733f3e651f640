import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArch, type TrainingRecipe } from '@fbnas/search-space';
import type { CioRecord } from '@fbnas/predictor';
import { escapeHtml, networkLayers, readJson, reportPage } from './runReport';

/** The data the FBNetV3 report plots, gathered from a run directory. */
export function fbnetV3ReportData(runDir: string) {
  const metrics = readJson<{
    dataset: string;
    testAccuracy: number;
    measuredLatencyMs: number;
    cio: { earlyStopEpoch: number; earlyStopCorrelation: number; correlationByEpoch: number[]; evaluations: number; poolSize: number };
    deployed: { maxMMacs: number; multiplyAdds: number; predictedAccuracy: number; recipe: TrainingRecipe };
  }>(join(runDir, 'metrics.json'));
  const { records } = readJson<{ records: CioRecord[] }>(join(runDir, 'cio-records.json'));
  const family = readJson<Array<{ maxMMacs: number; multiplyAdds: number; params: number; predictedAccuracy: number; candidates: string[]; recipe: TrainingRecipe }>>(join(runDir, 'family.json'));
  const arch = parseArch(readFileSync(join(runDir, 'arch.json'), 'utf8'));
  return {
    metrics,
    curves: records.map((r) => ({ iteration: r.iteration, accuracies: r.epochAccuracies })),
    correlationByEpoch: metrics.cio.correlationByEpoch,
    earlyStopEpoch: metrics.cio.earlyStopEpoch,
    family: family.map((f) => ({ maxMMacs: f.maxMMacs, mmacs: f.multiplyAdds / 1e6, predictedAccuracy: f.predictedAccuracy })),
    network: networkLayers(arch),
    familyTable: family,
  };
}

const FBNETV3_SCRIPT = String.raw`
// 1. learning curves of every evaluated candidate (iteration 1 trains fully), early-stop epoch marked
(function () {
  const w = 460, h = 260, s = svg('curves', w, h);
  const E = Math.max(...D.curves.map((c) => c.accuracies.length));
  const all = D.curves.flatMap((c) => c.accuracies);
  const x = scale(1, Math.max(2, E), 60, w - 30), y = scale(Math.min(...all), Math.max(...all), h - 30, 20);
  axes(s, w, h, 'epoch', 'validation accuracy');
  const palette = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#8c564b'];
  D.curves.forEach((c) => {
    const pts = c.accuracies.map((a, k) => x(k + 1).toFixed(1) + ',' + y(a).toFixed(1));
    const col = palette[(c.iteration - 1) % palette.length];
    el('polyline', { points: pts.join(' '), fill: 'none', stroke: col, 'stroke-width': 1.5, class: 'series' }, s);
    pts.forEach((p) => { const [cx, cy] = p.split(','); el('circle', { cx, cy, r: 2.5, fill: col }, s); });
  });
  el('line', { x1: x(D.earlyStopEpoch), y1: 20, x2: x(D.earlyStopEpoch), y2: h - 30, stroke: '#ff7f0e', 'stroke-dasharray': '4 3', class: 'early-stop' }, s);
  el('text', { x: x(D.earlyStopEpoch) + 4, y: 30, 'font-size': 10, fill: '#ff7f0e' }, s, 'early stop (Spearman ' + D.correlationByEpoch[D.earlyStopEpoch - 1].toFixed(2) + ')');
  for (let e = 1; e <= E; e++) el('text', { x: x(e) - 3, y: h - 18, 'font-size': 9 }, s, String(e));
  el('text', { x: 4, y: y(Math.max(...all)) + 4, 'font-size': 9 }, s, Math.max(...all).toFixed(3));
  el('text', { x: 4, y: y(Math.min(...all)) + 4, 'font-size': 9 }, s, Math.min(...all).toFixed(3));
})();
// 2. the family: predicted accuracy vs multiply-adds, one point per budget, budgets as dashed lines
(function () {
  const w = 460, h = 260, s = svg('family', w, h);
  const xmax = Math.max(...D.family.map((f) => f.maxMMacs)) * 1.1;
  const accs = D.family.map((f) => f.predictedAccuracy);
  const x = scale(0, xmax, 60, w - 30), y = scale(Math.min(...accs) - 0.01, Math.max(...accs) + 0.01, h - 30, 20);
  axes(s, w, h, 'multiply-adds (M)', 'predicted accuracy');
  D.family.forEach((f) => {
    el('line', { x1: x(f.maxMMacs), y1: 20, x2: x(f.maxMMacs), y2: h - 30, stroke: '#bbb', 'stroke-dasharray': '3 3' }, s);
    el('circle', { cx: x(f.mmacs), cy: y(f.predictedAccuracy), r: 5, fill: '#d62728', class: 'point member' }, s).appendChild(el('title', {}, null, f.mmacs.toFixed(2) + ' M, predicted ' + f.predictedAccuracy.toFixed(4)));
    el('text', { x: x(f.maxMMacs) + 3, y: h - 36, 'font-size': 9 }, s, '<= ' + f.maxMMacs + ' M');
  });
  el('polyline', { points: D.family.map((f) => x(f.mmacs).toFixed(1) + ',' + y(f.predictedAccuracy).toFixed(1)).join(' '), fill: 'none', stroke: '#d62728', class: 'front' }, s);
})();
document.body.setAttribute('data-rendered', 'true');
`;

/** The self-contained HTML report of an FBNetV3 run directory. */
export function renderFbnetV3Report(runDir: string): string {
  const d = fbnetV3ReportData(runDir);
  const m = d.metrics;
  const recipe = (r: TrainingRecipe) => `${r.optimizer} lr ${r.learningRate.toPrecision(2)}, wd ${r.weightDecay.toExponential(1)}, mixup ${r.mixup.toFixed(2)}, dropout ${r.dropout.toFixed(2)}, drop-path ${r.stochasticDepth.toFixed(2)}${r.ema ? ', EMA' : ''}`;
  const table = `<table><tr><th>budget</th><th>multiply-adds</th><th>params</th><th>predicted accuracy</th><th>recipe</th></tr>${d.familyTable
    .map((f) => `<tr><td>&le; ${f.maxMMacs} M</td><td>${(f.multiplyAdds / 1e6).toFixed(2)} M</td><td>${(f.params / 1e3).toFixed(1)} k</td><td>${(100 * f.predictedAccuracy).toFixed(2)}%</td><td>${escapeHtml(recipe(f.recipe))}</td></tr>`)
    .join('')}</table>`;
  return reportPage(
    `FBNetV3 search on ${m.dataset}`,
    [
      ['test accuracy (deployed member)', `${(100 * m.testAccuracy).toFixed(2)}%`],
      ['measured latency (onnxruntime-node, batch 1)', `${m.measuredLatencyMs.toFixed(3)} ms`],
      ['budget, multiply-adds', `&le; ${m.deployed.maxMMacs} M, ${(m.deployed.multiplyAdds / 1e6).toFixed(2)} M`],
      ['searched recipe', escapeHtml(recipe(m.deployed.recipe))],
      ['candidates trained', `${m.cio.evaluations} of a pool of ${m.cio.poolSize}; early stop after epoch ${m.cio.earlyStopEpoch} (Spearman ${m.cio.earlyStopCorrelation.toFixed(2)})`],
      ['family', table],
    ],
    [
      ['curves', 'Validation accuracy per epoch of every trained candidate (colour: iteration), and the early-stop epoch'],
      ['family', 'The family: the best predicted (architecture, recipe) under each multiply-add budget'],
      ['network', 'The deployed network (height: output channels)'],
    ],
    d,
    FBNETV3_SCRIPT,
  );
}
