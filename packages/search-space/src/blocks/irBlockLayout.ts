import { makeDivisible } from '../arch/makeDivisible';
import type { ArchRules, IrBlock } from '../arch/types';

/** The concrete layers of an inverted-residual block, as the builder, exporter and counters see them. */
export interface IrLayout {
  midChannels: number;
  /** Whether the first 1x1 conv exists. */
  hasPw: boolean;
  /** Whether channels are shuffled after the first 1x1 conv. */
  hasShuffle: boolean;
  dwPadding: number;
  /** Width of the SE bottleneck, or 0 without SE. */
  seChannels: number;
  /** Residual add: stride 1 and in == out channels. */
  residual: boolean;
}

/**
 * Resolve an IR block into layers with the mobile-vision rules (fbnet-family.md §1.2, §3.2):
 * mid = makeDivisible(in * e, widthDivisor); the first 1x1 conv is omitted when mid == in unless
 * `alwaysPw` or `rules.unitExpansionPw === 'keep'`; shuffle when groups > 1; SE width
 * makeDivisible(trunc(mid * ratio [/ e]), widthDivisor); residual when stride 1 and in == out.
 */
export function irBlockLayout(block: IrBlock, inChannels: number, rules: ArchRules): IrLayout {
  const midChannels = makeDivisible(inChannels * block.expansion, rules.widthDivisor);
  const hasPw = midChannels !== inChannels || block.alwaysPw || rules.unitExpansionPw === 'keep';
  const seChannels = block.se
    ? makeDivisible(
        Math.trunc((midChannels * block.se.ratio) / (block.se.divideByExpansion ? block.expansion : 1)),
        rules.widthDivisor,
      )
    : 0;
  return {
    midChannels,
    hasPw,
    hasShuffle: block.shuffle && block.groups > 1 && hasPw,
    dwPadding: block.dwPadding ?? Math.floor(block.kernel / 2),
    seChannels,
    residual: block.stride === 1 && inChannels === block.channels,
  };
}
