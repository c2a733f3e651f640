import fc from 'fast-check';
import {
  archStats,
  fbnet28Space,
  fbnetImageNetSpace,
  fbnetV3Space,
  FBNETV3_STAGE_RANGES,
  getZooArch,
  jointSpace,
  nasBench201PathEncoding,
  nasBench201Space,
  nasBenchMacroSpace,
  recipeSpace,
  spaceSizeLog10,
} from '../src';

describe('FBNet layer-wise spaces', () => {
  it('has 22 layers x 9 candidates (about 10^21 architectures)', () => {
    const space = fbnetImageNetSpace();
    expect(space.dims).toHaveLength(22);
    expect(space.dims.every((d) => d.kind === 'categorical' && d.choices.length === 9)).toBe(true);
    expect(spaceSizeLog10(space)).toBeCloseTo(22 * Math.log10(9), 9);
  });

  it('follows the paper Table 1 layout on ImageNet-224', () => {
    const space = fbnetImageNetSpace();
    expect(space.layers.map((l) => l.input.height)).toEqual([112, 112, 56, 56, 56, 56, 28, 28, 28, 28, 14, 14, 14, 14, 14, 14, 14, 14, 7, 7, 7, 7]);
    expect(space.headInput).toEqual({ height: 7, width: 7, channels: 352 });
    expect(archStats(space.toArch(new Array(22).fill(0))).layers.at(-3)!.output.channels).toBe(1504);
  });

  it('plans the 28x28 space as 28 -> 14 -> 7 with a 10-class head', () => {
    const space = fbnet28Space();
    expect([...new Set(space.layers.map((l) => l.input.height))]).toEqual([28, 14, 7]);
    const stats = archStats(space.toArch(new Array(22).fill(7)));
    expect(stats.output.channels).toBe(10);
    expect(stats.inputSize).toBe(28);
  });

  it('maps each candidate to a block and an architecture back to its genome', () => {
    const space = fbnet28Space();
    expect(space.candidateBlock(1, 1)).toMatchObject({ op: 'ir', kernel: 3, expansion: 1, groups: 2, shuffle: true, channels: 16 });
    expect(space.candidateBlock(1, 8)).toMatchObject({ op: 'skip', channels: 16, stride: 1 });
    const g = [0, 1, 2, 3, 4, 5, 6, 7, 8, 0, 1, 2, 3, 4, 5, 6, 7, 8, 0, 1, 2, 3];
    expect(space.fromArch(space.toArch(g))).toEqual(g);
    expect(() => space.fromArch(getZooArch('fbnet_a'))).toThrow(/fbnas.LayerwiseSpace.fromArch/);
    expect(() => space.candidateBlock(22, 0)).toThrow(/layer must be an integer in \[0, 21\], got 22/);
  });
});

describe('FBNetV3 spaces', () => {
  it('encloses the released stage widths and depths of FBNetV3-A..G', () => {
    for (const name of ['FBNetV3_A', 'FBNetV3_B', 'FBNetV3_C', 'FBNetV3_D', 'FBNetV3_E', 'FBNetV3_F', 'FBNetV3_G']) {
      const arch = getZooArch(name);
      const ir = arch.blocks.filter((b) => b.op === 'ir');
      // the released stages 4 and 5 each hold two of our stages (4a/4b, 5a/5b), split where the width changes
      const widths = [...new Set(ir.map((b) => ('channels' in b ? b.channels : 0)))];
      widths.forEach((w, i) => {
        const r = FBNETV3_STAGE_RANGES[i];
        expect(w).toBeGreaterThanOrEqual(r.channels[0]);
        expect(w).toBeLessThanOrEqual(r.channels[1]);
        const depth = ir.filter((b) => 'channels' in b && b.channels === w).length;
        expect(depth).toBeGreaterThanOrEqual(r.depth[0]);
        expect(depth).toBeLessThanOrEqual(r.depth[1]);
      });
    }
  });

  it('builds valid architectures across the multiply-add range of the released family', () => {
    const space = fbnetV3Space();
    const small = space.toArch(space.dims.map((d) => (d.kind === 'int' ? d.min : 0)));
    const large = space.toArch(space.dims.map((d) => (d.kind === 'int' ? d.max : d.kind === 'categorical' ? d.choices.length - 1 : d.max)));
    expect(archStats(small).macs).toBeLessThan(356.6e6);
    expect(archStats(large).macs).toBeGreaterThan(2129.7e6);
  });

  it('decodes a recipe and splits a joint genome', () => {
    const recipe = recipeSpace({ epochs: [5, 10] });
    expect(recipe.toRecipe([1, 0.1, 1e-5, 0.2, 0.1, 0.05, 1, 1])).toEqual({
      optimizer: 'rmsprop', learningRate: 0.1, weightDecay: 1e-5, mixup: 0.2, dropout: 0.1, stochasticDepth: 0.05, ema: true, epochs: 10,
    });
    const joint = jointSpace(fbnetV3Space(), recipe);
    expect(joint.dims).toHaveLength(51 + 8);
  });

  it('narrows the recipe space to chosen optimizers and scales the learning rate per optimizer', () => {
    const recipe = recipeSpace({ optimizers: ['sgd', 'rmsprop'], learningRate: [0.01, 0.4], learningRateScale: { rmsprop: 0.1 } });
    expect(recipe.dims[0]).toMatchObject({ choices: ['sgd', 'rmsprop'] });
    expect(recipe.dims[1]).toMatchObject({ min: 0.01, max: 0.4, log: true });
    expect(recipe.toRecipe([0, 0.2, 1e-5, 0, 0, 0, 0, 0]).learningRate).toBe(0.2);
    expect(recipe.toRecipe([1, 0.2, 1e-5, 0, 0, 0, 0, 0])).toMatchObject({ optimizer: 'rmsprop', learningRate: 0.2 * 0.1 });
    expect(() => recipe.toRecipe([2, 0.2, 1e-5, 0, 0, 0, 0, 0])).toThrow(/fbnas\.recipeSpace\.toRecipe/);
    expect(() => recipeSpace({ optimizers: [] })).toThrow(/options\.optimizers must be a non-empty list of sgd, rmsprop, adam/);
    expect(() => recipeSpace({ optimizers: ['lamb' as 'sgd'] })).toThrow(/options\.optimizers/);
    expect(() => recipeSpace({ learningRate: [0.1, 0.1] })).toThrow(/options\.learningRate must be \[min, max\] with 0 < min < max/);
    expect(() => recipeSpace({ learningRateScale: { adam: 0 } })).toThrow(/options\.learningRateScale\.adam must be positive, got 0/);
  });
});

describe('benchmark spaces', () => {
  it('converts NAS-Bench-201 arch strings both ways', () => {
    const space = nasBench201Space();
    const key = '|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|';
    expect(space.fromKey(key)).toEqual([4, 2, 1, 2, 1, 1]);
    expect(space.toKey(space.fromKey(key))).toBe(key);
    expect(spaceSizeLog10(space)).toBeCloseTo(Math.log10(15625), 9);
    expect(() => space.fromKey('|conv~0|+|')).toThrow(/fbnas.nasBench201Space.fromKey: key must look like/);
    expect(() => space.fromKey(key.replace('skip_connect~2', 'skip_connect~1'))).toThrow(/edge 5/);
  });

  it('path-encodes NAS-Bench-201 cells: one feature per live input-to-output path (property)', () => {
    // all 3x3 convs: the four paths conv | conv-conv | conv-conv | conv-conv-conv
    const conv = nasBench201PathEncoding([3, 3, 3, 3, 3, 3]);
    expect(conv).toHaveLength(180);
    expect(conv.flatMap((v, i) => (v ? [i] : []))).toEqual([3, 5 + 3 * 5 + 3, 30 + 3 * 5 + 3, 55 + 3 * 25 + 3 * 5 + 3]);
    // the output edge 3<-0 cut and 1<-0 none: only path 0->2->3 stays
    expect(nasBench201PathEncoding([0, 1, 2, 0, 4, 2]).flatMap((v, i) => (v ? [i] : []))).toEqual([30 + 1 * 5 + 2]);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 6, maxLength: 6 }), (g) => {
        const e = nasBench201PathEncoding(g);
        const live = [[3], [0, 4], [1, 5], [0, 2, 5]].filter((p) => p.every((i) => g[i] !== 0)).length;
        expect(e.reduce((a, b) => a + b, 0)).toBe(live);
        // edge 2 (2<-1) lies only on the last path: changing it leaves the first three blocks as they were
        const h = [...g];
        h[2] = (g[2] + 1) % 5;
        expect(nasBench201PathEncoding(h).slice(0, 55)).toEqual(e.slice(0, 55));
      }),
    );
    expect(() => nasBench201PathEncoding([5, 0, 0, 0, 0, 0])).toThrow(/fbnas\.nasBench201PathEncoding/);
  });

  it('converts NAS-Bench-Macro keys both ways', () => {
    const space = nasBenchMacroSpace();
    expect(space.fromKey('02012100')).toEqual([0, 2, 0, 1, 2, 1, 0, 0]);
    expect(space.toKey([0, 2, 0, 1, 2, 1, 0, 0])).toBe('02012100');
    expect(spaceSizeLog10(space)).toBeCloseTo(Math.log10(6561), 9);
    expect(() => space.fromKey('0201210')).toThrow(/8 digits/);
  });
});
