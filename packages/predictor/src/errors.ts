/** Error codes of `@fbnas/predictor`. */
export type PredictorErrorCode = 'INVALID_ARGUMENT' | 'SHAPE_MISMATCH' | 'NON_FINITE' | 'EMPTY' | 'CORRUPT_MODEL' | 'ABORTED';

/** The error class of `@fbnas/predictor`; messages name the API, the argument and the value. */
export class PredictorError extends Error {
  readonly code: PredictorErrorCode;
  readonly api: string;

  constructor(code: PredictorErrorCode, api: string, message: string) {
    super(`${api}: ${message}`);
    this.name = 'PredictorError';
    this.code = code;
    this.api = api;
  }
}

/** Type guard for {@link PredictorError}. */
export function isPredictorError(value: unknown): value is PredictorError {
  return value instanceof PredictorError;
}
