import { archStats, createRng, sampleSobol, sampleUniform } from '@fbnas/search-space';
import { intFlag, UsageError, type CliIo, type ParsedArgs } from '../io';
import { SPACES, spaceByName } from '../spaces';

/**
 * `fbnas space sample <fbnet-cifar|fbnet-imagenet|fbnet-28|fbnetv3> [--count N] [--seed S] [--sobol] [--json]`.
 * JSON: `{ space, method, seed, samples: [{ genome, macs, params }] }`.
 */
export function spaceSampleCommand(args: ParsedArgs, io: CliIo): number {
  const name = args.positionals[0];
  const space = spaceByName(SPACES, name, 'space sample');
  const count = intFlag(args, 'count', 5);
  if (count < 1 || count > 100000) throw new UsageError(`--count must be in [1, 100000], got ${count}`);
  const seed = intFlag(args, 'seed', 0);
  const method = args.flags.sobol ? 'sobol' : 'uniform';
  const genomes = method === 'sobol' ? sampleSobol(space, count, { rng: createRng(seed) }) : sampleUniform(space, count, createRng(seed));
  const samples = genomes.map((genome) => {
    const s = archStats(space.toArch(genome));
    return { genome, macs: s.macs, params: s.params };
  });
  if (args.flags.json) io.stdout(`${JSON.stringify({ space: name, method, seed, samples })}\n`);
  else for (const s of samples) io.stdout(`[${s.genome.map((g) => +g.toFixed(4)).join(',')}]  ${(s.macs / 1e6).toFixed(2)} MMACs  ${(s.params / 1e6).toFixed(3)} Mparams\n`);
  return 0;
}
