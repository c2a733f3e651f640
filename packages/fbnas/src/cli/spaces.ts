import { fbnet28Space, fbnetCifarSpace, fbnetImageNetSpace, fbnetV3Space, type ArchSpace, type LayerwiseSpace } from '@fbnas/search-space';
import { UsageError } from './io';

/** Layer-wise (FBNet) spaces by CLI name. */
export const LAYERWISE_SPACES: Record<string, () => LayerwiseSpace> = {
  'fbnet-cifar': fbnetCifarSpace,
  'fbnet-imagenet': fbnetImageNetSpace,
  'fbnet-28': fbnet28Space,
};

/** Every architecture space by CLI name. */
export const SPACES: Record<string, () => ArchSpace> = { ...LAYERWISE_SPACES, fbnetv3: fbnetV3Space };

/** The space named by a CLI argument; a UsageError lists the choices otherwise. */
export function spaceByName<T extends ArchSpace>(table: Record<string, () => T>, name: string | undefined, what: string): T {
  const make = name ? table[name] : undefined;
  if (!make) throw new UsageError(`${what} needs one of ${Object.keys(table).join(', ')}, got ${JSON.stringify(name ?? null)}`);
  return make();
}
