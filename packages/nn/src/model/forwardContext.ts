import type * as tf from '@tensorflow/tfjs';
import type { Rng } from '@fbnas/search-space';

/** Per-call state of a forward pass. */
export interface ForwardContext {
  training: boolean;
  /** Source of dropout and drop-path masks when training (seeded, so runs reproduce). */
  rng: Rng | null;
  /**
   * BatchNorm running statistics of a training pass, applied after the step: `variable` becomes
   * `momentum * variable + (1 - momentum) * batch`. The update is computed then, outside the gradient tape.
   */
  bnUpdates: Array<{ variable: tf.Variable; batch: tf.Tensor; momentum: number }>;
  bnMomentum: number;
  bnEpsilon: number;
}

/** A layer as a function of its input. */
export type LayerFn = (x: tf.Tensor4D, ctx: ForwardContext) => tf.Tensor4D;
