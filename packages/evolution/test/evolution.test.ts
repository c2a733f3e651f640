import fc from 'fast-check';
import { fbnet28Space, nasBenchMacroSpace, validateGenome, type Genome } from '@fbnas/search-space';
import {
  adaptiveGa,
  crowdingDistance,
  dominates,
  hypervolume2d,
  isEvolutionError,
  nonDominatedSort,
  nsga2,
  paretoFront,
  predictorGuidedSearch,
  randomSearch,
  regularizedEvolution,
  type RangeConstraint,
} from '../src';

// 8 layers x 3 choices (6,561 genomes). A deceptive-free toy fitness with a unique optimum at 2,1,2,1,2,1,2,1.
const space = nasBenchMacroSpace();
const target = [2, 1, 2, 1, 2, 1, 2, 1];
const score = (g: Genome) => g.reduce((s, v, i) => s + (v === target[i] ? 1 : 0) + 0.01 * v, 0);
const fitness = (gs: Genome[]) => gs.map(score);
const optimum = score(target);
const sum = (g: Genome) => g.reduce((a, b) => a + b, 0);
const budget: RangeConstraint = { name: 'sum', evaluate: (gs) => gs.map(sum), max: 10 };

describe('single-objective search', () => {
  it('regularized evolution finds the optimum, deterministically per seed, counting distinct evaluations', async () => {
    const a = await regularizedEvolution(space, { fitness, maxEvaluations: 400, populationSize: 20, sampleSize: 5, seed: 3 });
    const b = await regularizedEvolution(space, { fitness, maxEvaluations: 400, populationSize: 20, sampleSize: 5, seed: 3 });
    expect(a.best.fitness).toBe(optimum);
    expect(a.history.map((h) => h.genome)).toEqual(b.history.map((h) => h.genome));
    expect(a.evaluations).toBe(400);
    expect(new Set(a.history.map((h) => h.genome.join())).size).toBe(400);
    expect(a.history.map((h) => h.index)).toEqual(Array.from({ length: 400 }, (_, i) => i));
  });

  it('random search is the baseline: worse than REA on average at the same budget', async () => {
    let rea = 0;
    let rnd = 0;
    for (let seed = 0; seed < 10; seed++) {
      rea += (await regularizedEvolution(space, { fitness, maxEvaluations: 100, populationSize: 20, sampleSize: 5, seed })).best.fitness;
      rnd += (await randomSearch(space, { fitness, maxEvaluations: 100, seed })).best.fitness;
    }
    expect(rea).toBeGreaterThan(rnd);
  });

  it('every evaluated genome is valid and satisfies the constraints (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 4, max: 12 }), async (seed, max) => {
        const c: RangeConstraint = { ...budget, max };
        const runs = [
          await randomSearch(space, { fitness, constraints: [c], maxEvaluations: 30, seed, batchSize: 7 }),
          await regularizedEvolution(space, { fitness, constraints: [c], maxEvaluations: 40, populationSize: 10, sampleSize: 3, seed, batchSize: 4 }),
          await adaptiveGa(space, { fitness, constraints: [c], populationSize: 10, maxGenerations: 4, seed }),
        ];
        for (const r of runs) {
          for (const h of r.history) {
            validateGenome(space, h.genome, 'test');
            expect(sum(h.genome)).toBeLessThanOrEqual(max);
          }
        }
      }),
      { numRuns: 15 },
    );
  });

  it('the adaptive GA scores whole generations in one call, stops on epsilon and returns a distinct top-K without excluded genomes', async () => {
    const calls: number[] = [];
    const exclude = [target];
    const r = await adaptiveGa(space, {
      fitness: (gs) => {
        calls.push(gs.length);
        return fitness(gs);
      },
      populationSize: 30,
      maxGenerations: 100,
      epsilon: 1e-9,
      patience: 4,
      exclude,
      seed: 1,
    });
    expect(r.stoppedBy).toBe('epsilon');
    expect(r.generations).toBeLessThan(100);
    expect(calls[0]).toBe(30);
    expect(calls.slice(1).every((n) => n > 1)).toBe(true);
    expect(r.top).toHaveLength(30);
    expect(new Set(r.top.map((t) => t.genome.join())).size).toBe(30);
    expect(r.top.some((t) => t.genome.join() === target.join())).toBe(false);
    expect(r.top.map((t) => t.fitness)).toEqual([...r.top.map((t) => t.fitness)].sort((a, b) => b - a));
  });

  it('under a constraint random genomes almost never meet, the adaptive GA starts from mutants of its seeds', async () => {
    // fbnet-28: 22 layers x 9 candidates; feasible only if layers 0-17 are all skip (8): a share of 9^-18
    const big = fbnet28Space();
    const skips: RangeConstraint = { name: 'non-skip', evaluate: (gs) => gs.map((g) => g.slice(0, 18).filter((v) => v !== 8).length), max: 0 };
    const seed: Genome = [...new Array(18).fill(8), 0, 0, 0, 0];
    const tail = (gs: Genome[]) => gs.map((g) => g.slice(18).reduce((a, b) => a + b, 0));
    const r = await adaptiveGa(big, { fitness: tail, constraints: [skips], initial: [seed], populationSize: 12, maxGenerations: 6, seed: 2 });
    expect(r.history.length).toBeGreaterThan(12);
    expect(r.history.every((h) => h.genome.slice(0, 18).every((v) => v === 8))).toBe(true);
    expect(r.best.fitness).toBeGreaterThan(0);
    // without seeds there is nothing to start from: a typed error says so
    await expect(adaptiveGa(big, { fitness: tail, constraints: [skips], populationSize: 12, maxGenerations: 6, seed: 2 })).rejects.toThrow(/relax the constraints/);
  });

  it('a predictor in the loop spends queries only on promising genomes', async () => {
    let queries = 0;
    const r = await predictorGuidedSearch(space, {
      query: (gs) => {
        queries += gs.length;
        return fitness(gs);
      },
      // an oracle scorer stands in for a perfect predictor: the optimum is queried in the first round
      fit: () => fitness,
      maxEvaluations: 40,
      initialSamples: 10,
      perRound: 10,
      exploration: 0,
      ga: { populationSize: 40, maxGenerations: 30 },
      seed: 2,
    });
    expect(queries).toBe(40);
    expect(r.evaluations).toBe(40);
    expect(r.best.fitness).toBe(optimum);
    // found within the first two predictor rounds (random search needs ~3,300 queries on average)
    expect(r.history.findIndex((h) => h.fitness === optimum)).toBeLessThan(30);
  });

  it('explores with mutants of the best queried genomes on request', async () => {
    // a useless scorer (constant): every round's picks come from the GA's arbitrary top, so what is explored shows
    const hamming = (a: Genome, b: Genome) => a.reduce((d, v, i) => d + (v !== b[i] ? 1 : 0), 0);
    const run = (explorationMode: 'random' | 'mutate-best') =>
      predictorGuidedSearch(space, { query: fitness, fit: () => (gs) => gs.map(() => 0), maxEvaluations: 60, initialSamples: 10, perRound: 10, exploration: 1, explorationMode, ga: { populationSize: 20, maxGenerations: 2 }, seed: 4 });
    const nearest = (r: Awaited<ReturnType<typeof run>>) =>
      r.history.slice(10).map((h) => Math.min(...r.history.filter((p) => p.generation < h.generation).map((p) => hamming(p.genome, h.genome))));
    const mutants = nearest(await run('mutate-best'));
    const randoms = nearest(await run('random'));
    // a mutant differs from some earlier genome in a gene or two; a random genome in about 5 of 8
    expect(mutants.reduce((a, b) => a + b, 0) / mutants.length).toBeLessThan(2);
    expect(randoms.reduce((a, b) => a + b, 0) / randoms.length).toBeGreaterThan(mutants.reduce((a, b) => a + b, 0) / mutants.length + 1);
    await expect(predictorGuidedSearch(space, { query: fitness, fit: () => fitness, maxEvaluations: 20, explorationMode: 'local' as 'random' })).rejects.toThrow(/options\.explorationMode must be "random" or "mutate-best", got "local"/);
  });

  it('gives typed errors for bad fitness, missing stop criteria, impossible constraints and aborts', async () => {
    await expect(randomSearch(space, { fitness: (gs) => gs.map(() => Number.NaN), maxEvaluations: 5 })).rejects.toThrow(/fbnas.randomSearch: fitness returned NaN for genome/);
    await expect(randomSearch(space, { fitness: () => [1], maxEvaluations: 5, batchSize: 3 })).rejects.toThrow(/fitness returned 1 values for 3 genomes/);
    await expect(regularizedEvolution(space, { fitness })).rejects.toThrow(/options need a stop criterion/);
    await expect(regularizedEvolution(space, { fitness, maxEvaluations: 10, populationSize: 5, sampleSize: 6 })).rejects.toThrow(/sampleSize \(6\) must not exceed populationSize \(5\)/);
    const err = await randomSearch(space, { fitness, maxEvaluations: 5, constraints: [{ name: 'impossible', evaluate: (gs) => gs.map(() => 1), max: 0 }] }).catch((e: unknown) => e);
    expect(isEvolutionError(err) && err.code === 'NO_FEASIBLE').toBe(true);
    const controller = new AbortController();
    controller.abort();
    const aborted = await randomSearch(space, { fitness, maxEvaluations: 5, signal: controller.signal }).catch((e: unknown) => e);
    expect(isEvolutionError(aborted) && aborted.code === 'ABORTED').toBe(true);
    await expect(randomSearch(space, { fitness, maxEvaluations: 5, initial: [[9, 9, 9, 9, 9, 9, 9, 9]] })).rejects.toThrow(/genome\[0\]|gene|must be/);
  });
});

describe('Pareto tools and NSGA-II', () => {
  const pointArb = fc.array(fc.tuple(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 20 })), { minLength: 1, maxLength: 40 });

  it('non-dominated sorting agrees with brute force, and each front is mutually non-dominated', () => {
    fc.assert(
      fc.property(pointArb, (pts) => {
        const fronts = nonDominatedSort(pts);
        expect(fronts.flat().sort((a, b) => a - b)).toEqual(pts.map((_, i) => i));
        const first = new Set(fronts[0]);
        pts.forEach((p, i) => expect(first.has(i)).toBe(!pts.some((q) => dominates(q, p))));
        for (const f of fronts) for (const i of f) for (const j of f) expect(dominates(pts[i], pts[j])).toBe(false);
        const d = crowdingDistance(pts, fronts[0]);
        expect([...d.values()].every((v) => v >= 0)).toBe(true);
      }),
    );
  });

  it('hypervolume is exact on a staircase and monotone under adding points', () => {
    expect(hypervolume2d([[1, 3], [2, 2], [3, 1]], [4, 4])).toBe(3 + 2 + 1);
    expect(hypervolume2d([[5, 5]], [4, 4])).toBe(0);
    fc.assert(
      fc.property(pointArb, fc.tuple(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 20 })), (pts, extra) => {
        expect(hypervolume2d([...pts, extra], [21, 21])).toBeGreaterThanOrEqual(hypervolume2d(pts, [21, 21]));
      }),
    );
    expect(() => hypervolume2d([[1, Number.NaN]], [2, 2])).toThrow(/pairs of finite numbers/);
  });

  it('NSGA-II returns a feasible, mutually non-dominated front that beats random search in hypervolume', async () => {
    // minimise the number of non-zero layers, maximise the toy score: a real trade-off
    const objectives = [
      { name: 'cost', evaluate: (gs: Genome[]) => gs.map((g) => g.filter((v) => v > 0).length), direction: 'min' as const },
      { name: 'score', evaluate: fitness, direction: 'max' as const },
    ];
    const hv = (front: Array<{ objectives: number[] }>) => hypervolume2d(front.map((m) => [m.objectives[0], -m.objectives[1]]), [9, 0]);
    let nsga = 0;
    let rnd = 0;
    for (let seed = 0; seed < 5; seed++) {
      const r = await nsga2(space, { objectives, constraints: [budget], populationSize: 20, maxEvaluations: 200, seed });
      for (const a of r.front) {
        expect(a.violation).toBe(0);
        expect(sum(a.genome)).toBeLessThanOrEqual(10);
        for (const b of r.front) expect(dominates([a.objectives[0], -a.objectives[1]], [b.objectives[0], -b.objectives[1]])).toBe(false);
      }
      expect(r.evaluations).toBe(200);
      nsga += hv(r.front);
      const random = await randomSearch(space, { fitness: () => [], maxEvaluations: 0, seed }).catch(() => null);
      expect(random).toBeNull(); // a zero budget evaluates nothing: a typed error, not an empty result
      const pool = await nsga2(space, { objectives, constraints: [budget], populationSize: 200, maxGenerations: 0, seed });
      rnd += hv(paretoFront(pool.history, ['min', 'max']));
    }
    expect(nsga).toBeGreaterThan(rnd);
  });
});
