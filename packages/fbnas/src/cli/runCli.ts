import { isSearchSpaceError } from '@fbnas/search-space';
import { archConvertCommand } from './commands/archConvertCommand';
import { archListCommand } from './commands/archList';
import { archStatsCommand } from './commands/archStatsCommand';
import { spaceSampleCommand } from './commands/spaceSampleCommand';
import { searchFbnetCommand } from './commands/searchFbnetCommand';
import { searchFbnetV3Command } from './commands/searchFbnetV3Command';
import { searchMultitaskCommand } from './commands/searchMultitaskCommand';
import { exportCommand } from './commands/exportCommand';
import { reportCommand } from './commands/reportCommand';
import { lutBuildCommand, lutImportCommand, lutPredictCommand, lutValidateCommand } from './commands/lutCommands';
import { parseArgs, UsageError, type CliIo, type ParsedArgs } from './io';

/** A typed error of any fbnas package (they all carry `code` and `api`). */
function isLibraryError(err: unknown): err is Error {
  return err instanceof Error && typeof (err as { api?: unknown }).api === 'string' && typeof (err as { code?: unknown }).code === 'string';
}

type Command = (args: ParsedArgs, io: CliIo) => number | Promise<number>;

const COMMANDS: Record<string, Command> = {
  'arch list': archListCommand,
  'arch stats': archStatsCommand,
  'arch convert': archConvertCommand,
  'space sample': spaceSampleCommand,
  'search fbnet': searchFbnetCommand,
  'search fbnetv3': searchFbnetV3Command,
  'search multitask': searchMultitaskCommand,
  'lut build': lutBuildCommand,
  'lut import': lutImportCommand,
  'lut predict': lutPredictCommand,
  'lut validate': lutValidateCommand,
};

const SINGLE_WORD_COMMANDS: Record<string, Command> = {
  export: exportCommand,
  report: reportCommand,
};

const USAGE = `Usage: fbnas <command> [options]

Commands:
  arch list [--json]                                   the model zoo with multiply-adds and params
  arch stats <zoo-name | file.json> [--input N] [--bn-params affine|folded] [--json]
  arch convert <zoo-name | file.json> --to fbnas|archdef|hwnasbench [--dataset cifar100|ImageNet] [--json]
  space sample <fbnet-cifar|fbnet-imagenet|fbnet-28|fbnetv3> [--count N] [--seed S] [--sobol] [--json]
  search fbnet --out DIR [--config file.json|yaml] [--set path=value ...] [--dataset fashion-mnist|mnist] [--seed S] [--cost latency|macs|params]
               [--lut file] [--mode hard|soft] [--search-epochs N] [--search-steps N] [--train-epochs N] [--train-steps N] [--budget-minutes M]
               [--resume] [--json]                     FBNet search end to end (LUT, DNAS, train, ONNX, latency)
  search fbnetv3 --out DIR [--config file.json|yaml] [--set path=value ...] [--dataset fashion-mnist|mnist] [--seed S] [--constraints 3,6,12]
               [--deploy I] [--pool N] [--train-epochs N] [--train-steps N] [--budget-minutes M] [--resume] [--json]
                                                       FBNetV3 end to end (CIO, predictor, GA per budget, train, ONNX)
  search multitask --out DIR [--dataset fashion-mnist|mnist] [--backbone arch.json] [--steps N] [--batch N] [--cost macs|latency] [--cost-weight L]
               [--limit-per-class N] [--test-images N] [--seed S] [--resume] [--json]
                                                       FBNetV5 multitask search (classification, segmentation, box) in one run
  lut build <fbnet-28|fbnet-cifar|fbnet-imagenet> --out lut.json [--runtime onnxruntime-node|tfjs] [--threads N] [--rounds N] [--json]
  lut import <table.yaml> --out lut.json [--family auto|mbv2|mbv3] [--runtime NAME] [--device NAME] [--json]
                                                       a Once-for-All-style YAML LUT as an fbnas LUT
  lut predict <lut.json> <zoo-name | arch.json> --space <fbnet-28|fbnet-cifar|fbnet-imagenet> [--statistic median|p10] [--json]
  lut validate <lut.json> [--space <fbnet-28|fbnet-cifar|fbnet-imagenet>] [--json]
  export <zoo-name | arch.json> [--weights weights.ckpt] --out model.onnx [--check] [--json]
  report <run dir> [--json]                            (re)write the run's report.html
`;

/**
 * Run the CLI on argv (without `node` and the script). Returns the exit code: 0 ok, 1 a failed
 * operation (typed library error), 2 a bad command line.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const args = parseArgs(argv);
    const key = args.positionals.slice(0, 2).join(' ');
    const single = args.positionals[0];
    const command: Command | undefined = COMMANDS[key] ?? (single !== undefined ? SINGLE_WORD_COMMANDS[single] : undefined);
    const consumed = COMMANDS[key] ? 2 : 1;
    if (args.flags.help) {
      io.stdout(USAGE);
      return 0;
    }
    if (command === undefined) {
      io.stderr(USAGE);
      return 2;
    }
    return await command({ positionals: args.positionals.slice(consumed), flags: args.flags, sets: args.sets }, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`fbnas: ${err.message}\n\n${USAGE}`);
      return 2;
    }
    if (isSearchSpaceError(err) || isLibraryError(err)) {
      io.stderr(`${err.message}\n`);
      return 1;
    }
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      io.stderr(`fbnas: ${(err as Error).message}\n`);
      return 1;
    }
    throw err;
  }
}
