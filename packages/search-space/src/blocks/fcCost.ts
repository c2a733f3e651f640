import type { FcBlock } from '../arch/types';
import { BlockShapeError, type LayerCost, type TensorShape } from './convCost';

/** Fully connected layer on a pooled input. */
export function fcCost(block: FcBlock, input: TensorShape): LayerCost {
  if (input.height !== 1 || input.width !== 1) {
    throw new BlockShapeError(`fc needs a pooled 1x1 input, got ${input.height}x${input.width}; add {"op":"pool"} before it`);
  }
  const weights = input.channels * block.channels;
  return {
    output: { height: 1, width: 1, channels: block.channels },
    macs: weights,
    params: weights + (block.bias ? block.channels : 0),
  };
}
