import * as tf from '@tensorflow/tfjs';
import { NnError } from '../errors';
import type { ForwardContext, LayerFn } from './forwardContext';

/**
 * Activation checkpointing: the layer's forward keeps none of its intermediate tensors, and its
 * backward recomputes them (one extra forward of this layer) to get the gradients of its input and of
 * `variables` (every variable the layer reads). Memory then grows with layer outputs, not with their
 * expanded insides: what lets a soft supernet (all 9 candidates) train at batch 64 inside wasm's 4 GB.
 * The layer must be deterministic given its input: training-time randomness (dropout, drop-path) is
 * refused; BatchNorm statistics are recorded once, by the first forward.
 */
interface EngineTapeState {
  state: { activeTape: unknown; gradientDepth: number };
}

/**
 * Gradients computed while the engine is already back-propagating (inside a gradFunc). tfjs runs a
 * gradient pass at depth 0 on a fresh tape and clears the engine's active tape when it ends, which
 * would break the outer pass; the outer tape is saved and restored around the inner pass (tfjs 4.x
 * engine state). The inner pass frees its own saved tensors as it ends, which is the point.
 */
function nestedGradients(f: () => tf.Tensor, xs: tf.Tensor[]): Array<tf.Tensor | undefined> {
  const engine = tf.engine() as unknown as EngineTapeState;
  if (engine.state.gradientDepth !== 0) {
    throw new NnError('UNSUPPORTED', 'fbnas.checkpointLayer', 'checkpointed layers do not support higher-order gradients');
  }
  const outer = engine.state.activeTape;
  try {
    return tf.engine().gradients(f, xs, undefined, true).grads as Array<tf.Tensor | undefined>;
  } finally {
    engine.state.activeTape = outer;
  }
}

export function checkpointLayer(fn: LayerFn, variables: tf.Variable[]): LayerFn {
  return (x, ctx) => {
    if (!ctx.training) return fn(x, ctx);
    if (ctx.rng !== null) throw new NnError('UNSUPPORTED', 'fbnas.checkpointLayer', 'checkpointed layers cannot use training randomness (pass rng: null)');
    const recompute = (input: tf.Tensor4D): tf.Tensor4D => {
      const scratch: ForwardContext = { ...ctx, bnUpdates: [] };
      const y = fn(input, scratch);
      tf.dispose(scratch.bnUpdates.map((u) => u.batch));
      return y;
    };
    const op = tf.customGrad((...args: unknown[]) => {
      const input = args[0] as tf.Tensor4D;
      const save = args[args.length - 1] as (t: tf.Tensor[]) => void;
      save([input]);
      const value = tf.tidy(() => fn(input, ctx));
      return {
        value,
        gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
          const [sx] = saved;
          const grads = nestedGradients(() => tf.sum(tf.mul(recompute(sx as tf.Tensor4D), dy as tf.Tensor)), [sx, ...variables]);
          return grads.map((g, i) => g ?? tf.zerosLike(i === 0 ? sx : variables[i - 1]));
        },
      };
    });
    return op(x, ...variables) as tf.Tensor4D;
  };
}
