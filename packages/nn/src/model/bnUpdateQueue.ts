import * as tf from '@tensorflow/tfjs';
import { FBNAS_MOVING_AVERAGE } from '../contract';
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

  /** Apply the pending updates (moving = momentum * moving + (1 - momentum) * batch; one kernel each where registered). */
  commit(): void {
    const fused = tf.getKernel(FBNAS_MOVING_AVERAGE, tf.getBackend()) !== undefined;
    for (const u of this.pending) {
      tf.tidy(() =>
        u.variable.assign(
          fused
            ? (tf.engine().runKernel(FBNAS_MOVING_AVERAGE, { moving: u.variable, batch: u.batch }, { momentum: u.momentum }) as tf.Tensor)
            : tf.add(tf.mul(u.variable, u.momentum), tf.mul(u.batch, 1 - u.momentum)),
        ),
      );
      u.batch.dispose();
    }
    this.pending = [];
  }

  discard(): void {
    tf.dispose(this.pending.map((u) => u.batch));
    this.pending = [];
  }
}
