import type { Activation, SeGate } from '../contract';

/**
 * Squeeze-excitation inside an inverted-residual block (placed after the depthwise conv).
 * Width = makeDivisible(trunc(mid * ratio / (divideByExpansion ? expansion : 1)), widthDivisor);
 * FBNetV3 uses `divideByExpansion: true` (mobile-vision `less_se_channels`), FBNetV2 `false`.
 */
export interface SqueezeExcite {
  gate: SeGate;
  ratio: number;
  divideByExpansion: boolean;
}

interface BlockBase {
  /**
   * Stage index (mobile-vision `arch_def` stage); filled in by canonicalisation when omitted. By
   * convention the classifier (`pool` + `fc`) is a stage of its own after the body.
   */
  stage: number;
}

/** Plain convolution + optional BN + activation (stems, 1x1 heads). */
export interface ConvBlock extends BlockBase {
  op: 'conv';
  channels: number;
  kernel: number;
  stride: number;
  groups: number;
  /** Explicit symmetric padding; `null` means kernel // 2. */
  padding: number | null;
  activation: Activation;
  bn: boolean;
  bias: boolean;
}

/** Inverted residual (IRF / MBConv): [pw 1x1] -> [shuffle] -> dw kxk -> [SE] -> pwl 1x1 -> [+x]. */
export interface IrBlock extends BlockBase {
  op: 'ir';
  channels: number;
  kernel: number;
  stride: number;
  /** Expansion ratio; fractional values are allowed (FBNetV2). */
  expansion: number;
  /** Groups of both 1x1 convs. */
  groups: number;
  /** Channel shuffle after the first 1x1 conv (mobile-vision: whenever groups > 1). */
  shuffle: boolean;
  se: SqueezeExcite | null;
  activation: Activation;
  bias: boolean;
  /** Depthwise padding override (mobile-vision `dw_args.padding`); `null` means kernel // 2. */
  dwPadding: number | null;
  /** Build the first 1x1 conv even when mid == in channels (mobile-vision `always_pw`). */
  alwaysPw: boolean;
}

/** `skip`: identity when the shape is unchanged, else a 1x1 projection conv (stride s) + BN + activation. */
export interface SkipBlock extends BlockBase {
  op: 'skip';
  channels: number;
  stride: number;
  activation: Activation;
}

/** mobile-vision `ir_pool`: 1x1 expand + BN + act -> global average pool -> 1x1 conv (no BN) + act. */
export interface IrPoolBlock extends BlockBase {
  op: 'ir_pool';
  channels: number;
  expansion: number;
  activation: Activation;
  bias: boolean;
}

/** Global average pooling to 1x1. */
export interface PoolBlock extends BlockBase {
  op: 'pool';
  kind: 'avg';
}

/** Fully connected classifier on a pooled (1x1) input. */
export interface FcBlock extends BlockBase {
  op: 'fc';
  channels: number;
  bias: boolean;
  dropout: number;
}

/** Any block of an architecture. */
export type Block = ConvBlock | IrBlock | SkipBlock | IrPoolBlock | PoolBlock | FcBlock;

/** Rules on which the FBNet papers and mobile-vision disagree; explicit per architecture. */
export interface ArchRules {
  /** Mid channels of IR blocks are rounded to a multiple of this (mobile-vision 8; FBNet paper 1). */
  widthDivisor: number;
  /**
   * The first 1x1 conv of an IR block whose mid == in channels (e = 1): `omit` as mobile-vision builds
   * it, or `keep` as the FBNet paper and HW-NAS-Bench count it.
   */
  unitExpansionPw: 'omit' | 'keep';
}

/** A whole network as plain data. */
export interface Arch {
  format: 'fbnas.arch/v1';
  name: string | null;
  inputSize: number;
  inputChannels: number;
  rules: ArchRules;
  blocks: Block[];
}

/** Loose input accepted by `parseArch`: optional fields may be omitted. */
export type BlockInput = { op: string; [key: string]: unknown };
