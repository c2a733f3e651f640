import { ARCH_FORMAT, type Activation } from '../contract';
import type { Arch, ArchRules, Block } from '../arch/types';
import { SearchSpaceError, describeValue } from '../errors';
import type { TensorShape } from '../blocks/convCost';
import { convOutputSize } from '../blocks/convCost';
import { validateGenome } from '../space/validateGenome';
import type { ArchSpace, Genome } from '../space/types';

/** A candidate block of a layer-wise space, independent of the layer's widths. */
export type CandidateSpec =
  | { name: string; op: 'ir'; kernel: number; expansion: number; groups: number }
  | { name: string; op: 'skip' };

/** One searchable layer: fixed input/output widths and stride. */
export interface LayerSpec {
  index: number;
  stage: number;
  inChannels: number;
  outChannels: number;
  stride: number;
  /** Input feature map of this layer. */
  input: TensorShape;
}

/** Macro-architecture of a layer-wise space (FBNet paper Table 1 style). */
export interface LayerwiseSpaceConfig {
  name: string;
  inputSize: number;
  inputChannels: number;
  numClasses: number;
  rules: ArchRules;
  activation: Activation;
  stem: { channels: number; kernel: number; stride: number };
  /** Per stage: output channels, number of searchable layers, stride of its first layer. */
  stages: ReadonlyArray<{ channels: number; layers: number; stride: number }>;
  headChannels: number;
  candidates: readonly CandidateSpec[];
}

/**
 * A space where each of L layers picks one of the same candidate blocks (FBNet DNAS): genome[l] is
 * the candidate index of layer l.
 */
export interface LayerwiseSpace extends ArchSpace {
  readonly kind: 'layerwise';
  readonly config: LayerwiseSpaceConfig;
  readonly layers: readonly LayerSpec[];
  /** Fixed blocks before the searchable layers. */
  readonly stem: readonly Block[];
  /** Fixed blocks after them (1x1 conv, pool, fc). */
  readonly head: readonly Block[];
  /** Input of the head. */
  readonly headInput: TensorShape;
  /** The concrete block of candidate `candidate` at layer `layer`. */
  candidateBlock(layer: number, candidate: number): Block;
  /** The genome of an architecture of this space; `OUT_OF_SPACE` error naming the layer otherwise. */
  fromArch(arch: Arch): Genome;
}

function candidateToBlock(c: CandidateSpec, layer: LayerSpec, activation: Activation): Block {
  if (c.op === 'skip') return { op: 'skip', stage: layer.stage, channels: layer.outChannels, stride: layer.stride, activation };
  return {
    op: 'ir',
    stage: layer.stage,
    channels: layer.outChannels,
    kernel: c.kernel,
    stride: layer.stride,
    expansion: c.expansion,
    groups: c.groups,
    shuffle: c.groups > 1,
    se: null,
    activation,
    bias: false,
    dwPadding: null,
    alwaysPw: false,
  };
}

const sameBlock = (a: Block, b: Block) => JSON.stringify({ ...a, stage: 0 }) === JSON.stringify({ ...b, stage: 0 });

/** Build a layer-wise space from its macro-architecture. */
export function createLayerwiseSpace(config: LayerwiseSpaceConfig): LayerwiseSpace {
  const { activation } = config;
  const stem: Block[] = [
    {
      op: 'conv',
      stage: 0,
      channels: config.stem.channels,
      kernel: config.stem.kernel,
      stride: config.stem.stride,
      groups: 1,
      padding: null,
      activation,
      bn: true,
      bias: false,
    },
  ];
  const pad = Math.floor(config.stem.kernel / 2);
  let size = convOutputSize(config.inputSize, config.stem.kernel, config.stem.stride, pad);
  let channels = config.stem.channels;
  const layers: LayerSpec[] = [];
  config.stages.forEach((st, s) => {
    for (let j = 0; j < st.layers; j++) {
      const stride = j === 0 ? st.stride : 1;
      layers.push({
        index: layers.length,
        stage: s + 1,
        inChannels: channels,
        outChannels: st.channels,
        stride,
        input: { height: size, width: size, channels },
      });
      size = convOutputSize(size, 1, stride, 0);
      channels = st.channels;
    }
  });
  const headStage = config.stages.length + 1;
  const head: Block[] = [
    { op: 'conv', stage: headStage, channels: config.headChannels, kernel: 1, stride: 1, groups: 1, padding: null, activation, bn: true, bias: false },
    { op: 'pool', stage: headStage + 1, kind: 'avg' },
    { op: 'fc', stage: headStage + 1, channels: config.numClasses, bias: true, dropout: 0 },
  ];
  const dims = layers.map((l) => ({ kind: 'categorical' as const, name: `layer${l.index}`, choices: config.candidates.map((c) => c.name) }));
  const space: LayerwiseSpace = {
    kind: 'layerwise',
    name: config.name,
    config,
    dims,
    layers,
    stem,
    head,
    headInput: { height: size, width: size, channels },
    candidateBlock(layer, candidate) {
      const api = 'fbnas.LayerwiseSpace.candidateBlock';
      if (!Number.isInteger(layer) || layer < 0 || layer >= layers.length) {
        throw new SearchSpaceError('INVALID_ARGUMENT', api, `layer must be an integer in [0, ${layers.length - 1}], got ${describeValue(layer)}`);
      }
      if (!Number.isInteger(candidate) || candidate < 0 || candidate >= config.candidates.length) {
        throw new SearchSpaceError('INVALID_ARGUMENT', api, `candidate must be an integer in [0, ${config.candidates.length - 1}], got ${describeValue(candidate)}`);
      }
      return candidateToBlock(config.candidates[candidate], layers[layer], activation);
    },
    toArch(genome) {
      validateGenome(space, genome, 'fbnas.LayerwiseSpace.toArch');
      return {
        format: ARCH_FORMAT,
        name: null,
        inputSize: config.inputSize,
        inputChannels: config.inputChannels,
        rules: { ...config.rules },
        blocks: [...stem, ...layers.map((l) => space.candidateBlock(l.index, genome[l.index])), ...head],
      };
    },
    fromArch(arch) {
      const api = 'fbnas.LayerwiseSpace.fromArch';
      const expected = stem.length + layers.length + head.length;
      if (arch.blocks.length !== expected) {
        throw new SearchSpaceError('OUT_OF_SPACE', api, `an architecture of ${config.name} has ${expected} blocks, got ${arch.blocks.length}`);
      }
      if (arch.inputSize !== config.inputSize || arch.inputChannels !== config.inputChannels) {
        throw new SearchSpaceError('OUT_OF_SPACE', api, `input must be ${config.inputSize}x${config.inputSize}x${config.inputChannels}, got ${arch.inputSize}x${arch.inputSize}x${arch.inputChannels}`);
      }
      if (arch.rules.widthDivisor !== config.rules.widthDivisor || arch.rules.unitExpansionPw !== config.rules.unitExpansionPw) {
        throw new SearchSpaceError('OUT_OF_SPACE', api, `rules must be ${JSON.stringify(config.rules)}, got ${JSON.stringify(arch.rules)}`);
      }
      const fixed = [...stem.map((b, i) => [b, i] as const), ...head.map((b, i) => [b, stem.length + layers.length + i] as const)];
      for (const [b, i] of fixed) {
        if (!sameBlock(b, arch.blocks[i])) throw new SearchSpaceError('OUT_OF_SPACE', api, `blocks[${i}] differs from the fixed ${b.op} block of ${config.name}`, `blocks[${i}]`);
      }
      return layers.map((l) => {
        const block = arch.blocks[stem.length + l.index];
        const c = config.candidates.findIndex((_, ci) => sameBlock(space.candidateBlock(l.index, ci), block));
        if (c < 0) {
          throw new SearchSpaceError('OUT_OF_SPACE', api, `blocks[${stem.length + l.index}] (layer ${l.index}) is none of the candidates ${config.candidates.map((x) => x.name).join(', ')}`, `blocks[${stem.length + l.index}]`);
        }
        return c;
      });
    },
  };
  return space;
}
