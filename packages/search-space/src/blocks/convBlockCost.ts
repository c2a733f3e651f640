import type { ConvBlock } from '../arch/types';
import { convCost, type BnParamCounting, type LayerCost, type TensorShape } from './convCost';

/** Cost of a plain conv block (conv [+ BN] [+ activation]). */
export function convBlockCost(block: ConvBlock, input: TensorShape, bnParams: BnParamCounting = 'affine'): LayerCost {
  const padding = block.padding ?? Math.floor(block.kernel / 2);
  return convCost(input, block.channels, block.kernel, block.stride, padding, block.groups, { bias: block.bias, bn: block.bn, bnParams });
}
