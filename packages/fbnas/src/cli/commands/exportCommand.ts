import { buildModel, readCheckpoint, type NamedWeights } from '@fbnas/nn';
import { exportOnnx, verifyOnnx } from '@fbnas/export-onnx';
import { writeFileAtomic } from '../../pipelines/runFiles';
import { UsageError, type CliIo, type ParsedArgs } from '../io';
import { loadArch } from '../loadArch';

/**
 * `fbnas export <zoo-name | arch.json> [--weights weights.ckpt] --out model.onnx [--check] [--json]`.
 * Without weights the model gets seeded random weights (for latency measurement). `--check` runs it in
 * onnxruntime-node and compares with the tfjs model. JSON: `{ out, bytes, weights, check: { maxAbsDiff, ok } | null }`.
 */
export async function exportCommand(args: ParsedArgs, io: CliIo): Promise<number> {
  const source = args.positionals[0];
  if (!source) throw new UsageError('export needs a zoo name or an architecture .json file');
  const out = args.flags.out;
  if (typeof out !== 'string') throw new UsageError('export needs --out model.onnx');
  const { arch } = loadArch(source, io);
  let weights: NamedWeights | undefined;
  if (typeof args.flags.weights === 'string') {
    const ck = readCheckpoint(args.flags.weights);
    weights = ck.groups.weights;
    if (!weights) throw new UsageError(`${args.flags.weights} holds no "weights" group (groups: ${Object.keys(ck.groups).join(', ')})`);
  }
  let bytes: Uint8Array;
  let check: { maxAbsDiff: number; ok: boolean } | null = null;
  if (args.flags.check) {
    // the tfjs model holds the exported weights (its own seeded initialisation when none were given)
    const model = buildModel(arch);
    try {
      if (weights) model.loadWeights(weights);
      bytes = exportOnnx(arch, { weights: weights ?? (await model.exportWeights()) });
      const r = await verifyOnnx(bytes, model, { batch: 2 });
      check = { maxAbsDiff: r.maxAbsDiff, ok: r.ok };
    } finally {
      model.dispose();
    }
  } else bytes = exportOnnx(arch, { weights });
  writeFileAtomic(out, bytes);
  if (args.flags.json) io.stdout(`${JSON.stringify({ out, bytes: bytes.length, weights: weights ? args.flags.weights : null, check })}\n`);
  else io.stdout(`wrote ${out} (${(bytes.length / 1024).toFixed(1)} KiB, ${weights ? 'trained' : 'random'} weights)${check ? `; onnxruntime vs tfjs max |diff| ${check.maxAbsDiff.toExponential(2)} ${check.ok ? 'ok' : 'MISMATCH'}` : ''}\n`);
  return check && !check.ok ? 1 : 0;
}
