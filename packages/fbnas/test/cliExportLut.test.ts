import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fbnet28Space, serializeArch } from '@fbnas/search-space';
import { buildModel, initBackend, writeCheckpoint } from '@fbnas/nn';
import { readOnnxMetadata } from '@fbnas/export-onnx';
import { costOfGenome, costTableFromLut, loadLatencyLut } from '@fbnas/latency-model';
import { run } from './cliHarness';

let dir: string;
const space = fbnet28Space();
const genome = [0, 3, 8, 7, 1, 2, 4, 5, 6, 0, 3, 8, 7, 1, 2, 4, 5, 6, 0, 3, 8, 7];
beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
  dir = mkdtempSync(join(tmpdir(), 'fbnas-cli2-'));
  writeFileSync(join(dir, 'arch.json'), serializeArch({ ...space.toArch(genome), name: 'cli-test' }));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('fbnas export', () => {
  it('exports random or trained weights, checks the model in onnxruntime-node, and prints --json', async () => {
    const r = await run('export', join(dir, 'arch.json'), '--out', join(dir, 'random.onnx'), '--check', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.weights).toBeNull();
    expect(j.check.ok).toBe(true);
    expect(j.bytes).toBe(readFileSync(join(dir, 'random.onnx')).length);
    // trained weights from a checkpoint file
    const model = buildModel(space.toArch(genome), { seed: 5 });
    writeCheckpoint(join(dir, 'w.ckpt'), { meta: {}, groups: { weights: await model.exportWeights() } });
    model.dispose();
    const t = await run('export', join(dir, 'arch.json'), '--weights', join(dir, 'w.ckpt'), '--out', join(dir, 'trained.onnx'), '--check');
    expect(t.code).toBe(0);
    expect(t.out).toMatch(/trained weights\); onnxruntime vs tfjs max \|diff\| .* ok/);
    const meta = readOnnxMetadata(new Uint8Array(readFileSync(join(dir, 'trained.onnx'))));
    expect(Object.values(meta).some((v) => v.includes('cli-test'))).toBe(true);
  }, 60_000);

  it('gives usage errors for a missing --out or architecture and a checkpoint without weights', async () => {
    expect((await run('export', join(dir, 'arch.json'))).err).toMatch(/export needs --out model.onnx/);
    expect((await run('export')).err).toMatch(/export needs a zoo name or an architecture .json file/);
    writeCheckpoint(join(dir, 'empty.ckpt'), { meta: {}, groups: { other: { x: { shape: [1], data: Float32Array.of(1) } } } });
    const e = await run('export', join(dir, 'arch.json'), '--weights', join(dir, 'empty.ckpt'), '--out', join(dir, 'x.onnx'));
    expect(e.code).toBe(2);
    expect(e.err).toMatch(/holds no "weights" group \(groups: other\)/);
    expect(existsSync(join(dir, 'x.onnx'))).toBe(false);
  });
});

describe('fbnas lut', () => {
  it('builds a LUT of a space in onnxruntime-node and predicts an architecture from it', async () => {
    const out = join(dir, 'lut.json');
    const b = await run('lut', 'build', 'fbnet-28', '--out', out, '--json');
    expect(b.code).toBe(0);
    expect(JSON.parse(b.out)).toMatchObject({ out, space: 'fbnet-28', runtime: 'onnxruntime-node', entries: 94 });
    const p = await run('lut', 'predict', out, join(dir, 'arch.json'), '--space', 'fbnet-28', '--json');
    expect(p.code).toBe(0);
    const j = JSON.parse(p.out);
    expect(j.genome).toEqual(genome);
    expect(j.latencyMs).toBeCloseTo(costOfGenome(costTableFromLut(space, loadLatencyLut(out)), genome), 12);
    const human = await run('lut', 'predict', out, join(dir, 'arch.json'), '--space', 'fbnet-28', '--statistic', 'p10');
    expect(human.out).toMatch(/ms \(LUT sum, p10\) for \[0,3,8,7/);
    // --rounds: interleaved passes of 20 runs each
    const rounds = join(dir, 'lut-rounds.json');
    expect((await run('lut', 'build', 'fbnet-28', '--out', rounds, '--rounds', '3', '--json')).code).toBe(0);
    expect(Object.values(loadLatencyLut(rounds).entries).map((e) => e.samples)).toEqual(new Array(94).fill(60));
    expect((await run('lut', 'build', 'fbnet-28', '--out', join(dir, 'l0.json'), '--rounds', '0')).err).toMatch(/options\.rounds must be a positive integer, got 0/);
  }, 120_000);

  it('builds the same table in tfjs (wasm) with --runtime tfjs', async () => {
    const out = join(dir, 'lut-tfjs.json');
    const b = await run('lut', 'build', 'fbnet-28', '--out', out, '--runtime', 'tfjs', '--json');
    expect(b.code).toBe(0);
    expect(JSON.parse(b.out)).toMatchObject({ out, space: 'fbnet-28', runtime: 'tfjs-wasm', entries: 94 });
    const v = await run('lut', 'validate', out, '--space', 'fbnet-28', '--json');
    expect(JSON.parse(v.out)).toMatchObject({ runtime: 'tfjs-wasm', missing: [] });
    expect((await run('lut', 'build', 'fbnet-28', '--out', out, '--runtime', 'tflite')).err).toMatch(/--runtime must be one of onnxruntime-node, tfjs, got "tflite"/);
  }, 120_000);

  it('imports a Once-for-All YAML table, lists what it skipped, and the result validates', async () => {
    const yaml = join(dir, 'ofa.yaml');
    writeFileSync(yaml, 'Conv-input:224x224x3-output:112x112x16: {count: 5, mean: 1.5}\nexpanded_conv-input:56x56x24-output:56x56x24-expand:3-kernel:5-stride:1-idskip:1-se:1-hs:1: {count: 5, mean: 0.75}\nLogits-input:7x7x1280-output:1000: {count: 5, mean: 0.2}\n');
    const out = join(dir, 'ofa.json');
    const r = await run('lut', 'import', yaml, '--out', out, '--device', 'note10', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j).toMatchObject({ out, family: 'mbv3', entries: 2 });
    expect(j.skipped).toEqual([{ ofaKey: 'Logits-input:7x7x1280-output:1000', reason: expect.stringMatching(/not pooled/) }]);
    const lut = loadLatencyLut(out);
    expect(lut.header).toMatchObject({ runtime: 'ofa-yaml', cpu: 'note10' });
    expect(Object.values(lut.entries).map((e) => e.median).sort()).toEqual([0.75, 1.5]);
    const human = await run('lut', 'import', yaml, '--out', out, '--device', 'note10');
    expect(human.out).toMatch(/2 entries imported from .*ofa\.yaml \(mbv3\)\nskipped Logits-input:7x7x1280-output:1000: /);
    writeFileSync(yaml, 'Conv-input:8x8x3-output:4x4x8: {count: 5, mean: .nan}\n');
    const bad = await run('lut', 'import', yaml, '--out', out);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/fbnas\.importOfaLut: "Conv-input:8x8x3-output:4x4x8" must map to/);
    expect(loadLatencyLut(out).header.cpu).toBe('note10'); // the good table on disk is untouched
  });

  it('validates a LUT file and its coverage of a space, and rejects corrupt files with the typed error', async () => {
    const out = join(dir, 'lut.json');
    if (!existsSync(out)) await run('lut', 'build', 'fbnet-28', '--out', out, '--json'); // when run on its own
    const ok = await run('lut', 'validate', out, '--space', 'fbnet-28', '--json');
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.out)).toMatchObject({ entries: 94, runtime: 'onnxruntime-node', threads: 1, space: 'fbnet-28', missing: [] });
    const other = await run('lut', 'validate', out, '--space', 'fbnet-cifar');
    expect(other.code).toBe(1);
    expect(other.out).toMatch(/block\(s\) of fbnet-cifar are missing/);
    const lut = JSON.parse(readFileSync(out, 'utf8'));
    const key = Object.keys(lut.entries)[0];
    lut.entries[key].median = -1;
    writeFileSync(join(dir, 'bad-lut.json'), JSON.stringify(lut));
    const bad = await run('lut', 'validate', join(dir, 'bad-lut.json'));
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/fbnas\./);
    expect(bad.err).toMatch(/median/);
  }, 60_000);

  it('names the choices when the space is unknown and fails cleanly on an architecture outside the space', async () => {
    expect((await run('lut', 'build', 'fbnet-99', '--out', join(dir, 'l.json'))).err).toMatch(/lut build needs one of fbnet-cifar, fbnet-imagenet, fbnet-28, got "fbnet-99"/);
    const r = await run('lut', 'predict', join(dir, 'lut.json'), 'fbnet_a', '--space', 'fbnet-28');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/fbnas.LayerwiseSpace.fromArch: input must be 28x28x1, got 224x224x3/);
  });
});
