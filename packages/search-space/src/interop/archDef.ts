import { ACTIVATIONS, ARCH_FORMAT, type Activation } from '../contract';
import { parseArch } from '../arch/parseArch';
import type { Arch, Block, IrBlock } from '../arch/types';
import { SearchSpaceError, describeValue } from '../errors';
import { formatMobileVisionOpName, parseMobileVisionOpName } from './mobileVisionOpName';

/** mobile-vision `arch_def` as JSON: stages of block tuples `[op, channels, stride, repeats, ...kwargs]`. */
export interface MobileVisionArchDef {
  input_size?: number;
  basic_args?: { width_divisor?: number; [key: string]: unknown };
  blocks: unknown[][][];
}

const API_FROM = 'fbnas.fromArchDef';
const API_TO = 'fbnas.toArchDef';

/** Keyword arguments we understand; others are rejected rather than silently dropped. */
const KNOWN_KWARGS = new Set(['expansion', 'bias', 'pwl_groups', 'less_se_channels', 'zero_last_bn_gamma', 'dw_args', 'always_pw', 'relu_args']);

function reluArgs(value: unknown, path: string): Activation {
  const name = typeof value === 'object' && value !== null ? (value as { name?: unknown }).name : value;
  if (name === 'none') return 'identity';
  if (name === 'hsig') return 'hsigmoid';
  if (typeof name === 'string' && (ACTIVATIONS as readonly string[]).includes(name)) return name as Activation;
  throw new SearchSpaceError('UNSUPPORTED', API_FROM, `${path}.relu_args ${describeValue(name)} is not an activation we model`, path);
}

function dwPadding(value: unknown, path: string): number {
  const p = (value as { padding?: unknown }).padding;
  const pad = Array.isArray(p) ? p : [p, p];
  if (pad.length !== 2 || pad[0] !== pad[1] || !Number.isInteger(pad[0]) || (pad[0] as number) < 0) {
    throw new SearchSpaceError('UNSUPPORTED', API_FROM, `${path}.dw_args.padding must be one symmetric non-negative integer, got ${describeValue(p)}`, path);
  }
  return pad[0] as number;
}

/**
 * mobile-vision `arch_def` -> our architecture. Repeats expand into blocks (stride on the first only);
 * the classifier mobile-vision adds (`ClsConvHead`: global pool + 1x1 conv with bias) becomes
 * `pool` + `fc` with `numClasses`. Unknown ops or keyword arguments are typed errors, never dropped.
 * @example
 * import { fromArchDef } from '@fbnas/search-space';
 * const arch = fromArchDef({ input_size: 224, blocks: [[['conv_k3', 16, 2, 1]], [['ir_k3', 24, 2, 2, { expansion: 6 }]]] });
 */
export function fromArchDef(def: MobileVisionArchDef, options: { numClasses?: number; name?: string } = {}): Arch {
  if (typeof def !== 'object' || def === null || !Array.isArray(def.blocks)) {
    throw new SearchSpaceError('INVALID_ARGUMENT', API_FROM, `def must be an object with a "blocks" array of stages, got ${describeValue(def)}`);
  }
  const blocks: Block[] = [];
  def.blocks.forEach((stageDef, s) => {
    if (!Array.isArray(stageDef)) throw new SearchSpaceError('INVALID_ARCH', API_FROM, `blocks[${s}] must be an array of block tuples`, `blocks[${s}]`);
    stageDef.forEach((tuple, t) => {
      const path = `blocks[${s}][${t}]`;
      if (!Array.isArray(tuple) || tuple.length < 4) throw new SearchSpaceError('INVALID_ARCH', API_FROM, `${path} must be [op, channels, stride, repeats, ...kwargs]`, path);
      const [name, channels, stride, repeats, ...extra] = tuple as [unknown, unknown, unknown, unknown, ...unknown[]];
      const parsed = typeof name === 'string' ? parseMobileVisionOpName(name) : null;
      if (!parsed) throw new SearchSpaceError('UNKNOWN_NAME', API_FROM, `${path}[0] op ${describeValue(name)} is not a block we model (ir_k*, conv_k*, ir_pool, skip)`, `${path}[0]`);
      for (const [v, what] of [[channels, 'channels'], [stride, 'stride'], [repeats, 'repeats']] as const) {
        if (!Number.isInteger(v) || (v as number) < 1) throw new SearchSpaceError('INVALID_ARCH', API_FROM, `${path} ${what} must be a positive integer, got ${describeValue(v)}`, path);
      }
      const kw: Record<string, unknown> = {};
      for (const e of extra) {
        if (typeof e !== 'object' || e === null || Array.isArray(e)) throw new SearchSpaceError('INVALID_ARCH', API_FROM, `${path} keyword arguments must be objects, got ${describeValue(e)}`, path);
        Object.assign(kw, e);
      }
      for (const key of Object.keys(kw)) {
        if (!KNOWN_KWARGS.has(key)) throw new SearchSpaceError('UNSUPPORTED', API_FROM, `${path} keyword ${JSON.stringify(key)} is not supported (supported: ${[...KNOWN_KWARGS].join(', ')})`, path);
      }
      const activation = kw.relu_args !== undefined ? reluArgs(kw.relu_args, path) : 'activation' in parsed ? parsed.activation : 'relu';
      for (let r = 0; r < (repeats as number); r++) {
        const st = r === 0 ? (stride as number) : 1;
        const c = channels as number;
        if (parsed.op === 'skip') blocks.push({ op: 'skip', stage: s, channels: c, stride: st, activation });
        else if (parsed.op === 'conv') {
          blocks.push({ op: 'conv', stage: s, channels: c, kernel: parsed.kernel, stride: st, groups: 1, padding: null, activation, bn: true, bias: kw.bias === true });
        } else if (parsed.op === 'ir_pool') {
          blocks.push({ op: 'ir_pool', stage: s, channels: c, expansion: (kw.expansion as number) ?? 6, activation, bias: kw.bias === true });
        } else {
          const pwl = kw.pwl_groups ?? 1;
          if (pwl !== parsed.groups) {
            throw new SearchSpaceError('UNSUPPORTED', API_FROM, `${path} has pw groups ${parsed.groups} but pwl_groups ${describeValue(pwl)}; fbnas IR blocks use one group count for both 1x1 convs`, path);
          }
          blocks.push({
            op: 'ir',
            stage: s,
            channels: c,
            kernel: parsed.kernel,
            stride: st,
            expansion: (kw.expansion as number) ?? 6,
            groups: parsed.groups,
            shuffle: parsed.groups > 1,
            se: parsed.se ? { gate: parsed.se, ratio: 0.25, divideByExpansion: kw.less_se_channels === true } : null,
            activation,
            bias: kw.bias === true,
            dwPadding: kw.dw_args !== undefined ? dwPadding(kw.dw_args, path) : null,
            alwaysPw: kw.always_pw === true,
          });
        }
      }
    });
  });
  const headStage = def.blocks.length;
  const numClasses = options.numClasses ?? 1000;
  blocks.push({ op: 'pool', stage: headStage, kind: 'avg' }, { op: 'fc', stage: headStage, channels: numClasses, bias: true, dropout: 0 });
  return parseArch({
    format: ARCH_FORMAT,
    name: options.name ?? null,
    inputSize: def.input_size ?? 224,
    inputChannels: 3,
    rules: { widthDivisor: def.basic_args?.width_divisor ?? 1, unitExpansionPw: 'omit' },
    blocks,
  });
}

function kwargsOf(block: Block): Record<string, unknown> {
  const kw: Record<string, unknown> = {};
  if (block.op === 'ir' || block.op === 'ir_pool') kw.expansion = block.expansion;
  if ((block.op === 'ir' || block.op === 'ir_pool' || block.op === 'conv') && block.bias) kw.bias = true;
  if ('activation' in block && block.activation !== 'relu' && block.activation !== 'hswish') {
    kw.relu_args = block.activation === 'identity' ? 'none' : block.activation;
  }
  if (block.op === 'ir') {
    if (block.groups > 1) kw.pwl_groups = block.groups;
    if (block.se?.divideByExpansion) kw.less_se_channels = true;
    if (block.dwPadding !== null) kw.dw_args = { padding: [block.dwPadding, block.dwPadding] };
    if (block.alwaysPw) kw.always_pw = true;
  }
  return kw;
}

function opNameOf(block: Block, index: number): string {
  const activation = 'activation' in block && block.activation === 'hswish' ? 'hswish' : 'relu';
  switch (block.op) {
    case 'skip':
      return 'skip';
    case 'ir_pool':
      return formatMobileVisionOpName({ op: 'ir_pool', activation });
    case 'conv':
      if (block.groups !== 1 || block.padding !== null || !block.bn) {
        throw new SearchSpaceError('UNSUPPORTED', API_TO, `blocks[${index}] conv with groups, explicit padding or no BN has no mobile-vision name`, `blocks[${index}]`);
      }
      return formatMobileVisionOpName({ op: 'conv', kernel: block.kernel, activation });
    case 'ir':
      if (block.se && block.se.ratio !== 0.25) throw new SearchSpaceError('UNSUPPORTED', API_TO, `blocks[${index}] SE ratio ${block.se.ratio} is not mobile-vision's 0.25`, `blocks[${index}]`);
      if (block.shuffle !== block.groups > 1) throw new SearchSpaceError('UNSUPPORTED', API_TO, `blocks[${index}] shuffle must follow groups > 1 in mobile-vision`, `blocks[${index}]`);
      return formatMobileVisionOpName({ op: 'ir', kernel: block.kernel, groups: block.groups, se: block.se?.gate ?? null, activation });
    default:
      throw new SearchSpaceError('UNSUPPORTED', API_TO, `blocks[${index}] ${block.op} has no place in a mobile-vision arch_def body`, `blocks[${index}]`);
  }
}

const sameExceptStride = (a: IrBlock | Block, b: Block) => JSON.stringify({ ...a, stride: 1 }) === JSON.stringify({ ...b, stride: 1 });

/**
 * Our architecture -> mobile-vision `arch_def` (body only) plus the class count of its `pool` + `fc` head.
 * Consecutive equal blocks of a stage with stride 1 after the first fold into one tuple with repeats.
 */
export function toArchDef(arch: Arch): { archDef: MobileVisionArchDef; numClasses: number } {
  const n = arch.blocks.length;
  const last = arch.blocks[n - 1];
  if (n < 3 || last.op !== 'fc' || arch.blocks[n - 2].op !== 'pool') {
    throw new SearchSpaceError('UNSUPPORTED', API_TO, 'the architecture must end with pool + fc (mobile-vision adds that classifier itself)');
  }
  if (arch.rules.unitExpansionPw !== 'omit') {
    throw new SearchSpaceError('UNSUPPORTED', API_TO, 'rules.unitExpansionPw must be "omit": mobile-vision always omits the first 1x1 conv when mid == in');
  }
  if (arch.inputChannels !== 3) throw new SearchSpaceError('UNSUPPORTED', API_TO, `inputChannels must be 3 for mobile-vision, got ${arch.inputChannels}`);
  const body = arch.blocks.slice(0, n - 2);
  const stages: unknown[][][] = [];
  let stageIndex = -1;
  body.forEach((block, i) => {
    if (block.stage !== stageIndex || stages.length === 0) {
      stages.push([]);
      stageIndex = block.stage;
    }
    const stage = stages[stages.length - 1];
    const prevTuple = stage[stage.length - 1] as unknown[] | undefined;
    const prevBlock = i > 0 ? body[i - 1] : null;
    const stride = 'stride' in block ? block.stride : 1;
    if (prevTuple && prevBlock && prevBlock.stage === block.stage && stride === 1 && sameExceptStride(prevBlock, block)) {
      prevTuple[3] = (prevTuple[3] as number) + 1;
      return;
    }
    const kw = kwargsOf(block);
    const channels = 'channels' in block ? block.channels : 0;
    stage.push([opNameOf(block, i), channels, stride, 1, ...(Object.keys(kw).length > 0 ? [kw] : [])]);
  });
  return {
    archDef: { input_size: arch.inputSize, basic_args: { width_divisor: arch.rules.widthDivisor }, blocks: stages },
    numClasses: last.channels,
  };
}
