import { blockCost, parseArch, type Arch, type Block, type TensorShape } from '@fbnas/search-space';
import { MultitaskError } from './errors';

/**
 * FBNetV5's search space over a backbone: every block whose output has its input's shape (stride 1, same
 * channels) may be kept or skipped (replaced by the identity), A = {0,1}^B over those B blocks. The backbone
 * is an architecture's blocks before its first `pool` (heads are the tasks'). Shapes never depend on the
 * choice, so task heads can read any block's output.
 */
export interface KeepSkipSpace {
  /** The backbone: the architecture up to (not including) its first `pool` block. */
  readonly backbone: Arch;
  /** Indices (into `backbone.blocks`) of the blocks that may be skipped, in order. */
  readonly skippable: readonly number[];
  /** Output shape of every backbone block (the same whatever is skipped). */
  readonly shapes: readonly TensorShape[];
  /** Multiply-adds of every backbone block (batch 1). */
  readonly blockMacs: readonly number[];
  /**
   * The backbone with the blocks that `keep` (one flag per skippable block) skips removed; with `through`,
   * only the blocks up to that backbone index (a head's tap: later blocks do not reach it).
   */
  toArch(keep: readonly boolean[], through?: number): Arch;
  /** Multiply-adds of the backbone under `keep` (through block `through` when given). */
  macs(keep: readonly boolean[], through?: number): number;
  /** The sum of `blockCosts` (one per backbone block) over the blocks `keep` keeps, through `through`. */
  cost(keep: readonly boolean[], blockCosts: readonly number[], through?: number): number;
}

/**
 * The keep/skip space of an architecture's backbone.
 * @example
 * import { fbnet28Space } from '@fbnas/search-space';
 * import { keepSkipSpace } from '@fbnas/multitask';
 * const space = keepSkipSpace(fbnet28Space().toArch(new Array(22).fill(0)));
 * console.log(space.skippable.length, space.macs(space.skippable.map(() => true)));
 */
export function keepSkipSpace(arch: Arch): KeepSkipSpace {
  const api = 'fbnas.keepSkipSpace';
  const checked = parseArch(arch);
  const end = checked.blocks.findIndex((b) => b.op === 'pool' || b.op === 'fc');
  const blocks: Block[] = end < 0 ? [...checked.blocks] : checked.blocks.slice(0, end);
  if (blocks.length === 0) throw new MultitaskError('INVALID_ARGUMENT', api, 'the architecture has no backbone blocks before its pool / fc head');
  const shapes: TensorShape[] = [];
  const blockMacs: number[] = [];
  const skippable: number[] = [];
  let shape: TensorShape = { height: checked.inputSize, width: checked.inputSize, channels: checked.inputChannels };
  blocks.forEach((block, i) => {
    const cost = blockCost(block, shape, checked.rules);
    const same = cost.output.height === shape.height && cost.output.width === shape.width && cost.output.channels === shape.channels;
    if (same && (block.op === 'ir' || block.op === 'conv')) skippable.push(i);
    shapes.push(cost.output);
    blockMacs.push(cost.macs);
    shape = cost.output;
  });
  if (skippable.length === 0) throw new MultitaskError('INVALID_ARGUMENT', api, `no block of ${checked.name ?? 'the architecture'} keeps its input's shape: nothing to keep or skip`);
  const backbone: Arch = { ...checked, blocks };
  const checkKeep = (keep: readonly boolean[], fn: string) => {
    if (!Array.isArray(keep) || keep.length !== skippable.length || keep.some((k) => typeof k !== 'boolean')) {
      throw new MultitaskError('SHAPE_MISMATCH', `fbnas.KeepSkipSpace.${fn}`, `keep must be ${skippable.length} booleans (one per skippable block), got ${Array.isArray(keep) ? `${keep.length} values` : typeof keep}`);
    }
  };
  const skipped = (keep: readonly boolean[]) => new Set(skippable.filter((_, j) => !keep[j]));
  const checkThrough = (through: number | undefined, fn: string) => {
    const t = through ?? blocks.length - 1;
    if (!(Number.isInteger(t) && t >= 0 && t < blocks.length)) throw new MultitaskError('INVALID_ARGUMENT', `fbnas.KeepSkipSpace.${fn}`, `through must be a backbone block index in [0, ${blocks.length - 1}], got ${String(through)}`);
    return t;
  };
  const keptSum = (keep: readonly boolean[], costs: readonly number[], through: number | undefined, fn: string) => {
    checkKeep(keep, fn);
    const t = checkThrough(through, fn);
    const drop = skipped(keep);
    return costs.reduce((s, c, i) => (i > t || drop.has(i) ? s : s + c), 0);
  };
  return {
    backbone,
    skippable,
    shapes,
    blockMacs,
    toArch(keep, through) {
      checkKeep(keep, 'toArch');
      const t = checkThrough(through, 'toArch');
      const drop = skipped(keep);
      return { ...backbone, blocks: blocks.filter((_, i) => i <= t && !drop.has(i)) };
    },
    macs: (keep, through) => keptSum(keep, blockMacs, through, 'macs'),
    cost: (keep, blockCosts, through) => keptSum(keep, blockCosts, through, 'cost'),
  };
}
