import { crossoverGenomes, mutateGenome, type Genome, type SearchSpace } from '@fbnas/search-space';
import { EvolutionError, isEvolutionError } from './errors';
import { checkCommon, checkConstraints, genomeKey, type BatchFitness, type EvaluationRecord, type RangeConstraint, type StopCriteria } from './fitness';
import { RunState, type EvolutionProgress } from './runState';

/** Options every single-objective algorithm takes. Fitness is maximised. */
export interface SingleObjectiveOptions extends StopCriteria {
  fitness: BatchFitness;
  constraints?: RangeConstraint[];
  /** Genomes to start from (e.g. the best evaluated ones); the rest of the first population is random. */
  initial?: Genome[];
  /** [0] */
  seed?: number;
  onProgress?: (event: EvolutionProgress) => void;
  signal?: AbortSignal;
}

/** What a single-objective run returns: the best genome and every evaluation in order (for plots). */
export interface SingleObjectiveResult {
  best: { genome: Genome; fitness: number };
  history: EvaluationRecord[];
  evaluations: number;
  generations: number;
  seconds: number;
}

function finish(run: RunState): SingleObjectiveResult {
  const best = run.best();
  if (!best) throw new EvolutionError('NO_FEASIBLE', run.api, 'nothing was evaluated (budget 0?)');
  return { best: { genome: best.genome, fitness: best.fitness }, history: run.history, evaluations: run.evaluations, generations: run.generation, seconds: run.seconds() };
}

function progress(run: RunState, o: SingleObjectiveOptions) {
  o.onProgress?.({ generation: run.generation, evaluations: run.evaluations, best: run.best()?.fitness ?? Number.NaN, seconds: run.seconds() });
}

function positiveInt(api: string, key: string, v: number) {
  if (!Number.isInteger(v) || v < 1) throw new EvolutionError('INVALID_ARGUMENT', api, `options.${key} must be a positive integer, got ${String(v)}`);
}

/**
 * Random search, the baseline: distinct feasible genomes drawn uniformly, evaluated in batches of `batchSize` [1].
 * @example
 * import { nasBenchMacroSpace } from '@fbnas/search-space';
 * import { randomSearch } from '@fbnas/evolution';
 * const r = await randomSearch(nasBenchMacroSpace(), { fitness: (gs) => gs.map((g) => g.reduce((a, b) => a + b, 0)), maxEvaluations: 50 });
 */
export async function randomSearch(space: SearchSpace, o: SingleObjectiveOptions & { batchSize?: number }): Promise<SingleObjectiveResult> {
  const api = 'fbnas.randomSearch';
  checkCommon(space, o, api);
  const batch = o.batchSize ?? 1;
  positiveInt(api, 'batchSize', batch);
  const run = new RunState(space, api, o.fitness, o.constraints ?? [], o, o.seed ?? 0);
  if (o.initial?.length) await run.evaluate(o.initial.slice(0, Math.max(0, run.remaining())));
  while (!run.done()) {
    const gs = await run.feasible(Math.min(batch, run.remaining()), run.randomGenome, { fresh: true });
    await run.evaluate(gs);
    run.generation++;
    progress(run, o);
  }
  return finish(run);
}

/**
 * Regularized evolution (REA, Real et al. 2019): a population of `populationSize` [50]; each child mutates the
 * best of `sampleSize` [10] members drawn at random, joins the population, and the oldest member leaves (age,
 * not fitness, decides). Children that break a constraint or were evaluated before are redrawn.
 * `batchSize` [1] children per generation (larger batches suit parallel or batched fitness).
 */
export async function regularizedEvolution(
  space: SearchSpace,
  o: SingleObjectiveOptions & { populationSize?: number; sampleSize?: number; batchSize?: number; mutationRate?: number },
): Promise<SingleObjectiveResult> {
  const api = 'fbnas.regularizedEvolution';
  checkCommon(space, o, api);
  const popSize = o.populationSize ?? 50;
  const sampleSize = o.sampleSize ?? 10;
  const batch = o.batchSize ?? 1;
  for (const [k, v] of [['populationSize', popSize], ['sampleSize', sampleSize], ['batchSize', batch]] as const) positiveInt(api, k, v);
  if (sampleSize > popSize) throw new EvolutionError('INVALID_ARGUMENT', api, `options.sampleSize (${sampleSize}) must not exceed populationSize (${popSize})`);
  const run = new RunState(space, api, o.fitness, o.constraints ?? [], o, o.seed ?? 0);
  const population: Array<{ genome: Genome; fitness: number }> = [];
  const seeds = (o.initial ?? []).slice(0, popSize);
  const first = [...seeds, ...(await run.feasible(Math.max(0, Math.min(popSize, run.remaining()) - seeds.length), run.randomGenome, { fresh: true }))];
  const f0 = await run.evaluate(first);
  first.forEach((g, i) => population.push({ genome: g, fitness: f0[i] }));
  progress(run, o);
  while (!run.done()) {
    run.generation++;
    const children = await run.feasible(
      Math.min(batch, run.remaining()),
      () => {
        let parent = population[run.rng.int(population.length)];
        for (let s = 1; s < sampleSize; s++) {
          const c = population[run.rng.int(population.length)];
          if (c.fitness > parent.fitness) parent = c;
        }
        return mutateGenome(space, parent.genome, run.rng, { rate: o.mutationRate });
      },
      { fresh: true },
    );
    const f = await run.evaluate(children);
    children.forEach((g, i) => population.push({ genome: g, fitness: f[i] }));
    while (population.length > popSize) population.shift();
    progress(run, o);
  }
  return finish(run);
}

/** Options of {@link adaptiveGa}. */
export interface AdaptiveGaOptions extends SingleObjectiveOptions {
  /** Members kept per generation (the top-K) [100]. */
  populationSize?: number;
  /** Children per generation [populationSize]. */
  childrenPerGeneration?: number;
  /** Probability that a child comes from crossover of two parents before mutation [0.5]. */
  crossoverRate?: number;
  mutationRate?: number;
  /** Stop when the best fitness changed by less than epsilon over `patience` generations [1e-4, 3]. */
  epsilon?: number;
  patience?: number;
  /** Genomes never returned in `top` (e.g. already trained ones) though they may breed. */
  exclude?: Genome[];
}

/** Result of {@link adaptiveGa}: the top-K distinct genomes by fitness, and per-generation bests. */
export interface AdaptiveGaResult extends SingleObjectiveResult {
  top: Array<{ genome: Genome; fitness: number }>;
  bestPerGeneration: number[];
  /** Why the run stopped. */
  stoppedBy: 'epsilon' | 'budget';
}

/**
 * FBNetV3's adaptive genetic algorithm (fbnet-family.md §3.4): the first population is `initial` (the best
 * evaluated pairs) plus random feasible genomes (mutants of `initial` when a tight constraint makes random genomes
 * rarely feasible); each generation breeds children by crossover and mutation
 * of parents chosen by binary tournament, rejects children that break a constraint, scores them in one batch
 * (a predictor: seconds for thousands), and keeps the top-K distinct genomes; it stops when the best score
 * moved less than epsilon over `patience` generations, or on the budget.
 */
export async function adaptiveGa(space: SearchSpace, o: AdaptiveGaOptions): Promise<AdaptiveGaResult> {
  const api = 'fbnas.adaptiveGa';
  checkCommon(space, o, api);
  const popSize = o.populationSize ?? 100;
  const nChildren = o.childrenPerGeneration ?? popSize;
  const crossoverRate = o.crossoverRate ?? 0.5;
  const epsilon = o.epsilon ?? 1e-4;
  const patience = o.patience ?? 3;
  for (const [k, v] of [['populationSize', popSize], ['childrenPerGeneration', nChildren], ['patience', patience]] as const) positiveInt(api, k, v);
  if (!(crossoverRate >= 0 && crossoverRate <= 1)) throw new EvolutionError('INVALID_ARGUMENT', api, `options.crossoverRate must be in [0, 1], got ${String(o.crossoverRate)}`);
  if (!(epsilon >= 0)) throw new EvolutionError('INVALID_ARGUMENT', api, `options.epsilon must be non-negative, got ${String(o.epsilon)}`);
  const run = new RunState(space, api, o.fitness, o.constraints ?? [], o, o.seed ?? 0);
  const excluded = new Set((o.exclude ?? []).map(genomeKey));
  const { feasible } = await checkConstraints(o.constraints ?? [], o.initial ?? [], api);
  const seeds = (o.initial ?? []).filter((_, i) => feasible[i]).slice(0, popSize);
  const fill = Math.max(0, popSize - seeds.length);
  let rest: Genome[];
  try {
    rest = await run.feasible(fill, run.randomGenome);
  } catch (err) {
    // under a tight constraint random genomes are rarely feasible: fill the population with mutants of the seeds
    if (!(seeds.length > 0 && isEvolutionError(err) && err.code === 'NO_FEASIBLE')) throw err;
    rest = await run.feasible(fill, () => mutateGenome(space, seeds[run.rng.int(seeds.length)], run.rng, { rate: o.mutationRate }), { fresh: true });
  }
  const first = [...seeds, ...rest];
  const f0 = await run.evaluate(first);
  // members carry their key, so a generation's merge does not recompute it
  let population = first.map((g, i) => ({ genome: g, fitness: f0[i], key: genomeKey(g) })).sort((a, b) => b.fitness - a.fitness);
  const bestPerGeneration = [population[0]?.fitness ?? Number.NaN];
  progress(run, o);
  let stoppedBy: 'epsilon' | 'budget' = 'budget';
  const tournament = () => {
    const a = population[run.rng.int(population.length)];
    const b = population[run.rng.int(population.length)];
    return a.fitness >= b.fitness ? a : b;
  };
  while (!run.done()) {
    run.generation++;
    const children = await run.feasibleKeyed(Math.min(nChildren, run.remaining()), () => {
      const p = tournament().genome;
      const base = run.rng.next() < crossoverRate ? crossoverGenomes(space, p, tournament().genome, run.rng) : p;
      return mutateGenome(space, base, run.rng, { rate: o.mutationRate });
    });
    const f = await run.evaluate(children.genomes, children.keys);
    const merged = new Map(population.map((m) => [m.key, m]));
    children.genomes.forEach((g, i) => merged.set(children.keys[i], { genome: g, fitness: f[i], key: children.keys[i] }));
    population = [...merged.values()].sort((a, b) => b.fitness - a.fitness).slice(0, popSize);
    bestPerGeneration.push(population[0].fitness);
    progress(run, o);
    const g = bestPerGeneration.length - 1;
    if (g >= patience && Math.abs(bestPerGeneration[g] - bestPerGeneration[g - patience]) < epsilon) {
      stoppedBy = 'epsilon';
      break;
    }
  }
  // The population is the top-K distinct genomes of everything evaluated; only when it holds excluded
  // genomes does the top-K come from the whole history.
  const kept = population.filter((m) => !excluded.has(m.key));
  let top: Array<{ genome: Genome; fitness: number }> = kept.map((m) => ({ genome: m.genome, fitness: m.fitness }));
  if (kept.length < population.length) {
    top = [];
    for (const r of [...run.history].sort((a, b) => b.fitness - a.fitness)) {
      if (top.length >= popSize) break;
      if (!excluded.has(genomeKey(r.genome))) top.push({ genome: r.genome, fitness: r.fitness });
    }
  }
  return { ...finish(run), top, bestPerGeneration, stoppedBy };
}
