import { writeRunReport } from '../../pipelines/runReport';
import { UsageError, type CliIo, type ParsedArgs } from '../io';

/** `fbnas report <run dir> [--json]`: (re)writes the run's self-contained `report.html`. JSON: `{ report }`. */
export function reportCommand(args: ParsedArgs, io: CliIo): number {
  const dir = args.positionals[0];
  if (!dir) throw new UsageError('report needs a search run directory');
  const report = writeRunReport(dir);
  io.stdout(args.flags.json ? `${JSON.stringify({ report })}\n` : `wrote ${report}\n`);
  return 0;
}
