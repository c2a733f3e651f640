/** Error codes of the umbrella's pipelines. */
export type PipelineErrorCode = 'INVALID_ARGUMENT' | 'INVALID_CONFIG' | 'MISMATCH' | 'EXPORT_MISMATCH';

/** The error class of the pipelines (`searchFbnet`); messages name the API and the value. */
export class PipelineError extends Error {
  readonly code: PipelineErrorCode;
  readonly api: string;

  constructor(code: PipelineErrorCode, api: string, message: string) {
    super(`${api}: ${message}`);
    this.name = 'PipelineError';
    this.code = code;
    this.api = api;
  }
}

/** Type guard for {@link PipelineError}. */
export function isPipelineError(value: unknown): value is PipelineError {
  return value instanceof PipelineError;
}
