import type { TensorShape } from '@fbnas/search-space';
import type { GraphBuilder } from '../graphBuilder';
import type { WeightSource } from '../weightSource';

/** Shared state of one export. */
export interface EmitContext {
  g: GraphBuilder;
  weights: WeightSource;
  /** Fold BatchNorm into the preceding conv (default) or keep BatchNormalization nodes. */
  foldBatchNorm: boolean;
  bnEpsilon: number;
  api: string;
}

/** A graph value (NCHW in ONNX) with its shape as height, width, channels. */
export interface OnnxValue {
  name: string;
  shape: TensorShape;
}
