import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRng, parseArch } from '@fbnas/search-space';
import { budgetedSteps, buildModel, cosineWithWarmup, createImageDataset, initBackend, isNnError, readCheckpoint, trainModel, writeCheckpoint, type ImageDataset } from '../src';
import { runFixture } from './fixtures/runFixture';

const arch = parseArch({
  inputSize: 8,
  inputChannels: 1,
  blocks: [
    { op: 'conv', channels: 8, kernel: 3, stride: 2 },
    { op: 'ir', channels: 8, kernel: 3, expansion: 2, se: { gate: 'hsigmoid' }, activation: 'hswish' },
    { op: 'ir', channels: 16, kernel: 3, expansion: 3, groups: 2, stride: 2 },
    { op: 'pool' },
    { op: 'fc', channels: 3, dropout: 0.1 },
  ],
});

/** A learnable toy task: the class is which third of the image is brightest. */
function toyData(count: number, seed: number): ImageDataset {
  const rng = createRng(seed);
  const images = new Float32Array(count * 64);
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const c = rng.int(3);
    labels[i] = c;
    for (let p = 0; p < 64; p++) images[i * 64 + p] = rng.normal() * 0.5 + (Math.floor((p % 8) / 3) === c ? 1 : 0);
  }
  return createImageDataset({ name: 'toy', images, labels, height: 8, width: 8, channels: 1, numClasses: 3 });
}

const dir = mkdtempSync(join(tmpdir(), 'fbnas-train-'));

beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
});

describe('trainModel', () => {
  // (no flip here: this toy's label is which column third is brightest, which a mirror changes)
  it('learns a toy task with every recipe knob on (sgd, warm-up, wd, smoothing, mixup, ema, crop)', async () => {
    const model = buildModel(arch, { seed: 1, stochasticDepth: 0.1 });
    const train = toyData(512, 1);
    const val = toyData(128, 2);
    const r = await trainModel(model, train, {
      epochs: 8, batchSize: 32, learningRate: 0.1, warmupEpochs: 1, weightDecay: 1e-4, labelSmoothing: 0.1, mixup: 0.2, ema: 0.9,
      augment: { randomCrop: 1 }, seed: 3, val,
    });
    expect(r.history).toHaveLength(8);
    expect(r.history[7].valAccuracy).toBeGreaterThan(0.8);
    model.dispose();
  }, 60_000);

  it.each(['adam', 'rmsprop'] as const)('learns with %s', async (optimizer) => {
    const model = buildModel(arch, { seed: 2 });
    const r = await trainModel(model, toyData(256, 1), { epochs: 4, batchSize: 32, optimizer, seed: 1, val: toyData(128, 2) });
    expect(r.history[3].valAccuracy).toBeGreaterThan(0.8);
    model.dispose();
  }, 60_000);

  it('stops after stopAfterEpochs with the schedule of the full length, matching the full run so far', async () => {
    const full = buildModel(arch, { seed: 6 });
    const early = buildModel(arch, { seed: 6 });
    const options = { epochs: 4, batchSize: 32, learningRate: 0.1, seed: 2 };
    const a = await trainModel(full, toyData(128, 1), options);
    const b = await trainModel(early, toyData(128, 1), { ...options, stopAfterEpochs: 2 });
    expect(b.history).toHaveLength(2);
    expect(b.history).toEqual(a.history.slice(0, 2).map((h, i) => ({ ...h, seconds: b.history[i].seconds })));
    expect(b.history[1].learningRate).toBeGreaterThan(0.04); // mid-schedule, not decayed to 0
    await expect(trainModel(early, toyData(128, 1), { ...options, stopAfterEpochs: 5 })).rejects.toThrow(/options.stopAfterEpochs must be an integer in \[1, 4\], got 5/);
    full.dispose();
    early.dispose();
  }, 60_000);

  it('budgetedSteps: whole epochs, then the steps of a partial one with its evaluation, between 1 and the cap', () => {
    const t = { secondsLeft: 87, stepSeconds: 0.1, stepsPerEpoch: 100, evalSeconds: 1, cap: 5000 };
    // 7 epochs of 11 s, then 10 s left: 1 s of evaluation and 90 steps
    expect(budgetedSteps(t)).toBe(790);
    expect(budgetedSteps({ ...t, cap: 500 })).toBe(500);
    expect(budgetedSteps({ ...t, secondsLeft: 0.01 })).toBe(1);
    expect(budgetedSteps({ ...t, evalSeconds: 0 })).toBe(870);
    // 7 s left after 7 epochs of 11.5 s: the partial epoch's evaluation does not fit in 6.5 - 7 s
    expect(budgetedSteps({ ...t, evalSeconds: 1.5, secondsLeft: 80.5 })).toBe(700);
    // the most steps whose time fits: one more step would not
    const cost = (steps: number, u: typeof t) => steps * u.stepSeconds + Math.ceil(steps / u.stepsPerEpoch) * u.evalSeconds;
    fc.assert(
      fc.property(
        fc.record({
          secondsLeft: fc.double({ min: 0, max: 1e4, noNaN: true }),
          stepSeconds: fc.double({ min: 1e-3, max: 10, noNaN: true }),
          stepsPerEpoch: fc.integer({ min: 1, max: 500 }),
          evalSeconds: fc.double({ min: 0, max: 100, noNaN: true }),
          cap: fc.integer({ min: 1, max: 1e5 }),
        }),
        (u) => {
          const steps = budgetedSteps(u);
          expect(Number.isInteger(steps) && steps >= 1 && steps <= u.cap).toBe(true);
          if (steps > 1) expect(cost(steps, u)).toBeLessThanOrEqual(u.secondsLeft * (1 + 1e-9));
          if (steps < u.cap) expect(cost(steps + 1, u)).toBeGreaterThan(u.secondsLeft * (1 - 1e-9));
        },
      ),
    );
  });

  it('a time budget fixes the epoch count after the timed steps: a large one trains the cap exactly like a plain run, a tiny one one epoch, kept on resume', async () => {
    const train = toyData(128, 1);
    // 8 steps per epoch, all timed; the 1-epoch warm-up covers them, so the schedules agree
    const options = { epochs: 3, batchSize: 16, learningRate: 0.1, warmupEpochs: 1, seed: 2 };
    const plain = await trainModel(buildModel(arch, { seed: 6 }), train, options);
    const large = await trainModel(buildModel(arch, { seed: 6 }), train, { ...options, timeBudgetSeconds: 1e6 });
    expect(large.epochs).toBe(3);
    expect(large.history.map((h) => ({ ...h, seconds: 0 }))).toEqual(plain.history.map((h) => ({ ...h, seconds: 0 })));
    const path = join(dir, 'budget.ckpt');
    const tinyOptions = { ...options, timeBudgetSeconds: 1e-6, checkpointPath: path, resume: true };
    const tiny = await trainModel(buildModel(arch, { seed: 6 }), train, tinyOptions);
    expect(tiny.epochs).toBe(1);
    expect(tiny.history).toHaveLength(1);
    expect(readCheckpoint(path).meta.epochs).toBe(1);
    // resumed with more time left (as a resumed pipeline is): the checkpoint's epoch count holds
    const again = await trainModel(buildModel(arch, { seed: 6 }), train, { ...tinyOptions, timeBudgetSeconds: 1e6 });
    expect(again).toMatchObject({ epochs: 1, resumedFromEpoch: 1, steps: 0 });
    // a plain run does not resume a budgeted one
    await expect(trainModel(buildModel(arch, { seed: 6 }), train, { ...tinyOptions, timeBudgetSeconds: undefined })).rejects.toThrow(/refusing to resume/);
    for (const bad of [0, -1, Number.NaN]) {
      await expect(trainModel(buildModel(arch), train, { ...options, timeBudgetSeconds: bad })).rejects.toThrow(new RegExp(`options.timeBudgetSeconds must be a positive number, got ${bad}`));
    }
  }, 60_000);

  describe('a time budget plans the schedule again after early epochs', () => {
    /** Wall-clock wait inside the synchronous progress callback: it makes the chosen steps slow. */
    const wait = (ms: number) => {
      const end = performance.now() + ms;
      while (performance.now() < end) {
        // busy: the step's wall time is what the budget sees
      }
    };
    type BudgetEvent = { epochs: number; steps: number; stepsPerEpoch: number; epochSeconds: number | null };
    const budgetEvents = (events: Array<{ type: string }>) => events.filter((e) => e.type === 'budget') as unknown as BudgetEvent[];
    // 8 steps per epoch, all timed by the probe in epoch 0
    const options = { epochs: 40, batchSize: 16, learningRate: 0.1, warmupEpochs: 1, seed: 2 };

    it('slow first steps, fast epochs after: more epochs, the rate continuous and annealed at the new end; a resumed run keeps the re-planned schedule', async () => {
      const events: Array<{ type: string }> = [];
      const path = join(dir, 'replan-up.ckpt');
      const budgetOptions = { ...options, timeBudgetSeconds: 10, checkpointPath: path, resume: true };
      const stop = new AbortController();
      let stoppedAt = -1;
      const run = trainModel(buildModel(arch, { seed: 6 }), toyData(128, 1), {
        ...budgetOptions,
        signal: stop.signal,
        onProgress: (e) => {
          events.push(e);
          if (e.type === 'step' && e.epoch === 0) wait(100);
          // stop a while after the first re-plan
          if (e.type === 'epoch' && stoppedAt < 0 && budgetEvents(events).length > 1 && e.record.epoch >= 3) {
            stoppedAt = e.record.epoch + 1;
            stop.abort();
          }
        },
      });
      await expect(run).rejects.toThrow(/stopped at epoch/);
      const plans = budgetEvents(events);
      // the probe saw 0.1 s steps: about 11 epochs of 0.8 s in 10 s
      expect(plans[0].epochSeconds).toBeNull();
      expect(plans[0].epochs).toBeLessThan(14);
      // after epoch 1 (a fraction of 0.8 s) the count grows
      expect(plans[1].epochSeconds).toBeLessThan(0.5);
      expect(plans[1].epochs).toBeGreaterThan(plans[0].epochs);
      // each re-plan came at the end of an epoch e >= 1 while the plan had another epoch after it
      let plan = plans[0].steps;
      events.forEach((e, i) => {
        const p = e as unknown as BudgetEvent;
        if (e.type !== 'budget' || p.epochSeconds === null) return;
        const epoch = events.slice(0, i).filter((x) => x.type === 'epoch').length;
        expect(epoch).toBeGreaterThanOrEqual(1);
        expect(Math.ceil(plan / 8)).toBeGreaterThan(epoch + 1);
        expect(p.epochs).toBe(Math.ceil(p.steps / 8));
        plan = p.steps;
      });
      // resumed (with all the time in the world): the checkpoint's count and anchor hold, no more re-plans
      const ck = readCheckpoint(path).meta;
      expect(ck.epoch).toBe(stoppedAt);
      expect(ck.totalSteps).toBe(plan);
      expect(ck.epochs).toBe(Math.ceil(plan / 8));
      const anchor = ck.anchor as { step: number; progress: number };
      expect(anchor.progress).toBeGreaterThan(0);
      const resumedEvents: Array<{ type: string }> = [];
      const r = await trainModel(buildModel(arch, { seed: 6 }), toyData(128, 1), { ...budgetOptions, timeBudgetSeconds: 1e6, onProgress: (e) => resumedEvents.push(e) });
      expect(r).toMatchObject({ epochs: Math.ceil(plan / 8), scheduledSteps: plan, resumedFromEpoch: stoppedAt, steps: plan - stoppedAt * 8 });
      expect(r.history).toHaveLength(Math.ceil(plan / 8));
      expect(budgetEvents(resumedEvents)).toEqual([]);
      // the rate never jumps up after the warm-up (8 steps), and follows the anchored cosine to 0 at the end
      const rates = [...events, ...resumedEvents].filter((e) => e.type === 'step').map((e) => (e as unknown as { learningRate: number }).learningRate);
      for (let i = 9; i < rates.length; i++) expect(rates[i]).toBeLessThanOrEqual(rates[i - 1] + 1e-12);
      const resumedRates = resumedEvents.filter((e) => e.type === 'step').map((e) => (e as unknown as { learningRate: number }).learningRate);
      expect(resumedRates).toEqual(resumedRates.map((_, i) => cosineWithWarmup(stoppedAt * 8 + i, plan, 0.1, 8, 0, anchor)));
      expect(rates[rates.length - 1]).toBeLessThan(0.01);
    }, 60_000);

    it('fast probe, slow epochs after: fewer epochs than the cap, inside the budget; a resumed run keeps the re-planned count', async () => {
      const events: Array<{ type: string }> = [];
      const path = join(dir, 'replan.ckpt');
      const started = performance.now();
      const budgetOptions = { ...options, timeBudgetSeconds: 6, checkpointPath: path, resume: true };
      const r = await trainModel(buildModel(arch, { seed: 6 }), toyData(128, 1), {
        ...budgetOptions,
        onProgress: (e) => { events.push(e); if (e.type === 'step' && e.epoch >= 1) wait(100); },
      });
      const seconds = (performance.now() - started) / 1000;
      const plans = budgetEvents(events);
      expect(plans[0]).toMatchObject({ epochs: 40, epochSeconds: null });
      // epoch 1 took about 0.8 s: what is left of 5.7 s holds about 6 more
      expect(plans[1].epochSeconds).toBeGreaterThan(0.8);
      expect(r.epochs).toBeLessThan(12);
      expect(r.history).toHaveLength(r.epochs);
      // it plans 98% of the budget, its last epoch partial: most of it is used, an overrun is the last epochs' spread
      expect(seconds).toBeGreaterThan(5);
      expect(seconds).toBeLessThan(6.3);
      // the schedule ran its planned steps (the last epoch may be partial) and annealed at its end
      const rates = events.filter((e) => e.type === 'step').map((e) => (e as unknown as { learningRate: number }).learningRate);
      expect(rates).toHaveLength(r.scheduledSteps);
      expect(r.epochs).toBe(Math.ceil(r.scheduledSteps / 8));
      expect(rates[rates.length - 1]).toBeLessThan(0.01);
      expect(readCheckpoint(path).meta).toMatchObject({ epochs: r.epochs, totalSteps: r.scheduledSteps });
      const again = await trainModel(buildModel(arch, { seed: 6 }), toyData(128, 1), budgetOptions);
      expect(again).toMatchObject({ epochs: r.epochs, resumedFromEpoch: r.epochs, steps: 0 });
      // a malformed anchor is refused by name
      const ck = readCheckpoint(path);
      writeCheckpoint(path, { ...ck, meta: { ...ck.meta, anchor: { step: 1.5, progress: 0.2 } } });
      await expect(trainModel(buildModel(arch, { seed: 6 }), toyData(128, 1), budgetOptions)).rejects.toThrow(/records a malformed schedule anchor \{"step":1.5,"progress":0.2\}/);
      // so is a schedule length that disagrees with the epoch count
      writeCheckpoint(path, { ...ck, meta: { ...ck.meta, totalSteps: r.epochs * 8 + 3 } });
      await expect(trainModel(buildModel(arch, { seed: 6 }), toyData(128, 1), budgetOptions)).rejects.toThrow(new RegExp(`records a schedule of ${r.epochs * 8 + 3} steps, not ${r.epochs} epochs of 8`));
    }, 60_000);
  });

  it('leaves tf.memory().numTensors unchanged over 200 steps', async () => {
    const model = buildModel(arch, { seed: 3, dropout: 0.1, stochasticDepth: 0.1 });
    const train = toyData(64, 4);
    await trainModel(model, train, { epochs: 1, batchSize: 16, seed: 0, mixup: 0.2, ema: 0.99 });
    const before = tf.memory().numTensors;
    const r = await trainModel(model, train, { epochs: 50, batchSize: 16, seed: 0, mixup: 0.2, ema: 0.99 });
    expect(r.steps).toBe(200);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  }, 120_000);

  it('resumes from a checkpoint exactly as if never stopped', async () => {
    const train = toyData(128, 5);
    const options = { epochs: 4, batchSize: 32, seed: 9, mixup: 0.2, ema: 0.9, augment: { randomCrop: 1 } };
    const straight = buildModel(arch, { seed: 4, dropout: 0.2 });
    await trainModel(straight, train, options);
    const expected = await straight.exportWeights();

    const path = join(dir, 'resume.ckpt');
    const first = buildModel(arch, { seed: 4, dropout: 0.2 });
    const controller = new AbortController();
    await expect(
      trainModel(first, train, { ...options, checkpointPath: path, onProgress: (e) => e.type === 'epoch' && e.record.epoch === 1 && controller.abort(), signal: controller.signal }),
    ).rejects.toThrow(/stopped at epoch 2 step 0; resume from/);
    const second = buildModel(arch, { seed: 99, dropout: 0.2 }); // a different init, replaced by the checkpoint
    const r = await trainModel(second, train, { ...options, checkpointPath: path, resume: true });
    expect(r.resumedFromEpoch).toBe(2);
    expect(r.history).toHaveLength(4);
    expect(await second.exportWeights()).toEqual(expected);
    [straight, first, second].forEach((m) => m.dispose());
  }, 60_000);

  it('refuses to resume from a checkpoint of another run', async () => {
    const path = join(dir, 'other.ckpt');
    const a = buildModel(arch, { seed: 1 });
    await trainModel(a, toyData(64, 1), { epochs: 1, batchSize: 32, checkpointPath: path });
    await expect(trainModel(a, toyData(64, 1), { epochs: 2, batchSize: 32, checkpointPath: path, resume: true })).rejects.toThrow(/another architecture or options/);
    a.dispose();
  }, 30_000);

  it('stops on a non-finite loss with a typed error and keeps the last good checkpoint', async () => {
    const path = join(dir, 'nan.ckpt');
    const model = buildModel(arch, { seed: 5 });
    const train = toyData(64, 6);
    await trainModel(model, train, { epochs: 1, batchSize: 32, checkpointPath: path });
    const good = readFileSync(path);
    // createImageDataset refuses NaN pixels, so build the dataset object directly to get one in.
    const bad: ImageDataset = { ...train, images: train.images.map((v, i) => (i === 100 ? NaN : v)) };
    try {
      await trainModel(model, bad, { epochs: 3, batchSize: 32, learningRate: 5, checkpointPath: join(dir, 'nan2.ckpt') });
      throw new Error('no throw');
    } catch (err) {
      expect(isNnError(err) && err.code).toBe('NON_FINITE');
    }
    expect(readFileSync(path)).toEqual(good);
    model.dispose();
  }, 30_000);

  it('validates its arguments with typed errors', async () => {
    const model = buildModel(arch, { seed: 1 });
    const train = toyData(16, 1);
    await expect(trainModel(model, train, { epochs: 0 })).rejects.toThrow(/options.epochs must be a positive integer, got 0/);
    await expect(trainModel(model, train, { epochs: 1, batchSize: 17 })).rejects.toThrow(/options.batchSize must be an integer in \[1, 16\], got 17/);
    await expect(trainModel(model, train, { epochs: 1, batchSize: 16, learningRate: NaN })).rejects.toThrow(/options.learningRate must be in \[0, 10\), got NaN/);
    await expect(trainModel(model, createImageDataset({ images: new Float32Array(28 * 28), labels: [0], height: 28, width: 28, channels: 1, numClasses: 3 }), { epochs: 1, batchSize: 1 })).rejects.toThrow(/dataset images are 28x28x1, the model takes 8x8x1/);
    model.dispose();
  });
});

describe('trainModel with data-parallel workers', () => {
  const options = { epochs: 4, batchSize: 32, learningRate: 0.1, seed: 3, mixup: 0.2, ema: 0.9, augment: { randomCrop: 1 }, workers: 2 };

  it('learns on two worker threads, deterministically, without leaking tensors in the calling thread', async () => {
    const before = tf.memory().numTensors;
    const runs = [];
    for (let k = 0; k < 2; k++) {
      const model = buildModel(arch, { seed: 1, dropout: 0.1, stochasticDepth: 0.1 });
      const r = await trainModel(model, toyData(512, 1), { ...options, val: toyData(128, 2) });
      runs.push({ history: r.history.map((h) => ({ ...h, seconds: 0 })), weights: await model.exportWeights() });
      model.dispose();
    }
    expect(runs[0].history[3].valAccuracy).toBeGreaterThan(0.8);
    expect(runs[1]).toEqual(runs[0]);
    expect(tf.memory().numTensors).toBe(before);
    // another worker count is another run (shards see other BatchNorm statistics and random streams)
    const single = buildModel(arch, { seed: 1, dropout: 0.1, stochasticDepth: 0.1 });
    await trainModel(single, toyData(512, 1), { ...options, workers: 1 });
    expect(await single.exportWeights()).not.toEqual(runs[0].weights);
    single.dispose();
  }, 120_000);

  it('resumes a stopped two-worker run exactly as if never stopped', async () => {
    const train = toyData(128, 5);
    const straight = buildModel(arch, { seed: 4, dropout: 0.2 });
    await trainModel(straight, train, options);
    const path = join(dir, 'parallel.ckpt');
    const first = buildModel(arch, { seed: 4, dropout: 0.2 });
    const controller = new AbortController();
    await expect(
      trainModel(first, train, { ...options, checkpointPath: path, onProgress: (e) => e.type === 'epoch' && e.record.epoch === 1 && controller.abort(), signal: controller.signal }),
    ).rejects.toThrow(/stopped at epoch 2 step 0; resume from/);
    const second = buildModel(arch, { seed: 99, dropout: 0.2 });
    const r = await trainModel(second, train, { ...options, checkpointPath: path, resume: true });
    expect(r.resumedFromEpoch).toBe(2);
    expect(await second.exportWeights()).toEqual(await straight.exportWeights());
    await expect(trainModel(second, train, { ...options, workers: 1, checkpointPath: path, resume: true })).rejects.toThrow(/another architecture or options/);
    [straight, first, second].forEach((m) => m.dispose());
  }, 120_000);

  it('stops on a non-finite loss in a worker with a typed error; validates the worker count', async () => {
    const model = buildModel(arch, { seed: 5 });
    const train = toyData(64, 6);
    const bad: ImageDataset = { ...train, images: train.images.map((v, i) => (i === 100 ? NaN : v)) };
    try {
      await trainModel(model, bad, { epochs: 3, batchSize: 32, workers: 2 });
      throw new Error('no throw');
    } catch (err) {
      expect(isNnError(err) && err.code).toBe('NON_FINITE');
    }
    for (const workers of [0, 1.5, 33]) {
      await expect(trainModel(model, train, { epochs: 1, batchSize: 32, workers })).rejects.toThrow(new RegExp(`options.workers must be an integer in \\[1, batchSize = 32\\], got ${workers}`));
    }
    model.dispose();
  }, 60_000);

  it('a step that does not fit the 4 GB wasm heap fails with a typed OUT_OF_MEMORY error naming the batch', () => {
    // in a child process: the backend is unusable after the failure
    const run = runFixture('outOfMemory');
    expect(run.status).toBe(0);
    const out = run.result;
    expect(out).toMatchObject({ name: 'NnError', code: 'OUT_OF_MEMORY' });
    expect(out.message).toMatch(/^fbnas\.trainModel: a training step on 512 images ran out of the wasm heap .*smaller batchSize/);
  }, 120_000);
});

describe('checkpoint files', () => {
  it('round-trip and detect corruption and truncation', () => {
    const path = join(dir, 'x.ckpt');
    writeCheckpoint(path, { meta: { a: 1 }, groups: { w: { 'l.weight': { shape: [2, 2], data: Float32Array.of(1, 2, 3, 4) } } } });
    expect(readCheckpoint(path).groups.w['l.weight'].data).toEqual(Float32Array.of(1, 2, 3, 4));
    const bytes = readFileSync(path);
    const flipped = Buffer.from(bytes);
    flipped[flipped.length - 2] ^= 0xff;
    writeFileSync(join(dir, 'flip.ckpt'), flipped);
    expect(() => readCheckpoint(join(dir, 'flip.ckpt'))).toThrow(/payload checksum mismatch/);
    writeFileSync(join(dir, 'trunc.ckpt'), bytes.subarray(0, 20));
    expect(() => readCheckpoint(join(dir, 'trunc.ckpt'))).toThrow(/truncated/);
    writeFileSync(join(dir, 'foreign.ckpt'), 'hello world, not a checkpoint');
    expect(() => readCheckpoint(join(dir, 'foreign.ckpt'))).toThrow(/bad magic/);
    expect(existsSync(`${path}.tmp-${process.pid}`)).toBe(false);
  });
});
