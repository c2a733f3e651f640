import type { Activation } from '../contract';

/**
 * One convolution layer as the tfjs builder and the ONNX exporter both realise it: conv [+ bias] [+ BN]
 * [+ activation], symmetric padding, groups (groups == channels is depthwise).
 */
export interface ConvLayerSpec {
  outChannels: number;
  kernel: number;
  stride: number;
  padding: number;
  groups: number;
  bias: boolean;
  bn: boolean;
  activation: Activation;
}
