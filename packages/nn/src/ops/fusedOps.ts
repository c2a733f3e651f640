import * as tf from '@tensorflow/tfjs';
import {
  FBNAS_ACTIVATION,
  FBNAS_ACTIVATION_GRAD,
  FBNAS_BATCH_NORM_TRAIN,
  FBNAS_BATCH_NORM_TRAIN_GRAD,
  FBNAS_GLOBAL_AVG_POOL,
  FBNAS_GLOBAL_AVG_POOL_GRAD,
  FBNAS_GROUPED_CONV1X1_FILTER_GRAD,
  FUSED_ACTIVATION_CODES,
  type FusedActivation,
} from '../contract';

const hasKernel = (name: string) => tf.getKernel(name, tf.getBackend()) !== undefined;

/** Gradients of the fused kernels; registered by `registerFbnasKernels`. */
export const FUSED_GRADIENTS: tf.GradConfig[] = [
  {
    kernelName: FBNAS_ACTIVATION,
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => ({
      x: () => tf.engine().runKernel(FBNAS_ACTIVATION_GRAD, { dy: dy as tf.Tensor, x: saved[0] }, { kind: (attrs as { kind: number }).kind }) as tf.Tensor,
    }),
  },
  {
    kernelName: FBNAS_GLOBAL_AVG_POOL,
    inputsToSave: ['x'],
    gradFunc: (dy, saved) => ({
      x: () => tf.engine().runKernel(FBNAS_GLOBAL_AVG_POOL_GRAD, { dy: dy as tf.Tensor }, { inputShape: saved[0].shape }) as tf.Tensor,
    }),
  },
];

/**
 * BatchNorm with batch statistics over all axes but the last (training), followed by `activation` when
 * given. Returns the output and the batch mean and biased variance for running averages; those two carry
 * no gradient and are kept tensors the caller must dispose. Uses the fused fbnas kernels (one forward, one
 * backward kernel, the activation inside both) where registered (wasm, cpu), else stock tfjs ops.
 */
export function batchNormTrain(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, epsilon: number, activation?: FusedActivation): { y: tf.Tensor; mean: tf.Tensor; variance: tf.Tensor } {
  if (hasKernel(FBNAS_BATCH_NORM_TRAIN) && hasKernel(FBNAS_BATCH_NORM_TRAIN_GRAD)) {
    const kind = activation === undefined ? -1 : FUSED_ACTIVATION_CODES[activation];
    let mean: tf.Tensor | null = null;
    let variance: tf.Tensor | null = null;
    // customGrad: the one backward kernel returns all three input gradients together. The batch mean
    // and variance for the running averages come out of the kernel too (separate tensors, not saved).
    // Saved tensors are copied while the tape records: variables are read at backward time instead.
    const op = tf.customGrad((...args: unknown[]) => {
      const [xi, gi, bi] = args as tf.Tensor[];
      const save = args[3] as (t: tf.Tensor[]) => void;
      const [y, m, invstd, bm, bv] = tf.engine().runKernel(FBNAS_BATCH_NORM_TRAIN, { x: xi, gamma: gi, beta: bi }, { epsilon, activation: kind }) as tf.Tensor[];
      const variables = gi instanceof tf.Variable && bi instanceof tf.Variable;
      save(variables ? [xi, m, invstd] : [xi, m, invstd, gi, bi]);
      mean = tf.keep(bm);
      variance = tf.keep(bv);
      return {
        value: y,
        gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
          const [sx, sm, si, ...rest] = saved;
          const [sg, sb] = variables ? [gi, bi] : rest;
          return tf.engine().runKernel(FBNAS_BATCH_NORM_TRAIN_GRAD, { dy: dy as tf.Tensor, x: sx, mean: sm, invstd: si, gamma: sg, beta: sb }, { activation: kind }) as tf.Tensor[];
        },
      };
    });
    const y = op(x, gamma, beta) as tf.Tensor;
    return { y, mean: mean as unknown as tf.Tensor, variance: variance as unknown as tf.Tensor };
  }
  const axes = x.shape.slice(0, -1).map((_, i) => i);
  const m = tf.moments(x, axes);
  const y = tf.batchNorm(x, m.mean, m.variance, beta, gamma, epsilon);
  return { y: activation === undefined ? y : fusedActivation(y, activation), mean: tf.keep(m.mean), variance: tf.keep(m.variance) };
}

/** A piecewise-linear activation with a fused forward and derivative kernel where registered. */
export function fusedActivation(x: tf.Tensor, activation: FusedActivation): tf.Tensor {
  if (hasKernel(FBNAS_ACTIVATION)) return tf.engine().runKernel(FBNAS_ACTIVATION, { x }, { kind: FUSED_ACTIVATION_CODES[activation] }) as tf.Tensor;
  switch (activation) {
    case 'relu':
      return tf.relu(x);
    case 'relu6':
      return tf.relu6(x);
    case 'hswish':
      return tf.mul(x, tf.div(tf.relu6(tf.add(x, 3)), 6));
    case 'hsigmoid':
      return tf.div(tf.relu6(tf.add(x, 3)), 6);
  }
}

/** Global average pooling of NHWC to [N, 1, 1, C], fused where registered. */
export function globalAvgPool(x: tf.Tensor4D): tf.Tensor4D {
  if (hasKernel(FBNAS_GLOBAL_AVG_POOL)) return tf.engine().runKernel(FBNAS_GLOBAL_AVG_POOL, { x }, {}) as tf.Tensor4D;
  return tf.mean(x, [1, 2], true);
}

/**
 * The dense HWIO filter equal to a grouped one ([k, k, in/g, out] -> [k, k, in, out], zero off the
 * diagonal blocks): the filter tiled g times along its input axis, times the 0/1 block mask (broadcast over
 * the kernel window). One conv with it replaces splitting the activations into groups and concatenating
 * them back (g times the multiply-adds of that conv, but no copies of the large activation tensors); two ops,
 * so the gradient tape stays short.
 */
export function blockDiagonal(w: tf.Tensor4D, groups: number, mask: tf.Tensor | Float32Array): tf.Tensor4D {
  const [, , cinG, cout] = w.shape;
  return tf.mul(tf.tile(w, [1, 1, groups, 1]), mask instanceof Float32Array ? tf.tensor4d(mask, [1, 1, cinG * groups, cout]) : mask) as tf.Tensor4D;
}

/**
 * A grouped 1x1 stride-1 conv (NHWC), run as one dense conv with the block-diagonal filter (no copies of the
 * activations into groups). `w` is the grouped conv's own filter `[1, 1, cin / groups, cout]`, or with
 * `masked` a dense `[1, 1, cin, cout]` filter of which only the diagonal blocks are used (a shared
 * superkernel's). `mask` is the `[cin, cout]` block mask (`groupMask`). Where the fbnas kernel is registered
 * (wasm, cpu) the filter gradient covers the diagonal blocks only (1/groups of the dense gradient's work, no
 * tile or mask ops on the tape); elsewhere stock ops.
 */
export function groupedConv1x1(x: tf.Tensor4D, w: tf.Tensor4D, groups: number, mask: tf.Tensor | Float32Array, masked = false): tf.Tensor4D {
  const dense = (wi: tf.Tensor4D) =>
    masked ? (tf.mul(wi, mask instanceof Float32Array ? tf.tensor4d(mask, wi.shape) : mask) as tf.Tensor4D) : blockDiagonal(wi, groups, mask);
  if (!hasKernel(FBNAS_GROUPED_CONV1X1_FILTER_GRAD)) return tf.conv2d(x, dense(w), 1, 0, 'NHWC');
  const op = tf.customGrad((...args: unknown[]) => {
    const [xi, wi] = args as tf.Tensor4D[];
    const save = args[2] as (t: tf.Tensor[]) => void;
    const filter = dense(wi);
    save([xi, filter]);
    return {
      value: tf.conv2d(xi, filter, 1, 0, 'NHWC'),
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const [sx, sf] = saved as tf.Tensor4D[];
        const g = dy as tf.Tensor4D;
        return [
          tf.conv2d(g, tf.transpose(sf, [0, 1, 3, 2]) as tf.Tensor4D, 1, 0, 'NHWC'),
          tf.engine().runKernel(FBNAS_GROUPED_CONV1X1_FILTER_GRAD, { x: sx, dy: g }, { groups, masked }) as tf.Tensor,
        ];
      },
    };
  });
  return op(x, w) as tf.Tensor4D;
}
