import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fbnet28Space, parseArch, serializeArch, type Arch } from '@fbnas/search-space';
import { buildModel, initBackend, loadMnistFamily, subsetDataset, writeCheckpoint, type MnistFamilyName } from '@fbnas/nn';
import { exportOnnx, verifyOnnx } from '@fbnas/export-onnx';
import { buildLatencyLut, loadLatencyLut, saveLatencyLut } from '@fbnas/latency-model';
import {
  boxTeacher,
  buildMultitaskDataset,
  evaluateMultitask,
  extractTaskClassifier,
  keepSkipSpace,
  searchMultitask,
  thresholdTeacher,
  type MultitaskProgress,
  type MultitaskScore,
  type TaskHead,
} from '@fbnas/multitask';
import { PipelineError } from './errors';
import { writeFileAtomic, writeJsonAtomic } from './runFiles';

/** Configuration of {@link searchMultitaskRun}; defaults in brackets. */
export interface SearchMultitaskRunConfig {
  /** Where the run writes its files. */
  outDir: string;
  /** ['fashion-mnist'] */
  dataset?: MnistFamilyName;
  /** The backbone (28x28, 1 channel) [the 28x28 FBNet network with every layer k3_e3]. */
  backbone?: Arch;
  /** Search steps, one forward + backward each [600]. */
  steps?: number;
  /** [64] */
  batchSize?: number;
  /** Peak learning rate of the supernet weights [0.1]. */
  learningRate?: number;
  /** Resource weight lambda of every task: reward = loss + lambda * cost(a) / cost(all kept) [0.3]. */
  costWeight?: number;
  /**
   * What a block costs ['macs']: its multiply-adds, or its latency measured here in onnxruntime-node (1 thread,
   * batch 1, 30 interleaved rounds; the per-call overhead of a trivial graph subtracted), saved as `lut.json`.
   */
  cost?: 'macs' | 'latency';
  /** [0] */
  seed?: number;
  /** Keep at most this many training images per class (quick runs). */
  limitPerClass?: number;
  /** Test images scored per task: every k-th of the test split [2000]. */
  testImages?: number;
  /** Continue a stopped run from `search.ckpt` in `outDir` (same options required) [false]. */
  resume?: boolean;
  onProgress?: (event: MultitaskProgress) => void;
  signal?: AbortSignal;
}

/** Each task's outcome in {@link SearchMultitaskRunResult}. */
export interface MultitaskRunTask {
  kind: TaskHead['kind'];
  /** Keep flags of every skippable backbone block (those after the task's tap do not affect it). */
  keep: boolean[];
  keepProbabilities: number[];
  /** Skippable blocks through the task's tap, and how many of them its architecture keeps. */
  skippableBlocks: number;
  keptBlocks: number;
  macs: number;
  macsAllKept: number;
  /** On the test images, through the task's own architecture, with the supernet's shared weights. */
  score: MultitaskScore;
  /** The task's architecture file (the backbone through its head's tap). */
  arch: string;
}

/** What {@link searchMultitaskRun} produced (also written to `metrics.json`). */
export interface SearchMultitaskRunResult {
  outDir: string;
  dataset: MnistFamilyName;
  steps: number;
  passes: number;
  seconds: number;
  tasks: Record<string, MultitaskRunTask>;
  /** The step a resumed run continued from, or null. */
  resumedFromStep: number | null;
  /** The block cost the search priced architectures with, and each backbone block's cost (ms for latency). */
  cost: { metric: 'macs' | 'latency'; blockCosts: number[] };
  /**
   * The classification task's network as a standalone classifier with the shared weights (`pool` + `fc` on
   * its backbone): architecture, weights and ONNX model, checked in onnxruntime-node against tfjs.
   */
  classifier: { arch: string; weights: string; onnx: string; onnxMaxAbsDiff: number };
  files: { metrics: string; history: string; distributions: string; supernet: string; checkpoint: string };
}

/**
 * FBNetV5's multitask search end to end on Fashion-MNIST (or MNIST): classification (the labels),
 * segmentation (a threshold teacher's masks, read at 14x14) and box regression (the mask's box) share one
 * keep/skip supernet; one search learns an architecture per task. Writes `arch.<task>.json`,
 * `supernet.ckpt` (the shared weights), `distributions.json`, `history.json` and `metrics.json`, atomically,
 * and `search.ckpt` every 50 steps, from which `resume` continues a stopped run. The classification task's
 * network also leaves as a standalone classifier: `classifier.cls.json`, `weights.cls.ckpt` and
 * `model.cls.onnx` (checked in onnxruntime-node against tfjs).
 */
export async function searchMultitaskRun(config: SearchMultitaskRunConfig): Promise<SearchMultitaskRunResult> {
  const api = 'fbnas.searchMultitaskRun';
  const dataset = config.dataset ?? 'fashion-mnist';
  const testImages = config.testImages ?? 2000;
  const costWeight = config.costWeight ?? 0.3;
  if (!(Number.isFinite(costWeight) && costWeight >= 0)) throw new PipelineError('INVALID_ARGUMENT', api, `costWeight must be a finite number >= 0, got ${String(costWeight)}`);
  if (!(Number.isInteger(testImages) && testImages >= 1)) throw new PipelineError('INVALID_ARGUMENT', api, `testImages must be a positive integer, got ${String(testImages)}`);
  const backbone = parseArch(config.backbone ?? fbnet28Space().toArch(new Array(22).fill(2)));
  if (backbone.inputSize !== 28 || backbone.inputChannels !== 1) throw new PipelineError('INVALID_ARGUMENT', api, `backbone must take 28x28x1 images, got ${backbone.inputSize}x${backbone.inputSize}x${backbone.inputChannels}`);
  await initBackend();
  mkdirSync(config.outDir, { recursive: true });
  const space = keepSkipSpace(backbone);
  // the segmentation head reads the last 14x14 feature map
  const segTap = space.shapes.map((s) => s.height).lastIndexOf(14);
  const heads: TaskHead[] = [
    { name: 'cls', kind: 'classification', classes: 10 },
    ...(segTap >= 0 ? [{ name: 'seg', kind: 'segmentation' as const, classes: 2, tap: segTap }] : []),
    { name: 'box', kind: 'box' },
  ];
  const { train, test, mean, std } = loadMnistFamily(dataset, config.limitPerClass !== undefined ? { limitPerClass: config.limitPerClass } : {});
  const labelling = { teachers: { seg: thresholdTeacher(), box: boxTeacher() }, mean, std };
  const data = buildMultitaskDataset(train, space, heads, labelling);
  const costMetric = config.cost ?? 'macs';
  if (costMetric !== 'macs' && costMetric !== 'latency') throw new PipelineError('INVALID_ARGUMENT', api, `cost must be "macs" or "latency", got ${JSON.stringify(costMetric)}`);
  let blockCosts = [...space.blockMacs];
  if (costMetric === 'latency') {
    const inputs = [{ height: backbone.inputSize, width: backbone.inputSize, channels: backbone.inputChannels }, ...space.shapes.slice(0, -1)];
    const lutPath = join(config.outDir, 'lut.json');
    // a resumed run prices blocks as before (new timings would change the search it continues)
    const lut =
      config.resume === true && existsSync(lutPath)
        ? loadLatencyLut(lutPath)
        : await buildLatencyLut(
            space.backbone.blocks.map((block, i) => ({ key: `backbone.${i}`, block, input: inputs[i] })),
            { rules: backbone.rules, rounds: 30 },
          );
    saveLatencyLut(lutPath, lut);
    const missing = space.backbone.blocks.findIndex((_, i) => !lut.entries[`backbone.${i}`]);
    if (missing >= 0) throw new PipelineError('MISMATCH', api, `${lutPath} has no entry for backbone block ${missing}; it was measured for another backbone`);
    blockCosts = space.backbone.blocks.map((_, i) => Math.max(0, lut.entries[`backbone.${i}`].median - lut.header.overheadMs));
  }
  const result = await searchMultitask({
    space,
    heads,
    data,
    steps: config.steps ?? 600,
    batchSize: config.batchSize ?? 64,
    learningRate: config.learningRate ?? 0.1,
    costWeights: Object.fromEntries(heads.map((h) => [h.name, costWeight])),
    blockCosts,
    seed: config.seed ?? 0,
    checkpointPath: join(config.outDir, 'search.ckpt'),
    resume: config.resume === true,
    onProgress: config.onProgress,
    signal: config.signal,
  });
  try {
    const stride = Math.max(1, Math.floor(test.count / testImages));
    const testSet = subsetDataset(test, Int32Array.from({ length: Math.min(testImages, test.count) }, (_, i) => i * stride));
    const scores = await evaluateMultitask(result.supernet, buildMultitaskDataset(testSet, space, heads, labelling), Object.fromEntries(heads.map((h) => [h.name, result.tasks[h.name].keep])));
    const allKept = space.skippable.map(() => true);
    const tasks: Record<string, MultitaskRunTask> = {};
    for (const h of heads) {
      const t = result.tasks[h.name];
      const file = join(config.outDir, `arch.${h.name}.json`);
      writeFileAtomic(file, `${serializeArch({ ...t.arch, name: `fbnas-multitask-${h.name}` })}\n`);
      const reach = space.skippable.map((b) => b <= (h.tap ?? Infinity));
      tasks[h.name] = {
        kind: h.kind,
        keep: t.keep,
        keepProbabilities: t.keepProbabilities,
        skippableBlocks: reach.filter(Boolean).length,
        keptBlocks: t.keep.filter((k, j) => k && reach[j]).length,
        macs: t.macs, macsAllKept: space.macs(allKept, h.tap),
        score: scores[h.name],
        arch: file,
      };
    }
    const files = {
      metrics: join(config.outDir, 'metrics.json'),
      history: join(config.outDir, 'history.json'),
      distributions: join(config.outDir, 'distributions.json'),
      supernet: join(config.outDir, 'supernet.ckpt'),
      checkpoint: join(config.outDir, 'search.ckpt'),
    };
    const supernetWeights = await result.supernet.exportWeights();
    writeCheckpoint(files.supernet, { meta: { format: 'fbnas.multitask-supernet/v1', backbone: space.backbone, heads }, groups: { weights: supernetWeights } });
    // the classification network on its own: fbnas architecture, weights, ONNX checked against tfjs
    const cls = extractTaskClassifier(space, heads[0], result.tasks.cls.keep, supernetWeights);
    const model = buildModel(cls.arch);
    let classifier: SearchMultitaskRunResult['classifier'];
    try {
      model.loadWeights(cls.weights);
      const bytes = exportOnnx(cls.arch, { weights: cls.weights });
      const check = await verifyOnnx(bytes, model, { batch: 4, seed: config.seed ?? 0 });
      if (!check.ok) throw new PipelineError('EXPORT_MISMATCH', api, `the exported classifier differs from tfjs by ${check.maxAbsDiff}`);
      classifier = { arch: join(config.outDir, 'classifier.cls.json'), weights: join(config.outDir, 'weights.cls.ckpt'), onnx: join(config.outDir, 'model.cls.onnx'), onnxMaxAbsDiff: check.maxAbsDiff };
      writeFileAtomic(classifier.arch, `${serializeArch({ ...cls.arch, name: 'fbnas-multitask-cls-classifier' })}\n`);
      writeCheckpoint(classifier.weights, { meta: { arch: serializeArch(cls.arch) }, groups: { weights: cls.weights } });
      writeFileAtomic(classifier.onnx, bytes);
    } finally {
      model.dispose();
    }
    writeJsonAtomic(files.distributions, { tasks: heads.map((h) => h.name), skippable: space.skippable, ...result.distributions.exportState() });
    writeJsonAtomic(files.history, result.history);
    const out: SearchMultitaskRunResult = { outDir: config.outDir, dataset, steps: result.history.length, passes: result.passes, seconds: result.seconds, resumedFromStep: result.resumedFromStep, cost: { metric: costMetric, blockCosts }, tasks, classifier, files };
    writeJsonAtomic(files.metrics, out);
    return out;
  } finally {
    result.supernet.dispose();
  }
}
