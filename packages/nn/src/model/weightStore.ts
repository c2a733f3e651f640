import * as tf from '@tensorflow/tfjs';
import type { Rng } from '@fbnas/search-space';
import { NnError } from '../errors';
import type { NamedWeights } from './buildModel';

let storeCounter = 0;

/**
 * The variables of one model under stable names (`blocks.3.pw.conv.weight`). tfjs variable names are
 * global, so each store prefixes its own id internally; users only see the stable names.
 */
export class WeightStore {
  private readonly prefix = `fbnas${++storeCounter}`;
  private readonly vars = new Map<string, tf.Variable>();
  private readonly trainableNames: string[] = [];

  constructor(private readonly rng: Rng) {}

  /** He-normal (std sqrt(2 / fanOut)) conv or dense weight. */
  heNormal(name: string, shape: number[], fanOut: number): tf.Variable {
    const std = Math.sqrt(2 / Math.max(fanOut, 1));
    return this.add(name, shape, () => this.rng.normal() * std, true);
  }

  /** Uniform in [-limit, limit] (PyTorch Linear default limit 1/sqrt(fanIn)). */
  uniform(name: string, shape: number[], limit: number): tf.Variable {
    return this.add(name, shape, () => (2 * this.rng.next() - 1) * limit, true);
  }

  /** Constant-filled variable. */
  constant(name: string, shape: number[], value: number, trainable: boolean): tf.Variable {
    return this.add(name, shape, () => value, trainable);
  }

  private add(name: string, shape: number[], init: () => number, trainable: boolean): tf.Variable {
    if (this.vars.has(name)) throw new Error(`duplicate weight ${name}`);
    const size = shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(size);
    for (let i = 0; i < size; i++) values[i] = init();
    // tf.variable keeps its own reference to the data: the initial tensor must be disposed.
    const initial = tf.tensor(values, shape, 'float32');
    const v = tf.variable(initial, trainable, `${this.prefix}/${name}`);
    initial.dispose();
    this.vars.set(name, v);
    if (trainable) this.trainableNames.push(name);
    return v;
  }

  /** Variable by stable name. */
  get(name: string): tf.Variable {
    const v = this.vars.get(name);
    if (!v) throw new NnError('MISSING_WEIGHT', 'fbnas.WeightStore.get', `no weight named ${JSON.stringify(name)}`);
    return v;
  }

  /** Stable names, in creation order. */
  names(): string[] {
    return [...this.vars.keys()];
  }

  /** Trainable variables in creation order. */
  trainable(): tf.Variable[] {
    return this.trainableNames.map((n) => this.get(n));
  }

  /** Whether a weight is trained by gradients (false for BN running statistics). */
  isTrainable(name: string): boolean {
    return this.get(name).trainable;
  }

  /** Variables whose stable name starts with `prefix` (e.g. every weight of one supernet candidate). */
  withPrefix(prefix: string): tf.Variable[] {
    return this.names().filter((n) => n.startsWith(prefix)).map((n) => this.get(n));
  }

  /** Every weight (BN statistics included) copied out as named data. */
  async exportAll(): Promise<NamedWeights> {
    const out: NamedWeights = {};
    for (const [name, v] of this.vars) out[name] = { shape: [...v.shape], data: (await v.data()) as Float32Array };
    return out;
  }

  /**
   * Load every weight by name; names and shapes must match exactly and values be finite, or nothing is
   * assigned (typed errors name the weight and `api`).
   */
  loadAll(weights: NamedWeights, api: string): void {
    const names = this.names();
    const missing = names.filter((n) => !(n in weights));
    const extra = Object.keys(weights).filter((n) => !this.vars.has(n));
    if (missing.length > 0) throw new NnError('MISSING_WEIGHT', api, `missing weights: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ` and ${missing.length - 5} more` : ''}`);
    if (extra.length > 0) throw new NnError('MISSING_WEIGHT', api, `unknown weights: ${extra.slice(0, 5).join(', ')}`);
    for (const name of names) {
      const v = this.get(name);
      const { shape, data } = weights[name];
      if (shape.length !== v.shape.length || shape.some((d, i) => d !== v.shape[i]) || data.length !== v.size) {
        throw new NnError('SHAPE_MISMATCH', api, `weight ${name} must have shape [${v.shape.join(', ')}], got [${shape.join(', ')}] with ${data.length} values`);
      }
      for (let i = 0; i < data.length; i++) {
        if (!Number.isFinite(data[i])) throw new NnError('NON_FINITE', api, `weight ${name} has a non-finite value at ${i}: ${data[i]}`);
      }
    }
    for (const name of names) tf.tidy(() => this.get(name).assign(tf.tensor(weights[name].data, weights[name].shape, 'float32')));
  }

  /** Every variable. */
  all(): tf.Variable[] {
    return [...this.vars.values()];
  }

  dispose(): void {
    for (const v of this.vars.values()) v.dispose();
    this.vars.clear();
  }
}
