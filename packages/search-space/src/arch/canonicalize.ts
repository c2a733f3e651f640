import { ARCH_FORMAT } from '../contract';
import type { Arch, ArchRules, Block, SqueezeExcite } from './types';

type Loose = Record<string, unknown>;

const pick = <T>(value: unknown, fallback: T): T => (value === undefined ? fallback : (value as T));

/** Step 1: the rules with their defaults (mobile-vision: width divisor 8, omit the e=1 first conv). */
export function withDefaultRules(rules: unknown): ArchRules {
  const r = (rules ?? {}) as Loose;
  return { widthDivisor: pick(r.widthDivisor, 8), unitExpansionPw: pick(r.unitExpansionPw, 'omit') };
}

function canonicalSe(se: unknown): SqueezeExcite | null {
  if (se === null || se === undefined) return null;
  const s = se as Loose;
  return { gate: s.gate as SqueezeExcite['gate'], ratio: pick(s.ratio, 0.25), divideByExpansion: pick(s.divideByExpansion, false) };
}

/**
 * Step 2: one block with every field present, in a fixed key order (so serialisation is canonical).
 * `stage` is left as given (or -1) and resolved by {@link assignStages}.
 */
export function withBlockDefaults(raw: Loose): Block {
  const stage = pick<number>(raw.stage, -1);
  switch (raw.op) {
    case 'conv':
      return {
        op: 'conv',
        stage,
        channels: raw.channels as number,
        kernel: raw.kernel as number,
        stride: pick(raw.stride, 1),
        groups: pick(raw.groups, 1),
        padding: pick(raw.padding, null),
        activation: pick(raw.activation, 'relu'),
        bn: pick(raw.bn, true),
        bias: pick(raw.bias, false),
      };
    case 'ir': {
      const groups = pick<number>(raw.groups, 1);
      return {
        op: 'ir',
        stage,
        channels: raw.channels as number,
        kernel: raw.kernel as number,
        stride: pick(raw.stride, 1),
        expansion: raw.expansion as number,
        groups,
        shuffle: pick(raw.shuffle, groups > 1),
        se: canonicalSe(raw.se),
        activation: pick(raw.activation, 'relu'),
        bias: pick(raw.bias, false),
        dwPadding: pick(raw.dwPadding, null),
        alwaysPw: pick(raw.alwaysPw, false),
      };
    }
    case 'skip':
      return { op: 'skip', stage, channels: raw.channels as number, stride: pick(raw.stride, 1), activation: pick(raw.activation, 'relu') };
    case 'ir_pool':
      return {
        op: 'ir_pool',
        stage,
        channels: raw.channels as number,
        expansion: pick(raw.expansion, 6),
        activation: pick(raw.activation, 'relu'),
        bias: pick(raw.bias, false),
      };
    case 'pool':
      return { op: 'pool', stage, kind: 'avg' };
    case 'fc':
      return { op: 'fc', stage, channels: raw.channels as number, bias: pick(raw.bias, true), dropout: pick(raw.dropout, 0) };
    default:
      throw new Error(`unreachable: unknown op ${String(raw.op)}`);
  }
}

const family = (b: Block) => (b.op === 'skip' ? 'ir' : b.op === 'pool' || b.op === 'fc' ? 'head' : b.op);

/**
 * Step 3: blocks without a stage get one: the previous block's stage, or the next stage when the
 * block downsamples or starts another family (stem conv, IR body, head). Given stages are kept.
 */
export function assignStages(blocks: Block[]): Block[] {
  let previous: Block | null = null;
  return blocks.map((block) => {
    let stage = block.stage;
    if (stage < 0) {
      if (previous === null) stage = 0;
      else {
        const downsamples = 'stride' in block && block.stride > 1;
        stage = downsamples || family(block) !== family(previous) ? previous.stage + 1 : previous.stage;
      }
    }
    const next = { ...block, stage };
    previous = next;
    return next;
  });
}

/** All steps: a loosely specified (schema-valid) document to a canonical {@link Arch}. */
export function canonicalizeArch(doc: Loose): Arch {
  return {
    format: ARCH_FORMAT,
    name: pick(doc.name, null),
    inputSize: doc.inputSize as number,
    inputChannels: pick(doc.inputChannels, 3),
    rules: withDefaultRules(doc.rules),
    blocks: assignStages((doc.blocks as Loose[]).map(withBlockDefaults)),
  };
}
