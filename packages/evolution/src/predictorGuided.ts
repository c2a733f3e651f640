import { mutateGenome, type Genome, type SearchSpace } from '@fbnas/search-space';
import { EvolutionError } from './errors';
import { checkCommon, genomeKey, type BatchFitness, type RangeConstraint } from './fitness';
import { RunState, type EvolutionProgress } from './runState';
import { adaptiveGa, type AdaptiveGaOptions, type SingleObjectiveResult } from './singleObjective';

/** Options of {@link predictorGuidedSearch}. */
export interface PredictorGuidedOptions {
  /** The expensive fitness (training, a tabular benchmark), maximised; every distinct call counts. */
  query: BatchFitness;
  /** Fit a cheap scorer (e.g. an accuracy predictor) on everything queried so far. */
  fit: (genomes: Genome[], fitness: number[]) => BatchFitness | Promise<BatchFitness>;
  /** Distinct queries allowed. */
  maxEvaluations: number;
  /** Random queries before the first fit [20]. */
  initialSamples?: number;
  /** Queries per round: the top predicted unqueried genomes [10]. */
  perRound?: number;
  /** Share of each round drawn at random instead, for exploration [0.1]. */
  exploration?: number;
  /** How the exploration share is drawn: uniformly at random, or as mutants of the best queried genomes ['random']. */
  explorationMode?: 'random' | 'mutate-best';
  /** Settings of the inner `adaptiveGa` over the scorer (population 100, 20 generations by default). */
  ga?: Omit<AdaptiveGaOptions, 'fitness' | 'constraints' | 'initial' | 'exclude' | 'seed' | 'signal' | 'onProgress'>;
  constraints?: RangeConstraint[];
  seed?: number;
  onProgress?: (event: EvolutionProgress) => void;
  signal?: AbortSignal;
}

/**
 * FBNetV3-style search with a predictor in the loop: query `initialSamples` random genomes, then repeat: fit
 * the scorer on all queries, run the adaptive GA on the scorer (no queries; seeded by the best queried
 * genomes), and query its top `perRound` genomes not queried yet (plus a few random ones). The GA and the
 * constraints never spend queries.
 */
export async function predictorGuidedSearch(space: SearchSpace, o: PredictorGuidedOptions): Promise<SingleObjectiveResult> {
  const api = 'fbnas.predictorGuidedSearch';
  checkCommon(space, o, api);
  const initialSamples = o.initialSamples ?? 20;
  const perRound = o.perRound ?? 10;
  const exploration = o.exploration ?? 0.1;
  if (!Number.isInteger(initialSamples) || initialSamples < 2) throw new EvolutionError('INVALID_ARGUMENT', api, `options.initialSamples must be an integer >= 2, got ${String(o.initialSamples)}`);
  if (!Number.isInteger(perRound) || perRound < 1) throw new EvolutionError('INVALID_ARGUMENT', api, `options.perRound must be a positive integer, got ${String(o.perRound)}`);
  if (!(exploration >= 0 && exploration <= 1)) throw new EvolutionError('INVALID_ARGUMENT', api, `options.exploration must be in [0, 1], got ${String(o.exploration)}`);
  if (o.explorationMode !== undefined && o.explorationMode !== 'random' && o.explorationMode !== 'mutate-best') {
    throw new EvolutionError('INVALID_ARGUMENT', api, `options.explorationMode must be "random" or "mutate-best", got ${JSON.stringify(o.explorationMode)}`);
  }
  const run = new RunState(space, api, o.query, o.constraints ?? [], o, o.seed ?? 0);
  await run.evaluate(await run.feasible(Math.min(initialSamples, run.remaining()), run.randomGenome, { fresh: true }));
  o.onProgress?.({ generation: 0, evaluations: run.evaluations, best: run.best()?.fitness ?? Number.NaN, seconds: run.seconds() });
  while (!run.done()) {
    run.generation++;
    const genomes = run.history.map((r) => r.genome);
    const scorer = await o.fit(genomes, run.history.map((r) => r.fitness));
    const want = Math.min(perRound, run.remaining());
    const nRandom = Math.min(want, Math.round(want * exploration));
    const best = [...run.history].sort((a, b) => b.fitness - a.fitness).slice(0, 10).map((r) => r.genome);
    const ga = await adaptiveGa(space, {
      populationSize: 100,
      maxGenerations: 20,
      ...o.ga,
      fitness: scorer,
      constraints: o.constraints,
      initial: best,
      exclude: genomes,
      seed: run.rng.nextUint32(),
      signal: o.signal,
    });
    const picks: Genome[] = [];
    const keys = new Set<string>();
    for (const t of ga.top) {
      if (picks.length >= want - nRandom) break;
      const k = genomeKey(t.genome);
      if (!run.cache.has(k) && !keys.has(k)) {
        picks.push(t.genome);
        keys.add(k);
      }
    }
    const explore = o.explorationMode === 'mutate-best' ? () => mutateGenome(space, best[run.rng.int(best.length)], run.rng) : run.randomGenome;
    const extra = await run.feasible(want - picks.length, explore, { fresh: true });
    await run.evaluate([...picks, ...extra.filter((g) => !keys.has(genomeKey(g)))].slice(0, want));
    o.onProgress?.({ generation: run.generation, evaluations: run.evaluations, best: run.best()?.fitness ?? Number.NaN, seconds: run.seconds() });
  }
  const best = run.best() as NonNullable<ReturnType<RunState['best']>>;
  return { best: { genome: best.genome, fitness: best.fitness }, history: run.history, evaluations: run.evaluations, generations: run.generation, seconds: run.seconds() };
}
