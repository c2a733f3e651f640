/** Error codes raised by `@fbnas/nn`. */
export type NnErrorCode =
  | 'INVALID_ARGUMENT'
  | 'BACKEND_UNAVAILABLE'
  | 'UNSUPPORTED'
  | 'MISSING_WEIGHT'
  | 'SHAPE_MISMATCH'
  | 'NON_FINITE'
  | 'CORRUPT_CHECKPOINT'
  | 'DATASET_UNAVAILABLE'
  | 'ABORTED'
  | 'WORKER_FAILED'
  | 'OUT_OF_MEMORY';

/** The error class of `@fbnas/nn`; messages name the API, the argument and the value. */
export class NnError extends Error {
  readonly code: NnErrorCode;
  readonly api: string;

  constructor(code: NnErrorCode, api: string, message: string) {
    super(`${api}: ${message}`);
    this.name = 'NnError';
    this.code = code;
    this.api = api;
  }
}

/** Type guard for {@link NnError}. */
export function isNnError(value: unknown): value is NnError {
  return value instanceof NnError;
}
