import type { Arch } from '../arch/types';
import { SearchSpaceError, describeValue } from '../errors';
import { fromArchDef, type MobileVisionArchDef } from '../interop/archDef';
import { ZOO_FBNET } from './zooFbnet';
import { ZOO_FBNETV2 } from './zooFbnetV2';
import { ZOO_FBNETV3 } from './zooFbnetV3';
import { ZOO_MOBILENETV2 } from './zooMobileNetV2';

/** Published counts for a zoo model (multiply-adds and parameters at its input size). */
export interface ZooReference {
  macs: number;
  params: number;
  /** How the source counts BatchNorm parameters (mobile-vision's numbers match BN folded into the convs). */
  bnParams: 'affine' | 'folded';
  top1: number | null;
  source: string;
}

const MV = 'mobile-vision model_info (fbnet-family.md';

/** Published numbers the zoo sweep test checks against (within 1%). */
export const ZOO_REFERENCES: Readonly<Record<string, ZooReference>> = {
  fbnet_a: { macs: 244.5e6, params: 4.27e6, bnParams: 'folded', top1: 73.3, source: `${MV} §1.7)` },
  fbnet_b: { macs: 291.1e6, params: 4.77e6, bnParams: 'folded', top1: 74.54, source: `${MV} §1.7)` },
  fbnet_c: { macs: 378.2e6, params: 5.53e6, bnParams: 'folded', top1: 75.25, source: `${MV} §1.7)` },
  FBNetV2_F1: { macs: 56.41056e6, params: 5.999408e6, bnParams: 'folded', top1: 68.3, source: 'mobile-vision fbnet_modeldef_cls_fbnetv2.py comment' },
  FBNetV2_F2: { macs: 85.441392e6, params: 5.999408e6, bnParams: 'folded', top1: 71.0, source: 'mobile-vision fbnet_modeldef_cls_fbnetv2.py comment' },
  FBNetV2_F3: { macs: 121.824e6, params: 6.899504e6, bnParams: 'folded', top1: 73.0, source: 'mobile-vision fbnet_modeldef_cls_fbnetv2.py comment' },
  FBNetV2_F4: { macs: 238.351984e6, params: 6.994824e6, bnParams: 'folded', top1: 75.8, source: 'mobile-vision fbnet_modeldef_cls_fbnetv2.py comment' },
  FBNetV2_L1: { macs: 326.0e6, params: 8.5e6, bnParams: 'folded', top1: 77.0, source: `${MV} §2)` },
  FBNetV2_L2: { macs: 423.912768e6, params: 8.49652e6, bnParams: 'folded', top1: 78.2, source: 'mobile-vision fbnet_modeldef_cls_fbnetv2.py comment' },
  FBNetV3_A: { macs: 356.6e6, params: 8.54e6, bnParams: 'folded', top1: 79.57, source: `${MV} §3.6)` },
  FBNetV3_B: { macs: 461.6e6, params: 8.54e6, bnParams: 'folded', top1: 80.21, source: `${MV} §3.6)` },
  FBNetV3_C: { macs: 557.0e6, params: 9.91e6, bnParams: 'folded', top1: 80.83, source: `${MV} §3.6)` },
  FBNetV3_D: { macs: 644.4e6, params: 10.24e6, bnParams: 'folded', top1: 81.04, source: `${MV} §3.6)` },
  FBNetV3_E: { macs: 762.0e6, params: 10.7e6, bnParams: 'folded', top1: 81.25, source: `${MV} §3.6)` },
  FBNetV3_F: { macs: 1181.6e6, params: 13.8e6, bnParams: 'folded', top1: 82.06, source: `${MV} §3.6)` },
  FBNetV3_G: { macs: 2129.7e6, params: 16.51e6, bnParams: 'folded', top1: 82.79, source: `${MV} §3.6)` },
  // The paper's 3.4M params cannot be matched: the exact count of the same network (torchvision's
  // published mobilenet_v2, BN affine) is 3,504,872, so that is the reference; 300M MACs is the paper's.
  mobilenet_v2: { macs: 300e6, params: 3.504872e6, bnParams: 'affine', top1: 72.0, source: 'MobileNetV2 paper Table 4 (MACs); torchvision model card (params)' },
};

const DEFS: Readonly<Record<string, MobileVisionArchDef>> = { ...ZOO_FBNET, ...ZOO_FBNETV2, ...ZOO_FBNETV3, ...ZOO_MOBILENETV2 };

/** Names of every zoo architecture. */
export function listZooArchs(): string[] {
  return Object.keys(DEFS);
}

/**
 * A released architecture by name (FBNet-A/B/C, FBNetV2-F1..F4/L1/L2, FBNetV3-A..G, MobileNetV2-1.0),
 * with an ImageNet classifier (1000 classes) unless `numClasses` says otherwise.
 * @example
 * import { getZooArch } from '@fbnas/search-space';
 * const arch = getZooArch('FBNetV3_A');
 */
export function getZooArch(name: string, options: { numClasses?: number } = {}): Arch {
  const def = DEFS[name];
  if (!def) {
    throw new SearchSpaceError('UNKNOWN_NAME', 'fbnas.getZooArch', `name ${describeValue(name)} is not in the zoo; known: ${listZooArchs().join(', ')}`);
  }
  return fromArchDef(def, { name, numClasses: options.numClasses ?? 1000 });
}

/** The published counts of a zoo architecture. */
export function getZooReference(name: string): ZooReference {
  const ref = ZOO_REFERENCES[name];
  if (!ref) throw new SearchSpaceError('UNKNOWN_NAME', 'fbnas.getZooReference', `name ${describeValue(name)} is not in the zoo; known: ${listZooArchs().join(', ')}`);
  return ref;
}
