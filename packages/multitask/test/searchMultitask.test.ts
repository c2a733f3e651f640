import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { archStats, parseArch } from '@fbnas/search-space';
import { buildModel, evaluateModel, initBackend, loadMnistFamily, subsetDataset } from '@fbnas/nn';
import { boxTeacher, buildMultitaskDataset, evaluateMultitask, extractTaskClassifier, isMultitaskError, keepSkipSpace, searchMultitask, thresholdTeacher, type TaskHead } from '../src';

beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
});

/** A small 28x28 backbone: 6 of its 8 blocks keep their input's shape. */
const backboneArch = () =>
  parseArch({
    name: 'mt-test',
    inputSize: 28,
    inputChannels: 1,
    blocks: [
      { op: 'conv', channels: 8, kernel: 3, stride: 2 },
      { op: 'ir', channels: 8, kernel: 3, expansion: 3 },
      { op: 'ir', channels: 8, kernel: 5, expansion: 3 },
      { op: 'ir', channels: 8, kernel: 3, expansion: 3 },
      { op: 'ir', channels: 16, kernel: 3, expansion: 3, stride: 2 },
      { op: 'ir', channels: 16, kernel: 3, expansion: 3 },
      { op: 'ir', channels: 16, kernel: 5, expansion: 3 },
      { op: 'ir', channels: 16, kernel: 3, expansion: 3 },
      { op: 'pool' },
      { op: 'fc', channels: 10 },
    ],
  });

const heads: TaskHead[] = [
  { name: 'cls', kind: 'classification', classes: 10 },
  { name: 'seg', kind: 'segmentation', classes: 2, tap: 3 },
  { name: 'box', kind: 'box' },
];

describe('keepSkipSpace', () => {
  it('lets exactly the shape-keeping blocks be skipped and counts their multiply-adds', () => {
    const space = keepSkipSpace(backboneArch());
    expect(space.skippable).toEqual([1, 2, 3, 5, 6, 7]);
    expect(space.backbone.blocks).toHaveLength(8);
    fc.assert(
      fc.property(fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }), (keep) => {
        const arch = space.toArch(keep);
        expect(arch.blocks).toHaveLength(2 + keep.filter(Boolean).length);
        expect(space.macs(keep)).toBe(archStats(parseArch(arch)).macs);
      }),
      { numRuns: 20 },
    );
    expect(() => space.macs([true])).toThrow(/fbnas\.KeepSkipSpace\.macs: keep must be 6 booleans \(one per skippable block\), got 1 values/);
    expect(() => keepSkipSpace(parseArch({ inputSize: 8, inputChannels: 1, blocks: [{ op: 'conv', channels: 4, kernel: 3, stride: 2 }, { op: 'pool' }, { op: 'fc', channels: 2 }] }))).toThrow(/nothing to keep or skip/);
  });
});

describe('teachers', () => {
  it('segment the bright pixels and box them tightly (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 0, max: 9 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 6 }), (x, y, w, h) => {
        const img = new Float32Array(16 * 16);
        for (let r = y; r < y + h; r++) for (let c = x; c < x + w; c++) img[r * 16 + c] = 0.8;
        const mask = thresholdTeacher(0.1)(img, 16, 16, 1);
        expect(Array.from(mask)).toEqual(Array.from(img, (v) => (v > 0 ? 1 : 0)));
        expect(Array.from(boxTeacher()(img, 16, 16, 1))).toEqual([x / 16, y / 16, (x + w) / 16, (y + h) / 16].map(Math.fround));
      }),
    );
    expect(Array.from(boxTeacher()(new Float32Array(4), 2, 2, 1))).toEqual([0, 0, 1, 1]);
    expect(() => thresholdTeacher(1)).toThrow(/fbnas\.thresholdTeacher: threshold must be in \[0, 1\), got 1/);
  });
});

describe('searchMultitask', () => {
  const { train, test, mean, std } = loadMnistFamily('fashion-mnist', { limitPerClass: 80 });
  const space = keepSkipSpace(backboneArch());
  const labelling = { teachers: { seg: thresholdTeacher(), box: boxTeacher() }, mean, std };

  it('trains one supernet for three tasks, one pass a step, and learns a distribution per task', async () => {
    const data = buildMultitaskDataset(train, space, heads, labelling);
    expect(data.targets.seg).toHaveLength(train.count * 14 * 14 * 2);
    const steps = 80;
    const r = await searchMultitask({ space, heads, data, steps, warmupSteps: 20, batchSize: 32, learningRate: 0.1, costWeights: { box: 3 }, seed: 1 });
    expect(r.passes).toBe(steps);
    const mean = (task: string, from: number, to: number) => r.history.slice(from, to).reduce((s, h) => s + h.losses[task], 0) / (to - from);
    for (const task of ['cls', 'seg', 'box']) expect(mean(task, steps - 15, steps)).toBeLessThan(mean(task, 0, 15));
    const kept = (task: string) => r.tasks[task].keepProbabilities.reduce((s, p) => s + p, 0) / 6;
    expect(kept('box')).toBeLessThan(kept('cls') - 0.1);
    for (const task of ['cls', 'box']) {
      expect(r.tasks[task].macs).toBe(space.macs(r.tasks[task].keep));
      expect(parseArch(r.tasks[task].arch).blocks).toHaveLength(2 + r.tasks[task].keep.filter(Boolean).length);
    }
    // the segmentation head reads block 3: its architecture ends there
    expect(r.tasks.seg.arch.blocks).toHaveLength(1 + r.tasks.seg.keep.slice(0, 3).filter(Boolean).length);
    expect(r.tasks.seg.macs).toBe(archStats(parseArch(r.tasks.seg.arch)).macs);
    // scored on held-out images with each task's own architecture, against trivial predictors
    const testData = buildMultitaskDataset(subsetDataset(test, Int32Array.from({ length: 300 }, (_, i) => i * 3)), space, heads, labelling);
    const scores = await evaluateMultitask(r.supernet, testData, { cls: r.tasks.cls.keep, seg: r.tasks.seg.keep, box: r.tasks.box.keep });
    // the classification task's network, extracted as a standalone classifier, scores what the supernet scored
    const extracted = extractTaskClassifier(space, heads[0], r.tasks.cls.keep, await r.supernet.exportWeights());
    r.supernet.dispose();
    expect(extracted.arch.blocks.map((b) => b.op).slice(-2)).toEqual(['pool', 'fc']);
    const standalone = buildModel(extracted.arch);
    standalone.loadWeights(extracted.weights);
    expect((await evaluateModel(standalone, testData.images)).accuracy).toBeCloseTo(scores.cls.value, 10);
    standalone.dispose();
    expect(() => extractTaskClassifier(space, heads[2], r.tasks.box.keep, extracted.weights)).toThrow(/fbnas\.extractTaskClassifier: task box is a box task/);
    const seg = testData.targets.seg as Float32Array;
    let fg = 0;
    for (let i = 1; i < seg.length; i += 2) fg += seg[i] > seg[i - 1] ? 1 : 0;
    const majority = Math.max(fg, seg.length / 2 - fg) / (seg.length / 2);
    expect(scores.cls.value).toBeGreaterThan(0.3);
    expect(scores.seg.value).toBeGreaterThan(majority);
    expect(scores.box.value).toBeGreaterThan(0.5);
  }, 300_000);

  it('is reproducible from its seed and leaves no tensor behind', async () => {
    const data = buildMultitaskDataset(subsetDataset(train, Int32Array.from({ length: 64 }, (_, i) => i * 5)), space, heads, labelling);
    const before = tf.memory().numTensors;
    const run = async () => {
      const r = await searchMultitask({ space, heads, data, steps: 6, warmupSteps: 2, batchSize: 16, seed: 4 });
      r.supernet.dispose();
      return r;
    };
    const [a, b] = [await run(), await run()];
    expect(tf.memory().numTensors).toBe(before);
    expect(b.history).toEqual(a.history);
    expect(b.distributions.exportState()).toEqual(a.distributions.exportState());
  }, 60_000);

  it('resumes a stopped search from its checkpoint to the result of an uninterrupted one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fbnas-mt-'));
    const data = buildMultitaskDataset(subsetDataset(train, Int32Array.from({ length: 48 }, (_, i) => i * 7)), space, heads, labelling);
    const settings = { space, heads, data, steps: 10, warmupSteps: 2, batchSize: 16, seed: 2, checkpointEvery: 4 };
    try {
      const whole = await searchMultitask(settings);
      whole.supernet.dispose();
      const path = join(dir, 'search.ckpt');
      const controller = new AbortController();
      const stopped = await searchMultitask({ ...settings, checkpointPath: path, signal: controller.signal, onProgress: (e) => e.step === 5 && controller.abort() }).then(
        () => 'no throw',
        (e: unknown) => (isMultitaskError(e) ? `${e.code} ${e.message}` : String(e)),
      );
      expect(stopped).toBe(`ABORTED fbnas.searchMultitask: aborted at step 6 of 10; resume from ${path}`);
      const resumed = await searchMultitask({ ...settings, checkpointPath: path, resume: true });
      resumed.supernet.dispose();
      expect(resumed.resumedFromStep).toBe(4);
      expect(resumed.history).toEqual(whole.history);
      expect(resumed.distributions.exportState()).toEqual(whole.distributions.exportState());
      expect(resumed.tasks).toEqual(whole.tasks);
      // another search's checkpoint, or a corrupt file, is refused
      const other = await searchMultitask({ ...settings, seed: 3, checkpointPath: path, resume: true }).then(() => 'no throw', (e: unknown) => String(e));
      expect(other).toMatch(/was written by a search with another space, tasks, data or options; refusing to resume from it/);
      writeFileSync(path, 'not a checkpoint');
      const corrupt = await searchMultitask({ ...settings, checkpointPath: path, resume: true }).then(() => 'no throw', (e: unknown) => String(e));
      expect(corrupt).toMatch(/not an fbnas checkpoint/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('prices architectures with the given block costs, through each task head\'s tap', async () => {
    const data = buildMultitaskDataset(subsetDataset(train, Int32Array.from({ length: 32 }, (_, i) => i * 9)), space, heads, labelling);
    // only block 2 (skippable 1) and block 6 (skippable 4) cost anything
    const blockCosts = [0, 0, 1, 0, 0, 0, 3, 0];
    const seen: Array<{ keep: boolean[]; costs: Record<string, number> }> = [];
    const r = await searchMultitask({ space, heads, data, steps: 12, warmupSteps: 2, batchSize: 16, blockCosts, costWeights: { cls: 1 }, seed: 5, onProgress: (e) => seen.push({ keep: e.keep, costs: e.costs }) });
    r.supernet.dispose();
    for (const { keep, costs } of seen) {
      expect(costs.cls).toBe(costs.box);
      expect(costs.cls).toBeCloseTo(((keep[1] ? 1 : 0) + (keep[4] ? 3 : 0)) / 4, 12);
      expect(costs.seg).toBe(keep[1] ? 1 : 0); // the segmentation head reads block 3: block 6 never reaches it
    }
    expect(new Set(seen.map((e) => e.costs.cls)).size).toBeGreaterThan(1);
    const bad = await searchMultitask({ space, heads, data, steps: 2, blockCosts: [1, 2] }).then(() => 'no throw', (e: unknown) => String(e));
    expect(bad).toMatch(/options\.blockCosts must be 8 finite numbers >= 0 \(one per backbone block\), got 2 values/);
  }, 60_000);

  it('refuses unknown tasks and bad settings with typed errors', async () => {
    const data = buildMultitaskDataset(subsetDataset(train, Int32Array.from({ length: 8 }, (_, i) => i)), space, heads, labelling);
    const fail = async (p: Promise<unknown>) => p.then(() => 'no throw', (e: unknown) => (isMultitaskError(e) ? `${e.code} ${e.message}` : String(e)));
    expect(await fail(searchMultitask({ space, heads, data, steps: 0 }))).toBe('INVALID_ARGUMENT fbnas.searchMultitask: options.steps must be an integer >= 1, got 0');
    expect(await fail(searchMultitask({ space, heads, data, steps: 2, costWeights: { det: 1 } }))).toMatch(/^UNKNOWN_NAME .*options\.costWeights\.det: no task of that name \(tasks: cls, seg, box\)/);
    expect(await fail(searchMultitask({ space, heads, data, steps: 2, taskWeights: { cls: -1 } }))).toMatch(/options\.taskWeights\.cls must be a finite number >= 0, got -1/);
    expect(await fail(searchMultitask({ space, heads, data: { ...data, targets: { ...data.targets, box: new Float32Array(5) } }, steps: 2 }))).toBe(
      'SHAPE_MISMATCH fbnas.searchMultitask: options.data.targets.box must hold 8 x 4 values for a box head, got 5',
    );
    expect(() => buildMultitaskDataset(train, space, heads, { ...labelling, teachers: { seg: thresholdTeacher() } })).toThrow(/fbnas\.buildMultitaskDataset: no teacher for task box \(teachers: seg\)/);
    const controller = new AbortController();
    controller.abort();
    expect(await fail(searchMultitask({ space, heads, data, steps: 2, signal: controller.signal }))).toMatch(/^ABORTED .*aborted at step 0 of 2/);
  });
});
