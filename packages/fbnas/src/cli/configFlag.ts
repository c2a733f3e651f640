import { parse as parseYaml } from 'yaml';
import type { ConfigSchema } from '../pipelines/configSchema';
import { parseConfigText, validateConfig } from '../pipelines/configSchema';
import { choiceFlag, intFlag, positiveFlag, UsageError, type CliIo, type ParsedArgs } from './io';
import type { PipelineRunConfig } from '../pipelines/runStages';

/** Set `path` (dotted, e.g. `search.costLoss.beta`) to `value` in a plain object, creating objects on the way. */
function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = target;
  for (const k of keys.slice(0, -1)) {
    const next = node[k];
    if (next === undefined) node[k] = {};
    else if (next === null || typeof next !== 'object' || Array.isArray(next)) throw new UsageError(`--set ${path}: ${k} is not an object in the configuration`);
    node = node[k] as Record<string, unknown>;
  }
  node[keys[keys.length - 1]] = value;
}

/**
 * The configuration of a command: the `--config file` (JSON for `.json`, YAML otherwise), then every
 * `--set path=value` (the value read as YAML: `--set search.epochs=12`, `--set train.augment={randomCrop: 2}`),
 * validated against the pipeline's schema. Errors name the file and every bad path (`search.epochs must be an
 * integer >= 1, got 0`). Neither flag: an empty config.
 */
export function readConfigFlag<T>(args: ParsedArgs, io: CliIo, schema: ConfigSchema, api: string): Partial<T> {
  const file = args.flags.config;
  const sets = args.sets ?? [];
  if (typeof file !== 'string' && sets.length === 0) return {};
  const value = typeof file === 'string' ? (parseConfigText(io.readFile(file), file, api) ?? {}) : {};
  if (sets.length > 0 && (value === null || typeof value !== 'object' || Array.isArray(value))) return validateConfig<Partial<T>>(schema, value, api, String(file));
  for (const assignment of sets) {
    const eq = assignment.indexOf('=');
    const path = assignment.slice(0, eq);
    if (eq <= 0 || !/^[A-Za-z][\w]*(\.[A-Za-z][\w]*)*$/.test(path)) throw new UsageError(`--set needs path=value (e.g. search.epochs=12), got ${JSON.stringify(assignment)}`);
    let parsed: unknown;
    try {
      parsed = parseYaml(assignment.slice(eq + 1));
    } catch (err) {
      throw new UsageError(`--set ${assignment}: the value is not valid YAML (${(err as Error).message.split('\n')[0]})`);
    }
    setPath(value as Record<string, unknown>, path, parsed);
  }
  return validateConfig<Partial<T>>(schema, value, api, typeof file === 'string' ? `${file}${sets.length ? ' with --set' : ''}` : '--set');
}

/**
 * What both `search` commands read the same way: `--out DIR` (required), the config file and `--set`s, and the
 * flags `--dataset`, `--seed`, `--train-epochs`, `--train-steps`, `--budget-minutes`, `--resume` (flags override the file).
 */
export function readPipelineFlags<T extends PipelineRunConfig<never>>(
  args: ParsedArgs,
  io: CliIo,
  schema: ConfigSchema,
  command: string,
): { out: string; config: Partial<T>; shared: Pick<T, 'dataset' | 'seed' | 'train' | 'resume' | 'budgetMinutes'> } {
  const out = args.flags.out;
  if (typeof out !== 'string') throw new UsageError(`${command} needs --out DIR`);
  const config = readConfigFlag<T>(args, io, schema, `fbnas ${command} --config`);
  const train: NonNullable<PipelineRunConfig<never>['train']> = { ...config.train };
  if (args.flags['train-epochs'] !== undefined) train.epochs = intFlag(args, 'train-epochs', 2);
  if (args.flags['train-steps'] !== undefined) train.maxStepsPerEpoch = intFlag(args, 'train-steps', 125);
  const shared = {
    dataset: args.flags.dataset !== undefined ? choiceFlag(args, 'dataset', ['fashion-mnist', 'mnist'] as const, 'fashion-mnist') : config.dataset,
    seed: args.flags.seed !== undefined ? intFlag(args, 'seed', 0) : config.seed,
    train,
    budgetMinutes: positiveFlag(args, 'budget-minutes') ?? config.budgetMinutes,
    resume: args.flags.resume === true,
  } as Pick<T, 'dataset' | 'seed' | 'train' | 'resume' | 'budgetMinutes'>;
  return { out, config, shared };
}
