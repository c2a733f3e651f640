import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { blockCost, type Block, type LayerwiseSpace, type TensorShape } from '@fbnas/search-space';
import type { LayerwiseCostTable } from './costTable';
import { LatencyModelError } from './errors';

/** Format tag of LUT files. */
export const LATENCY_LUT_FORMAT = 'fbnas.lut/v1' as const;

/** Where and how a LUT was measured. */
export interface LatencyLutHeader {
  runtime: string;
  runtimeVersion: string;
  threads: number;
  cpu: string;
  /** ISO date of the measurement. */
  date: string;
  unit: 'ms';
  batch: number;
  /**
   * Fixed cost of one runtime call included in every entry (onnxruntime-node: ~0.065-0.08 ms per
   * session.run). A network pays it once, so `costTableFromLut` subtracts it per block and adds it once.
   */
  overheadMs: number;
}

/** Timing statistics of one block signature. */
export interface LatencyLutEntry {
  median: number;
  p10: number;
  p90: number;
  samples: number;
}

/** A latency lookup table: header + entries keyed by {@link latencyLutKey}. */
export interface LatencyLut {
  format: typeof LATENCY_LUT_FORMAT;
  header: LatencyLutHeader;
  entries: Record<string, LatencyLutEntry>;
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value as object).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The LUT key of a block on an input: op contract name + canonical attributes + input shape. */
export function latencyLutKey(block: Block, input: TensorShape): string {
  const { stage: _stage, ...attrs } = block;
  return `${block.op}${canonicalJson(attrs)}@${input.height}x${input.width}x${input.channels}`;
}

const API_PARSE = 'fbnas.parseLatencyLut';

function fail(path: string, message: string): never {
  throw new LatencyModelError('CORRUPT_LUT', API_PARSE, `${path} ${message}`, path);
}

function finiteNonNegative(v: unknown, path: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) fail(path, `must be a finite non-negative number, got ${JSON.stringify(v) ?? String(v)}`);
  return v;
}

/** Validate a LUT (JSON text or value); errors name the bad field's path. */
export function parseLatencyLut(input: unknown): LatencyLut {
  let doc = input;
  if (typeof input === 'string') {
    try {
      doc = JSON.parse(input);
    } catch (err) {
      throw new LatencyModelError('CORRUPT_LUT', API_PARSE, `not valid JSON (${(err as Error).message})`);
    }
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) fail('the document', 'must be an object');
  const d = doc as Record<string, unknown>;
  if (d.format !== LATENCY_LUT_FORMAT) fail('format', `must be ${JSON.stringify(LATENCY_LUT_FORMAT)}, got ${JSON.stringify(d.format) ?? 'nothing'}`);
  const h = d.header as Record<string, unknown> | undefined;
  if (h === null || typeof h !== 'object' || Array.isArray(h)) fail('header', 'must be an object');
  for (const k of ['runtime', 'runtimeVersion', 'cpu', 'date'] as const) if (typeof h[k] !== 'string') fail(`header.${k}`, `must be a string, got ${JSON.stringify(h[k]) ?? 'nothing'}`);
  if (h.unit !== 'ms') fail('header.unit', `must be "ms", got ${JSON.stringify(h.unit) ?? 'nothing'}`);
  for (const k of ['threads', 'batch'] as const) if (!Number.isInteger(h[k]) || (h[k] as number) < 1) fail(`header.${k}`, `must be a positive integer, got ${JSON.stringify(h[k]) ?? 'nothing'}`);
  const header: LatencyLutHeader = {
    runtime: h.runtime as string, runtimeVersion: h.runtimeVersion as string, threads: h.threads as number, cpu: h.cpu as string,
    date: h.date as string, unit: 'ms', batch: h.batch as number, overheadMs: finiteNonNegative(h.overheadMs ?? 0, 'header.overheadMs'),
  };
  const e = d.entries as Record<string, unknown> | undefined;
  if (e === null || typeof e !== 'object' || Array.isArray(e)) fail('entries', 'must be an object');
  const entries: Record<string, LatencyLutEntry> = {};
  for (const [key, raw] of Object.entries(e)) {
    const path = `entries[${JSON.stringify(key)}]`;
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) fail(path, 'must be an object');
    const r = raw as Record<string, unknown>;
    const entry = { median: finiteNonNegative(r.median, `${path}.median`), p10: finiteNonNegative(r.p10, `${path}.p10`), p90: finiteNonNegative(r.p90, `${path}.p90`), samples: r.samples as number };
    if (!Number.isInteger(entry.samples) || entry.samples < 1) fail(`${path}.samples`, `must be a positive integer, got ${JSON.stringify(r.samples) ?? 'nothing'}`);
    if (!(entry.p10 <= entry.median && entry.median <= entry.p90)) fail(path, `must satisfy p10 <= median <= p90, got ${entry.p10}, ${entry.median}, ${entry.p90}`);
    entries[key] = entry;
  }
  return { format: LATENCY_LUT_FORMAT, header, entries };
}

/** Canonical JSON text of a LUT (sorted keys). */
export function serializeLatencyLut(lut: LatencyLut): string {
  const valid = parseLatencyLut(lut);
  const entries = Object.fromEntries(Object.keys(valid.entries).sort().map((k) => [k, valid.entries[k]]));
  return `${JSON.stringify({ format: valid.format, header: valid.header, entries }, null, 1)}\n`;
}

/** Write a LUT atomically (temporary file, fsync, rename): an interrupted save never leaves a torn file. */
export function saveLatencyLut(path: string, lut: LatencyLut): void {
  const text = serializeLatencyLut(lut);
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

/** Read and validate a LUT file. */
export function loadLatencyLut(path: string): LatencyLut {
  return parseLatencyLut(readFileSync(path, 'utf8'));
}

function sameSetting(a: LatencyLutHeader, b: LatencyLutHeader): boolean {
  return a.runtime === b.runtime && a.threads === b.threads && a.batch === b.batch && a.unit === b.unit;
}

/** Union of two LUTs of the same setting (runtime, threads, batch); `b`'s entries win on overlap. */
export function mergeLatencyLuts(a: LatencyLut, b: LatencyLut): LatencyLut {
  if (!sameSetting(a.header, b.header)) {
    throw new LatencyModelError('MISMATCH', 'fbnas.mergeLatencyLuts', `cannot merge LUTs of different settings: ${a.header.runtime}/${a.header.threads} threads/batch ${a.header.batch} and ${b.header.runtime}/${b.header.threads} threads/batch ${b.header.batch}`);
  }
  return { format: LATENCY_LUT_FORMAT, header: b.header, entries: { ...a.entries, ...b.entries } };
}

/** Keys only in `a`, only in `b`, and common keys with their median ratio b / a. */
export function diffLatencyLuts(a: LatencyLut, b: LatencyLut): { onlyInA: string[]; onlyInB: string[]; common: Array<{ key: string; a: number; b: number; ratio: number }> } {
  const ka = Object.keys(a.entries);
  const kb = new Set(Object.keys(b.entries));
  return {
    onlyInA: ka.filter((k) => !kb.has(k)).sort(),
    onlyInB: [...kb].filter((k) => !(k in a.entries)).sort(),
    common: ka.filter((k) => kb.has(k)).sort().map((key) => ({ key, a: a.entries[key].median, b: b.entries[key].median, ratio: b.entries[key].median / a.entries[key].median })),
  };
}

/** The fixed (stem and head) blocks of a space with their inputs, shapes from search-space's inference (internal; shared with statCostTable). */
export function fixedBlocks(space: LayerwiseSpace): Array<{ block: Block; input: TensorShape }> {
  const out: Array<{ block: Block; input: TensorShape }> = [];
  const walk = (blocks: readonly Block[], start: TensorShape) => {
    let shape = start;
    for (const block of blocks) {
      out.push({ block, input: shape });
      shape = blockCost(block, shape, space.config.rules).output;
    }
  };
  walk(space.stem, { height: space.config.inputSize, width: space.config.inputSize, channels: space.config.inputChannels });
  walk(space.head, space.headInput);
  return out;
}

/**
 * A layer-wise cost table for a space from a LUT: each candidate's median (or p10) minus the per-call
 * overhead, the fixed stem and head blocks likewise, plus the overhead once. Missing entries are one error
 * listing every missing key. `statistic: 'p10'` uses the fast tail of each block's timings, meant for machines
 * whose timings are disturbed from outside (compare it with the median on your device: see the package README).
 */
export function costTableFromLut(space: LayerwiseSpace, lut: LatencyLut, options: { statistic?: 'median' | 'p10' } = {}): LayerwiseCostTable {
  const statistic = options.statistic ?? 'median';
  if (statistic !== 'median' && statistic !== 'p10') {
    throw new LatencyModelError('INVALID_ARGUMENT', 'fbnas.costTableFromLut', `options.statistic must be "median" or "p10", got ${JSON.stringify(statistic)}`);
  }
  const missing: string[] = [];
  const o = lut.header.overheadMs;
  const cost = (block: Block, input: TensorShape) => {
    const key = latencyLutKey(block, input);
    const e = lut.entries[key];
    if (!e) {
      missing.push(key);
      return 0;
    }
    return Math.max(e[statistic] - o, 0);
  };
  let fixed = o;
  for (const { block, input } of fixedBlocks(space)) fixed += cost(block, input);
  const layers = space.layers.map((l) => space.config.candidates.map((_, c) => cost(space.candidateBlock(l.index, c), l.input)));
  if (missing.length > 0) {
    throw new LatencyModelError('MISSING_ENTRY', 'fbnas.costTableFromLut', `${missing.length} block(s) of ${space.name} are not in the LUT: ${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ', ...' : ''}`);
  }
  return { metric: `${lut.header.runtime}_latency${statistic === 'p10' ? '_p10' : ''}`, unit: 'ms', fixed, layers };
}

/** The distinct (block, input) signatures a space needs measured: the candidates of every layer plus stem and head. */
export function lutSignatures(space: LayerwiseSpace): Array<{ key: string; block: Block; input: TensorShape }> {
  const out = new Map<string, { key: string; block: Block; input: TensorShape }>();
  const add = (block: Block, input: TensorShape) => {
    const key = latencyLutKey(block, input);
    if (!out.has(key)) out.set(key, { key, block, input });
  };
  for (const { block, input } of fixedBlocks(space)) add(block, input);
  for (const l of space.layers) space.config.candidates.forEach((_, c) => add(space.candidateBlock(l.index, c), l.input));
  return [...out.values()];
}
