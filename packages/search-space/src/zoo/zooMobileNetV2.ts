import type { MobileVisionArchDef } from '../interop/archDef';

const relu6 = { relu_args: 'relu6' };
const ex = (e: number) => ({ expansion: e, ...relu6 });

/** MobileNetV2-1.0 (Sandler et al. 2018; the torchvision layout) written as an arch_def. */
export const ZOO_MOBILENETV2: Record<string, MobileVisionArchDef> = {
  mobilenet_v2: {
    input_size: 224,
    basic_args: { width_divisor: 8 },
    blocks: [
      [['conv_k3', 32, 2, 1, relu6]],
      [['ir_k3', 16, 1, 1, ex(1)]],
      [['ir_k3', 24, 2, 2, ex(6)]],
      [['ir_k3', 32, 2, 3, ex(6)]],
      [['ir_k3', 64, 2, 4, ex(6)], ['ir_k3', 96, 1, 3, ex(6)]],
      [['ir_k3', 160, 2, 3, ex(6)], ['ir_k3', 320, 1, 1, ex(6)]],
      [['conv_k1', 1280, 1, 1, relu6]],
    ],
  },
};
