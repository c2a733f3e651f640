import { ARCH_FORMAT } from '../contract';
import type { Arch, Block } from '../arch/types';
import { validateGenome } from '../space/validateGenome';
import { SearchSpaceError, describeValue } from '../errors';
import type { ArchSpace, Dimension, Genome, SearchSpace } from '../space/types';

/** Range of one FBNetV3 stage (inclusive, channels on a grid of 8). */
export interface FbnetV3StageRange {
  name: string;
  stride: number;
  channels: [min: number, max: number];
  depth: [min: number, max: number];
  /** Expansion of the stage's first block and of the others (integers). */
  expansionFirst: [min: number, max: number];
  expansionRest: [min: number, max: number];
}

/**
 * FBNetV3 stage ranges. The paper's Table 1 is unverified (fbnet-family.md §3.2), so these ranges are
 * inferred from the released models: each encloses every value FBNetV3-A..G use.
 */
export const FBNETV3_STAGE_RANGES: readonly FbnetV3StageRange[] = [
  { name: 's1', stride: 1, channels: [16, 24], depth: [1, 4], expansionFirst: [1, 1], expansionRest: [1, 1] },
  { name: 's2', stride: 2, channels: [24, 40], depth: [3, 7], expansionFirst: [3, 6], expansionRest: [1, 4] },
  { name: 's3', stride: 2, channels: [32, 64], depth: [4, 7], expansionFirst: [3, 6], expansionRest: [1, 4] },
  { name: 's4a', stride: 2, channels: [64, 112], depth: [4, 7], expansionFirst: [3, 6], expansionRest: [2, 4] },
  { name: 's4b', stride: 1, channels: [112, 168], depth: [5, 10], expansionFirst: [3, 6], expansionRest: [2, 4] },
  { name: 's5a', stride: 2, channels: [176, 272], depth: [5, 8], expansionFirst: [4, 7], expansionRest: [3, 6] },
  { name: 's5b', stride: 1, channels: [208, 288], depth: [1, 2], expansionFirst: [5, 7], expansionRest: [5, 7] },
];

const STAGE_FIELDS = ['channels', 'depth', 'kernel', 'expansionFirst', 'expansionRest', 'se', 'activation'] as const;

function stageDims(r: FbnetV3StageRange): Dimension[] {
  return [
    { kind: 'int', name: `${r.name}.channels`, min: r.channels[0], max: r.channels[1], step: 8 },
    { kind: 'int', name: `${r.name}.depth`, min: r.depth[0], max: r.depth[1], step: 1 },
    { kind: 'categorical', name: `${r.name}.kernel`, choices: [3, 5] },
    { kind: 'int', name: `${r.name}.expansionFirst`, min: r.expansionFirst[0], max: r.expansionFirst[1], step: 1 },
    { kind: 'int', name: `${r.name}.expansionRest`, min: r.expansionRest[0], max: r.expansionRest[1], step: 1 },
    { kind: 'categorical', name: `${r.name}.se`, choices: [false, true] },
    { kind: 'categorical', name: `${r.name}.activation`, choices: ['relu', 'hswish'] },
  ];
}

/**
 * The FBNetV3 architecture space (fbnet-family.md §3.2): input resolution, stem width, and per stage
 * width, depth, kernel, expansions, SE and activation; head `ir_pool` (e = 6) to 1984 + FC, mobile-vision
 * rules (width divisor 8, SE width divided by expansion).
 * @example
 * import { fbnetV3Space, sampleSobol } from '@fbnas/search-space';
 * const space = fbnetV3Space();
 * const arch = space.toArch(sampleSobol(space, 1)[0]);
 */
export function fbnetV3Space(options: { numClasses?: number; resolutions?: readonly number[] } = {}): ArchSpace {
  const numClasses = options.numClasses ?? 1000;
  const resolutions = options.resolutions ?? [224, 232, 240, 248, 256, 264, 272, 280, 288, 296, 304, 312, 320];
  const dims: Dimension[] = [
    { kind: 'categorical', name: 'resolution', choices: [...resolutions] },
    { kind: 'int', name: 'stem.channels', min: 16, max: 32, step: 8 },
    ...FBNETV3_STAGE_RANGES.flatMap(stageDims),
  ];
  const space: ArchSpace = {
    name: 'fbnetv3',
    dims,
    toArch(genome: Genome): Arch {
      validateGenome(space, genome, 'fbnas.fbnetV3Space.toArch');
      const blocks: Block[] = [
        { op: 'conv', stage: 0, channels: genome[1], kernel: 3, stride: 2, groups: 1, padding: null, activation: 'hswish', bn: true, bias: false },
      ];
      FBNETV3_STAGE_RANGES.forEach((r, s) => {
        const g = genome.slice(2 + s * STAGE_FIELDS.length, 2 + (s + 1) * STAGE_FIELDS.length);
        const [channels, depth, kernelIdx, eFirst, eRest, seIdx, actIdx] = g;
        for (let j = 0; j < depth; j++) {
          blocks.push({
            op: 'ir',
            stage: s + 1,
            channels,
            kernel: kernelIdx === 0 ? 3 : 5,
            stride: j === 0 ? r.stride : 1,
            expansion: j === 0 ? eFirst : eRest,
            groups: 1,
            shuffle: false,
            se: seIdx === 1 ? { gate: 'hsigmoid', ratio: 0.25, divideByExpansion: true } : null,
            activation: actIdx === 0 ? 'relu' : 'hswish',
            bias: false,
            dwPadding: null,
            alwaysPw: false,
          });
        }
      });
      const head = FBNETV3_STAGE_RANGES.length + 1;
      blocks.push(
        { op: 'ir_pool', stage: head, channels: 1984, expansion: 6, activation: 'hswish', bias: false },
        { op: 'pool', stage: head + 1, kind: 'avg' },
        { op: 'fc', stage: head + 1, channels: numClasses, bias: true, dropout: 0 },
      );
      return {
        format: ARCH_FORMAT,
        name: null,
        inputSize: resolutions[genome[0]],
        inputChannels: 3,
        rules: { widthDivisor: 8, unitExpansionPw: 'omit' },
        blocks,
      };
    },
  };
  return space;
}

/** A training recipe (FBNetV3's searched hyperparameters, fbnet-family.md §3.2 and addendum). */
export interface TrainingRecipe {
  optimizer: 'sgd' | 'rmsprop' | 'adam';
  learningRate: number;
  weightDecay: number;
  mixup: number;
  dropout: number;
  stochasticDepth: number;
  ema: boolean;
  epochs: number;
}

/** Options of {@link recipeSpace}; defaults in brackets. */
export interface RecipeSpaceOptions {
  /** Epoch budgets to search over [[90]]. */
  epochs?: readonly number[];
  /** Optimizers to search over [sgd, rmsprop, adam]; FBNetV3 itself used SGD and RMSProp. */
  optimizers?: ReadonlyArray<TrainingRecipe['optimizer']>;
  /** Range of the learning-rate gene (log-uniform) [1e-3, 0.5]. */
  learningRate?: readonly [number, number];
  /**
   * Factor per optimizer between the gene and the recipe's learning rate [1 each], so one range fits
   * optimizers with different scales (e.g. `{ rmsprop: 0.1 }`: RMSProp runs at a tenth of SGD's rate).
   */
  learningRateScale?: Partial<Record<TrainingRecipe['optimizer'], number>>;
}

const OPTIMIZERS = ['sgd', 'rmsprop', 'adam'] as const;

/**
 * The training-recipe space: optimizer, learning rate (log), weight decay (log), mixup, dropout,
 * stochastic depth, EMA, epochs. FBNetV3's exact ranges are unverified; these are documented defaults.
 */
export function recipeSpace(options: RecipeSpaceOptions = {}): SearchSpace & { toRecipe(genome: Genome): TrainingRecipe } {
  const api = 'fbnas.recipeSpace';
  const epochs = options.epochs ?? [90];
  const optimizers = options.optimizers ?? OPTIMIZERS;
  const [lrMin, lrMax] = options.learningRate ?? [1e-3, 0.5];
  if (optimizers.length === 0 || optimizers.some((o) => !OPTIMIZERS.includes(o))) {
    throw new SearchSpaceError('INVALID_ARGUMENT', api, `options.optimizers must be a non-empty list of ${OPTIMIZERS.join(', ')}, got ${describeValue(options.optimizers)}`);
  }
  if (!(lrMin > 0 && lrMax > lrMin)) throw new SearchSpaceError('INVALID_ARGUMENT', api, `options.learningRate must be [min, max] with 0 < min < max, got ${describeValue(options.learningRate)}`);
  for (const [k, v] of Object.entries(options.learningRateScale ?? {})) {
    if (!(v > 0)) throw new SearchSpaceError('INVALID_ARGUMENT', api, `options.learningRateScale.${k} must be positive, got ${describeValue(v)}`);
  }
  const space = {
    name: 'fbnetv3-recipe',
    dims: [
      { kind: 'categorical', name: 'optimizer', choices: [...optimizers] },
      { kind: 'float', name: 'learningRate', min: lrMin, max: lrMax, log: true },
      { kind: 'float', name: 'weightDecay', min: 1e-6, max: 1e-4, log: true },
      { kind: 'float', name: 'mixup', min: 0, max: 0.4, log: false },
      { kind: 'float', name: 'dropout', min: 0, max: 0.4, log: false },
      { kind: 'float', name: 'stochasticDepth', min: 0, max: 0.2, log: false },
      { kind: 'categorical', name: 'ema', choices: [false, true] },
      { kind: 'categorical', name: 'epochs', choices: [...epochs] },
    ] as Dimension[],
    toRecipe(genome: Genome): TrainingRecipe {
      validateGenome(space, genome, 'fbnas.recipeSpace.toRecipe');
      const optimizer = optimizers[genome[0]];
      return {
        optimizer,
        learningRate: genome[1] * (options.learningRateScale?.[optimizer] ?? 1),
        weightDecay: genome[2],
        mixup: genome[3],
        dropout: genome[4],
        stochasticDepth: genome[5],
        ema: genome[6] === 1,
        epochs: epochs[genome[7]],
      };
    },
  };
  return space;
}

/** A joint architecture + recipe space (FBNetV3 searches both): genome = arch genes then recipe genes. */
export function jointSpace(arch: ArchSpace, recipe: ReturnType<typeof recipeSpace>): ArchSpace & { split(genome: Genome): { arch: Genome; recipe: Genome }; toRecipe(genome: Genome): TrainingRecipe } {
  const n = arch.dims.length;
  const space = {
    name: `${arch.name}+${recipe.name}`,
    dims: [...arch.dims, ...recipe.dims],
    split(genome: Genome) {
      validateGenome(space, genome, 'fbnas.jointSpace.split');
      return { arch: genome.slice(0, n), recipe: genome.slice(n) };
    },
    toArch(genome: Genome) {
      return arch.toArch(space.split(genome).arch);
    },
    toRecipe(genome: Genome) {
      return recipe.toRecipe(space.split(genome).recipe);
    },
  };
  return space;
}
