import * as tf from '@tensorflow/tfjs';

/** Channel shuffle with g groups in NHWC: [N,H,W,g,C/g] -> [N,H,W,C/g,g] (PyTorch's channel_shuffle). */
export function channelShuffle(x: tf.Tensor4D, groups: number): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  return tf.reshape(tf.transpose(tf.reshape(x, [n, h, w, groups, c / groups]), [0, 1, 2, 4, 3]), [n, h, w, c]);
}
