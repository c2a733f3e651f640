import { backend_util } from '@tensorflow/tfjs';

/** The numbers the fbnas conv kernels need, from tfjs's own padding rules (so results match exactly). */
export interface ConvGeometry {
  batch: number;
  inHeight: number;
  inWidth: number;
  inChannels: number;
  outHeight: number;
  outWidth: number;
  outChannels: number;
  kernelHeight: number;
  kernelWidth: number;
  strideHeight: number;
  strideWidth: number;
  padTop: number;
  padLeft: number;
  dilationHeight: number;
  dilationWidth: number;
}

/** Conv geometry via `backend_util.computeConv2DInfo` (NHWC). */
export function convGeometry(
  inShape: [number, number, number, number],
  filterShape: [number, number, number, number],
  strides: number | [number, number],
  dilations: number | [number, number],
  pad: 'same' | 'valid' | number | backend_util.ExplicitPadding,
  dimRoundingMode: 'floor' | 'round' | 'ceil' | undefined,
  depthwise: boolean,
): ConvGeometry {
  const info = backend_util.computeConv2DInfo(inShape, filterShape, strides, dilations, pad as never, dimRoundingMode, depthwise, 'channelsLast');
  return {
    batch: info.batchSize,
    inHeight: info.inHeight,
    inWidth: info.inWidth,
    inChannels: info.inChannels,
    outHeight: info.outHeight,
    outWidth: info.outWidth,
    outChannels: info.outChannels,
    kernelHeight: info.filterHeight,
    kernelWidth: info.filterWidth,
    strideHeight: info.strideHeight,
    strideWidth: info.strideWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
    dilationHeight: info.dilationHeight,
    dilationWidth: info.dilationWidth,
  };
}

/** The geometry as the kernels' trailing arguments: out h, w, kernel h, w, strides, top/left pads, dilations. */
export function kernelWindowArgs(g: ConvGeometry): number[] {
  return [g.outHeight, g.outWidth, g.kernelHeight, g.kernelWidth, g.strideHeight, g.strideWidth, g.padTop, g.padLeft, g.dilationHeight, g.dilationWidth];
}

/** Attributes of tfjs's conv gradient kernels. */
export interface ConvGradAttrs {
  strides: number | [number, number];
  dilations?: number | [number, number];
  pad: 'same' | 'valid' | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}
