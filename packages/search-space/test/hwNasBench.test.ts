import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { archStats, fbnetCifarSpace, fromHwNasBenchFbnet, isSearchSpaceError, parseArch, toHwNasBenchFbnet } from '../src';

const help = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'help_fbnet_archs.json'), 'utf8')) as { archs: number[][] };

describe('HW-NAS-Bench FBNet encoding', () => {
  it('parses every one of HELP\'s 5000 architectures into a valid CIFAR FBNet architecture and back unchanged', () => {
    const space = fbnetCifarSpace();
    expect(help.archs).toHaveLength(5000);
    for (const ops of help.archs) {
      const arch = fromHwNasBenchFbnet(ops);
      expect(parseArch(arch)).toEqual(arch);
      expect(space.fromArch(arch)).toEqual(ops);
      expect(toHwNasBenchFbnet(arch)).toEqual(ops);
    }
  });

  it('builds the layer table of HW-NAS-Bench (cifar100 and ImageNet)', () => {
    const cifar = fromHwNasBenchFbnet(new Array(22).fill(0));
    const layers = archStats(cifar).layers;
    // layer i of the 22 is block i + 1 (after the stem)
    const row = (i: number) => [layers[i + 1].input.height, layers[i + 1].input.channels, layers[i + 1].output.channels];
    expect([0, 1, 2, 5, 6, 9, 10, 13, 14, 17, 18, 21].map(row)).toEqual([
      [32, 16, 16], [32, 16, 24], [32, 24, 24], [32, 24, 32], [16, 32, 32], [16, 32, 64],
      [8, 64, 64], [8, 64, 112], [8, 112, 112], [8, 112, 184], [4, 184, 184], [4, 184, 352],
    ]);
    expect(layers[23].input).toEqual({ height: 4, width: 4, channels: 352 });
    expect(layers[23].output.channels).toBe(1504);
    const imagenet = archStats(fromHwNasBenchFbnet(new Array(22).fill(8), { dataset: 'ImageNet' })).layers;
    expect(imagenet[1].input.height).toBe(112);
    expect(imagenet[22].input).toEqual({ height: 7, width: 7, channels: 184 });
    expect(imagenet[23].output.channels).toBe(1984);
    expect(imagenet.at(-1)!.output.channels).toBe(1000);
  });

  it('counts skip as a projection on the 7 reduction layers and as identity elsewhere', () => {
    const layers = archStats(fromHwNasBenchFbnet(new Array(22).fill(8))).layers.slice(1, 23);
    const projections = layers.map((l, i) => (l.macs > 0 ? i : -1)).filter((i) => i >= 0);
    expect(projections).toEqual([1, 5, 9, 13, 17, 21]);
  });

  it('rejects out-of-range op indices and architectures outside the space', () => {
    expect(() => fromHwNasBenchFbnet([...new Array(21).fill(0), 9])).toThrow(/genome\[21\] \(layer21\) must be a choice index in \[0, 8\], got 9/);
    expect(() => fromHwNasBenchFbnet(new Array(21).fill(0))).toThrow(/must have 22 genes/);
    const arch = fromHwNasBenchFbnet(new Array(22).fill(3));
    const changed = { ...arch, blocks: arch.blocks.map((b, i) => (i === 5 && b.op === 'ir' ? { ...b, kernel: 7 } : b)) };
    try {
      toHwNasBenchFbnet(changed);
      throw new Error('no throw');
    } catch (err) {
      expect(isSearchSpaceError(err) && err.path).toBe('blocks[5]');
    }
  });
});
