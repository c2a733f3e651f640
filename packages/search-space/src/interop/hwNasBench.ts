import type { Arch } from '../arch/types';
import { SearchSpaceError, describeValue } from '../errors';
import { fbnetCifarSpace, fbnetImageNetSpace } from '../spaces/fbnetSpaces';
import type { LayerwiseSpace } from '../spaces/layerwiseSpace';

/** HW-NAS-Bench's two FBNet settings. */
export type HwNasBenchDataset = 'cifar100' | 'ImageNet';

/** The space behind HW-NAS-Bench's FBNet encoding for a dataset (ImageNet uses the 1984-wide head). */
export function hwNasBenchFbnetSpace(dataset: HwNasBenchDataset = 'cifar100'): LayerwiseSpace {
  if (dataset === 'cifar100') return fbnetCifarSpace();
  if (dataset === 'ImageNet') return fbnetImageNetSpace({ headChannels: 1984 });
  throw new SearchSpaceError('UNKNOWN_NAME', 'fbnas.hwNasBenchFbnetSpace', `dataset must be "cifar100" or "ImageNet", got ${describeValue(dataset)}`);
}

/**
 * HW-NAS-Bench 22-int FBNet encoding (op order k3_e1, k3_e1_g2, k3_e3, k3_e6, k5_e1, k5_e1_g2, k5_e3,
 * k5_e6, skip) to an architecture.
 * @example
 * import { fromHwNasBenchFbnet, archStats } from '@fbnas/search-space';
 * const arch = fromHwNasBenchFbnet(new Array(22).fill(0));
 */
export function fromHwNasBenchFbnet(ops: readonly number[], options: { dataset?: HwNasBenchDataset } = {}): Arch {
  const space = hwNasBenchFbnetSpace(options.dataset);
  return { ...space.toArch([...ops]), name: null };
}

/** An architecture of the HW-NAS-Bench FBNet space back to its 22 ints. */
export function toHwNasBenchFbnet(arch: Arch, options: { dataset?: HwNasBenchDataset } = {}): number[] {
  return hwNasBenchFbnetSpace(options.dataset).fromArch(arch);
}
