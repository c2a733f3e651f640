import type { Arch } from '../arch/types';
import { blockCost } from '../blocks/blockCost';
import { BlockShapeError, type BnParamCounting, type TensorShape } from '../blocks/convCost';
import { SearchSpaceError, describeValue } from '../errors';

/** Per-block row of {@link archStats}. */
export interface LayerStats {
  index: number;
  op: string;
  stage: number;
  input: TensorShape;
  output: TensorShape;
  macs: number;
  params: number;
}

/** Totals and per-block breakdown for one architecture at one input size (per image). */
export interface ArchStats {
  inputSize: number;
  /** Multiply-adds: what the FBNet papers call FLOPs. */
  macs: number;
  params: number;
  /** Sum of every block's output elements (float32 bytes = 4x). */
  activations: number;
  /** Largest input + output elements of any single block: a lower bound on inference memory. */
  peakActivations: number;
  output: TensorShape;
  layers: LayerStats[];
}

/** Options of {@link archStats}. */
export interface ArchStatsOptions {
  /** Override the architecture's input size (square). */
  inputSize?: number;
  /** BatchNorm parameters: `affine` (default, as PyTorch counts them) or `folded` into the convs. */
  bnParams?: BnParamCounting;
}

const elements = (s: TensorShape) => s.height * s.width * s.channels;

/**
 * Shape inference plus multiply-adds, parameters and activation memory of an architecture.
 * @example
 * import { archStats, getZooArch } from '@fbnas/search-space';
 * const stats = archStats(getZooArch('fbnet_a'));
 * console.log((stats.macs / 1e6).toFixed(1), 'M multiply-adds');
 */
export function archStats(arch: Arch, options: ArchStatsOptions = {}): ArchStats {
  const api = 'fbnas.archStats';
  const inputSize = options.inputSize ?? arch.inputSize;
  if (!Number.isInteger(inputSize) || inputSize < 1) {
    throw new SearchSpaceError('INVALID_ARGUMENT', api, `options.inputSize must be a positive integer, got ${describeValue(inputSize)}`);
  }
  const bnParams = options.bnParams ?? 'affine';
  if (bnParams !== 'affine' && bnParams !== 'folded') {
    throw new SearchSpaceError('INVALID_ARGUMENT', api, `options.bnParams must be "affine" or "folded", got ${describeValue(bnParams)}`);
  }
  let shape: TensorShape = { height: inputSize, width: inputSize, channels: arch.inputChannels };
  const layers: LayerStats[] = [];
  let macs = 0;
  let params = 0;
  let activations = 0;
  let peakActivations = elements(shape);
  arch.blocks.forEach((block, index) => {
    let cost;
    try {
      cost = blockCost(block, shape, arch.rules, bnParams);
    } catch (err) {
      if (err instanceof BlockShapeError) {
        throw new SearchSpaceError('INVALID_ARCH', api, `blocks[${index}] (${block.op}): ${err.message}`, `blocks[${index}]`);
      }
      throw err;
    }
    layers.push({ index, op: block.op, stage: block.stage, input: shape, output: cost.output, macs: cost.macs, params: cost.params });
    macs += cost.macs;
    params += cost.params;
    activations += elements(cost.output);
    peakActivations = Math.max(peakActivations, elements(shape) + elements(cost.output));
    shape = cost.output;
  });
  return { inputSize, macs, params, activations, peakActivations, output: shape, layers };
}
