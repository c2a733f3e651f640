/** Error codes of `@fbnas/evolution`. */
export type EvolutionErrorCode = 'INVALID_ARGUMENT' | 'BAD_FITNESS' | 'NO_FEASIBLE' | 'ABORTED';

/** The error class of `@fbnas/evolution`; messages name the API, the argument and the value. */
export class EvolutionError extends Error {
  readonly code: EvolutionErrorCode;
  readonly api: string;

  constructor(code: EvolutionErrorCode, api: string, message: string) {
    super(`${api}: ${message}`);
    this.name = 'EvolutionError';
    this.code = code;
    this.api = api;
  }
}

/** Type guard for {@link EvolutionError}. */
export function isEvolutionError(value: unknown): value is EvolutionError {
  return value instanceof EvolutionError;
}
