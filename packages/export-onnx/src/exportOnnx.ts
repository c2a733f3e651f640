import { onnx } from './onnxProto';
import { archStats, parseArch, type Arch, type ArchRules, type Block, type TensorShape } from '@fbnas/search-space';
import type { NamedWeights } from '@fbnas/nn';
import { FBNAS_VERSION, ONNX_INPUT_NAME, ONNX_IR_VERSION, ONNX_META_ARCH, ONNX_META_VERSION, ONNX_OPSET, ONNX_OUTPUT_NAME } from './contract';
import { OnnxExportError } from './errors';
import { GraphBuilder } from './graphBuilder';
import { emitConv } from './emitters/convEmitter';
import type { EmitContext, OnnxValue } from './emitters/emitContext';
import { emitFc } from './emitters/fcEmitter';
import { emitIrBlock } from './emitters/irBlockEmitter';
import { emitIrPool } from './emitters/irPoolEmitter';
import { emitPool } from './emitters/poolEmitter';
import { emitSkip } from './emitters/skipEmitter';
import { namedWeightSource, randomWeightSource } from './weightSource';

/** Options of {@link exportOnnx}. */
export interface ExportOnnxOptions {
  /** Trained weights (`NnModel.exportWeights()`); without them, seeded random weights (for latency). */
  weights?: NamedWeights;
  /** Seed of the random weights [0]. */
  seed?: number;
  /** Fold BatchNorm into the convs [true]; false keeps BatchNormalization nodes. */
  foldBatchNorm?: boolean;
  /** BatchNorm epsilon; must be the one the model was built with [1e-5]. */
  bnEpsilon?: number;
}

/** One spatial or classifier block as ONNX nodes. */
function emitBlock(ctx: EmitContext, x: OnnxValue, name: string, block: Block, rules: ArchRules, outputName?: string): OnnxValue {
  switch (block.op) {
    case 'conv':
      return emitConv(ctx, x, name, {
        outChannels: block.channels, kernel: block.kernel, stride: block.stride, padding: block.padding ?? Math.floor(block.kernel / 2),
        groups: block.groups, bias: block.bias, bn: block.bn, activation: block.activation,
      });
    case 'ir':
      return emitIrBlock(ctx, x, name, block, rules);
    case 'skip':
      return emitSkip(ctx, x, name, block);
    case 'ir_pool':
      return emitIrPool(ctx, x, name, block, rules);
    case 'pool':
      return emitPool(ctx, x);
    case 'fc':
      return emitFc(ctx, x, name, block, outputName);
    default:
      throw new OnnxExportError('UNSUPPORTED', ctx.api, `${name} has an unknown block op ${JSON.stringify((block as { op: unknown }).op)}`, name);
  }
}

function modelBytes(g: GraphBuilder, input: OnnxValue, outputName: string, outShape: Array<number | string>, graphName: string, meta: Record<string, string>): Uint8Array {
  const dim = (d: number | string) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d });
  const valueInfo = (name: string, dims: Array<number | string>) => ({
    name,
    type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: dims.map(dim) } } },
  });
  const model = onnx.ModelProto.create({
    irVersion: ONNX_IR_VERSION,
    opsetImport: [{ domain: '', version: ONNX_OPSET }],
    producerName: 'fbnas',
    producerVersion: FBNAS_VERSION,
    graph: {
      name: graphName,
      node: g.nodes,
      initializer: g.initializers,
      input: [valueInfo(input.name, ['batch', input.shape.channels, input.shape.height, input.shape.width])],
      output: [valueInfo(outputName, outShape)],
    },
    metadataProps: Object.entries(meta).map(([key, value]) => ({ key, value })),
  });
  return onnx.ModelProto.encode(model).finish();
}

/**
 * An ONNX model (opset 17, NCHW input `input` with a dynamic batch, output `logits`) of an architecture,
 * with trained weights or seeded random ones. `metadata_props` carries the architecture JSON and the fbnas
 * version. Unknown blocks, missing weights or mismatched shapes are `OnnxExportError`s naming the layer.
 * @example
 * import { exportOnnx } from '@fbnas/export-onnx';
 * import { getZooArch } from '@fbnas/search-space';
 * const bytes = exportOnnx(getZooArch('fbnet_a'), { seed: 0 });
 */
export function exportOnnx(archInput: Arch, options: ExportOnnxOptions = {}): Uint8Array {
  const api = 'fbnas.exportOnnx';
  const arch = parseArch(archInput);
  const g = new GraphBuilder();
  const ctx: EmitContext = {
    g,
    weights: options.weights ? namedWeightSource(options.weights, api) : randomWeightSource(options.seed ?? 0),
    foldBatchNorm: options.foldBatchNorm ?? true,
    bnEpsilon: options.bnEpsilon ?? 1e-5,
    api,
  };
  const input: OnnxValue = { name: ONNX_INPUT_NAME, shape: { height: arch.inputSize, width: arch.inputSize, channels: arch.inputChannels } };
  let x = input;
  arch.blocks.forEach((block, i) => {
    x = emitBlock(ctx, x, `blocks.${i}`, block, arch.rules, i === arch.blocks.length - 1 ? ONNX_OUTPUT_NAME : undefined);
  });
  if (x.name !== ONNX_OUTPUT_NAME) x = { name: g.node('Identity', [x.name], {}, ONNX_OUTPUT_NAME), shape: x.shape };
  const out = archStats(arch).output;
  const outShape = arch.blocks[arch.blocks.length - 1].op === 'fc' ? ['batch', out.channels] : ['batch', out.channels, out.height, out.width];
  return modelBytes(g, input, ONNX_OUTPUT_NAME, outShape, arch.name ?? 'fbnas', { [ONNX_META_ARCH]: JSON.stringify(arch), [ONNX_META_VERSION]: FBNAS_VERSION });
}

/**
 * A single-block ONNX graph (block + input shape -> model bytes) with seeded random weights, for
 * measuring that block's latency. Output `output`, NCHW.
 */
export function exportBlockOnnx(block: Block, input: TensorShape, options: { rules?: ArchRules; seed?: number; foldBatchNorm?: boolean } = {}): Uint8Array {
  const api = 'fbnas.exportBlockOnnx';
  const rules = options.rules ?? { widthDivisor: 8, unitExpansionPw: 'omit' };
  const arch = parseArch({ inputSize: input.height, inputChannels: input.channels, rules, blocks: [block] });
  if (input.width !== input.height) throw new OnnxExportError('INVALID_ARGUMENT', api, `input must be square, got ${input.height}x${input.width}`);
  const g = new GraphBuilder();
  const ctx: EmitContext = { g, weights: randomWeightSource(options.seed ?? 0), foldBatchNorm: options.foldBatchNorm ?? true, bnEpsilon: 1e-5, api };
  const x: OnnxValue = { name: ONNX_INPUT_NAME, shape: input };
  const y = emitBlock(ctx, x, 'block', arch.blocks[0], rules, 'output');
  const outName = y.name === 'output' ? 'output' : g.node('Identity', [y.name], {}, 'output');
  const outShape = arch.blocks[0].op === 'fc' ? ['batch', y.shape.channels] : ['batch', y.shape.channels, y.shape.height, y.shape.width];
  return modelBytes(g, x, outName, outShape, `block-${arch.blocks[0].op}`, { [ONNX_META_ARCH]: JSON.stringify(arch), [ONNX_META_VERSION]: FBNAS_VERSION });
}

/** Read back the fbnas metadata (architecture JSON, version) of an exported model. */
export function readOnnxMetadata(bytes: Uint8Array): Record<string, string> {
  const model = onnx.ModelProto.decode(bytes);
  return Object.fromEntries((model.metadataProps ?? []).map((p) => [p.key ?? '', p.value ?? '']));
}
