import type { MobileVisionArchDef } from '../interop/archDef';

const cfg = { less_se_channels: false };
const ex = (e: number) => ({ expansion: e });
const basic_args = { width_divisor: 8 };

const F1_BODY: unknown[][][] = [
  [['ir_k5', 8, 1, 1, ex(1), cfg]],
  [['ir_k5', 24, 2, 1, ex(5.4566), cfg], ['ir_k5', 24, 1, 1, ex(4.7912), cfg]],
  [['ir_k5_sehsig', 32, 2, 1, ex(5.3501), cfg], ['ir_k5_sehsig', 24, 1, 1, ex(4.5379), cfg]],
  [
    ['ir_k5_hs', 56, 2, 1, ex(5.7133), cfg], ['ir_k3_hs', 56, 1, 1, ex(4.1212), cfg], ['ir_k3_sehsig_hs', 56, 1, 1, ex(5.1246), cfg],
    ['skip', 80, 1, 1], ['ir_k5_sehsig_hs', 80, 1, 1, ex(4.507), cfg], ['ir_k5_sehsig_hs', 80, 1, 1, ex(1.7712), cfg],
  ],
  [['ir_k3_sehsig_hs', 144, 2, 1, ex(4.5685), cfg], ['ir_k5_sehsig_hs', 144, 1, 1, ex(5.84), cfg], ['ir_k5_sehsig_hs', 144, 1, 1, ex(6.8754), cfg], ['skip', 224, 1, 1]],
];

const L_BODY: unknown[][][] = [
  [['ir_k3_hs', 16, 1, 1, ex(1), cfg]],
  [['ir_k5_hs', 24, 2, 1, ex(5.4566), cfg], ['ir_k5_hs', 24, 1, 1, ex(1.7912), cfg], ['ir_k3_hs', 24, 1, 1, ex(1.7912), cfg], ['ir_k5_hs', 24, 1, 1, ex(1.7912), cfg]],
  [['ir_k5_sehsig_hs', 40, 2, 1, ex(5.3501), cfg], ['ir_k5_sehsig_hs', 32, 1, 1, ex(3.5379), cfg], ['ir_k5_sehsig_hs', 32, 1, 2, ex(4.5379), cfg]],
  [
    ['ir_k5_hs', 64, 2, 1, ex(5.7133), cfg], ['ir_k3_hs', 64, 1, 1, ex(2.1212), cfg], ['skip', 64, 1, 1], ['ir_k3_hs', 64, 1, 1, ex(3.1246), cfg],
    ['ir_k3_hs', 112, 1, 1, ex(5.0333), cfg], ['ir_k5_sehsig_hs', 112, 1, 1, ex(2.507), cfg], ['ir_k5_sehsig_hs', 112, 1, 1, ex(1.7712), cfg],
    ['ir_k5_sehsig_hs', 112, 1, 1, ex(2.7712), cfg], ['ir_k5_sehsig_hs', 112, 1, 2, ex(3.7712), cfg],
  ],
  [
    ['ir_k3_sehsig_hs', 184, 2, 1, ex(5.5685), cfg], ['ir_k5_sehsig_hs', 184, 1, 2, ex(2.84), cfg], ['ir_k5_sehsig_hs', 184, 1, 2, ex(4.8754), cfg],
    ['skip', 224, 1, 1],
  ],
];

/** FBNetV2 (DMaskingNAS) paper models as released in mobile-vision (fbnet-family.md §2). */
export const ZOO_FBNETV2: Record<string, MobileVisionArchDef> = {
  FBNetV2_F1: { input_size: 128, basic_args, blocks: [[['conv_k3_hs', 8, 2, 1]], ...F1_BODY, [['ir_pool_hs', 1600, 1, 1, ex(6)]]] },
  FBNetV2_F2: { input_size: 160, basic_args, blocks: [[['conv_k3_hs', 8, 2, 1]], ...F1_BODY, [['ir_pool_hs', 1600, 1, 1, ex(6)]]] },
  FBNetV2_F3: { input_size: 192, basic_args, blocks: [[['conv_k3_hs', 8, 2, 1]], ...F1_BODY, [['ir_pool_hs', 1984, 1, 1, ex(6)]]] },
  FBNetV2_F4: {
    input_size: 224,
    basic_args,
    blocks: [
      [['conv_k3_hs', 16, 2, 1]],
      [['ir_k3_hs', 16, 1, 1, ex(1), cfg]],
      [['ir_k5_hs', 24, 2, 1, ex(5.4566), cfg], ['ir_k5_hs', 24, 1, 2, ex(1.7912), cfg]],
      [['ir_k5_sehsig', 32, 2, 1, ex(5.3501), cfg], ['ir_k5_sehsig', 32, 1, 1, ex(3.5379), cfg], ['ir_k5_sehsig', 32, 1, 2, ex(4.5379), cfg]],
      [
        ['ir_k5_hs', 64, 2, 1, ex(5.7133), cfg], ['ir_k3_hs', 64, 1, 1, ex(2.1212), cfg], ['skip', 64, 1, 1], ['ir_k3_hs', 104, 1, 1, ex(5.0333), cfg],
        ['ir_k5_sehsig_hs', 104, 1, 1, ex(2.507), cfg], ['ir_k5_sehsig_hs', 104, 1, 1, ex(1.7712), cfg], ['ir_k5_sehsig_hs', 112, 1, 1, ex(3.7712), cfg],
      ],
      [['ir_k3_sehsig_hs', 184, 2, 1, ex(5.5685), cfg], ['ir_k5_sehsig_hs', 184, 1, 1, ex(2.84), cfg], ['ir_k5_sehsig_hs', 184, 1, 1, ex(4.8754), cfg], ['skip', 224, 1, 1]],
      [['ir_pool_hs', 1984, 1, 1, ex(6)]],
    ],
  },
  FBNetV2_L1: { input_size: 224, basic_args, blocks: [[['conv_k3_hs', 16, 2, 1]], ...L_BODY, [['ir_pool_hs', 1984, 1, 1, ex(6)]]] },
  FBNetV2_L2: { input_size: 256, basic_args, blocks: [[['conv_k3_hs', 16, 2, 1]], ...L_BODY, [['ir_pool_hs', 1984, 1, 1, ex(6)]]] },
};
