import * as tf from '@tensorflow/tfjs';

/**
 * Targets for cross-entropy: one-hot labels with label smoothing eps ((1 - eps) y + eps / K), optionally
 * mixed with a permutation of the batch (mixup: lambda y + (1 - lambda) y[perm]).
 */
export function softTargets(labels: Int32Array, numClasses: number, smoothing: number, mix: { lambda: number; perm: Int32Array } | null): tf.Tensor2D {
  const n = labels.length;
  const t = new Float32Array(n * numClasses).fill(smoothing / numClasses);
  const hot = 1 - smoothing;
  for (let i = 0; i < n; i++) {
    if (mix) {
      t[i * numClasses + labels[i]] += mix.lambda * hot;
      t[i * numClasses + labels[mix.perm[i]]] += (1 - mix.lambda) * hot;
    } else t[i * numClasses + labels[i]] += hot;
  }
  return tf.tensor2d(t, [n, numClasses]);
}

/** Mean cross-entropy of logits against soft targets: -sum(t * log_softmax(z)) / N. */
export function softCrossEntropy(logits: tf.Tensor2D, targets: tf.Tensor2D): tf.Scalar {
  return tf.neg(tf.mean(tf.sum(tf.mul(targets, tf.logSoftmax(logits)), 1))) as tf.Scalar;
}
