/** Height, width and channels of a feature map (NHWC without the batch). */
export interface TensorShape {
  height: number;
  width: number;
  channels: number;
}

/** Multiply-adds, parameters and output shape of one block or layer, per image. */
export interface LayerCost {
  output: TensorShape;
  macs: number;
  params: number;
}

/**
 * How BatchNorm parameters count: `affine` (PyTorch: gamma and beta, 2 per channel) or `folded` (BN
 * folded into the conv for inference: 1 bias per channel, none when the conv already has a bias).
 */
export type BnParamCounting = 'affine' | 'folded';

/** Raised by shape inference; `archStats` rewraps it with the block path. */
export class BlockShapeError extends Error {}

/** Output size of a convolution along one axis. */
export function convOutputSize(size: number, kernel: number, stride: number, padding: number): number {
  return Math.floor((size + 2 * padding - kernel) / stride) + 1;
}

/**
 * Cost of one convolution (+ optional bias and BN, whose gamma/beta count as parameters).
 * Multiply-adds follow the FBNet papers' "FLOPs": H_out * W_out * C_out * (C_in / groups) * k * k.
 */
export function convCost(
  input: TensorShape,
  outChannels: number,
  kernel: number,
  stride: number,
  padding: number,
  groups: number,
  opts: { bias: boolean; bn: boolean; bnParams?: BnParamCounting },
): LayerCost {
  if (input.channels % groups !== 0 || outChannels % groups !== 0) {
    throw new BlockShapeError(`groups ${groups} must divide input channels ${input.channels} and output channels ${outChannels}`);
  }
  const height = convOutputSize(input.height, kernel, stride, padding);
  const width = convOutputSize(input.width, kernel, stride, padding);
  if (height < 1 || width < 1) {
    throw new BlockShapeError(
      `a ${kernel}x${kernel} conv with stride ${stride} and padding ${padding} on a ${input.height}x${input.width} input leaves no output`,
    );
  }
  const weights = outChannels * (input.channels / groups) * kernel * kernel;
  return {
    output: { height, width, channels: outChannels },
    macs: height * width * weights,
    params: weights + (opts.bias ? outChannels : 0) + (opts.bn ? bnParamCount(outChannels, opts.bias, opts.bnParams ?? 'affine') : 0),
  };
}

function bnParamCount(channels: number, convHasBias: boolean, counting: BnParamCounting): number {
  if (counting === 'affine') return 2 * channels;
  return convHasBias ? 0 : channels;
}

/** Sum the costs of consecutive layers; the output is the last one's. */
export function chainCosts(input: TensorShape, costs: LayerCost[]): LayerCost {
  return costs.reduce<LayerCost>(
    (acc, c) => ({ output: c.output, macs: acc.macs + c.macs, params: acc.params + c.params }),
    { output: input, macs: 0, params: 0 },
  );
}
