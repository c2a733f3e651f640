/** Error codes of `@fbnas/dnas`. */
export type DnasErrorCode = 'INVALID_ARGUMENT' | 'SHAPE_MISMATCH' | 'NON_FINITE' | 'CORRUPT_CHECKPOINT' | 'ABORTED';

/** The error class of `@fbnas/dnas`; messages name the API, the argument and the value. */
export class DnasError extends Error {
  readonly code: DnasErrorCode;
  readonly api: string;

  constructor(code: DnasErrorCode, api: string, message: string) {
    super(`${api}: ${message}`);
    this.name = 'DnasError';
    this.code = code;
    this.api = api;
  }
}

/** Type guard for {@link DnasError}. */
export function isDnasError(value: unknown): value is DnasError {
  return value instanceof DnasError;
}
