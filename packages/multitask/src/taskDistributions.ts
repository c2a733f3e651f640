import type { Rng } from '@fbnas/search-space';
import { MultitaskError } from './errors';

/** log(1 + e^x) without overflow. */
const softplus = (x: number) => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)));
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

function logSumExp(xs: number[]): number {
  const m = Math.max(...xs);
  if (m === -Infinity) return -Infinity;
  let s = 0;
  for (const x of xs) s += Math.exp(x - m);
  return m + Math.log(s);
}

/** Options of {@link TaskDistributions}; defaults in brackets. */
export interface TaskDistributionsOptions {
  /**
   * Share of the proposal drawn uniformly over {0,1}^B [0.1]: q = (1 - floor) * mean_t p_t + floor * 2^-B,
   * so every architecture keeps some probability and the importance weights stay bounded. [UNVERIFIED:
   * FBNetV5's proposal is not recovered; the mixture of the task distributions is our choice.]
   */
  proposalFloor?: number;
  /** Upper clip of the importance weights p_t(a) / q(a) [10]. Unclipped, the estimator is unbiased. */
  importanceClip?: number;
  /** Momentum of each task's moving-average reward baseline [0.9]. */
  baselineMomentum?: number;
  /** Adam step size on the logits [0.05], betas [0.9, 0.999]. */
  learningRate?: number;
}

/** One REINFORCE update's figures for a task. */
export interface TaskUpdate {
  /** p_t(a) / q(a) after clipping. */
  importanceWeight: number;
  /** The reward minus the task's baseline before this update. */
  advantage: number;
}

/**
 * FBNetV5's search distributions: one independent Bernoulli per block and task, p_t(a) = prod_b
 * sigma(theta_tb)^a_b (1 - sigma(theta_tb))^(1 - a_b), all logits starting at 0 (keep probability 1/2).
 * One architecture a is drawn per step from the proposal q (a mixture of the task distributions), and every
 * task's logits are updated from that single sample by REINFORCE with importance weights:
 * grad_t = (p_t(a) / q(a)) * (r_t - b_t) * (a - sigma(theta_t)), the step minimising the expected reward r_t
 * (a loss), b_t a moving-average baseline. So the cost of a step does not grow with the number of tasks.
 * @example
 * import { createRng } from '@fbnas/search-space';
 * import { TaskDistributions } from '@fbnas/multitask';
 * const d = new TaskDistributions(['cls', 'seg'], 6);
 * const rng = createRng(0);
 * const a = d.sample(rng);
 * d.update(a, { cls: 0.9, seg: 0.4 });
 */
export class TaskDistributions {
  readonly tasks: readonly string[];
  readonly blocks: number;
  private readonly theta: Float64Array[];
  private readonly m: Float64Array[];
  private readonly v: Float64Array[];
  private readonly baseline: Array<number | null>;
  private t = 0;
  private readonly floor: number;
  private readonly clip: number;
  private readonly momentum: number;
  private readonly lr: number;

  constructor(tasks: readonly string[], blocks: number, options: TaskDistributionsOptions = {}) {
    const api = 'fbnas.TaskDistributions';
    if (tasks.length === 0 || new Set(tasks).size !== tasks.length) throw new MultitaskError('INVALID_ARGUMENT', api, `tasks must be distinct names, at least one, got ${JSON.stringify(tasks)}`);
    if (!Number.isInteger(blocks) || blocks < 1) throw new MultitaskError('INVALID_ARGUMENT', api, `blocks must be a positive integer, got ${String(blocks)}`);
    const check = (key: keyof TaskDistributionsOptions, value: number, ok: boolean, range: string) => {
      if (!(Number.isFinite(value) && ok)) throw new MultitaskError('INVALID_ARGUMENT', api, `options.${key} must be ${range}, got ${String(value)}`);
      return value;
    };
    this.floor = check('proposalFloor', options.proposalFloor ?? 0.1, (options.proposalFloor ?? 0.1) > 0 && (options.proposalFloor ?? 0.1) <= 1, 'in (0, 1]');
    this.clip = check('importanceClip', options.importanceClip ?? 10, (options.importanceClip ?? 10) >= 1, '>= 1');
    this.momentum = check('baselineMomentum', options.baselineMomentum ?? 0.9, (options.baselineMomentum ?? 0.9) >= 0 && (options.baselineMomentum ?? 0.9) < 1, 'in [0, 1)');
    this.lr = check('learningRate', options.learningRate ?? 0.05, (options.learningRate ?? 0.05) > 0, '> 0');
    this.tasks = [...tasks];
    this.blocks = blocks;
    this.theta = tasks.map(() => new Float64Array(blocks));
    this.m = tasks.map(() => new Float64Array(blocks));
    this.v = tasks.map(() => new Float64Array(blocks));
    this.baseline = tasks.map(() => null);
  }

  private index(task: string, api: string): number {
    const i = this.tasks.indexOf(task);
    if (i < 0) throw new MultitaskError('UNKNOWN_NAME', api, `task ${JSON.stringify(task)} is not one of ${this.tasks.join(', ')}`);
    return i;
  }

  private checkArch(a: readonly boolean[], api: string): void {
    if (a.length !== this.blocks) throw new MultitaskError('SHAPE_MISMATCH', api, `the architecture must have ${this.blocks} keep flags, got ${a.length}`);
  }

  /** Keep probabilities sigma(theta_t) of a task. */
  keepProbabilities(task: string): number[] {
    return Array.from(this.theta[this.index(task, 'fbnas.TaskDistributions.keepProbabilities')], sigmoid);
  }

  /** log p_t(a). */
  logProb(task: string, a: readonly boolean[]): number {
    const api = 'fbnas.TaskDistributions.logProb';
    this.checkArch(a, api);
    const th = this.theta[this.index(task, api)];
    let s = 0;
    for (let b = 0; b < this.blocks; b++) s -= a[b] ? softplus(-th[b]) : softplus(th[b]);
    return s;
  }

  /** log q(a) of the proposal. */
  proposalLogProb(a: readonly boolean[]): number {
    this.checkArch(a, 'fbnas.TaskDistributions.proposalLogProb');
    const mix = logSumExp(this.tasks.map((t) => this.logProb(t, a))) - Math.log(this.tasks.length);
    const uniform = -this.blocks * Math.LN2;
    return this.floor >= 1 ? uniform : logSumExp([Math.log1p(-this.floor) + mix, Math.log(this.floor) + uniform]);
  }

  /** Draw one architecture from the proposal q. */
  sample(rng: Rng): boolean[] {
    if (rng.next() < this.floor) return Array.from({ length: this.blocks }, () => rng.next() < 0.5);
    const th = this.theta[rng.int(this.tasks.length)];
    return Array.from(th, (x) => rng.next() < sigmoid(x));
  }

  /** Each task's most likely architecture: keep block b when sigma(theta_tb) > 1/2. */
  argmax(task: string): boolean[] {
    return Array.from(this.theta[this.index(task, 'fbnas.TaskDistributions.argmax')], (x) => x > 0);
  }

  /**
   * The unclipped score-function estimate for task `task` at `a` with reward `reward` and baseline `baseline`:
   * (p_t(a) / q(a)) (reward - baseline) (a - sigma(theta_t)), the gradient of E_{p_t}[reward] in theta_t when
   * averaged over a ~ q.
   */
  gradientEstimate(task: string, a: readonly boolean[], reward: number, baseline = 0): Float64Array {
    const api = 'fbnas.TaskDistributions.gradientEstimate';
    const th = this.theta[this.index(task, api)];
    const w = Math.exp(this.logProb(task, a) - this.proposalLogProb(a));
    return Float64Array.from(th, (x, b) => w * (reward - baseline) * ((a[b] ? 1 : 0) - sigmoid(x)));
  }

  /**
   * One update of every task's logits from the single architecture `a` (drawn from this proposal) and each
   * task's reward at it (lower is better); Adam on the clipped estimate, then the baselines move.
   */
  update(a: readonly boolean[], rewards: Readonly<Record<string, number>>): Record<string, TaskUpdate> {
    const api = 'fbnas.TaskDistributions.update';
    this.checkArch(a, api);
    for (const task of this.tasks) {
      const r = rewards[task];
      if (typeof r !== 'number' || !Number.isFinite(r)) throw new MultitaskError('NON_FINITE', api, `rewards.${task} must be a finite number, got ${String(r)}`);
    }
    const logQ = this.proposalLogProb(a);
    this.t += 1;
    const out: Record<string, TaskUpdate> = {};
    this.tasks.forEach((task, i) => {
      const r = rewards[task];
      const base = this.baseline[i] ?? r;
      const w = Math.min(this.clip, Math.exp(this.logProb(task, a) - logQ));
      const th = this.theta[i];
      for (let b = 0; b < this.blocks; b++) {
        const g = w * (r - base) * ((a[b] ? 1 : 0) - sigmoid(th[b]));
        this.m[i][b] = 0.9 * this.m[i][b] + 0.1 * g;
        this.v[i][b] = 0.999 * this.v[i][b] + 0.001 * g * g;
        const mh = this.m[i][b] / (1 - 0.9 ** this.t);
        const vh = this.v[i][b] / (1 - 0.999 ** this.t);
        th[b] -= (this.lr * mh) / (Math.sqrt(vh) + 1e-8);
      }
      this.baseline[i] = this.momentum * base + (1 - this.momentum) * r;
      out[task] = { importanceWeight: w, advantage: r - base };
    });
    return out;
  }

  /** The state (logits, Adam moments, baselines, step) as plain data, for checkpoints. */
  exportState(): { theta: number[][]; m: number[][]; v: number[][]; baseline: Array<number | null>; step: number } {
    return { theta: this.theta.map((x) => Array.from(x)), m: this.m.map((x) => Array.from(x)), v: this.v.map((x) => Array.from(x)), baseline: [...this.baseline], step: this.t };
  }

  /** Restore {@link exportState}'s data; shapes must match. */
  loadState(state: { theta: number[][]; m: number[][]; v: number[][]; baseline: Array<number | null>; step: number }): void {
    const api = 'fbnas.TaskDistributions.loadState';
    const ok = (rows: unknown) => Array.isArray(rows) && rows.length === this.tasks.length && rows.every((r) => Array.isArray(r) && r.length === this.blocks && r.every((x) => Number.isFinite(x)));
    if (!ok(state.theta) || !ok(state.m) || !ok(state.v) || !Array.isArray(state.baseline) || state.baseline.length !== this.tasks.length || !Number.isInteger(state.step)) {
      throw new MultitaskError('SHAPE_MISMATCH', api, `state must hold ${this.tasks.length} x ${this.blocks} finite logits and moments, ${this.tasks.length} baselines and an integer step`);
    }
    this.tasks.forEach((_, i) => {
      this.theta[i].set(state.theta[i]);
      this.m[i].set(state.m[i]);
      this.v[i].set(state.v[i]);
    });
    this.baseline.splice(0, this.baseline.length, ...state.baseline);
    this.t = state.step;
  }
}
