import type { SkipBlock } from '../arch/types';
import { convCost, type BnParamCounting, type LayerCost, type TensorShape } from './convCost';

/** Whether a skip block is a plain identity (same channels, stride 1) rather than a 1x1 projection. */
export function isIdentitySkip(block: SkipBlock, inChannels: number): boolean {
  return block.stride === 1 && block.channels === inChannels;
}

/** Cost of `skip`: zero for identity, else a 1x1 conv (stride s, no bias) + BN. */
export function skipCost(block: SkipBlock, input: TensorShape, bnParams: BnParamCounting = 'affine'): LayerCost {
  if (isIdentitySkip(block, input.channels)) return { output: input, macs: 0, params: 0 };
  return convCost(input, block.channels, 1, block.stride, 0, 1, { bias: false, bn: true, bnParams });
}
