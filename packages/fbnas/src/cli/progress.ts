import type { CliIo } from './io';

/**
 * Progress lines on stderr: persistent lines always; transient lines (steps) are rewritten in place on a
 * terminal. Returns `line(text, transient)`.
 */
export function progressLines(io: CliIo, tty: boolean): (text: string, transient: boolean) => void {
  let lastLine = '';
  return (text, transient) => {
    if (tty && transient) {
      io.stderr(`\r${text.padEnd(lastLine.length)}`);
      lastLine = text;
      return;
    }
    if (tty && lastLine) io.stderr('\n');
    lastLine = '';
    io.stderr(`${text}\n`);
  };
}

/** The line of a pipeline stage event. */
export function stageLine(e: { stage: string; state: 'start' | 'done' | 'skipped'; seconds?: number }): string {
  return e.state === 'start' ? `[${e.stage}] ...` : `[${e.stage}] ${e.state}${e.seconds !== undefined ? ` in ${e.seconds.toFixed(0)} s` : ''}`;
}

/** Lines of the events every pipeline emits (stages, final training); false for other events. */
export function commonProgress(line: (text: string, transient: boolean) => void, tty: boolean, e: { type: string } & Record<string, unknown>): boolean {
  switch (e.type) {
    case 'stage':
      line(stageLine(e as unknown as Parameters<typeof stageLine>[0]), false);
      return true;
    case 'train-step':
      if (tty || (e.step as number) % 25 === 0) line(`[train] epoch ${e.epoch as number} step ${(e.step as number) + 1}/${e.steps as number} loss ${(e.loss as number).toFixed(3)}`, true);
      return true;
    case 'train-epoch':
      line(`[train] epoch ${e.epoch as number}: train loss ${(e.trainLoss as number).toFixed(4)}${typeof e.valAccuracy === 'number' ? `, val accuracy ${(100 * e.valAccuracy).toFixed(2)}%` : ''}`, false);
      return true;
    case 'train-budget':
      if (typeof e.epochSeconds === 'number') line(`[train] re-planned: ${planLength(e)} fit the budget at ${e.epochSeconds.toFixed(0)} s an epoch`, false);
      else line(`[train] ${planLength(e)} fit the ${((e.budgetSeconds as number) / 60).toFixed(1)} min left at ${(e.stepSeconds as number).toFixed(2)} s a step`, false);
      return true;
    default:
      return false;
  }
}

/**
 * Run a pipeline with Ctrl-C wired to its abort signal: on SIGINT the pipeline stops at its next checkpoint
 * and the command exits 130 after saying how to resume (`resumeCommand`).
 */
export async function withSigint(io: CliIo, resumeCommand: string, outDir: string, run: (signal: AbortSignal) => Promise<number>): Promise<number> {
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  try {
    return await run(controller.signal);
  } catch (err) {
    if (controller.signal.aborted) {
      io.stderr(`\nfbnas: stopped; the run's checkpoints are in ${outDir}. Continue with: ${resumeCommand} --out ${outDir} --resume (same options)\n`);
      return 130;
    }
    throw err;
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}

/** "14 epochs (3,276 steps)", or "14.6 epochs (...)" when the last epoch is partial. */
function planLength(e: Record<string, unknown>): string {
  const steps = e.steps as number;
  const perEpoch = e.stepsPerEpoch as number;
  const epochs = steps % perEpoch === 0 ? String(steps / perEpoch) : (steps / perEpoch).toFixed(2);
  return `${epochs} epochs (${steps.toLocaleString('en-US')} steps)`;
}

/** "1 training epoch", "14 training epochs (3,276 steps)". */
export function trainingLength(epochs: number, steps: number | null): string {
  return `${epochs} training epoch${epochs === 1 ? '' : 's'}${steps === null ? '' : ` (${steps.toLocaleString('en-US')} step${steps === 1 ? '' : 's'})`}`;
}
