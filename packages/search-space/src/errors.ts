/** Error codes raised by `@fbnas/search-space`. */
export type SearchSpaceErrorCode =
  | 'INVALID_ARGUMENT'
  | 'INVALID_ARCH'
  | 'PARSE_ERROR'
  | 'UNKNOWN_NAME'
  | 'OUT_OF_SPACE'
  | 'UNSUPPORTED';

/**
 * The one error class of `@fbnas/search-space`. Messages name the API, the argument and the value:
 * `fbnas.parseArch: blocks[3].kernel must be an integer, got "5"`.
 */
export class SearchSpaceError extends Error {
  /** Stable machine-readable code. */
  readonly code: SearchSpaceErrorCode;
  /** The public API that raised it, e.g. `fbnas.parseArch`. */
  readonly api: string;
  /** For validation errors: the path of the bad field, e.g. `blocks[3].kernel`. */
  readonly path: string | undefined;

  constructor(code: SearchSpaceErrorCode, api: string, message: string, path?: string) {
    super(`${api}: ${message}`);
    this.name = 'SearchSpaceError';
    this.code = code;
    this.api = api;
    this.path = path;
  }
}

/** Type guard for {@link SearchSpaceError}. */
export function isSearchSpaceError(value: unknown): value is SearchSpaceError {
  return value instanceof SearchSpaceError;
}

/** Short, bounded rendering of a bad value for error messages. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) {
    return String(value);
  }
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (typeof value === 'object') return 'an object';
  return typeof value;
}
