/** Error codes of `@fbnas/multitask`. */
export type MultitaskErrorCode = 'INVALID_ARGUMENT' | 'SHAPE_MISMATCH' | 'UNKNOWN_NAME' | 'NON_FINITE' | 'ABORTED';

/** The error class of `@fbnas/multitask`; messages name the API, the argument and the value. */
export class MultitaskError extends Error {
  readonly code: MultitaskErrorCode;
  readonly api: string;

  constructor(code: MultitaskErrorCode, api: string, message: string) {
    super(`${api}: ${message}`);
    this.name = 'MultitaskError';
    this.code = code;
    this.api = api;
  }
}

/** Type guard for {@link MultitaskError}. */
export function isMultitaskError(value: unknown): value is MultitaskError {
  return value instanceof MultitaskError;
}
