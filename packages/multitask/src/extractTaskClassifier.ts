import { parseArch, type Arch } from '@fbnas/search-space';
import type { NamedWeights } from '@fbnas/nn';
import { MultitaskError } from './errors';
import type { KeepSkipSpace } from './keepSkipSpace';
import type { TaskHead } from './multitaskSupernet';

/**
 * A classification task's network as a standalone fbnas classifier: the backbone through the head's tap with
 * the blocks `keep` skips removed, then `pool` and `fc`, with the supernet's shared weights renamed to the
 * `buildModel` names (`backbone.{i}.*` -> `blocks.{j}.*`, `heads.{task}.*` -> `blocks.{k}.fc.*`). Build it
 * with `buildModel(arch)` + `loadWeights(weights)`, export it with `@fbnas/export-onnx`, or train it further.
 * @example
 * import { fbnet28Space } from '@fbnas/search-space';
 * import { createMultitaskSupernet, extractTaskClassifier, keepSkipSpace } from '@fbnas/multitask';
 * const space = keepSkipSpace(fbnet28Space().toArch(new Array(22).fill(0)));
 * const head = { name: 'cls', kind: 'classification', classes: 10 } as const;
 * const net = createMultitaskSupernet(space, [head]);
 * const { arch } = extractTaskClassifier(space, head, space.skippable.map(() => true), await net.exportWeights());
 * net.dispose();
 */
export function extractTaskClassifier(space: KeepSkipSpace, head: TaskHead, keep: readonly boolean[], supernetWeights: NamedWeights): { arch: Arch; weights: NamedWeights } {
  const api = 'fbnas.extractTaskClassifier';
  if (head.kind !== 'classification') throw new MultitaskError('INVALID_ARGUMENT', api, `task ${head.name} is a ${head.kind} task; only classification heads make a standalone classifier`);
  const backbone = space.toArch(keep, head.tap);
  const skipped = new Set(space.skippable.filter((_, j) => !keep[j]));
  const through = head.tap ?? space.backbone.blocks.length - 1;
  const newIndex = new Map<number, number>();
  for (let i = 0, j = 0; i <= through; i++) if (!skipped.has(i)) newIndex.set(i, j++);
  const fc = backbone.blocks.length + 1;
  const arch = parseArch({ ...backbone, blocks: [...backbone.blocks, { op: 'pool' }, { op: 'fc', channels: head.classes, bias: true }] });
  const weights: NamedWeights = {};
  for (const [name, w] of Object.entries(supernetWeights)) {
    const m = /^backbone\.(\d+)\.(.+)$/.exec(name);
    if (m) {
      const j = newIndex.get(Number(m[1]));
      if (j !== undefined) weights[`blocks.${j}.${m[2]}`] = w;
    } else if (name === `heads.${head.name}.weight`) weights[`blocks.${fc}.fc.weight`] = w;
    else if (name === `heads.${head.name}.bias`) weights[`blocks.${fc}.fc.bias`] = w;
  }
  if (!weights[`blocks.${fc}.fc.weight`]) throw new MultitaskError('UNKNOWN_NAME', api, `the supernet weights have no head named ${head.name} (heads.${head.name}.weight)`);
  return { arch, weights };
}
