import { onnx, type OnnxNamespace } from './onnxProto';

type Attr = number | number[] | string;

/** Accumulates the nodes and initializers of one ONNX graph with unique names. */
export class GraphBuilder {
  readonly nodes: OnnxNamespace.INodeProto[] = [];
  readonly initializers: OnnxNamespace.ITensorProto[] = [];
  private counter = 0;

  /** A fresh value name with a readable prefix. */
  name(prefix: string): string {
    return `${prefix}:${this.counter++}`;
  }

  /** A float32 initializer; returns its name. */
  constant(name: string, dims: number[], data: Float32Array): string {
    this.initializers.push({ name, dims, dataType: onnx.TensorProto.DataType.FLOAT, rawData: new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)) });
    return name;
  }

  /** An int64 initializer (shapes for Reshape); returns its name. */
  int64(name: string, values: number[]): string {
    this.initializers.push({ name, dims: [values.length], dataType: onnx.TensorProto.DataType.INT64, int64Data: values });
    return name;
  }

  /** Add a node; returns the name of its (single) output. */
  node(opType: string, inputs: string[], attrs: Record<string, Attr> = {}, outputName?: string): string {
    const output = outputName ?? this.name(opType.toLowerCase());
    const attribute: OnnxNamespace.IAttributeProto[] = Object.entries(attrs).map(([name, v]) => {
      if (typeof v === 'string') return { name, type: onnx.AttributeProto.AttributeType.STRING, s: new TextEncoder().encode(v) };
      if (Array.isArray(v)) return { name, type: onnx.AttributeProto.AttributeType.INTS, ints: v };
      if (Number.isInteger(v) && !['alpha', 'beta', 'epsilon'].includes(name)) return { name, type: onnx.AttributeProto.AttributeType.INT, i: v };
      return { name, type: onnx.AttributeProto.AttributeType.FLOAT, f: v };
    });
    this.nodes.push({ opType, input: inputs, output: [output], name: output, attribute });
    return output;
  }
}
