import { archStats } from '@fbnas/search-space';
import { choiceFlag, intFlag, UsageError, type CliIo, type ParsedArgs } from '../io';
import { loadArch } from '../loadArch';

/**
 * `fbnas arch stats <zoo-name | file.json> [--input N] [--bn-params affine|folded] [--json]`.
 * JSON: the `ArchStats` of `@fbnas/search-space` plus `name`:
 * `{ name, inputSize, macs, params, activations, peakActivations, output, layers: [{ index, op, stage, input, output, macs, params }] }`.
 */
export function archStatsCommand(args: ParsedArgs, io: CliIo): number {
  const source = args.positionals[0];
  if (!source) throw new UsageError('arch stats needs a zoo name or an architecture .json file');
  const { arch } = loadArch(source, io);
  const inputSize = intFlag(args, 'input', arch.inputSize);
  const bnParams = choiceFlag(args, 'bn-params', ['affine', 'folded'] as const, 'affine');
  const stats = archStats(arch, { inputSize, bnParams });
  if (args.flags.json) {
    io.stdout(`${JSON.stringify({ name: arch.name ?? source, ...stats })}\n`);
    return 0;
  }
  io.stdout(`${arch.name ?? source} at ${inputSize}x${inputSize}: ${(stats.macs / 1e6).toFixed(2)} M multiply-adds, ${(stats.params / 1e6).toFixed(3)} M params\n`);
  io.stdout(`${'#'.padStart(3)} ${'op'.padEnd(8)} ${'stage'.padStart(5)} ${'input'.padEnd(14)} ${'output'.padEnd(14)} ${'MMACs'.padStart(8)} ${'params'.padStart(9)}\n`);
  const shape = (s: { height: number; width: number; channels: number }) => `${s.height}x${s.width}x${s.channels}`;
  for (const l of stats.layers) {
    io.stdout(`${String(l.index).padStart(3)} ${l.op.padEnd(8)} ${String(l.stage).padStart(5)} ${shape(l.input).padEnd(14)} ${shape(l.output).padEnd(14)} ${(l.macs / 1e6).toFixed(3).padStart(8)} ${String(l.params).padStart(9)}\n`);
  }
  return 0;
}
