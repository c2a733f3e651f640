import type { ArchRules, IrBlock } from '../arch/types';
import { BlockShapeError, chainCosts, convCost, type BnParamCounting, type LayerCost, type TensorShape } from './convCost';
import { irBlockLayout } from './irBlockLayout';

/** Cost of an inverted-residual block: pw + dw + SE (two 1x1 convs with bias on the pooled map) + pwl. */
export function irCost(block: IrBlock, input: TensorShape, rules: ArchRules, bnParams: BnParamCounting = 'affine'): LayerCost {
  const layout = irBlockLayout(block, input.channels, rules);
  const bias = block.bias;
  if (layout.hasPw && (input.channels % block.groups !== 0 || layout.midChannels % block.groups !== 0)) {
    throw new BlockShapeError(`groups ${block.groups} must divide in channels ${input.channels} and mid channels ${layout.midChannels}`);
  }
  const costs: LayerCost[] = [];
  let x = input;
  if (layout.hasPw) {
    const pw = convCost(x, layout.midChannels, 1, 1, 0, block.groups, { bias, bn: true, bnParams });
    costs.push(pw);
    x = pw.output;
  }
  const dw = convCost(x, layout.midChannels, block.kernel, block.stride, layout.dwPadding, layout.midChannels, { bias, bn: true, bnParams });
  costs.push(dw);
  x = dw.output;
  if (layout.seChannels > 0) {
    const pooled: TensorShape = { height: 1, width: 1, channels: layout.midChannels };
    const squeeze = convCost(pooled, layout.seChannels, 1, 1, 0, 1, { bias: true, bn: false });
    const excite = convCost(squeeze.output, layout.midChannels, 1, 1, 0, 1, { bias: true, bn: false });
    costs.push({ output: x, macs: squeeze.macs + excite.macs, params: squeeze.params + excite.params });
  }
  costs.push(convCost(x, block.channels, 1, 1, 0, block.groups, { bias, bn: true, bnParams }));
  return chainCosts(input, costs);
}
