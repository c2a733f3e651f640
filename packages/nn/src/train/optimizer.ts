import * as tf from '@tensorflow/tfjs';
import { FBNAS_SGD_MOMENTUM } from '../contract';
import { NnError } from '../errors';
import type { NamedWeights } from '../model/buildModel';

/** Optimizer names of the FBNetV3 recipe space. */
export type OptimizerName = 'sgd' | 'adam' | 'rmsprop';

/** Hyperparameters of {@link createOptimizer}; defaults in brackets. */
export interface OptimizerOptions {
  /** SGD and RMSProp momentum [0.9]. */
  momentum?: number;
  /** Adam betas [0.9, 0.999]. */
  beta1?: number;
  beta2?: number;
  /** RMSProp decay [0.9] and epsilon [1e-3, TF/EfficientNet style]; Adam epsilon [1e-8]. */
  rho?: number;
  epsilon?: number;
}

/** A first-order optimizer whose slot state is named data (for checkpoints). */
export interface Optimizer {
  readonly name: OptimizerName;
  /**
   * One update of `vars` with `grads` (same order) at learning rate `lr`. A null gradient leaves that
   * variable and its slots untouched (a supernet candidate that did not run, like PyTorch's grad None).
   * `decay[i]` (default 0) adds L2 weight decay to variable i's gradient: g + decay[i] * w.
   */
  step(vars: tf.Variable[], grads: Array<tf.Tensor | null>, lr: number, decay?: ArrayLike<number>): void;
  exportState(): Promise<NamedWeights>;
  loadState(state: NamedWeights): void;
  dispose(): void;
}

class SlotStore {
  readonly slots = new Map<string, tf.Variable>();
  get(key: string, like: tf.Tensor): tf.Variable {
    let s = this.slots.get(key);
    if (!s) {
      const init = tf.zerosLike(like);
      s = tf.variable(init, false);
      init.dispose();
      this.slots.set(key, s);
    }
    return s;
  }
  async export(): Promise<NamedWeights> {
    const out: NamedWeights = {};
    for (const [k, v] of this.slots) out[k] = { shape: [...v.shape], data: (await v.data()) as Float32Array };
    return out;
  }
  load(state: NamedWeights, api: string) {
    this.dispose();
    for (const [k, w] of Object.entries(state)) {
      if (w.data.length !== w.shape.reduce((a, b) => a * b, 1)) throw new NnError('CORRUPT_CHECKPOINT', api, `optimizer slot ${k} has ${w.data.length} values for shape [${w.shape.join(', ')}]`);
      const init = tf.tensor(w.data, w.shape, 'float32');
      this.slots.set(k, tf.variable(init, false));
      init.dispose();
    }
  }
  dispose() {
    for (const v of this.slots.values()) v.dispose();
    this.slots.clear();
  }
}

/**
 * SGD with momentum (PyTorch form: b = m b + g; w -= lr b), Adam (bias-corrected), or RMSProp in the
 * TF/EfficientNet form (ms = rho ms + (1 - rho) g^2; mom = m mom + lr g / sqrt(ms + eps); w -= mom).
 */
export function createOptimizer(name: OptimizerName, options: OptimizerOptions = {}): Optimizer {
  const api = 'fbnas.createOptimizer';
  if (!['sgd', 'adam', 'rmsprop'].includes(name)) throw new NnError('INVALID_ARGUMENT', api, `name must be sgd, adam or rmsprop, got ${JSON.stringify(name)}`);
  const slots = new SlotStore();
  const momentum = options.momentum ?? 0.9;
  const b1 = options.beta1 ?? 0.9;
  const b2 = options.beta2 ?? 0.999;
  const rho = options.rho ?? 0.9;
  const eps = options.epsilon ?? (name === 'adam' ? 1e-8 : 1e-3);
  let t = 0;
  return {
    name,
    step(vars, grads, lr, decay) {
      t++;
      // one kernel a variable where registered (wasm, cpu) instead of six ops
      const fusedSgd = name === 'sgd' && tf.getKernel(FBNAS_SGD_MOMENTUM, tf.getBackend()) !== undefined;
      tf.tidy(() => {
        vars.forEach((v, i) => {
          const raw = grads[i];
          if (raw === null) return;
          const wd = decay?.[i] ?? 0;
          if (fusedSgd) {
            const b = slots.get(`${i}.momentum`, v);
            const [w2, b2] = tf.engine().runKernel(FBNAS_SGD_MOMENTUM, { w: v, b, g: raw }, { lr, momentum, decay: wd }) as tf.Tensor[];
            b.assign(b2);
            v.assign(w2);
            return;
          }
          const g = wd > 0 ? tf.add(raw, tf.mul(v, wd)) : raw;
          if (name === 'sgd') {
            const b = slots.get(`${i}.momentum`, v);
            b.assign(tf.add(tf.mul(b, momentum), g));
            v.assign(tf.sub(v, tf.mul(b, lr)));
          } else if (name === 'adam') {
            const m = slots.get(`${i}.m`, v);
            const s = slots.get(`${i}.v`, v);
            m.assign(tf.add(tf.mul(m, b1), tf.mul(g, 1 - b1)));
            s.assign(tf.add(tf.mul(s, b2), tf.mul(tf.square(g), 1 - b2)));
            const mh = tf.div(m, 1 - b1 ** t);
            const vh = tf.div(s, 1 - b2 ** t);
            v.assign(tf.sub(v, tf.mul(tf.div(mh, tf.add(tf.sqrt(vh), eps)), lr)));
          } else {
            const ms = slots.get(`${i}.ms`, v);
            const mom = slots.get(`${i}.mom`, v);
            ms.assign(tf.add(tf.mul(ms, rho), tf.mul(tf.square(g), 1 - rho)));
            mom.assign(tf.add(tf.mul(mom, momentum), tf.div(tf.mul(g, lr), tf.sqrt(tf.add(ms, eps)))));
            v.assign(tf.sub(v, mom));
          }
        });
      });
    },
    async exportState() {
      const state = await slots.export();
      state.step = { shape: [], data: Float32Array.of(t) };
      return state;
    },
    loadState(state) {
      const { step, ...rest } = state;
      slots.load(rest, 'fbnas.Optimizer.loadState');
      t = step ? step.data[0] : 0;
    },
    dispose: () => slots.dispose(),
  };
}
