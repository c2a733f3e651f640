import { archStats, getZooArch, getZooReference, listZooArchs } from '@fbnas/search-space';
import type { CliIo, ParsedArgs } from '../io';

/** `fbnas arch list [--json]`: the zoo with input sizes and counts. JSON: `{ archs: [{ name, inputSize, macs, params, top1 }] }`. */
export function archListCommand(args: ParsedArgs, io: CliIo): number {
  const archs = listZooArchs().map((name) => {
    const arch = getZooArch(name);
    const stats = archStats(arch);
    return { name, inputSize: arch.inputSize, macs: stats.macs, params: stats.params, top1: getZooReference(name).top1 };
  });
  if (args.flags.json) io.stdout(`${JSON.stringify({ archs })}\n`);
  else {
    io.stdout(`${'name'.padEnd(14)} ${'input'.padStart(5)} ${'MMACs'.padStart(9)} ${'Mparams'.padStart(8)} ${'top-1'.padStart(6)}\n`);
    for (const a of archs) {
      io.stdout(`${a.name.padEnd(14)} ${String(a.inputSize).padStart(5)} ${(a.macs / 1e6).toFixed(1).padStart(9)} ${(a.params / 1e6).toFixed(2).padStart(8)} ${String(a.top1 ?? '').padStart(6)}\n`);
    }
  }
  return 0;
}
