import * as tf from '@tensorflow/tfjs';
import type { Activation } from '@fbnas/search-space';
import { fusedActivation } from '../ops/fusedOps';

/** Apply an activation by its contract name. hswish(x) = x * relu6(x + 3) / 6, hsigmoid(x) = relu6(x + 3) / 6. */
export function applyActivation(x: tf.Tensor, activation: Activation): tf.Tensor {
  switch (activation) {
    case 'relu':
    case 'relu6':
    case 'hswish':
    case 'hsigmoid':
      return fusedActivation(x, activation);
    case 'swish':
      return tf.mul(x, tf.sigmoid(x));
    case 'sigmoid':
      return tf.sigmoid(x);
    case 'identity':
      return x;
  }
}
