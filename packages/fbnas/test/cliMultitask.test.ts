import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { parseArch } from '@fbnas/search-space';
import { readCheckpoint } from '@fbnas/nn';
import type { SearchMultitaskRunResult } from '../src';
import { run } from './cliHarness';

describe('fbnas search multitask', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fbnas-mt-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('searches three tasks in one run and writes an architecture per task, the shared weights and the metrics', async () => {
    const out = join(dir, 'run');
    const r = await run('search', 'multitask', '--out', out, '--steps', '8', '--batch', '32', '--limit-per-class', '10', '--test-images', '100', '--cost-weight', '0.5', '--json');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const result = JSON.parse(r.out) as SearchMultitaskRunResult;
    expect(JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8'))).toEqual(result);
    expect(result.passes).toBe(8);
    expect(Object.keys(result.tasks)).toEqual(['cls', 'seg', 'box']);
    expect(result.tasks.seg.score.metric).toBe('pixelAccuracy');
    for (const t of Object.values(result.tasks)) {
      const arch = parseArch(readFileSync(t.arch, 'utf8'));
      // the fixed blocks plus the kept skippable ones through the task's tap
      const fixed = arch.blocks.length - t.keptBlocks;
      expect(fixed).toBeGreaterThan(0);
      expect(t.keptBlocks).toBeLessThanOrEqual(t.skippableBlocks);
      expect(t.score.value).toBeGreaterThanOrEqual(0);
      expect(t.score.value).toBeLessThanOrEqual(1);
    }
    expect(result.tasks.seg.skippableBlocks).toBeLessThan(result.tasks.cls.skippableBlocks);
    // the classification network, standalone: its ONNX model runs in onnxruntime and was checked against tfjs
    expect(result.classifier.onnxMaxAbsDiff).toBeLessThan(1e-3);
    const session = await ort.InferenceSession.create(readFileSync(result.classifier.onnx));
    const logits = await session.run({ input: new ort.Tensor('float32', new Float32Array(2 * 28 * 28), [2, 1, 28, 28]) });
    expect(logits.logits.dims).toEqual([2, 10]);
    await session.release();
    const classifier = parseArch(readFileSync(result.classifier.arch, 'utf8'));
    expect(classifier.blocks.slice(0, -2)).toEqual(parseArch(readFileSync(result.tasks.cls.arch, 'utf8')).blocks);
    expect(Object.keys(readCheckpoint(result.classifier.weights).groups.weights).length).toBeGreaterThan(0);
    const ck = readCheckpoint(join(out, 'supernet.ckpt'));
    expect(Object.keys(ck.groups.weights).some((n) => n.startsWith('heads.seg.'))).toBe(true);
    expect(JSON.parse(readFileSync(join(out, 'history.json'), 'utf8'))).toHaveLength(8);
    expect(JSON.parse(readFileSync(join(out, 'distributions.json'), 'utf8')).theta).toHaveLength(3);
    // --resume on a finished run continues from its last checkpoint: no step left, the same outcome
    const again = await run('search', 'multitask', '--out', out, '--steps', '8', '--batch', '32', '--limit-per-class', '10', '--test-images', '100', '--cost-weight', '0.5', '--resume', '--json');
    expect(again.code).toBe(0);
    const resumed = JSON.parse(again.out) as SearchMultitaskRunResult;
    expect(resumed.resumedFromStep).toBe(8);
    expect(resumed.tasks).toEqual(result.tasks);
    const changed = await run('search', 'multitask', '--out', out, '--steps', '9', '--batch', '32', '--limit-per-class', '10', '--test-images', '100', '--resume', '--json');
    expect(changed.code).toBe(1);
    expect(changed.err).toMatch(/search\.ckpt was written by a search with another space, tasks, data or options/);
  }, 120_000);

  it('prices blocks by their latency measured in onnxruntime-node with --cost latency', async () => {
    const out = join(dir, 'latency');
    const r = await run('search', 'multitask', '--out', out, '--steps', '2', '--batch', '16', '--limit-per-class', '5', '--test-images', '20', '--cost', 'latency', '--json');
    expect(r.code).toBe(0);
    const result = JSON.parse(r.out) as SearchMultitaskRunResult;
    expect(result.cost.metric).toBe('latency');
    expect(result.cost.blockCosts).toHaveLength(24);
    expect(result.cost.blockCosts.every((c) => c >= 0 && c < 50)).toBe(true);
    expect(result.cost.blockCosts.filter((c) => c > 0).length).toBeGreaterThan(12);
    const lut = JSON.parse(readFileSync(join(out, 'lut.json'), 'utf8')) as { header: { runtime: string }; entries: Record<string, unknown> };
    expect(lut.header.runtime).toBe('onnxruntime-node');
    expect(Object.keys(lut.entries)).toHaveLength(24);
    // resuming keeps the measured table (new timings would be another search)
    const resumed = await run('search', 'multitask', '--out', out, '--steps', '2', '--batch', '16', '--limit-per-class', '5', '--test-images', '20', '--cost', 'latency', '--resume', '--json');
    expect(resumed.err).toBe('');
    expect((JSON.parse(resumed.out) as SearchMultitaskRunResult).cost).toEqual(result.cost);
    const bad = await run('search', 'multitask', '--out', join(dir, 'bad-cost'), '--cost', 'flops');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--cost must be one of macs, latency, got "flops"/);
  }, 120_000);

  it('prints progress and a summary without --json, and refuses bad flags', async () => {
    const out = join(dir, 'text');
    const r = await run('search', 'multitask', '--out', out, '--steps', '2', '--batch', '16', '--limit-per-class', '5', '--test-images', '20');
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/\[search\] step 1\/2: loss cls [\d.]+, seg [\d.]+, box [\d.]+; blocks kept \(p > 0\.5\): cls \d+ seg \d+ box \d+/);
    expect(r.out).toMatch(/multitask search on fashion-mnist, blocks priced by multiply-adds: 2 steps \(2 forward \+ backward passes for 3 tasks\)/);
    expect(r.out).toMatch(/seg \(segmentation\): keeps \d+ of \d+ skippable blocks/);
    expect(r.out).toMatch(/classification network as a standalone classifier: .*model\.cls\.onnx \(matches tfjs within /);
    const bad = await run('search', 'multitask', '--out', join(dir, 'bad'), '--cost-weight', '-1');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--cost-weight must be a number >= 0, got "-1"/);
    expect(existsSync(join(dir, 'bad'))).toBe(false);
    const noOut = await run('search', 'multitask');
    expect(noOut.code).toBe(2);
    expect(noOut.err).toMatch(/search multitask needs --out DIR/);
  }, 120_000);
});
