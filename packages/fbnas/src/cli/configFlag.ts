import { parse as parseYaml } from 'yaml';
import type { ConfigSchema } from '../pipelines/configSchema';
import { parseConfigText, validateConfig } from '../pipelines/configSchema';
import { UsageError, type CliIo, type ParsedArgs } from './io';

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
