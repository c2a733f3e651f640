import type { MobileVisionArchDef } from '../interop/archDef';

const e1 = { expansion: 1 };
const e3 = { expansion: 3 };
const e6 = { expansion: 6 };
const bias = { bias: true };
const g2 = { pwl_groups: 2 };

/** FBNet-A/B/C as released in mobile-vision (fbnet-family.md §1.6); IR convs carry a bias there. */
export const ZOO_FBNET: Record<string, MobileVisionArchDef> = {
  fbnet_a: {
    input_size: 224,
    blocks: [
      [['conv_k3', 16, 2, 1]],
      [['skip', 16, 1, 1]],
      [['ir_k3', 24, 2, 1, e3, bias], ['ir_k3', 24, 1, 1, e1, bias], ['skip', 24, 1, 1], ['skip', 24, 1, 1]],
      [['ir_k5', 32, 2, 1, e6, bias], ['ir_k3', 32, 1, 1, e3, bias], ['ir_k5', 32, 1, 1, e1, bias], ['ir_k3', 32, 1, 1, e3, bias]],
      [
        ['ir_k5', 64, 2, 1, e6, bias], ['ir_k5', 64, 1, 1, e3, bias], ['ir_k5_g2', 64, 1, 1, e1, bias, g2], ['ir_k5', 64, 1, 1, e6, bias],
        ['ir_k3', 112, 1, 1, e6, bias], ['ir_k5_g2', 112, 1, 1, e1, bias, g2], ['ir_k5', 112, 1, 1, e3, bias], ['ir_k3_g2', 112, 1, 1, e1, bias, g2],
      ],
      [['ir_k5', 184, 2, 1, e6, bias], ['ir_k5', 184, 1, 1, e6, bias], ['ir_k5', 184, 1, 1, e3, bias], ['ir_k5', 184, 1, 1, e6, bias], ['ir_k5', 352, 1, 1, e6, bias]],
      [['conv_k1', 1504, 1, 1]],
    ],
  },
  fbnet_b: {
    input_size: 224,
    blocks: [
      [['conv_k3', 16, 2, 1]],
      [['ir_k3', 16, 1, 1, e1, bias]],
      [['ir_k3', 24, 2, 1, e6, bias], ['ir_k5', 24, 1, 1, e1, bias], ['ir_k3', 24, 1, 1, e1, bias], ['ir_k3', 24, 1, 1, e1, bias]],
      [['ir_k5', 32, 2, 1, e6, bias], ['ir_k5', 32, 1, 1, e3, bias], ['ir_k3', 32, 1, 1, e6, bias], ['ir_k5', 32, 1, 1, e6, bias]],
      [
        ['ir_k5', 64, 2, 1, e6, bias], ['ir_k5', 64, 1, 1, e6, bias], ['skip', 64, 1, 1], ['ir_k5', 64, 1, 1, e3, bias],
        ['ir_k5', 112, 1, 1, e6, bias], ['ir_k3', 112, 1, 1, e1, bias], ['ir_k5', 112, 1, 1, e1, bias], ['ir_k5', 112, 1, 1, e3, bias],
      ],
      [['ir_k5', 184, 2, 1, e6, bias], ['ir_k5', 184, 1, 1, e1, bias], ['ir_k5', 184, 1, 1, e6, bias], ['ir_k5', 184, 1, 1, e6, bias], ['ir_k3', 352, 1, 1, e6, bias]],
      [['conv_k1', 1984, 1, 1]],
    ],
  },
  fbnet_c: {
    input_size: 224,
    blocks: [
      [['conv_k3', 16, 2, 1]],
      [['ir_k3', 16, 1, 1, e1, bias]],
      [['ir_k3', 24, 2, 1, e6, bias], ['skip', 24, 1, 1], ['ir_k3', 24, 1, 1, e1, bias], ['ir_k3', 24, 1, 1, e1, bias]],
      [['ir_k5', 32, 2, 1, e6, bias], ['ir_k5', 32, 1, 1, e3, bias], ['ir_k5', 32, 1, 1, e6, bias], ['ir_k3', 32, 1, 1, e6, bias]],
      [
        ['ir_k5', 64, 2, 1, e6, bias], ['ir_k5', 64, 1, 1, e3, bias], ['ir_k5', 64, 1, 1, e6, bias], ['ir_k5', 64, 1, 1, e6, bias],
        ['ir_k5', 112, 1, 1, e6, bias], ['ir_k5', 112, 1, 1, e6, bias], ['ir_k5', 112, 1, 1, e6, bias], ['ir_k5', 112, 1, 1, e3, bias],
      ],
      [['ir_k5', 184, 2, 1, e6, bias], ['ir_k5', 184, 1, 1, e6, bias], ['ir_k5', 184, 1, 1, e6, bias], ['ir_k5', 184, 1, 1, e6, bias], ['ir_k3', 352, 1, 1, e6, bias]],
      [['conv_k1', 1984, 1, 1]],
    ],
  },
};
