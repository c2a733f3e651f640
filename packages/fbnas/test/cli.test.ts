import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { archStats, fromHwNasBenchFbnet, getZooArch, serializeArch, toArchDef } from '@fbnas/search-space';
import { run } from './cliHarness';

const dir = mkdtempSync(join(tmpdir(), 'fbnas-cli-'));

describe('fbnas CLI', () => {
  it('arch list --json lists the zoo with counts', async () => {
    const { code, out } = await run('arch', 'list', '--json');
    expect(code).toBe(0);
    const { archs } = JSON.parse(out) as { archs: Array<{ name: string; macs: number }> };
    expect(archs.map((a) => a.name)).toContain('FBNetV3_A');
    expect(archs.find((a) => a.name === 'fbnet_a')?.macs).toBe(archStats(getZooArch('fbnet_a')).macs);
  });

  it('arch stats prints a per-layer table and --json the ArchStats shape', async () => {
    const text = await run('arch', 'stats', 'fbnet_a');
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/^fbnet_a at 224x224: 244\.45 M multiply-adds/);
    const json = await run('arch', 'stats', 'fbnet_a', '--input', '112', '--json');
    const parsed = JSON.parse(json.out);
    expect(parsed.inputSize).toBe(112);
    expect(parsed.layers).toHaveLength(getZooArch('fbnet_a').blocks.length);
    expect(Object.keys(parsed).sort()).toEqual(['activations', 'inputSize', 'layers', 'macs', 'name', 'output', 'params', 'peakActivations']);
  });

  it('arch stats reads our JSON, arch_def and HW-NAS-Bench files', async () => {
    const ours = join(dir, 'a.json');
    writeFileSync(ours, serializeArch(getZooArch('FBNetV3_A')));
    const mv = join(dir, 'b.json');
    writeFileSync(mv, JSON.stringify(toArchDef(getZooArch('FBNetV3_A')).archDef));
    const hw = join(dir, 'c.json');
    writeFileSync(hw, JSON.stringify(new Array(22).fill(3)));
    const [a, b, c] = await Promise.all([ours, mv, hw].map((f) => run('arch', 'stats', f, '--json')));
    expect(JSON.parse(a.out).macs).toBe(JSON.parse(b.out).macs);
    expect(JSON.parse(c.out).macs).toBe(archStats(fromHwNasBenchFbnet(new Array(22).fill(3))).macs);
  });

  it('arch convert goes between formats', async () => {
    const hw = join(dir, 'hw.json');
    writeFileSync(hw, JSON.stringify([0, 1, 2, 3, 4, 5, 6, 7, 8, 0, 1, 2, 3, 4, 5, 6, 7, 8, 0, 1, 2, 3]));
    const toOurs = await run('arch', 'convert', hw, '--to', 'fbnas', '--json');
    expect(JSON.parse(toOurs.out)).toMatchObject({ from: 'hwnasbench', to: 'fbnas' });
    const ours = join(dir, 'ours.json');
    writeFileSync(ours, JSON.stringify(JSON.parse(toOurs.out).result));
    const back = await run('arch', 'convert', ours, '--to', 'hwnasbench');
    expect(JSON.parse(back.out)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 0, 1, 2, 3, 4, 5, 6, 7, 8, 0, 1, 2, 3]);
    const mv = await run('arch', 'convert', 'fbnet_b', '--to', 'archdef', '--json');
    expect(JSON.parse(mv.out).result.numClasses).toBe(1000);
  });

  it('space sample is seeded and reproducible', async () => {
    const a = await run('space', 'sample', 'fbnet-28', '--count', '3', '--seed', '9', '--json');
    const b = await run('space', 'sample', 'fbnet-28', '--count', '3', '--seed', '9', '--json');
    expect(a.out).toBe(b.out);
    expect(JSON.parse(a.out).samples).toHaveLength(3);
    const sobol = await run('space', 'sample', 'fbnetv3', '--count', '2', '--sobol', '--json');
    expect(JSON.parse(sobol.out).method).toBe('sobol');
  });

  it('exits 2 with usage on a bad command line and 1 with the typed error on bad input', async () => {
    expect((await run('arch', 'frobnicate')).code).toBe(2);
    const badFlag = await run('arch', 'stats', 'fbnet_a', '--input', 'big');
    expect(badFlag.code).toBe(2);
    expect(badFlag.err).toMatch(/--input must be an integer, got "big"/);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ inputSize: 32, blocks: [{ op: 'conv', channels: 8, kernel: 'x' }] }));
    const typed = await run('arch', 'stats', bad);
    expect(typed.code).toBe(1);
    expect(typed.err).toMatch(/^fbnas.parseArch: blocks\[0\]\.kernel must be integer/);
    const missing = await run('arch', 'stats', join(dir, 'nope.json'));
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/ENOENT/);
    const corrupt = join(dir, 'corrupt.json');
    writeFileSync(corrupt, '{"blocks": [');
    expect((await run('arch', 'stats', corrupt)).code).toBe(2);
  });

  it('prints usage with --help', async () => {
    const { code, out } = await run('--help');
    expect(code).toBe(0);
    expect(out).toMatch(/Usage: fbnas/);
  });
});
