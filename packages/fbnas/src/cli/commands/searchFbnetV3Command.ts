import { searchFbnetV3, type SearchFbnetV3Config, type SearchFbnetV3Progress } from '../../pipelines/searchFbnetV3';
import { SEARCH_FBNETV3_CONFIG_SCHEMA } from '../../pipelines/schemas';
import { readPipelineFlags } from '../configFlag';
import { commonProgress, progressLines, trainingLength, withSigint } from '../progress';
import { intFlag, UsageError, type CliIo, type ParsedArgs } from '../io';

function progressPrinter(io: CliIo, tty: boolean) {
  const line = progressLines(io, tty);
  return (e: SearchFbnetV3Progress) => {
    if (commonProgress(line, tty, e)) return;
    switch (e.type) {
      case 'evaluated':
        line(`[cio] iteration ${e.record.iteration}: trained ${e.record.epochs} epoch(s), validation accuracy ${(100 * e.record.accuracy).toFixed(2)}%`, false);
        break;
      case 'early-stop':
        line(`[cio] early-stop epoch ${e.epoch} (Spearman ${e.correlation.toFixed(3)} with the final accuracy)`, false);
        break;
      case 'family-member':
        line(`[evolve] <= ${e.maxMMacs} M multiply-adds: ${e.mmacs.toFixed(2)} M, predicted accuracy ${(100 * e.predictedAccuracy).toFixed(2)}% (${e.generations} generations)`, false);
        break;
    }
  };
}

/** Comma-separated positive numbers (`--constraints 3,6,12`). */
function numberListFlag(args: ParsedArgs, name: string): number[] | undefined {
  const raw = args.flags[name];
  if (raw === undefined) return undefined;
  const values = typeof raw === 'string' ? raw.split(',').map(Number) : [];
  if (values.length === 0 || values.some((v) => !(v > 0))) throw new UsageError(`--${name} must be comma-separated positive numbers, got ${JSON.stringify(raw)}`);
  return values;
}

/**
 * `fbnas search fbnetv3 --out DIR [--config file.json|yaml] [--dataset fashion-mnist|mnist] [--seed S]
 * [--constraints 3,6,12] [--deploy I] [--pool N] [--train-epochs N] [--train-steps N] [--budget-minutes M] [--resume] [--json]`.
 * Flags override the config file, which overrides the defaults. JSON: the `SearchFbnetV3Result` (metrics.json).
 */
export async function searchFbnetV3Command(args: ParsedArgs, io: CliIo): Promise<number> {
  const { out, config, shared } = readPipelineFlags<SearchFbnetV3Config>(args, io, SEARCH_FBNETV3_CONFIG_SCHEMA, 'search fbnetv3');
  const cio = { ...config.cio };
  if (args.flags.pool !== undefined) cio.poolSize = intFlag(args, 'pool', 400);
  const tty = io.isTTY === true && !args.flags.json;
  return withSigint(io, 'fbnas search fbnetv3', out, async (signal) => {
    const result = await searchFbnetV3({
      ...config,
      ...shared,
      outDir: out,
      constraints: numberListFlag(args, 'constraints') ?? config.constraints,
      deploy: args.flags.deploy !== undefined ? intFlag(args, 'deploy', 0) : config.deploy,
      cio,
      signal,
      onProgress: args.flags.json ? undefined : progressPrinter(io, tty),
    });
    if (args.flags.json) {
      io.stdout(`${JSON.stringify({ ...result, arch: undefined })}\n`);
      return 0;
    }
    const d = result.deployed;
    io.stdout(
      [
        '',
        `FBNetV3 search on ${result.dataset}: done in ${result.seconds.total.toFixed(0)} s`,
        `${result.cio.evaluations} candidates trained; early stop after epoch ${result.cio.earlyStopEpoch} (Spearman ${result.cio.earlyStopCorrelation.toFixed(2)})`,
        ...result.family.map((f) => `  <= ${f.maxMMacs} M multiply-adds: ${(f.multiplyAdds / 1e6).toFixed(2)} M, predicted ${(100 * f.predictedAccuracy).toFixed(2)}%, ${f.recipe.optimizer} lr ${f.recipe.learningRate.toPrecision(2)}`),
        `deployed (<= ${d.maxMMacs} M): ${d.candidates.join(' ')}`,
        `test accuracy ${(100 * result.testAccuracy).toFixed(2)}% (${result.dataset} test split, ${result.testImages.toLocaleString('en-US')} images)${result.valAccuracy === null ? '' : `; validation ${(100 * result.valAccuracy).toFixed(2)}%`}; ${trainingLength(result.trainEpochs, result.trainSteps)}`,
        `latency ${result.measuredLatencyMs.toFixed(3)} ms measured in onnxruntime-node (batch 1, 1 thread)`,
        `ONNX model: ${result.files.onnx} (matches tfjs within ${result.onnxMaxAbsDiff.toExponential(1)})`,
        `family: ${result.files.family}`,
        `report: ${result.files.report}`,
        '',
      ].join('\n'),
    );
    return 0;
  });
}
