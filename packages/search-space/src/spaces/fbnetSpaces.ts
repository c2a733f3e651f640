import type { ArchRules } from '../arch/types';
import { createLayerwiseSpace, type CandidateSpec, type LayerwiseSpace } from './layerwiseSpace';

/**
 * The 9 FBNet candidate blocks (paper Table 2), in HW-NAS-Bench's op order, so a genome of the FBNet
 * spaces is exactly HW-NAS-Bench's 22-int encoding.
 */
export const FBNET_CANDIDATES: readonly CandidateSpec[] = [
  { name: 'k3_e1', op: 'ir', kernel: 3, expansion: 1, groups: 1 },
  { name: 'k3_e1_g2', op: 'ir', kernel: 3, expansion: 1, groups: 2 },
  { name: 'k3_e3', op: 'ir', kernel: 3, expansion: 3, groups: 1 },
  { name: 'k3_e6', op: 'ir', kernel: 3, expansion: 6, groups: 1 },
  { name: 'k5_e1', op: 'ir', kernel: 5, expansion: 1, groups: 1 },
  { name: 'k5_e1_g2', op: 'ir', kernel: 5, expansion: 1, groups: 2 },
  { name: 'k5_e3', op: 'ir', kernel: 5, expansion: 3, groups: 1 },
  { name: 'k5_e6', op: 'ir', kernel: 5, expansion: 6, groups: 1 },
  { name: 'skip', op: 'skip' },
];

/** FBNet-paper counting: mid = in * e exactly, and the first 1x1 conv is kept for e = 1. */
export const FBNET_PAPER_RULES: ArchRules = { widthDivisor: 1, unitExpansionPw: 'keep' };

const FBNET_STAGE_CHANNELS = [16, 24, 32, 64, 112, 184, 352];
const FBNET_STAGE_LAYERS = [1, 4, 4, 4, 4, 4, 1];

/** A 22-layer FBNet space: the paper's stage depths and candidates, with a preset's geometry. */
function fbnetPreset(p: {
  name: string;
  inputSize: number;
  inputChannels: number;
  numClasses: number;
  stemStride: number;
  strides: readonly number[];
  channels?: readonly number[];
  headChannels: number;
}): LayerwiseSpace {
  const channels = p.channels ?? FBNET_STAGE_CHANNELS;
  return createLayerwiseSpace({
    name: p.name,
    inputSize: p.inputSize,
    inputChannels: p.inputChannels,
    numClasses: p.numClasses,
    rules: FBNET_PAPER_RULES,
    activation: 'relu',
    stem: { channels: 16, kernel: 3, stride: p.stemStride },
    stages: FBNET_STAGE_LAYERS.map((layers, i) => ({ channels: channels[i], layers, stride: p.strides[i] })),
    headChannels: p.headChannels,
    candidates: FBNET_CANDIDATES,
  });
}

/**
 * The FBNet space for ImageNet-224 (paper Table 1): 22 layers x 9 candidates, head 1x1 conv to 1504
 * (`headChannels: 1984` gives HW-NAS-Bench's ImageNet variant, whose LUT keys use 1984).
 */
export function fbnetImageNetSpace(options: { headChannels?: number; numClasses?: number } = {}): LayerwiseSpace {
  return fbnetPreset({
    name: 'fbnet-imagenet', inputSize: 224, inputChannels: 3, numClasses: options.numClasses ?? 1000,
    stemStride: 2, strides: [1, 2, 2, 2, 1, 2, 1], headChannels: options.headChannels ?? 1504,
  });
}

/**
 * The FBNet space for CIFAR-32 exactly as HW-NAS-Bench defines it: stem stride 1, stage strides
 * [1,1,2,2,1,2,1], head 352 -> 1504, FC to 100 classes, FBNet-paper counting.
 */
export function fbnetCifarSpace(options: { numClasses?: number } = {}): LayerwiseSpace {
  return fbnetPreset({
    name: 'fbnet-cifar', inputSize: 32, inputChannels: 3, numClasses: options.numClasses ?? 100,
    stemStride: 1, strides: [1, 1, 2, 2, 1, 2, 1], headChannels: 1504,
  });
}

/** Stage widths of {@link fbnet28Space}: narrower than FBNet (median random architecture about 23M multiply-adds). */
export const FBNET28_STAGE_CHANNELS: readonly number[] = [16, 16, 24, 32, 48, 64, 96];

/**
 * The FBNet space for 28x28 grey images (Fashion-MNIST, MNIST). Same 22 layers x 9 candidates and stage
 * depths as FBNet; our stride plan and widths, chosen so a supernet trains on a CPU in minutes:
 * stem 3x3/16 stride 1 (28x28), stage strides [1,1,2,1,2,1,1] (28 -> 14 -> 7), stage widths
 * {@link FBNET28_STAGE_CHANNELS}, head 1x1 conv to 256, FC to 10 classes, FBNet-paper counting.
 */
export function fbnet28Space(options: { numClasses?: number; headChannels?: number } = {}): LayerwiseSpace {
  return fbnetPreset({
    name: 'fbnet-28', inputSize: 28, inputChannels: 1, numClasses: options.numClasses ?? 10,
    stemStride: 1, strides: [1, 1, 2, 1, 2, 1, 1], channels: FBNET28_STAGE_CHANNELS, headChannels: options.headChannels ?? 256,
  });
}
