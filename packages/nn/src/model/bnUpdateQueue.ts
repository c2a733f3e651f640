import * as tf from '@tensorflow/tfjs';
import type { ForwardContext } from './forwardContext';

/**
 * The BatchNorm running-statistic updates of the last training forward, held until the step is taken
 * (`commit`) or rejected (`discard`). Shared by `buildModel` and the DNAS supernet.
 */
export class BnUpdateQueue {
  private pending: ForwardContext['bnUpdates'] = [];

  /** Replace the pending updates with those of a new training forward (the old ones are dropped). */
  hold(updates: ForwardContext['bnUpdates']): void {
    this.discard();
    this.pending = updates;
  }

  commit(): void {
    for (const u of this.pending) {
      u.variable.assign(u.value);
      u.value.dispose();
    }
    this.pending = [];
  }

  discard(): void {
    tf.dispose(this.pending.map((u) => u.value));
    this.pending = [];
  }
}
