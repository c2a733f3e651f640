import type { MobileVisionArchDef } from '../interop/archDef';

const cfg = { less_se_channels: true };
const ex = (e: number) => ({ expansion: e });
const pad = (p: number) => ({ dw_args: { padding: [p, p] } });
const basic_args = { width_divisor: 8 };

/** One FBNetV3 model from its per-stage widths, depths and kernel/expansion pattern (fbnet-family.md §3.2). */
type V3Row = [op: string, channels: number, stride: number, repeats: number, expansion: number, dwPad?: number];

function v3(inputSize: number, stem: number, stages: V3Row[][]): MobileVisionArchDef {
  return {
    input_size: inputSize,
    basic_args,
    blocks: [
      [['conv_k3_hs', stem, 2, 1]],
      ...stages.map((rows) => rows.map(([op, c, s, n, e, p]) => [op, c, s, n, ex(e), cfg, ...(p === undefined ? [] : [pad(p)])])),
      [['ir_pool_hs', 1984, 1, 1, ex(6)]],
    ],
  };
}

/** FBNetV3-A..G as released in mobile-vision (`fbnet_modeldef_cls_fbnetv3.py`). */
export const ZOO_FBNETV3: Record<string, MobileVisionArchDef> = {
  FBNetV3_A: v3(224, 16, [
    [['ir_k3_hs', 16, 1, 2, 1]],
    [['ir_k5_hs', 24, 2, 1, 4], ['ir_k5_hs', 24, 1, 3, 2]],
    [['ir_k5_sehsig_hs', 40, 2, 1, 5], ['ir_k5_sehsig_hs', 40, 1, 4, 3]],
    [['ir_k5_hs', 72, 2, 1, 5, 1], ['ir_k3_hs', 72, 1, 4, 3], ['ir_k3_sehsig_hs', 120, 1, 1, 5], ['ir_k5_sehsig_hs', 120, 1, 5, 3]],
    [['ir_k3_sehsig_hs', 184, 2, 1, 6, 0], ['ir_k5_sehsig_hs', 184, 1, 5, 4], ['ir_k5_sehsig_hs', 224, 1, 1, 6]],
  ]),
  FBNetV3_B: v3(248, 16, [
    [['ir_k3_hs', 16, 1, 2, 1]],
    [['ir_k5_hs', 24, 2, 1, 4], ['ir_k5_hs', 24, 1, 3, 2]],
    [['ir_k5_sehsig_hs', 40, 2, 1, 5], ['ir_k5_sehsig_hs', 40, 1, 4, 3]],
    [['ir_k5_hs', 72, 2, 1, 5, 1], ['ir_k3_hs', 72, 1, 4, 3], ['ir_k3_sehsig_hs', 120, 1, 1, 5], ['ir_k5_sehsig_hs', 120, 1, 5, 3]],
    [['ir_k3_sehsig_hs', 184, 2, 1, 6, 0], ['ir_k5_sehsig_hs', 184, 1, 5, 4], ['ir_k5_sehsig_hs', 224, 1, 1, 6]],
  ]),
  FBNetV3_C: v3(248, 16, [
    [['ir_k3_hs', 16, 1, 2, 1]],
    [['ir_k5_hs', 24, 2, 1, 5], ['ir_k3_hs', 24, 1, 4, 3]],
    [['ir_k5_sehsig_hs', 48, 2, 1, 5], ['ir_k5_sehsig_hs', 48, 1, 4, 2]],
    [['ir_k5_hs', 88, 2, 1, 4, 1], ['ir_k3_hs', 88, 1, 4, 3], ['ir_k3_sehsig_hs', 120, 1, 1, 4], ['ir_k5_sehsig_hs', 120, 1, 5, 3]],
    [['ir_k5_sehsig_hs', 216, 2, 1, 5, 1], ['ir_k5_sehsig_hs', 216, 1, 5, 5], ['ir_k5_sehsig_hs', 216, 1, 1, 6]],
  ]),
  FBNetV3_D: v3(248, 24, [
    [['ir_k3_hs', 16, 1, 2, 1]],
    [['ir_k3_hs', 24, 2, 1, 5], ['ir_k3_hs', 24, 1, 5, 2]],
    [['ir_k5_sehsig_hs', 40, 2, 1, 4], ['ir_k3_sehsig_hs', 40, 1, 4, 3]],
    [['ir_k3_hs', 72, 2, 1, 5], ['ir_k3_hs', 72, 1, 4, 3], ['ir_k3_sehsig_hs', 128, 1, 1, 5], ['ir_k5_sehsig_hs', 128, 1, 6, 3]],
    [['ir_k3_sehsig_hs', 208, 2, 1, 6], ['ir_k5_sehsig_hs', 208, 1, 5, 5], ['ir_k5_sehsig_hs', 240, 1, 1, 6]],
  ]),
  FBNetV3_E: v3(264, 24, [
    [['ir_k3_hs', 16, 1, 3, 1]],
    [['ir_k5_hs', 24, 2, 1, 4], ['ir_k5_hs', 24, 1, 4, 2]],
    [['ir_k5_sehsig_hs', 48, 2, 1, 4], ['ir_k5_sehsig_hs', 48, 1, 4, 3]],
    [['ir_k5_hs', 80, 2, 1, 5, 1], ['ir_k3_hs', 80, 1, 4, 3], ['ir_k3_sehsig_hs', 128, 1, 1, 5], ['ir_k5_sehsig_hs', 128, 1, 7, 3]],
    [['ir_k3_sehsig_hs', 216, 2, 1, 6], ['ir_k5_sehsig_hs', 216, 1, 5, 5], ['ir_k5_sehsig_hs', 240, 1, 1, 6]],
  ]),
  FBNetV3_F: v3(272, 24, [
    [['ir_k3_hs', 24, 1, 3, 1]],
    [['ir_k5_hs', 32, 2, 1, 4], ['ir_k5_hs', 32, 1, 4, 2]],
    [['ir_k5_sehsig_hs', 56, 2, 1, 4], ['ir_k5_sehsig_hs', 56, 1, 4, 3]],
    [['ir_k5_hs', 88, 2, 1, 5], ['ir_k3_hs', 88, 1, 4, 3], ['ir_k3_sehsig_hs', 144, 1, 1, 5], ['ir_k5_sehsig_hs', 144, 1, 8, 3]],
    [['ir_k3_sehsig_hs', 248, 2, 1, 6, 0], ['ir_k5_sehsig_hs', 248, 1, 6, 5], ['ir_k5_sehsig_hs', 272, 1, 1, 6]],
  ]),
  FBNetV3_G: v3(320, 32, [
    [['ir_k3_hs', 24, 1, 3, 1]],
    [['ir_k5_hs', 40, 2, 1, 4], ['ir_k5_hs', 40, 1, 4, 2]],
    [['ir_k5_sehsig_hs', 56, 2, 1, 4], ['ir_k5_sehsig_hs', 56, 1, 4, 3]],
    [['ir_k5_hs', 104, 2, 1, 5], ['ir_k3_hs', 104, 1, 4, 3], ['ir_k3_sehsig_hs', 160, 1, 1, 5], ['ir_k5_sehsig_hs', 160, 1, 8, 3]],
    [['ir_k3_sehsig_hs', 264, 2, 1, 6], ['ir_k5_sehsig_hs', 264, 1, 6, 5], ['ir_k5_sehsig_hs', 288, 1, 2, 6]],
  ]),
};
