import { makeDivisible } from '../arch/makeDivisible';
import type { ArchRules, IrPoolBlock } from '../arch/types';
import { convCost, type BnParamCounting, type LayerCost, type TensorShape } from './convCost';

/** Mid channels of an `ir_pool` head and whether its first 1x1 conv exists. */
export function irPoolLayout(block: IrPoolBlock, inChannels: number, rules: ArchRules): { midChannels: number; hasPw: boolean } {
  const midChannels = makeDivisible(inChannels * block.expansion, rules.widthDivisor);
  return { midChannels, hasPw: midChannels !== inChannels };
}

/** Cost of `ir_pool`: 1x1 expand + BN at full resolution, global pool, 1x1 conv (no BN) on 1x1. */
export function irPoolCost(block: IrPoolBlock, input: TensorShape, rules: ArchRules, bnParams: BnParamCounting = 'affine'): LayerCost {
  const { midChannels, hasPw } = irPoolLayout(block, input.channels, rules);
  let macs = 0;
  let params = 0;
  if (hasPw) {
    const pw = convCost(input, midChannels, 1, 1, 0, 1, { bias: block.bias, bn: true, bnParams });
    macs += pw.macs;
    params += pw.params;
  }
  const pwl = convCost({ height: 1, width: 1, channels: midChannels }, block.channels, 1, 1, 0, 1, { bias: block.bias, bn: false });
  return { output: pwl.output, macs: macs + pwl.macs, params: params + pwl.params };
}
