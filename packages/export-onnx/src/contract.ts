/** ONNX operator set the exporter emits (HardSwish needs 14). */
export const ONNX_OPSET = 17;
/** ONNX IR version matching {@link ONNX_OPSET}. */
export const ONNX_IR_VERSION = 8;
/** Graph input and output names. */
export const ONNX_INPUT_NAME = 'input';
export const ONNX_OUTPUT_NAME = 'logits';
/** metadata_props keys. */
export const ONNX_META_ARCH = 'fbnas.arch';
export const ONNX_META_VERSION = 'fbnas.version';
/** The fbnas version written into exported models. */
export const FBNAS_VERSION = '0.1.0';
