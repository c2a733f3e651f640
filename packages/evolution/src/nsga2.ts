import { createRng, crossoverGenomes, mutateGenome, sampleGenome, type Genome, type SearchSpace } from '@fbnas/search-space';
import { EvolutionError } from './errors';
import { callBatch, checkCommon, checkConstraints, genomeKey, type BatchFitness, type RangeConstraint, type StopCriteria } from './fitness';
import { crowdingDistance, nonDominatedSort } from './pareto';
import type { EvolutionProgress } from './runState';

/** One objective of a multi-objective search. */
export interface Objective {
  name: string;
  evaluate: BatchFitness;
  /** ['min'] */
  direction?: 'min' | 'max';
}

/** Options of {@link nsga2}. */
export interface Nsga2Options extends StopCriteria {
  objectives: Objective[];
  constraints?: RangeConstraint[];
  /** [50] */
  populationSize?: number;
  /** [0.9] */
  crossoverRate?: number;
  mutationRate?: number;
  initial?: Genome[];
  seed?: number;
  onProgress?: (event: EvolutionProgress & { frontSize: number }) => void;
  signal?: AbortSignal;
}

/** An evaluated member: objective values as given (not sign-flipped) and its constraint violation. */
export interface MultiObjectiveMember {
  genome: Genome;
  objectives: number[];
  /** 0 when every constraint holds. */
  violation: number;
}

/** Result of {@link nsga2}. */
export interface Nsga2Result {
  /** The feasible non-dominated members of everything evaluated (mutually non-dominated). */
  front: MultiObjectiveMember[];
  population: MultiObjectiveMember[];
  history: MultiObjectiveMember[];
  evaluations: number;
  generations: number;
  seconds: number;
}

/**
 * The feasible Pareto front of a set of members (objectives with their directions): mutually non-dominated,
 * duplicates of a genome removed.
 */
export function paretoFront(members: readonly MultiObjectiveMember[], directions: ReadonlyArray<'min' | 'max'>): MultiObjectiveMember[] {
  const seen = new Set<string>();
  const feasible = members.filter((m) => {
    const k = genomeKey(m.genome);
    if (m.violation > 0 || seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  const pts = feasible.map((m) => m.objectives.map((v, i) => (directions[i] === 'max' ? -v : v)));
  const fronts = nonDominatedSort(pts);
  return (fronts[0] ?? []).map((i) => feasible[i]);
}

/**
 * NSGA-II (Deb et al. 2002): binary tournaments on (rank, crowding distance), uniform crossover and
 * mutation from the space, elitist (μ + λ) survival by non-dominated sorting with crowding; constrained
 * domination (feasible before infeasible, then lower violation). Constraints are checked first and
 * objectives are evaluated for feasible genomes only. Every objective and constraint is called once per
 * generation with the whole batch.
 */
export async function nsga2(space: SearchSpace, o: Nsga2Options): Promise<Nsga2Result> {
  const api = 'fbnas.nsga2';
  checkCommon(space, o, api);
  if (!Array.isArray(o.objectives) || o.objectives.length < 1) throw new EvolutionError('INVALID_ARGUMENT', api, 'options.objectives must hold at least one objective');
  for (const ob of o.objectives) {
    if (typeof ob.evaluate !== 'function') throw new EvolutionError('INVALID_ARGUMENT', api, `objective ${String(ob.name)} needs an evaluate function`);
    if (ob.direction !== undefined && ob.direction !== 'min' && ob.direction !== 'max') throw new EvolutionError('INVALID_ARGUMENT', api, `objective ${ob.name}: direction must be "min" or "max", got ${JSON.stringify(ob.direction)}`);
  }
  const popSize = o.populationSize ?? 50;
  if (!Number.isInteger(popSize) || popSize < 2) throw new EvolutionError('INVALID_ARGUMENT', api, `options.populationSize must be an integer >= 2, got ${String(o.populationSize)}`);
  const crossoverRate = o.crossoverRate ?? 0.9;
  const directions = o.objectives.map((ob) => ob.direction ?? 'min');
  const rng = createRng(o.seed ?? 0);
  const t0 = Date.now();
  const history: MultiObjectiveMember[] = [];
  const seen = new Set<string>();
  let generations = 0;
  const maxEval = o.maxEvaluations ?? Infinity;
  const stop = () => {
    if (o.signal?.aborted) throw new EvolutionError('ABORTED', api, `stopped after ${history.length} evaluations`);
    return history.length >= maxEval || (o.maxGenerations !== undefined && generations >= o.maxGenerations) || (o.timeLimitMs !== undefined && Date.now() - t0 >= o.timeLimitMs);
  };
  const evaluate = async (genomes: Genome[]): Promise<MultiObjectiveMember[]> => {
    const { violation } = await checkConstraints(o.constraints ?? [], genomes, api);
    const ok = genomes.filter((_, i) => violation[i] === 0);
    const values = await Promise.all(o.objectives.map((ob) => callBatch(ob.evaluate, ok, api, `objective ${ob.name}`)));
    let j = 0;
    const members = genomes.map((g, i) => {
      const m: MultiObjectiveMember = { genome: g, objectives: violation[i] === 0 ? values.map((v) => v[j]) : o.objectives.map(() => Number.NaN), violation: violation[i] };
      if (violation[i] === 0) j++;
      return m;
    });
    for (const m of members) history.push(m);
    return members;
  };
  const fresh = (make: () => Genome, count: number) => {
    const out: Genome[] = [];
    let tries = 0;
    while (out.length < count && tries++ < 100 * count) {
      const g = make();
      const k = genomeKey(g);
      if (seen.has(k)) continue;
      seen.add(k);
      out.push(g);
    }
    return out;
  };
  const minimised = (m: MultiObjectiveMember) => m.objectives.map((v, i) => (directions[i] === 'max' ? -v : v));
  const rankAll = (members: MultiObjectiveMember[]) => {
    const pts = members.map(minimised);
    const fronts = nonDominatedSort(pts, members.map((m) => m.violation));
    const rank = new Array<number>(members.length);
    const crowd = new Array<number>(members.length);
    fronts.forEach((f, r) => {
      const d = crowdingDistance(pts, f);
      for (const i of f) {
        rank[i] = r;
        crowd[i] = members[i].violation > 0 ? 0 : (d.get(i) as number);
      }
    });
    return { fronts, rank, crowd };
  };

  const init: Genome[] = [];
  for (const g of (o.initial ?? []).slice(0, popSize)) {
    const k = genomeKey(g);
    if (seen.has(k)) continue;
    seen.add(k);
    init.push(g);
  }
  let population = await evaluate([...init, ...fresh(() => sampleGenome(space, rng), Math.min(popSize, maxEval) - init.length)]);
  const report = () =>
    o.onProgress?.({ generation: generations, evaluations: history.length, best: Number.NaN, seconds: (Date.now() - t0) / 1000, frontSize: paretoFront(population, directions).length });
  report();
  while (!stop()) {
    generations++;
    const { rank, crowd } = rankAll(population);
    const pick = () => {
      const a = rng.int(population.length);
      const b = rng.int(population.length);
      return rank[a] < rank[b] || (rank[a] === rank[b] && crowd[a] >= crowd[b]) ? population[a] : population[b];
    };
    const children = fresh(() => {
      const p = pick().genome;
      const base = rng.next() < crossoverRate ? crossoverGenomes(space, p, pick().genome, rng) : p;
      return mutateGenome(space, base, rng, { rate: o.mutationRate });
    }, Math.min(popSize, maxEval - history.length));
    if (children.length === 0) break;
    const merged = [...population, ...(await evaluate(children))];
    const ranked = rankAll(merged);
    const next: MultiObjectiveMember[] = [];
    for (const f of ranked.fronts) {
      if (next.length + f.length <= popSize) {
        for (const i of f) next.push(merged[i]);
        continue;
      }
      const sorted = [...f].sort((a, b) => ranked.crowd[b] - ranked.crowd[a] || merged[a].violation - merged[b].violation);
      for (const i of sorted.slice(0, popSize - next.length)) next.push(merged[i]);
      break;
    }
    population = next;
    report();
  }
  return { front: paretoFront(history, directions), population, history, evaluations: history.length, generations, seconds: (Date.now() - t0) / 1000 };
}
