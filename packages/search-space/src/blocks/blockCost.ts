import type { ArchRules, Block } from '../arch/types';
import { convBlockCost } from './convBlockCost';
import type { BnParamCounting, LayerCost, TensorShape } from './convCost';
import { fcCost } from './fcCost';
import { irCost } from './irCost';
import { irPoolCost } from './irPoolCost';
import { poolCost } from './poolCost';
import { skipCost } from './skipCost';

/**
 * Output shape, multiply-adds and parameters of any block on a given input. The block vocabulary is
 * closed (the schema enumerates it), so this dispatch is a switch rather than a registry.
 */
export function blockCost(block: Block, input: TensorShape, rules: ArchRules, bnParams: BnParamCounting = 'affine'): LayerCost {
  switch (block.op) {
    case 'conv':
      return convBlockCost(block, input, bnParams);
    case 'ir':
      return irCost(block, input, rules, bnParams);
    case 'skip':
      return skipCost(block, input, bnParams);
    case 'ir_pool':
      return irPoolCost(block, input, rules, bnParams);
    case 'pool':
      return poolCost(input);
    case 'fc':
      return fcCost(block, input);
  }
}
