import type { Activation } from '@fbnas/search-space';
import type { EmitContext } from './emitContext';

/** An activation as ONNX nodes: Relu, Clip(0, 6), HardSwish, HardSigmoid(1/6, 1/2), Sigmoid, x * Sigmoid(x). */
export function emitActivation(ctx: EmitContext, x: string, activation: Activation): string {
  const { g } = ctx;
  switch (activation) {
    case 'relu':
      return g.node('Relu', [x]);
    case 'relu6':
      return g.node('Clip', [x, g.constant(g.name('zero'), [], Float32Array.of(0)), g.constant(g.name('six'), [], Float32Array.of(6))]);
    case 'hswish':
      return g.node('HardSwish', [x]);
    case 'hsigmoid':
      return g.node('HardSigmoid', [x], { alpha: 1 / 6, beta: 0.5 });
    case 'sigmoid':
      return g.node('Sigmoid', [x]);
    case 'swish':
      return g.node('Mul', [x, g.node('Sigmoid', [x])]);
    case 'identity':
      return x;
  }
}
