import { searchFbnet, type SearchFbnetConfig, type SearchFbnetProgress } from '../../pipelines/searchFbnet';
import { SEARCH_FBNET_CONFIG_SCHEMA } from '../../pipelines/schemas';
import { readPipelineFlags } from '../configFlag';
import { commonProgress, progressLines, trainingLength, withSigint } from '../progress';
import { choiceFlag, intFlag, type CliIo, type ParsedArgs } from '../io';

/** Progress lines: stage starts/ends always; step lines every `every` steps (TTY: rewritten in place). */
function progressPrinter(io: CliIo, tty: boolean) {
  const line = progressLines(io, tty);
  return (e: SearchFbnetProgress) => {
    if (commonProgress(line, tty, e)) return;
    switch (e.type) {
      case 'lut':
        if (tty || e.done % 20 === 0 || e.done === e.total) line(`[lut] measured ${e.done}/${e.total} blocks in onnxruntime-node`, true);
        break;
      case 'search-step':
        if (tty || e.step % 10 === 0) line(`[search] epoch ${e.epoch} ${e.phase} step ${e.step + 1}/${e.steps} loss ${e.loss.toFixed(3)}`, true);
        break;
      case 'search-epoch':
        line(`[search] epoch ${e.record.epoch}: tau ${e.record.tau.toFixed(2)}, expected cost ${e.record.expectedCost.toFixed(3)}, argmax cost ${e.record.argmaxCost.toFixed(3)} (${e.record.seconds.toFixed(0)} s)`, false);
        break;
    }
  };
}

/**
 * `fbnas search fbnet --out DIR [--config file.json|yaml] [--dataset fashion-mnist|mnist] [--seed S] [--cost latency|macs|params]
 * [--lut file] [--mode hard|soft] [--search-epochs N] [--search-steps N] [--train-epochs N] [--train-steps N] [--budget-minutes M] [--resume] [--json]`.
 * Flags override the config file, which overrides the defaults. JSON: the `SearchFbnetResult` (metrics.json).
 */
export async function searchFbnetCommand(args: ParsedArgs, io: CliIo): Promise<number> {
  const { out, config, shared } = readPipelineFlags<SearchFbnetConfig>(args, io, SEARCH_FBNET_CONFIG_SCHEMA, 'search fbnet');
  const search = { ...config.search };
  if (args.flags.mode !== undefined) search.mode = choiceFlag(args, 'mode', ['hard', 'soft'] as const, 'hard');
  if (args.flags['search-epochs'] !== undefined) search.epochs = intFlag(args, 'search-epochs', 3);
  if (args.flags['search-steps'] !== undefined) search.maxStepsPerEpoch = intFlag(args, 'search-steps', 50);
  const tty = io.isTTY === true && !args.flags.json;
  return withSigint(io, 'fbnas search fbnet', out, async (signal) => {
    const result = await searchFbnet({
      ...config,
      ...shared,
      outDir: out,
      cost: args.flags.cost !== undefined ? choiceFlag(args, 'cost', ['latency', 'macs', 'params'] as const, 'latency') : config.cost,
      lut: typeof args.flags.lut === 'string' ? { ...config.lut, path: args.flags.lut } : config.lut,
      search,
      signal,
      onProgress: args.flags.json ? undefined : progressPrinter(io, tty),
    });
    if (args.flags.json) {
      io.stdout(`${JSON.stringify({ ...result, arch: undefined })}\n`);
      return 0;
    }
    io.stdout(
      [
        '',
        `FBNet search on ${result.dataset}: done in ${result.seconds.total.toFixed(0)} s`,
        `architecture (22 searched layers): ${result.candidates.join(' ')}`,
        `multiply-adds ${(result.multiplyAdds / 1e6).toFixed(2)} M, params ${(result.params / 1e6).toFixed(3)} M`,
        `test accuracy ${(100 * result.testAccuracy).toFixed(2)}% (${result.dataset} test split, ${result.testImages.toLocaleString('en-US')} images)${result.valAccuracy === null ? '' : `; validation ${(100 * result.valAccuracy).toFixed(2)}%`}; ${trainingLength(result.trainEpochs, result.trainSteps)}`,
        `latency ${result.measuredLatencyMs.toFixed(3)} ms measured in onnxruntime-node (batch 1, 1 thread); ${result.costMetric} predicted ${result.predictedCost.toFixed(3)} ${result.costUnit}`,
        `ONNX model: ${result.files.onnx} (matches tfjs within ${result.onnxMaxAbsDiff.toExponential(1)})`,
        `architecture: ${result.files.arch}`,
        `metrics: ${result.files.metrics}`,
        `report: ${result.files.report}`,
        '',
      ].join('\n'),
    );
    return 0;
  });
}
