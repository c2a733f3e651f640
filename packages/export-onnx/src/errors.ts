/** Error codes of `@fbnas/export-onnx`. */
export type OnnxExportErrorCode = 'INVALID_ARGUMENT' | 'UNSUPPORTED' | 'MISSING_WEIGHT' | 'SHAPE_MISMATCH' | 'VERIFY_FAILED';

/** The error class of `@fbnas/export-onnx`; messages name the API, the layer and the value. */
export class OnnxExportError extends Error {
  readonly code: OnnxExportErrorCode;
  readonly api: string;
  /** The weight or block the error is about, e.g. `blocks.3.pw.conv.weight`. */
  readonly layer: string | undefined;

  constructor(code: OnnxExportErrorCode, api: string, message: string, layer?: string) {
    super(`${api}: ${message}`);
    this.name = 'OnnxExportError';
    this.code = code;
    this.api = api;
    this.layer = layer;
  }
}

/** Type guard for {@link OnnxExportError}. */
export function isOnnxExportError(value: unknown): value is OnnxExportError {
  return value instanceof OnnxExportError;
}
