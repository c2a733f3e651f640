import type { ConfigSchema } from '../pipelines/configSchema';
import { parseConfigText, validateConfig } from '../pipelines/configSchema';
import type { CliIo, ParsedArgs } from './io';

/**
 * The `--config file` of a command: JSON (`.json`) or YAML, validated against the pipeline's schema. Errors
 * name the file and every bad path (`search.epochs must be an integer >= 1, got 0`). No flag: an empty config.
 */
export function readConfigFlag<T>(args: ParsedArgs, io: CliIo, schema: ConfigSchema, api: string): Partial<T> {
  const file = args.flags.config;
  if (typeof file !== 'string') return {};
  const value = parseConfigText(io.readFile(file), file, api);
  return validateConfig<Partial<T>>(schema, value ?? {}, api, file);
}
