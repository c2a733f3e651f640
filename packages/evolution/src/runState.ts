import { createRng, sampleGenome, type Genome, type Rng, type SearchSpace } from '@fbnas/search-space';
import { EvolutionError } from './errors';
import { callBatch, checkConstraints, genomeKey, type BatchFitness, type EvaluationRecord, type RangeConstraint, type StopCriteria } from './fitness';

/** Progress of any algorithm: one event per generation (or batch). */
export interface EvolutionProgress {
  generation: number;
  evaluations: number;
  best: number;
  seconds: number;
}

/** Shared bookkeeping of a run: seeded RNG, cached batched fitness, history, stop criteria. */
export class RunState {
  readonly rng: Rng;
  readonly cache = new Map<string, number>();
  readonly history: EvaluationRecord[] = [];
  generation = 0;
  private readonly t0 = Date.now();

  constructor(
    readonly space: SearchSpace,
    readonly api: string,
    private readonly fitness: BatchFitness,
    private readonly constraints: readonly RangeConstraint[],
    private readonly stop: StopCriteria & { signal?: AbortSignal },
    seed: number,
  ) {
    this.rng = createRng(seed);
  }

  get evaluations(): number {
    return this.history.length;
  }

  seconds(): number {
    return (Date.now() - this.t0) / 1000;
  }

  /** Evaluations left before `maxEvaluations` (Infinity without one). */
  remaining(): number {
    return (this.stop.maxEvaluations ?? Infinity) - this.evaluations;
  }

  done(): boolean {
    if (this.stop.signal?.aborted) throw new EvolutionError('ABORTED', this.api, `stopped after ${this.evaluations} evaluations`);
    return (
      this.remaining() <= 0 ||
      (this.stop.maxGenerations !== undefined && this.generation >= this.stop.maxGenerations) ||
      (this.stop.timeLimitMs !== undefined && Date.now() - this.t0 >= this.stop.timeLimitMs)
    );
  }

  /**
   * Fitness of genomes, evaluated in one batch (cached ones are free, repeats scored once). `keys` (their
   * `genomeKey`s, all different, e.g. from {@link RunState.feasibleKeyed}) saves recomputing them.
   */
  async evaluate(genomes: Genome[], keys?: string[]): Promise<number[]> {
    const ks = keys ?? genomes.map(genomeKey);
    const fresh: Genome[] = [];
    const freshKeys: string[] = [];
    const seen = keys ? null : new Set<string>();
    for (let i = 0; i < ks.length; i++) {
      const k = ks[i];
      if (this.cache.has(k) || seen?.has(k)) continue;
      seen?.add(k);
      fresh.push(genomes[i]);
      freshKeys.push(k);
    }
    const values = await callBatch(this.fitness, fresh, this.api, 'fitness');
    for (let i = 0; i < fresh.length; i++) {
      this.cache.set(freshKeys[i], values[i]);
      this.history.push({ genome: fresh[i], fitness: values[i], index: this.history.length, generation: this.generation });
    }
    return ks.map((k) => this.cache.get(k) as number);
  }

  /**
   * `count` feasible genomes made by `make` (e.g. mutation), skipping cached ones when `fresh`: candidates
   * are drawn in rounds and the constraints checked in one batch per round. Throws NO_FEASIBLE when
   * `maxTries` candidates produce too few.
   */
  async feasible(count: number, make: () => Genome, options: { fresh?: boolean; maxTries?: number } = {}): Promise<Genome[]> {
    return (await this.feasibleKeyed(count, make, options)).genomes;
  }

  /** {@link RunState.feasible} with the genomes' keys (all different). */
  async feasibleKeyed(count: number, make: () => Genome, options: { fresh?: boolean; maxTries?: number } = {}): Promise<{ genomes: Genome[]; keys: string[] }> {
    const out: Genome[] = [];
    const outKeys: string[] = [];
    const keys = new Set<string>();
    const maxTries = options.maxTries ?? 1000 * Math.max(count, 1);
    let tries = 0;
    let accepted = 0;
    while (out.length < count) {
      // draw as many as the acceptance rate so far suggests (constraints are checked per batch)
      const rate = tries === 0 ? 1 : Math.max(accepted / tries, 0.02);
      const want = Math.min(Math.ceil((1.1 * (count - out.length)) / rate) + 2, maxTries - tries);
      if (want <= 0) {
        throw new EvolutionError('NO_FEASIBLE', this.api, `only ${out.length} of ${count} feasible${options.fresh ? ', unevaluated' : ''} genomes after ${tries} tries; relax the constraints`);
      }
      const batch: Genome[] = [];
      const batchKeys: string[] = [];
      for (let i = 0; i < want; i++) {
        const g = make();
        const k = genomeKey(g);
        if (keys.has(k) || (options.fresh && this.cache.has(k))) continue;
        batch.push(g);
        batchKeys.push(k);
        keys.add(k);
      }
      tries += want;
      const { feasible } = await checkConstraints(this.constraints, batch, this.api);
      for (let i = 0; i < batch.length && out.length < count; i++) {
        if (!feasible[i]) continue;
        accepted++;
        out.push(batch[i]);
        outKeys.push(batchKeys[i]);
      }
    }
    return { genomes: out, keys: outKeys };
  }

  randomGenome = (): Genome => sampleGenome(this.space, this.rng);

  best(): EvaluationRecord | null {
    let b: EvaluationRecord | null = null;
    for (const r of this.history) if (!b || r.fitness > b.fitness) b = r;
    return b;
  }
}
