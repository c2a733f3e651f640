import type * as tf from '@tensorflow/tfjs';
import type { Rng } from '@fbnas/search-space';

/** Per-call state of a forward pass. */
export interface ForwardContext {
  training: boolean;
  /** Source of dropout and drop-path masks when training (seeded, so runs reproduce). */
  rng: Rng | null;
  /** BatchNorm running-statistic updates produced by a training pass, applied after the step. */
  bnUpdates: Array<{ variable: tf.Variable; value: tf.Tensor }>;
  bnMomentum: number;
  bnEpsilon: number;
}

/** A layer as a function of its input. */
export type LayerFn = (x: tf.Tensor4D, ctx: ForwardContext) => tf.Tensor4D;
