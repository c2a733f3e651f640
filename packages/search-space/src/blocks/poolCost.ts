import type { LayerCost, TensorShape } from './convCost';

/** Global average pooling: no multiply-adds counted, no parameters. */
export function poolCost(input: TensorShape): LayerCost {
  return { output: { height: 1, width: 1, channels: input.channels }, macs: 0, params: 0 };
}
