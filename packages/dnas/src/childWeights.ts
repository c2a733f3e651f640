import type { Genome, LayerwiseSpace } from '@fbnas/search-space';
import type { NamedWeights } from '@fbnas/nn';
import { DnasError } from './errors';
import { sharedChildWeights } from './superkernel';

/**
 * The weights of one architecture of the space cut out of supernet weights (`Supernet.exportWeights()`),
 * named as `buildModel(space.toArch(genome))` names them: `stem.{i}.*` -> `blocks.{i}.*`,
 * `layers.{l}.{genome[l]}.*` -> `blocks.{stem + l}.*`, `head.{i}.*` -> `blocks.{stem + L + i}.*`,
 * `head.fc.*` -> `blocks.{last}.fc.*`; a layer's shared superkernel is cut to the chosen candidate's conv weights. For fine-tuning a derived architecture from the supernet (FBNet
 * itself trains from scratch) and for checking that both compute the same function.
 */
export function childWeights(space: LayerwiseSpace, supernetWeights: NamedWeights, genome: Genome): NamedWeights {
  const api = 'fbnas.childWeights';
  if (!Array.isArray(genome) || genome.length !== space.layers.length || genome.some((c) => !Number.isInteger(c) || c < 0 || c >= space.config.candidates.length)) {
    throw new DnasError('INVALID_ARGUMENT', api, `genome must be ${space.layers.length} candidate indices in [0, ${space.config.candidates.length - 1}], got ${JSON.stringify(genome)}`);
  }
  const nStem = space.stem.length;
  const nLayers = space.layers.length;
  const fcBlock = nStem + nLayers + space.head.length - 1;
  const out: NamedWeights = {};
  for (const [name, w] of Object.entries(supernetWeights)) {
    let m: RegExpMatchArray | null;
    let target: string | null = null;
    if ((m = /^stem\.(\d+)\.(.*)$/.exec(name))) target = `blocks.${Number(m[1])}.${m[2]}`;
    else if ((m = /^layers\.(\d+)\.shared\./.exec(name))) {
      const l = Number(m[1]);
      if (l >= nLayers) throw new DnasError('INVALID_ARGUMENT', api, `supernetWeights has an unknown weight ${JSON.stringify(name)}`);
      Object.assign(out, sharedChildWeights(space, space.layers[l], genome[l], supernetWeights, `blocks.${nStem + l}`));
    } else if ((m = /^layers\.(\d+)\.(\d+)\.(.*)$/.exec(name))) target = genome[Number(m[1])] === Number(m[2]) ? `blocks.${nStem + Number(m[1])}.${m[3]}` : null;
    else if ((m = /^head\.fc\.(.*)$/.exec(name))) target = `blocks.${fcBlock}.fc.${m[1]}`;
    else if ((m = /^head\.(\d+)\.(.*)$/.exec(name))) target = `blocks.${nStem + nLayers + Number(m[1])}.${m[2]}`;
    else throw new DnasError('INVALID_ARGUMENT', api, `supernetWeights has an unknown weight ${JSON.stringify(name)}`);
    if (target !== null) out[target] = w;
  }
  return out;
}
