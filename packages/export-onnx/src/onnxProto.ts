// onnx-proto is CommonJS without detectable named exports: load it through its default export (works from
// both the ESM and the CJS build) and keep its namespace for types.
import onnxProtoModule from 'onnx-proto';
import type { onnx as OnnxNamespace } from 'onnx-proto';

/** The ONNX protobuf classes (ModelProto, TensorProto, ...). */
export const onnx = (onnxProtoModule as unknown as { onnx: typeof OnnxNamespace }).onnx;
export type { OnnxNamespace };
