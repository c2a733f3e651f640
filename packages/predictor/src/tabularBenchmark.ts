import { createRng, nasBench201Space, nasBenchMacroSpace, validateGenome, type BenchmarkSpace, type Genome } from '@fbnas/search-space';
import type { CioEvaluator } from './constrainedIterativeOptimization';
import { NB_MACRO_FLOPS, NB_MACRO_PARAMS, NB_MACRO_RUNS } from './data/nasBenchMacroCifar10.generated';
import { PredictorError } from './errors';

/** One architecture of a tabular benchmark: its accuracy (%), the independent runs behind it when known, and its counts. */
export interface TabularRecord {
  accuracy: number;
  runs?: number[];
  params?: number;
  flops?: number;
}

/**
 * A tabular NAS benchmark: every architecture of a space with its measured accuracy. Lookups are exact (a missing
 * architecture is a typed error); `accuracy` is batched, so it serves as the fitness of `@fbnas/evolution`.
 */
export interface TabularBenchmark {
  readonly name: string;
  readonly space: BenchmarkSpace;
  readonly size: number;
  record(genome: Genome): TabularRecord;
  accuracy(genomes: Genome[]): number[];
  /** The best accuracy in the table and one architecture that reaches it. */
  optimum(): { genome: Genome; accuracy: number };
}

/**
 * A tabular benchmark from `{ key: record }` where keys are the space's (`space.toKey`), e.g. NAS-Bench-201 arch
 * strings. Every key and accuracy is checked (typed errors name the entry).
 */
export function createTabularBenchmark(name: string, space: BenchmarkSpace, entries: Record<string, TabularRecord>): TabularBenchmark {
  const api = 'fbnas.createTabularBenchmark';
  const byKey = new Map<string, TabularRecord>();
  for (const [key, rec] of Object.entries(entries)) {
    let genome: Genome;
    try {
      genome = space.fromKey(key);
    } catch (err) {
      throw new PredictorError('INVALID_ARGUMENT', api, `entry ${JSON.stringify(key)} is not an architecture of ${space.name}: ${(err as Error).message}`);
    }
    if (rec === null || typeof rec !== 'object' || typeof rec.accuracy !== 'number' || !Number.isFinite(rec.accuracy)) {
      throw new PredictorError('NON_FINITE', api, `entry ${JSON.stringify(key)} needs a finite accuracy, got ${JSON.stringify(rec)}`);
    }
    byKey.set(space.toKey(genome), rec);
  }
  if (byKey.size === 0) throw new PredictorError('EMPTY', api, `${name} has no entries`);
  const record = (genome: Genome): TabularRecord => {
    validateGenome(space, genome, `fbnas.TabularBenchmark(${name}).record`);
    const r = byKey.get(space.toKey(genome));
    if (!r) throw new PredictorError('INVALID_ARGUMENT', `fbnas.TabularBenchmark(${name}).record`, `${space.toKey(genome)} is not in the table`);
    return r;
  };
  return {
    name,
    space,
    size: byKey.size,
    record,
    accuracy: (genomes) => genomes.map((g) => record(g).accuracy),
    optimum() {
      let best: [string, TabularRecord] | null = null;
      for (const e of byKey) if (!best || e[1].accuracy > best[1].accuracy) best = e;
      const [key, rec] = best as [string, TabularRecord];
      return { genome: space.fromKey(key), accuracy: rec.accuracy };
    },
  };
}

/**
 * NAS-Bench-Macro on CIFAR-10, bundled (Su et al., CVPR 2021, Apache-2.0; see DATA.md): 6,561 architectures of
 * `nasBenchMacroSpace()` with the mean test accuracy of three runs (%), the runs, params and FLOPs.
 */
export function nasBenchMacroBenchmark(): TabularBenchmark {
  const space = nasBenchMacroSpace();
  const entries: Record<string, TabularRecord> = {};
  for (let i = 0; i < NB_MACRO_PARAMS.length; i++) {
    const runs = [0, 1, 2].map((r) => NB_MACRO_RUNS[3 * i + r] / 100);
    entries[i.toString(3).padStart(8, '0')] = { accuracy: (runs[0] + runs[1] + runs[2]) / 3, runs, params: NB_MACRO_PARAMS[i], flops: NB_MACRO_FLOPS[i] };
  }
  return createTabularBenchmark('nas-bench-macro-cifar10', space, entries);
}

/** NAS-Bench-201 datasets. */
export type NasBench201Dataset = 'cifar10' | 'cifar100' | 'ImageNet16-120';

/**
 * NAS-Bench-201 from your copy of its accuracies (not bundled: the small public exports carry no licence): a map
 * from arch string (`|nor_conv_3x3~0|+|...|`) to `{ cifar10_test_acc, cifar100_test_acc, "ImageNet16-120_test_acc" }`
 * (%, as NATS-Bench's `get_more_info(i, dataset, hp=200)['test-accuracy']` gives them), or to plain numbers.
 */
export function nasBench201Benchmark(archs: Record<string, number | Partial<Record<`${NasBench201Dataset}_test_acc`, number>>>, dataset: NasBench201Dataset = 'cifar10'): TabularBenchmark {
  if (!['cifar10', 'cifar100', 'ImageNet16-120'].includes(dataset)) {
    throw new PredictorError('INVALID_ARGUMENT', 'fbnas.nasBench201Benchmark', `dataset must be cifar10, cifar100 or ImageNet16-120, got ${JSON.stringify(dataset)}`);
  }
  const entries: Record<string, TabularRecord> = {};
  for (const [key, v] of Object.entries(archs)) entries[key] = { accuracy: (typeof v === 'number' ? v : v?.[`${dataset}_test_acc`]) as number };
  return createTabularBenchmark(`nas-bench-201-${dataset}`, nasBench201Space(), entries);
}

/** Options of {@link tabularEvaluator}; defaults in brackets. */
export interface TabularEvaluatorOptions {
  /** Answer with one of the recorded runs, drawn per evaluation (training noise), instead of their mean [false]. */
  sampleRuns?: boolean;
  /** Seed of the run draws [0]. */
  seed?: number;
}

/**
 * A `constrainedIterativeOptimization` evaluator that looks accuracies up (as a fraction) instead of training:
 * fast, exact simulations of FBNetV3's first stage. Tables hold final accuracies only, so every epoch reports the
 * final value (the early-stop epoch is then 1); with `sampleRuns`, each evaluation reports one recorded run.
 */
export function tabularEvaluator(bench: TabularBenchmark, options: TabularEvaluatorOptions = {}): CioEvaluator {
  const rng = createRng(options.seed ?? 0);
  return async (genome, request) => {
    const rec = bench.record(genome);
    const value = options.sampleRuns && rec.runs && rec.runs.length > 0 ? rec.runs[rng.int(rec.runs.length)] : rec.accuracy;
    for (let e = 1; e <= request.epochs; e++) request.onEpoch(e, value / 100);
    return value / 100;
  };
}
