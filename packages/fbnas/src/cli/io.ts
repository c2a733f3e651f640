/** Where a CLI run writes; tests pass buffers, the bin passes the process streams. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Read a file as UTF-8 text. */
  readFile: (path: string) => string;
  /** Whether stderr is a terminal (progress is then rewritten in place). */
  isTTY?: boolean;
}

/** Parsed command line: positional words and `--flag value` / `--flag` options. */
export interface ParsedArgs {
  positionals: string[];
  flags: Record<string, string | true>;
  /** Every `--set path=value` in order (the only flag that may repeat). */
  sets?: string[];
}

/** Error of the command line itself (exit code 2). */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Flags that never take a value. */
const BOOLEAN_FLAGS = new Set(['json', 'sobol', 'help', 'resume', 'check']);

/** Split argv into positionals and flags (`--name value`, `--name=value`, boolean `--name`). */
export function parseArgs(argv: readonly string[]): ParsedArgs {
  const positionals: string[] = [];
  const flags: Record<string, string | true> = {};
  const sets: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i];
    if (!word.startsWith('--')) {
      positionals.push(word);
      continue;
    }
    const eq = word.indexOf('=');
    const name = word.slice(2, eq < 0 ? undefined : eq);
    let value: string | true;
    if (eq >= 0) value = word.slice(eq + 1);
    else if (BOOLEAN_FLAGS.has(name)) value = true;
    else {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) throw new UsageError(`--${name} needs a value`);
      value = next;
      i++;
    }
    if (name === 'set') sets.push(String(value));
    else flags[name] = value;
  }
  return { positionals, flags, sets };
}

/** An integer flag, or the default; a UsageError names the flag and the value otherwise. */
export function intFlag(args: ParsedArgs, name: string, fallback: number): number {
  const raw = args.flags[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (raw === true || !Number.isInteger(n)) throw new UsageError(`--${name} must be an integer, got ${JSON.stringify(raw)}`);
  return n;
}

/** A positive number flag, or undefined when absent; a UsageError names the flag and the value otherwise. */
export function positiveFlag(args: ParsedArgs, name: string): number | undefined {
  const raw = args.flags[name];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (raw === true || !(n > 0 && Number.isFinite(n))) throw new UsageError(`--${name} must be a positive number, got ${JSON.stringify(raw)}`);
  return n;
}

/** A string flag restricted to choices, or the default. */
export function choiceFlag<T extends string>(args: ParsedArgs, name: string, choices: readonly T[], fallback: T): T {
  const raw = args.flags[name];
  if (raw === undefined) return fallback;
  if (raw === true || !(choices as readonly string[]).includes(raw)) {
    throw new UsageError(`--${name} must be one of ${choices.join(', ')}, got ${JSON.stringify(raw)}`);
  }
  return raw as T;
}
