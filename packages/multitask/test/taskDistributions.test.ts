import fc from 'fast-check';
import { createRng } from '@fbnas/search-space';
import { isMultitaskError, TaskDistributions } from '../src';

const allArchs = (b: number): boolean[][] => Array.from({ length: 2 ** b }, (_, m) => Array.from({ length: b }, (_, i) => ((m >> i) & 1) === 1));

function withLogits(tasks: string[], theta: number[][], floor = 0.1): TaskDistributions {
  const d = new TaskDistributions(tasks, theta[0].length, { proposalFloor: floor });
  const zeros = theta.map((r) => r.map(() => 0));
  d.loadState({ theta, m: zeros, v: zeros, baseline: tasks.map(() => null), step: 0 });
  return d;
}

const logits = (t: number, b: number) => fc.array(fc.array(fc.double({ min: -4, max: 4, noNaN: true }), { minLength: b, maxLength: b }), { minLength: t, maxLength: t });

describe('TaskDistributions', () => {
  it('every task distribution and the proposal sum to 1 over {0,1}^B (property)', () => {
    fc.assert(
      fc.property(logits(3, 4), fc.double({ min: 0.01, max: 1, noNaN: true }), (theta, floor) => {
        const d = withLogits(['a', 'b', 'c'], theta, floor);
        const archs = allArchs(4);
        for (const t of d.tasks) expect(archs.reduce((s, a) => s + Math.exp(d.logProb(t, a)), 0)).toBeCloseTo(1, 10);
        expect(archs.reduce((s, a) => s + Math.exp(d.proposalLogProb(a)), 0)).toBeCloseTo(1, 10);
      }),
      { numRuns: 50 },
    );
  });

  it('samples architectures with the proposal probabilities', () => {
    const d = withLogits(['a', 'b'], [[2, -1, 0.5], [-2, 1, 0]], 0.2);
    const rng = createRng(7);
    const n = 40_000;
    const counts = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const key = d.sample(rng).map(Number).join('');
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    for (const a of allArchs(3)) {
      const q = Math.exp(d.proposalLogProb(a));
      const got = (counts.get(a.map(Number).join('')) ?? 0) / n;
      expect(Math.abs(got - q)).toBeLessThan(5 * Math.sqrt((q * (1 - q)) / n) + 1e-9);
    }
  });

  it('one sample from the proposal gives every task an unbiased gradient of its expected reward', () => {
    // expectation over a ~ q of the importance-weighted estimate = d/dtheta_t E_{a ~ p_t}[r_t(a)],
    // the latter by central finite differences over the exact enumeration
    const theta = [[0.7, -1.2, 0.1], [-0.4, 0.9, 1.5]];
    const d = withLogits(['a', 'b'], theta, 0.3);
    const reward = (t: number, a: boolean[]) => (t === 0 ? 1 : -2) * (a[0] ? 1.5 : 0) + (a[1] ? 0.7 : 0) - (a[2] ? t : 0) + 0.3 * Number(a[0] && a[2]);
    const archs = allArchs(3);
    const expected = (t: number, th: number[]) => {
      const e = withLogits(['a', 'b'], theta.map((r, i) => (i === t ? th : r)), 0.3);
      return archs.reduce((s, a) => s + Math.exp(e.logProb(d.tasks[t], a)) * reward(t, a), 0);
    };
    for (let t = 0; t < 2; t++) {
      const viaProposal = [0, 0, 0];
      for (const a of archs) {
        const q = Math.exp(d.proposalLogProb(a));
        const g = d.gradientEstimate(d.tasks[t], a, reward(t, a));
        for (let b = 0; b < 3; b++) viaProposal[b] += q * g[b];
      }
      for (let b = 0; b < 3; b++) {
        const h = 1e-5;
        const up = theta[t].map((x, i) => (i === b ? x + h : x));
        const down = theta[t].map((x, i) => (i === b ? x - h : x));
        expect(viaProposal[b]).toBeCloseTo((expected(t, up) - expected(t, down)) / (2 * h), 6);
      }
    }
  });

  it('learns a different architecture for each task from one shared sample a step', () => {
    // each task's reward is the number of blocks that differ from its own target (plus noise)
    const targets = [
      [true, true, false, false, true, false],
      [false, true, true, false, false, true],
      [true, false, true, true, false, false],
    ];
    const d = new TaskDistributions(['t0', 't1', 't2'], 6, { learningRate: 0.05 });
    const rng = createRng(3);
    let maxWeight = 0;
    for (let s = 0; s < 3000; s++) {
      const a = d.sample(rng);
      const rewards = Object.fromEntries(targets.map((tg, t) => [`t${t}`, tg.reduce((n, k, b) => n + (k !== a[b] ? 1 : 0), 0) + 0.3 * rng.normal()]));
      for (const u of Object.values(d.update(a, rewards))) maxWeight = Math.max(maxWeight, u.importanceWeight);
    }
    targets.forEach((tg, t) => expect(d.argmax(`t${t}`)).toEqual(tg));
    for (const [t, tg] of targets.entries()) d.keepProbabilities(`t${t}`).forEach((p, b) => expect(tg[b] ? p > 0.9 : p < 0.1).toBe(true));
    expect(maxWeight).toBeLessThanOrEqual(10);
    expect(maxWeight).toBeGreaterThan(1);
  });

  it('restores its state exactly and refuses bad input with typed errors', () => {
    const d = new TaskDistributions(['cls', 'seg'], 4);
    const rng = createRng(1);
    for (let i = 0; i < 20; i++) d.update(d.sample(rng), { cls: rng.next(), seg: rng.next() });
    const copy = new TaskDistributions(['cls', 'seg'], 4);
    copy.loadState(JSON.parse(JSON.stringify(d.exportState())));
    const a = [true, false, true, true];
    expect(copy.logProb('seg', a)).toBe(d.logProb('seg', a));
    expect(copy.update(a, { cls: 1, seg: 0 })).toEqual(d.update(a, { cls: 1, seg: 0 }));
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return isMultitaskError(e) ? `${e.code} ${e.message}` : String(e);
      }
      return 'no throw';
    };
    expect(code(() => d.logProb('det', a))).toBe('UNKNOWN_NAME fbnas.TaskDistributions.logProb: task "det" is not one of cls, seg');
    expect(code(() => d.update([true], { cls: 1, seg: 1 }))).toMatch(/^SHAPE_MISMATCH .*must have 4 keep flags, got 1/);
    expect(code(() => d.update(a, { cls: Number.NaN, seg: 1 }))).toBe('NON_FINITE fbnas.TaskDistributions.update: rewards.cls must be a finite number, got NaN');
    expect(code(() => new TaskDistributions(['a', 'a'], 3))).toMatch(/^INVALID_ARGUMENT .*tasks must be distinct/);
    expect(code(() => new TaskDistributions(['a'], 3, { proposalFloor: 0 }))).toMatch(/options\.proposalFloor must be in \(0, 1\], got 0/);
    expect(code(() => copy.loadState({ ...d.exportState(), theta: [[1, 2]] }))).toMatch(/^SHAPE_MISMATCH/);
  });
});
