import fc from 'fast-check';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { archStats, blockCost, fbnet28Space } from '@fbnas/search-space';
import {
  costOfGenome,
  costTableFromLut,
  diffLatencyLuts,
  isLatencyModelError,
  loadLatencyLut,
  lutSignatures,
  mergeLatencyLuts,
  parseLatencyLut,
  saveLatencyLut,
  serializeLatencyLut,
  type LatencyLut,
} from '../src';

const header = { runtime: 'onnxruntime-node', runtimeVersion: '1.30.0', threads: 1, cpu: 'test cpu', date: '2026-11-28T00:00:00Z', unit: 'ms' as const, batch: 1, overheadMs: 0.07 };
const space = fbnet28Space();

/** A LUT for the 28x28 space whose entries are a known function of the block's multiply-adds. */
function syntheticLut(): LatencyLut {
  const entries: LatencyLut['entries'] = {};
  for (const s of lutSignatures(space)) {
    const ms = 0.07 + blockCost(s.block, s.input, space.config.rules).macs / 1e8;
    entries[s.key] = { median: ms, p10: ms * 0.95, p90: ms * 1.1, samples: 20 };
  }
  return { format: 'fbnas.lut/v1', header, entries };
}

const dir = mkdtempSync(join(tmpdir(), 'fbnas-lut-'));

describe('latency LUT files', () => {
  it('enumerate every distinct signature of a space once (22 layers x 9 candidates, shared shapes merged, plus stem and head)', () => {
    const sigs = lutSignatures(space);
    expect(new Set(sigs.map((s) => s.key)).size).toBe(sigs.length);
    expect(sigs.length).toBeLessThan(22 * 9 + 4);
    expect(sigs.length).toBeGreaterThan(7 * 9);
  });

  it('give a cost table whose LUT sum is the additive model, with the call overhead counted once', () => {
    const table = costTableFromLut(space, syntheticLut());
    const g = [0, 1, 2, 3, 4, 5, 6, 7, 8, 0, 1, 2, 3, 4, 5, 6, 7, 8, 0, 1, 2, 3];
    expect(costOfGenome(table, g)).toBeCloseTo(0.07 + archStats(space.toArch(g)).macs / 1e8, 9);
  });

  it('use the p10 statistic on request', () => {
    const lut = syntheticLut();
    const g = new Array(22).fill(3);
    const p10 = costOfGenome(costTableFromLut(space, lut, { statistic: 'p10' }), g);
    const median = costOfGenome(costTableFromLut(space, lut), g);
    expect(p10).toBeLessThan(median);
    expect(() => costTableFromLut(space, lut, { statistic: 'mean' as never })).toThrow(/options.statistic must be "median" or "p10", got "mean"/);
  });

  it('round-trip through save and load, atomically', () => {
    const lut = syntheticLut();
    const path = join(dir, 'lut.json');
    saveLatencyLut(path, lut);
    expect(loadLatencyLut(path)).toEqual(parseLatencyLut(lut));
    expect(existsSync(`${path}.tmp-${process.pid}`)).toBe(false);
    expect(serializeLatencyLut(loadLatencyLut(path))).toBe(readFileSync(path, 'utf8'));
  });

  it('merge and diff', () => {
    const a = syntheticLut();
    const keys = Object.keys(a.entries);
    const b: LatencyLut = { ...a, entries: { [keys[0]]: { ...a.entries[keys[0]], median: a.entries[keys[0]].median * 2, p90: a.entries[keys[0]].p90 * 2 }, extra: { median: 1, p10: 1, p90: 1, samples: 1 } } };
    const merged = mergeLatencyLuts(a, b);
    expect(merged.entries[keys[0]].median).toBeCloseTo(a.entries[keys[0]].median * 2, 12);
    const d = diffLatencyLuts(a, b);
    expect(d.onlyInB).toEqual(['extra']);
    expect(d.onlyInA).toHaveLength(keys.length - 1);
    expect(d.common[0].ratio).toBeCloseTo(2, 12);
    expect(() => mergeLatencyLuts(a, { ...b, header: { ...header, threads: 2 } })).toThrow(/cannot merge LUTs of different settings/);
  });

  it('name the missing entries when a space is not covered', () => {
    const lut = syntheticLut();
    const [first] = Object.keys(lut.entries);
    delete lut.entries[first];
    try {
      costTableFromLut(space, lut);
      throw new Error('no throw');
    } catch (err) {
      expect(isLatencyModelError(err) && err.code).toBe('MISSING_ENTRY');
      expect((err as Error).message).toContain(first);
    }
  });

  it('reject corrupt, truncated or foreign files with typed errors naming the field', () => {
    const path = join(dir, 'bad.json');
    const text = serializeLatencyLut(syntheticLut());
    writeFileSync(path, text.slice(0, text.length / 2));
    expect(() => loadLatencyLut(path)).toThrow(/not valid JSON/);
    const doc = JSON.parse(text);
    const key = Object.keys(doc.entries)[3];
    doc.entries[key].median = -1;
    expect(() => parseLatencyLut(doc)).toThrow(new RegExp(`entries\\[${JSON.stringify(key).replace(/[[\]{}().*+?^$|\\]/g, '\\$&')}\\]\\.median must be a finite non-negative number, got -1`));
    expect(() => parseLatencyLut({ ...JSON.parse(text), format: 'other' })).toThrow(/format must be "fbnas.lut\/v1", got "other"/);
    expect(() => parseLatencyLut({ ...JSON.parse(text), header: { ...header, threads: 0 } })).toThrow(/header.threads must be a positive integer, got 0/);
  });

  it('turn input of any shape into a LUT or a LatencyModelError, nothing else (property)', () => {
    const valid = JSON.parse(serializeLatencyLut(syntheticLut()));
    fc.assert(
      fc.property(fc.anything(), fc.nat(), fc.constantFrom('median', 'p10', 'p90', 'samples'), (value, i, field) => {
        for (const candidate of [value, (() => {
          const doc = structuredClone(valid);
          const keys = Object.keys(doc.entries);
          doc.entries[keys[i % keys.length]][field] = value;
          return doc;
        })()]) {
          try {
            parseLatencyLut(candidate);
          } catch (err) {
            expect(isLatencyModelError(err)).toBe(true);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('a failed save leaves the good table in place', () => {
    const path = join(dir, 'keep.json');
    saveLatencyLut(path, syntheticLut());
    const before = readFileSync(path, 'utf8');
    const broken = syntheticLut();
    (broken.entries as Record<string, unknown>).x = { median: NaN };
    expect(() => saveLatencyLut(path, broken)).toThrow(/median must be a finite non-negative number/);
    expect(readFileSync(path, 'utf8')).toBe(before);
  });
});
