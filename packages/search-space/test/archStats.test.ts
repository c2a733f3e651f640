import { archStats, getZooArch, isSearchSpaceError, parseArch } from '../src';

describe('archStats', () => {
  it('counts a small network by hand', () => {
    // conv 3x3 1->8 stride 1 on 8x8 (BN): macs 8*8*8*9 = 4608, params 72 + 16
    // ir e=2 k3 8->8 stride 2 (mid 16): pw 8*8*16*8 = 8192 (+128 +32 BN), dw 4*4*16*9 = 2304 (+144 +32),
    //   pwl 4*4*8*16 = 2048 (+128 +16)
    // pool; fc 8->3 with bias: macs 24, params 27
    const arch = parseArch({
      inputSize: 8,
      inputChannels: 1,
      rules: { widthDivisor: 1 },
      blocks: [
        { op: 'conv', channels: 8, kernel: 3 },
        { op: 'ir', channels: 8, kernel: 3, expansion: 2, stride: 2 },
        { op: 'pool' },
        { op: 'fc', channels: 3 },
      ],
    });
    const s = archStats(arch);
    expect(s.layers.map((l) => l.macs)).toEqual([4608, 8192 + 2304 + 2048, 0, 24]);
    expect(s.layers.map((l) => l.params)).toEqual([88, 160 + 176 + 144, 0, 27]);
    expect(s.macs).toBe(4608 + 12544 + 24);
    expect(s.output).toEqual({ height: 1, width: 1, channels: 3 });
    expect(s.layers[1].output).toEqual({ height: 4, width: 4, channels: 8 });
    expect(s.activations).toBe(8 * 8 * 8 + 4 * 4 * 8 + 8 + 3);
    expect(s.peakActivations).toBe(8 * 8 * 8 + 4 * 4 * 8);
  });

  it('keeps or omits the e=1 first 1x1 conv according to rules.unitExpansionPw', () => {
    const doc = (rule: 'omit' | 'keep') => ({
      inputSize: 8,
      rules: { widthDivisor: 1, unitExpansionPw: rule },
      blocks: [{ op: 'conv', channels: 16, kernel: 3 }, { op: 'ir', channels: 16, kernel: 3, expansion: 1 }],
    });
    const omit = archStats(parseArch(doc('omit'))).layers[1];
    const keep = archStats(parseArch(doc('keep'))).layers[1];
    expect(keep.macs - omit.macs).toBe(8 * 8 * 16 * 16);
    expect(keep.params - omit.params).toBe(16 * 16 + 32);
  });

  it('counts SE with the FBNetV3 width rule (mid * 0.25 / e, rounded to 8)', () => {
    const arch = parseArch({
      inputSize: 7,
      blocks: [
        { op: 'conv', channels: 40, kernel: 1 },
        { op: 'ir', channels: 40, kernel: 5, expansion: 3, se: { gate: 'hsigmoid', divideByExpansion: true } },
      ],
    });
    // mid 120, SE width makeDivisible(trunc(120 * 0.25 / 3) = 10, 8) = 16 -> 120*16 + 16 + 16*120 + 120
    const withSe = archStats(arch).layers[1].params;
    const noSe = archStats(parseArch({ ...arch, blocks: [arch.blocks[0], { ...arch.blocks[1], se: null }] })).layers[1].params;
    expect(withSe - noSe).toBe(120 * 16 + 16 + 16 * 120 + 120);
  });

  it('folds BN parameters on request', () => {
    const arch = getZooArch('FBNetV3_A');
    const affine = archStats(arch).params;
    const folded = archStats(arch, { bnParams: 'folded' }).params;
    expect(folded).toBeLessThan(affine);
  });

  it('overrides the input size and rejects a bad one', () => {
    expect(archStats(getZooArch('fbnet_a'), { inputSize: 112 }).macs).toBeLessThan(archStats(getZooArch('fbnet_a')).macs / 3);
    try {
      archStats(getZooArch('fbnet_a'), { inputSize: -1 });
      throw new Error('no throw');
    } catch (err) {
      expect(isSearchSpaceError(err) && err.message).toBe('fbnas.archStats: options.inputSize must be a positive integer, got -1');
    }
  });
});
