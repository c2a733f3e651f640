import { parseArch } from '@fbnas/search-space';
import type { MultitaskProgress } from '@fbnas/multitask';
import { searchMultitaskRun } from '../../pipelines/searchMultitaskRun';
import { progressLines, withSigint } from '../progress';
import { choiceFlag, intFlag, UsageError, type CliIo, type ParsedArgs } from '../io';

/**
 * `fbnas search multitask --out DIR [--dataset fashion-mnist|mnist] [--backbone arch.json] [--steps N] [--batch N]
 * [--cost macs|latency] [--cost-weight L] [--limit-per-class N] [--test-images N] [--seed S] [--resume] [--json]`: FBNetV5's multitask search end to end.
 * JSON: the `SearchMultitaskRunResult` (metrics.json).
 */
export async function searchMultitaskCommand(args: ParsedArgs, io: CliIo): Promise<number> {
  const out = args.flags.out;
  if (typeof out !== 'string') throw new UsageError('search multitask needs --out DIR');
  const positiveInt = (name: string, fallback: number) => {
    const v = intFlag(args, name, fallback);
    if (v < 1) throw new UsageError(`--${name} must be a positive integer, got ${v}`);
    return v;
  };
  const rawWeight = args.flags['cost-weight'];
  const costWeight = rawWeight === undefined ? undefined : Number(rawWeight);
  if (rawWeight === true || (costWeight !== undefined && !(Number.isFinite(costWeight) && costWeight >= 0))) {
    throw new UsageError(`--cost-weight must be a number >= 0, got ${JSON.stringify(rawWeight)}`);
  }
  const backboneFile = args.flags.backbone;
  if (backboneFile === true) throw new UsageError('--backbone needs a file');
  const tty = io.isTTY === true && !args.flags.json;
  const line = progressLines(io, tty);
  const onProgress = (e: MultitaskProgress) => {
    if (!(tty || e.step % 25 === 0 || e.step === e.steps - 1)) return;
    const losses = Object.entries(e.losses).map(([t, l]) => `${t} ${l.toFixed(3)}`).join(', ');
    const kept = Object.entries(e.keepProbabilities).map(([t, p]) => `${t} ${p.filter((x) => x > 0.5).length}`).join(' ');
    line(`[search] step ${e.step + 1}/${e.steps}: loss ${losses}; blocks kept (p > 0.5): ${kept}`, true);
  };
  return withSigint(io, 'fbnas search multitask', out, async (signal) => {
    const result = await searchMultitaskRun({
      outDir: out,
      dataset: choiceFlag(args, 'dataset', ['fashion-mnist', 'mnist'] as const, 'fashion-mnist'),
      backbone: typeof backboneFile === 'string' ? parseArch(io.readFile(backboneFile)) : undefined,
      steps: positiveInt('steps', 600),
      batchSize: positiveInt('batch', 64),
      costWeight,
      cost: choiceFlag(args, 'cost', ['macs', 'latency'] as const, 'macs'),
      limitPerClass: args.flags['limit-per-class'] !== undefined ? positiveInt('limit-per-class', 1) : undefined,
      testImages: positiveInt('test-images', 2000),
      seed: intFlag(args, 'seed', 0),
      resume: args.flags.resume === true,
      signal,
      onProgress: args.flags.json ? undefined : onProgress,
    });
    if (args.flags.json) {
      io.stdout(`${JSON.stringify(result)}\n`);
      return 0;
    }
    const lines = ['', `multitask search on ${result.dataset}, blocks priced by ${result.cost.metric === 'latency' ? 'latency measured in onnxruntime-node' : 'multiply-adds'}: ${result.steps} steps (${result.passes} forward + backward passes for ${Object.keys(result.tasks).length} tasks) in ${result.seconds.toFixed(0)} s${result.resumedFromStep === null ? '' : `, resumed at step ${result.resumedFromStep}`}`];
    for (const [name, t] of Object.entries(result.tasks)) {
      lines.push(`${name} (${t.kind}): keeps ${t.keptBlocks} of ${t.skippableBlocks} skippable blocks, ${(t.macs / 1e6).toFixed(2)} M of ${(t.macsAllKept / 1e6).toFixed(2)} M multiply-adds; test ${t.score.metric} ${t.score.value.toFixed(4)}; ${t.arch}`);
    }
    lines.push(`classification network as a standalone classifier: ${result.classifier.onnx} (matches tfjs within ${result.classifier.onnxMaxAbsDiff.toExponential(1)}), ${result.classifier.arch}`);
    lines.push(`metrics: ${result.files.metrics}`, '');
    io.stdout(lines.join('\n'));
    return 0;
  });
}
