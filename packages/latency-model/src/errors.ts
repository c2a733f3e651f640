/** Error codes of `@fbnas/latency-model`. */
export type LatencyModelErrorCode = 'INVALID_ARGUMENT' | 'UNKNOWN_NAME' | 'CORRUPT_LUT' | 'MISSING_ENTRY' | 'MISMATCH' | 'ABORTED';

/** The error class of `@fbnas/latency-model`; messages name the API, the argument and the value. */
export class LatencyModelError extends Error {
  readonly code: LatencyModelErrorCode;
  readonly api: string;
  /** For LUT validation: the path of the bad field. */
  readonly path: string | undefined;

  constructor(code: LatencyModelErrorCode, api: string, message: string, path?: string) {
    super(`${api}: ${message}`);
    this.name = 'LatencyModelError';
    this.code = code;
    this.api = api;
    this.path = path;
  }
}

/** Type guard for {@link LatencyModelError}. */
export function isLatencyModelError(value: unknown): value is LatencyModelError {
  return value instanceof LatencyModelError;
}
