import * as tf from '@tensorflow/tfjs';
import type { NamedWeights, NnModel } from '../model/buildModel';

/** Exponential moving average of every weight of a model (trainable and BN statistics). */
export interface WeightEma {
  update(): void;
  /** Run `f` with the averaged weights swapped in, then restore the live ones. */
  withAveraged<T>(f: () => Promise<T>): Promise<T>;
  exportState(): Promise<NamedWeights>;
  loadState(state: NamedWeights): void;
  dispose(): void;
}

/** A non-trainable variable holding a copy of `t` (the copy's own tensor is released). */
function variableLike(t: tf.Tensor): tf.Variable {
  const init = t.clone();
  const v = tf.variable(init, false);
  init.dispose();
  return v;
}

/** EMA with `decay` (shadow = decay * shadow + (1 - decay) * w after every step). */
export function createWeightEma(model: NnModel, decay: number): WeightEma {
  const entries = model.weightNames().map((name) => ({ name, live: model.weight(name), shadow: variableLike(model.weight(name)) }));
  return {
    update() {
      tf.tidy(() => {
        for (const e of entries) e.shadow.assign(tf.add(tf.mul(e.shadow, decay), tf.mul(e.live, 1 - decay)));
      });
    },
    async withAveraged(f) {
      const saved = entries.map((e) => tf.keep(e.live.clone()));
      entries.forEach((e) => e.live.assign(e.shadow));
      try {
        return await f();
      } finally {
        entries.forEach((e, i) => e.live.assign(saved[i]));
        tf.dispose(saved);
      }
    },
    async exportState() {
      const out: NamedWeights = {};
      for (const e of entries) out[e.name] = { shape: [...e.shadow.shape], data: (await e.shadow.data()) as Float32Array };
      return out;
    },
    loadState(state) {
      for (const e of entries) tf.tidy(() => e.shadow.assign(tf.tensor(state[e.name].data, state[e.name].shape, 'float32')));
    },
    dispose() {
      for (const e of entries) e.shadow.dispose();
    },
  };
}
