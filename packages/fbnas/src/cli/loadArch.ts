import { fromArchDef, fromHwNasBenchFbnet, getZooArch, listZooArchs, parseArch, type Arch, type MobileVisionArchDef } from '@fbnas/search-space';
import type { CliIo } from './io';
import { UsageError } from './io';

/** What an architecture argument was, for `arch convert`. */
export type ArchSourceFormat = 'zoo' | 'fbnas' | 'archdef' | 'hwnasbench';

/**
 * An architecture from a zoo name or a file holding our JSON, a mobile-vision arch_def (`blocks` of
 * tuples) or a HW-NAS-Bench 22-int list; the format is detected from the content.
 */
export function loadArch(source: string, io: CliIo, options: { dataset?: 'cifar100' | 'ImageNet' } = {}): { arch: Arch; format: ArchSourceFormat } {
  if (listZooArchs().includes(source)) return { arch: getZooArch(source), format: 'zoo' };
  if (!/\.json$/i.test(source)) {
    throw new UsageError(`${JSON.stringify(source)} is neither a zoo architecture (${listZooArchs().join(', ')}) nor a .json file`);
  }
  const text = io.readFile(source);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${source} is not valid JSON: ${(err as Error).message}`);
  }
  if (Array.isArray(value)) return { arch: fromHwNasBenchFbnet(value as number[], options), format: 'hwnasbench' };
  const blocks = (value as { blocks?: unknown[] } | null)?.blocks;
  if (Array.isArray(blocks) && blocks.length > 0 && Array.isArray(blocks[0])) {
    return { arch: fromArchDef(value as MobileVisionArchDef), format: 'archdef' };
  }
  return { arch: parseArch(value), format: 'fbnas' };
}
