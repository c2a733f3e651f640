import { initBackend } from '@fbnas/nn';
import { buildLatencyLut, costOfGenome, costTableFromLut, importOfaLut, loadLatencyLut, lutSignatures, saveLatencyLut } from '@fbnas/latency-model';
import { choiceFlag, intFlag, UsageError, type CliIo, type ParsedArgs } from '../io';
import { loadArch } from '../loadArch';
import { LAYERWISE_SPACES, spaceByName } from '../spaces';

/**
 * `fbnas lut build <fbnet-28|fbnet-cifar|fbnet-imagenet> --out lut.json [--runtime onnxruntime-node|tfjs] [--threads N] [--rounds N] [--json]`:
 * measures every block signature of the space (batch 1) in onnxruntime-node or in tfjs (wasm backend, or tfjs-node
 * when installed), in `--rounds` interleaved passes over all blocks (onnxruntime-node) [1]; an interrupted build
 * resumes from `--out`. JSON: `{ out, space, runtime, entries, overheadMs, seconds }`.
 */
export async function lutBuildCommand(args: ParsedArgs, io: CliIo): Promise<number> {
  const space = spaceByName(LAYERWISE_SPACES, args.positionals[0], 'lut build');
  const out = args.flags.out;
  if (typeof out !== 'string') throw new UsageError('lut build needs --out lut.json');
  const threads = intFlag(args, 'threads', 1);
  const rounds = intFlag(args, 'rounds', 1);
  const runtime = choiceFlag(args, 'runtime', ['onnxruntime-node', 'tfjs'] as const, 'onnxruntime-node');
  const t0 = Date.now();
  const quiet = args.flags.json === true;
  if (runtime === 'tfjs') await initBackend();
  const lut = await buildLatencyLut(lutSignatures(space), {
    runtime,
    rules: space.config.rules,
    path: out,
    threads,
    rounds,
    onProgress: quiet ? undefined : (e) => (e.done % 20 === 0 || e.done === e.total) && io.stderr(`measured ${e.done}/${e.total} blocks\n`),
  });
  const result = { out, space: space.name, runtime: lut.header.runtime, entries: Object.keys(lut.entries).length, overheadMs: lut.header.overheadMs, seconds: (Date.now() - t0) / 1000 };
  if (quiet) io.stdout(`${JSON.stringify(result)}\n`);
  else io.stdout(`${out}: ${result.entries} blocks of ${space.name} (${lut.header.runtime}, ${threads} thread${threads > 1 ? 's' : ''}; per-call overhead ${lut.header.overheadMs.toFixed(4)} ms)\n`);
  return 0;
}

/**
 * `fbnas lut predict <lut.json> <zoo-name | arch.json> --space <fbnet-28|fbnet-cifar|fbnet-imagenet> [--statistic median|p10] [--json]`:
 * the LUT-sum latency of an architecture of the space. JSON: `{ space, genome, latencyMs, statistic }`.
 */
export function lutPredictCommand(args: ParsedArgs, io: CliIo): number {
  const [lutPath, source] = args.positionals;
  if (!lutPath || !source) throw new UsageError('lut predict needs a LUT file and an architecture');
  const space = spaceByName(LAYERWISE_SPACES, typeof args.flags.space === 'string' ? args.flags.space : undefined, 'lut predict --space');
  const statistic = choiceFlag(args, 'statistic', ['median', 'p10'] as const, 'median');
  const table = costTableFromLut(space, loadLatencyLut(lutPath), { statistic });
  const genome = space.fromArch(loadArch(source, io).arch);
  const latencyMs = costOfGenome(table, genome);
  if (args.flags.json) io.stdout(`${JSON.stringify({ space: space.name, genome, latencyMs, statistic })}\n`);
  else io.stdout(`${latencyMs.toFixed(4)} ms (LUT sum, ${statistic}) for [${genome.join(',')}] in ${space.name}\n`);
  return 0;
}

/**
 * `fbnas lut validate <lut.json> [--space <fbnet-28|fbnet-cifar|fbnet-imagenet>] [--json]`: checks the file
 * (format, fields, finite positive timings) and, with a space, that every block the space needs is measured.
 * Exit code 1 with the typed error otherwise. JSON: `{ file, entries, runtime, threads, date, space, missing }`.
 */
export function lutValidateCommand(args: ParsedArgs, io: CliIo): number {
  const file = args.positionals[0];
  if (!file) throw new UsageError('lut validate needs a LUT file');
  const lut = loadLatencyLut(file);
  let missing: string[] = [];
  let spaceName: string | null = null;
  if (args.flags.space !== undefined) {
    const space = spaceByName(LAYERWISE_SPACES, typeof args.flags.space === 'string' ? args.flags.space : undefined, 'lut validate --space');
    spaceName = space.name;
    missing = lutSignatures(space).map((s) => s.key).filter((k) => !(k in lut.entries));
  }
  const result = { file, entries: Object.keys(lut.entries).length, runtime: lut.header.runtime, threads: lut.header.threads, date: lut.header.date, space: spaceName, missing };
  if (args.flags.json) io.stdout(`${JSON.stringify(result)}\n`);
  else {
    io.stdout(`${file}: valid ${lut.header.runtime} table, ${result.entries} entries, ${lut.header.threads} thread(s), measured ${lut.header.date}\n`);
    if (spaceName) io.stdout(missing.length === 0 ? `covers every block of ${spaceName}\n` : `${missing.length} block(s) of ${spaceName} are missing, e.g. ${missing[0]}\n`);
  }
  return missing.length === 0 ? 0 : 1;
}

/**
 * `fbnas lut import <table.yaml> --out lut.json [--family auto|mbv2|mbv3] [--runtime NAME] [--device NAME] [--json]`:
 * converts a Once-for-All-style YAML LUT into an fbnas LUT (written atomically). JSON: `{ out, family, entries,
 * skipped: [{ ofaKey, reason }] }`.
 */
export function lutImportCommand(args: ParsedArgs, io: CliIo): number {
  const file = args.positionals[0];
  const out = args.flags.out;
  if (!file) throw new UsageError('lut import needs a YAML table');
  if (typeof out !== 'string') throw new UsageError('lut import needs --out lut.json');
  const family = choiceFlag(args, 'family', ['auto', 'mbv2', 'mbv3'] as const, 'auto');
  const str = (name: string) => (typeof args.flags[name] === 'string' ? (args.flags[name] as string) : undefined);
  const { lut, imported, skipped } = importOfaLut(io.readFile(file), { family, runtime: str('runtime'), device: str('device') });
  saveLatencyLut(out, lut);
  const result = { out, family: lut.header.runtimeVersion.replace(/^imported \((.*)\)$/, '$1'), entries: imported.length, skipped };
  if (args.flags.json) io.stdout(`${JSON.stringify(result)}\n`);
  else {
    io.stdout(`${out}: ${imported.length} entries imported from ${file} (${result.family})\n`);
    for (const s of skipped) io.stdout(`skipped ${s.ofaKey}: ${s.reason}\n`);
  }
  return 0;
}
