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

/** EMA with `decay` (shadow = decay * shadow + (1 - decay) * w after every step). */
export function createWeightEma(model: NnModel, decay: number): WeightEma {
  const names = model.weightNames();
  const shadows = new Map(names.map((n) => [n, tf.variable(model.weight(n).clone(), false)]));
  return {
    update() {
      tf.tidy(() => {
        for (const n of names) {
          const s = shadows.get(n)!;
          s.assign(tf.add(tf.mul(s, decay), tf.mul(model.weight(n), 1 - decay)));
        }
      });
    },
    async withAveraged(f) {
      const live = new Map(names.map((n) => [n, tf.keep(model.weight(n).clone())]));
      for (const n of names) model.weight(n).assign(shadows.get(n)!);
      try {
        return await f();
      } finally {
        for (const n of names) {
          model.weight(n).assign(live.get(n)!);
          live.get(n)!.dispose();
        }
      }
    },
    async exportState() {
      const out: NamedWeights = {};
      for (const n of names) out[n] = { shape: [...shadows.get(n)!.shape], data: (await shadows.get(n)!.data()) as Float32Array };
      return out;
    },
    loadState(state) {
      for (const n of names) tf.tidy(() => shadows.get(n)!.assign(tf.tensor(state[n].data, state[n].shape, 'float32')));
    },
    dispose() {
      for (const s of shadows.values()) s.dispose();
    },
  };
}
