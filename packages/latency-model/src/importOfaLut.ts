import { parse as parseYaml } from 'yaml';
import { withBlockDefaults, type Activation, type Block, type TensorShape } from '@fbnas/search-space';
import { LatencyModelError } from './errors';
import { LATENCY_LUT_FORMAT, latencyLutKey, parseLatencyLut, type LatencyLut, type LatencyLutEntry } from './latencyLut';

/** Options of {@link importOfaLut}; defaults in brackets. */
export interface OfaLutImportOptions {
  /**
   * The network family the table was measured for, which fixes what OFA's keys leave implicit:
   * `mbv3` (Once-for-All MobileNetV3: ReLU or h-swish by the key's `hs` flag, SE with h-sigmoid gate, SE width a
   * quarter of the expanded channels), `mbv2` (ProxylessNAS / MobileNetV2: ReLU6, no SE). [`auto`: `mbv3` when
   * any key carries `se:` or `hs:` flags, else `mbv2`]
   */
  family?: 'auto' | 'mbv2' | 'mbv3';
  /** Header fields of the imported LUT: runtime name ['ofa-yaml'], device ['unknown'], date [now]. */
  runtime?: string;
  device?: string;
  date?: string;
}

/** Result of {@link importOfaLut}: the LUT, and which OFA keys became which entries or were left out and why. */
export interface OfaLutImport {
  lut: LatencyLut;
  imported: Array<{ ofaKey: string; key: string }>;
  skipped: Array<{ ofaKey: string; reason: string }>;
}

const API = 'fbnas.importOfaLut';

interface OfaKey {
  op: string;
  input: [number, number, number];
  output: number[];
  fields: Record<string, string>;
}

/** `expanded_conv-input:56x56x24-output:28x28x40-expand:4-kernel:5-stride:2-idskip:0-se:1-hs:0` → parts; null if not of that form. */
function parseOfaKey(key: string): OfaKey | null {
  const [op, ...rest] = key.split('-');
  const fields: Record<string, string> = {};
  for (const part of rest) {
    const colon = part.indexOf(':');
    if (colon <= 0) return null;
    fields[part.slice(0, colon)] = part.slice(colon + 1);
  }
  const dims = (s: string | undefined) => (s === undefined || !/^\d+(x\d+)*$/.test(s) ? null : s.split('x').map(Number));
  const input = dims(fields.input);
  const output = dims(fields.output);
  if (!op || !input || input.length !== 3 || !output) return null;
  return { op, input: input as [number, number, number], output, fields };
}

const flag = (fields: Record<string, string>, name: string) => fields[name] === '1';

/** The fbnas block of one OFA key, or the reason it has none. */
function toBlock(k: OfaKey, family: 'mbv2' | 'mbv3'): { block: Block; input: TensorShape } | { reason: string } {
  const [h, w, c] = k.input;
  const input = { height: h, width: w, channels: c };
  const act: Activation = family === 'mbv2' ? 'relu6' : flag(k.fields, 'hs') ? 'hswish' : 'relu';
  const [oh, , oc] = k.output.length === 3 ? k.output : [0, 0, 0];
  const stride = oh > 0 ? h / oh : Number.NaN;
  const int = (name: string) => (/^\d+$/.test(k.fields[name] ?? '') ? Number(k.fields[name]) : Number.NaN);
  switch (k.op) {
    case 'Conv':
    case 'Conv_1':
    case 'Conv_2': {
      if (k.output.length !== 3 || !Number.isInteger(stride) || stride < 1) return { reason: `output ${k.fields.output} is not a stride of input ${k.fields.input}` };
      if (k.op === 'Conv') return { block: withBlockDefaults({ op: 'conv', channels: oc, kernel: 3, stride, activation: family === 'mbv2' ? 'relu6' : 'hswish' }), input };
      // Conv_1: the final 1x1 expansion (BN + activation); Conv_2: OFA MobileNetV3's 1x1 feature mix after pooling (no BN)
      return { block: withBlockDefaults({ op: 'conv', channels: oc, kernel: 1, stride, activation: family === 'mbv2' ? 'relu6' : 'hswish', bn: k.op === 'Conv_1' }), input };
    }
    case 'expanded_conv': {
      const kernel = int('kernel');
      const expansion = Number(k.fields.expand);
      const s = int('stride');
      if (k.output.length !== 3 || !Number.isInteger(kernel) || !(expansion > 0) || !Number.isInteger(s) || s < 1) {
        return { reason: `needs output HxWxC, integer kernel and stride and a positive expand, got ${JSON.stringify(k.fields)}` };
      }
      const residual = s === 1 && c === oc && h === oh;
      if (flag(k.fields, 'idskip') !== residual) {
        return { reason: `idskip:${k.fields.idskip ?? 'missing'} but fbnas adds the identity exactly when stride is 1 and the shape is kept (${residual ? 'it is' : 'it is not'})` };
      }
      const se = family === 'mbv3' && flag(k.fields, 'se') ? { gate: 'hsigmoid', ratio: 0.25, divideByExpansion: false } : null;
      return { block: withBlockDefaults({ op: 'ir', channels: oc, kernel, stride: s, expansion, se, activation: act }), input };
    }
    case 'AvgPool2D':
      return { block: withBlockDefaults({ op: 'pool' }), input };
    case 'Logits':
      if (h !== 1 || w !== 1) return { reason: `input ${k.fields.input} is not pooled: fbnas times pooling and the classifier as two blocks` };
      return { block: withBlockDefaults({ op: 'fc', channels: k.output[0] }), input };
    default:
      return { reason: `unknown op ${JSON.stringify(k.op)}` };
  }
}

/**
 * Import a Once-for-All-style latency lookup table (YAML: `<op>-input:HxWxC-output:...-<name>:<value>...:
 * { count, mean }` in ms, as OFA and ProxylessNAS ship them) into an fbnas LUT. Each OFA op becomes the fbnas
 * block it describes (keys as `latencyLutKey`), so `costTableFromLut` can price any space built from those blocks;
 * entries fbnas cannot express (e.g. an unpooled `Logits`) are listed in `skipped` with the reason. OFA stores a
 * mean only: median, p10 and p90 all take it; the per-call overhead is 0 (OFA tables time ops inside a network).
 */
export function importOfaLut(yamlText: string, options: OfaLutImportOptions = {}): OfaLutImport {
  let doc: unknown;
  try {
    doc = parseYaml(yamlText, { uniqueKeys: true });
  } catch (err) {
    throw new LatencyModelError('CORRUPT_LUT', API, `not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new LatencyModelError('CORRUPT_LUT', API, 'an OFA table must be a YAML mapping of op keys to { count, mean }');
  const keys = Object.keys(doc);
  const option = options.family ?? 'auto';
  if (!['auto', 'mbv2', 'mbv3'].includes(option)) throw new LatencyModelError('INVALID_ARGUMENT', API, `options.family must be "auto", "mbv2" or "mbv3", got ${JSON.stringify(option)}`);
  const family = option === 'auto' ? (keys.some((k) => /-(se|hs):/.test(k)) ? 'mbv3' : 'mbv2') : option;
  const entries: Record<string, LatencyLutEntry> = {};
  const imported: OfaLutImport['imported'] = [];
  const skipped: OfaLutImport['skipped'] = [];
  for (const ofaKey of keys) {
    const raw = (doc as Record<string, unknown>)[ofaKey];
    const value = raw !== null && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
    const mean = value.mean;
    const count = value.count ?? 1;
    if (typeof mean !== 'number' || !Number.isFinite(mean) || mean < 0 || !Number.isInteger(count) || (count as number) < 1) {
      throw new LatencyModelError('CORRUPT_LUT', API, `${JSON.stringify(ofaKey)} must map to { count: positive integer, mean: finite ms >= 0 }, got ${JSON.stringify(raw)}`);
    }
    const parsed = parseOfaKey(ofaKey);
    const mapped = parsed ? toBlock(parsed, family) : { reason: 'not of the form <op>-input:HxWxC-output:...' };
    if ('reason' in mapped) {
      skipped.push({ ofaKey, reason: mapped.reason });
      continue;
    }
    const key = latencyLutKey(mapped.block, mapped.input);
    entries[key] = { median: mean, p10: mean, p90: mean, samples: count as number };
    imported.push({ ofaKey, key });
  }
  const lut = parseLatencyLut({
    format: LATENCY_LUT_FORMAT,
    header: { runtime: options.runtime ?? 'ofa-yaml', runtimeVersion: `imported (${family})`, threads: 1, cpu: options.device ?? 'unknown', date: options.date ?? new Date().toISOString(), unit: 'ms', batch: 1, overheadMs: 0 },
    entries,
  });
  return { lut, imported, skipped };
}
