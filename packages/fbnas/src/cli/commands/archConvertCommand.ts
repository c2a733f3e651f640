import { serializeArch, toArchDef, toHwNasBenchFbnet } from '@fbnas/search-space';
import { choiceFlag, UsageError, type CliIo, type ParsedArgs } from '../io';
import { loadArch } from '../loadArch';

/**
 * `fbnas arch convert <zoo-name | file.json> --to fbnas|archdef|hwnasbench [--dataset cifar100|ImageNet] [--json]`.
 * Prints the converted document. With `--json`: `{ from, to, result }` where `result` is the document.
 */
export function archConvertCommand(args: ParsedArgs, io: CliIo): number {
  const source = args.positionals[0];
  if (!source) throw new UsageError('arch convert needs a zoo name or an architecture .json file');
  const to = choiceFlag(args, 'to', ['fbnas', 'archdef', 'hwnasbench'] as const, 'fbnas');
  const dataset = choiceFlag(args, 'dataset', ['cifar100', 'ImageNet'] as const, 'cifar100');
  const { arch, format } = loadArch(source, io, { dataset });
  const result =
    to === 'fbnas' ? JSON.parse(serializeArch(arch)) : to === 'archdef' ? toArchDef(arch) : toHwNasBenchFbnet(arch, { dataset });
  io.stdout(`${JSON.stringify(args.flags.json ? { from: format, to, result } : result, null, args.flags.json ? 0 : 2)}\n`);
  return 0;
}
