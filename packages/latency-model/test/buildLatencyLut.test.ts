import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fbnet28Space } from '@fbnas/search-space';
import { initBackend } from '@fbnas/nn';
import { buildLatencyLut, buildOrtLatencyLut, costTableFromLut, loadLatencyLut, lutSignatures, measureOnnxInterleaved, saveLatencyLut } from '../src';

const space = fbnet28Space();
const quick = { rules: space.config.rules, warmup: 1, minRepeats: 3, maxRepeats: 5 };
const dir = mkdtempSync(join(tmpdir(), 'fbnas-ortlut-'));

describe('buildOrtLatencyLut', () => {
  it('measures blocks in onnxruntime-node with a complete header', async () => {
    const sigs = lutSignatures(space).slice(0, 4);
    const lut = await buildOrtLatencyLut(sigs, quick);
    expect(Object.keys(lut.entries).sort()).toEqual(sigs.map((s) => s.key).sort());
    for (const e of Object.values(lut.entries)) {
      expect(e.samples).toBeGreaterThanOrEqual(3);
      expect(e.p10).toBeLessThanOrEqual(e.median);
      expect(e.median).toBeLessThanOrEqual(e.p90);
      expect(e.median).toBeGreaterThan(0);
    }
    expect(lut.header).toMatchObject({ runtime: 'onnxruntime-node', threads: 1, batch: 1, unit: 'ms' });
    expect(lut.header.overheadMs).toBeGreaterThan(0);
  }, 60_000);

  it('resumes an interrupted build from the partial table on disk', async () => {
    const path = join(dir, 'partial.json');
    const sigs = lutSignatures(space).slice(0, 6);
    const controller = new AbortController();
    await expect(
      buildOrtLatencyLut(sigs, { ...quick, path, saveEvery: 1, signal: controller.signal, onProgress: (e) => e.done === 3 && controller.abort() }),
    ).rejects.toThrow(/aborted after 3 of 6 entries; run again to resume/);
    expect(Object.keys(loadLatencyLut(path).entries)).toHaveLength(3);
    const measured: string[] = [];
    const lut = await buildOrtLatencyLut(sigs, { ...quick, path, onProgress: (e) => measured.push(e.key) });
    expect(measured).toHaveLength(3); // only the missing ones
    expect(Object.keys(lut.entries)).toHaveLength(6);
    expect(existsSync(path)).toBe(true);
  }, 60_000);

  it('covers a whole space and gives its cost table (22 x 9)', async () => {
    const lut = await buildOrtLatencyLut(lutSignatures(space), { ...quick, minRepeats: 2, maxRepeats: 2, warmup: 1 });
    const table = costTableFromLut(space, lut);
    expect(table.layers).toHaveLength(22);
    // the overhead counted once, plus the stem and head (each at least 0 after removing their own overhead)
    expect(table.fixed).toBeGreaterThanOrEqual(lut.header.overheadMs);
  }, 120_000);

  it('refuses to mix thread settings in one table', async () => {
    const path = join(dir, 'threads.json');
    await buildOrtLatencyLut(lutSignatures(space).slice(0, 1), { ...quick, path });
    await expect(buildOrtLatencyLut(lutSignatures(space).slice(0, 2), { ...quick, path, threads: 2 })).rejects.toThrow(/refusing to mix it with onnxruntime-node measurements at 2 threads/);
  }, 60_000);

  it('times the same blocks in tfjs (wasm backend) into a table of its own runtime', async () => {
    await initBackend({ backend: 'wasm' });
    const path = join(dir, 'tfjs.json');
    const sigs = lutSignatures(space).slice(0, 5);
    const lut = await buildLatencyLut(sigs, { ...quick, runtime: 'tfjs', path });
    expect(lut.header).toMatchObject({ runtime: 'tfjs-wasm', threads: 1, batch: 1, unit: 'ms' });
    expect(lut.header.runtimeVersion).toMatch(/^\d+\.\d+\.\d+/);
    expect(Object.keys(loadLatencyLut(path).entries).sort()).toEqual(sigs.map((s) => s.key).sort());
    for (const e of Object.values(lut.entries)) {
      expect(e.median).toBeGreaterThan(0);
      expect(e.p10).toBeLessThanOrEqual(e.median);
    }
    // a tfjs table and an onnxruntime table never mix in one file
    await expect(buildOrtLatencyLut(sigs, { ...quick, path })).rejects.toThrow(/holds a tfjs-wasm table at 1 threads; refusing to mix it with onnxruntime-node/);
    await expect(buildLatencyLut(sigs, { ...quick, runtime: 'tfjs', threads: 2 })).rejects.toThrow(/times single-threaded/);
    await expect(buildLatencyLut(sigs, { ...quick, runtime: 'tflite' as 'tfjs' })).rejects.toThrow(/options\.runtime must be "onnxruntime-node" or "tfjs", got "tflite"/);
  }, 60_000);

  it('times entries in interleaved rounds on request, robust per-round medians', async () => {
    const sigs = lutSignatures(space).slice(0, 6);
    const path = join(dir, 'rounds.json');
    const lut = await buildLatencyLut(sigs, { ...quick, rounds: 3, path });
    expect(Object.keys(loadLatencyLut(path).entries).sort()).toEqual(sigs.map((s) => s.key).sort());
    for (const e of Object.values(lut.entries)) {
      expect(e.samples).toBe(3 * quick.minRepeats);
      expect(e.p10).toBeLessThanOrEqual(e.median);
      expect(e.median).toBeLessThanOrEqual(e.p90);
    }
    // the per-call overhead is one more model of the same rounds: a trivial graph, below every 28x28 block
    const overhead = lut.header.overheadMs;
    expect(overhead).toBeGreaterThan(0);
    const blocks = Object.entries(lut.entries).filter(([key]) => key.startsWith('ir'));
    expect(blocks.length).toBeGreaterThan(0);
    for (const [, e] of blocks) expect(overhead).toBeLessThan(e.median);
    // a resumed build measures only what is missing and keeps the overhead its entries were measured with
    const saved = loadLatencyLut(path);
    const [dropped] = Object.keys(saved.entries);
    delete saved.entries[dropped];
    saveLatencyLut(path, saved);
    const resumed = await buildLatencyLut(sigs, { ...quick, rounds: 3, path });
    expect(resumed.header.overheadMs).toBe(overhead);
    expect(Object.keys(resumed.entries).sort()).toEqual(sigs.map((s) => s.key).sort());
    await expect(buildLatencyLut(sigs, { ...quick, runtime: 'tfjs', rounds: 2 })).rejects.toThrow(/options\.rounds applies to onnxruntime-node/);
    await expect(measureOnnxInterleaved([], { rounds: 0 })).rejects.toThrow(/options\.rounds must be a positive integer, got 0/);
    for (const bad of [0, 2.5, Number.NaN]) {
      await expect(buildLatencyLut(sigs, { ...quick, rounds: bad })).rejects.toThrow(new RegExp(`fbnas.buildLatencyLut: options\\.rounds must be a positive integer, got ${bad}`));
    }
  }, 60_000);
});
