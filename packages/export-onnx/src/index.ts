export { OnnxExportError, isOnnxExportError } from './errors';
export type { OnnxExportErrorCode } from './errors';
export { FBNAS_VERSION, ONNX_INPUT_NAME, ONNX_IR_VERSION, ONNX_META_ARCH, ONNX_META_VERSION, ONNX_OPSET, ONNX_OUTPUT_NAME } from './contract';
export { exportBlockOnnx, exportOnnx, readOnnxMetadata } from './exportOnnx';
export type { ExportOnnxOptions } from './exportOnnx';
export { verifyOnnx } from './verifyOnnx';
export type { VerifyOptions, VerifyResult } from './verifyOnnx';
export { namedWeightSource, randomWeightSource } from './weightSource';
export type { WeightSource } from './weightSource';
