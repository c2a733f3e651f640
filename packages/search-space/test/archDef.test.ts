import fc from 'fast-check';
import { fbnetV3Space, fromArchDef, getZooArch, isSearchSpaceError, listZooArchs, parseMobileVisionOpName, formatMobileVisionOpName, toArchDef } from '../src';
import { genomeArb, PROPERTY_RUNS } from './arbitraries';

describe('mobile-vision arch_def interop', () => {
  it('parses op names like ir_k5_sehsig_hs and formats them back', () => {
    expect(parseMobileVisionOpName('ir_k5_sehsig_hs')).toEqual({ op: 'ir', kernel: 5, groups: 1, se: 'hsigmoid', activation: 'hswish' });
    expect(parseMobileVisionOpName('ir_k3_g2')).toEqual({ op: 'ir', kernel: 3, groups: 2, se: null, activation: 'relu' });
    expect(parseMobileVisionOpName('ir_k3_se')).toMatchObject({ se: 'sigmoid' });
    expect(parseMobileVisionOpName('conv_k3_hs')).toEqual({ op: 'conv', kernel: 3, activation: 'hswish' });
    expect(parseMobileVisionOpName('ir_pool_hs')).toEqual({ op: 'ir_pool', activation: 'hswish' });
    expect(parseMobileVisionOpName('res_k3')).toBeNull();
    for (const name of ['ir_k5_sehsig_hs', 'ir_k3_g2', 'ir_k3_se', 'conv_k1', 'ir_pool', 'skip']) {
      expect(formatMobileVisionOpName(parseMobileVisionOpName(name)!)).toBe(name);
    }
  });

  it('expands repeats with the stride on the first block only', () => {
    const arch = fromArchDef({ input_size: 32, blocks: [[['conv_k3', 16, 2, 1]], [['ir_k3', 24, 2, 3, { expansion: 4 }]]] }, { numClasses: 10 });
    expect(arch.blocks.filter((b) => b.op === 'ir').map((b) => ('stride' in b ? b.stride : 0))).toEqual([2, 1, 1]);
    expect(arch.blocks.at(-1)).toMatchObject({ op: 'fc', channels: 10 });
  });

  it.each(listZooArchs())('round-trips %s through toArchDef and fromArchDef unchanged', (name) => {
    const arch = getZooArch(name);
    const { archDef, numClasses } = toArchDef(arch);
    expect(fromArchDef(archDef, { numClasses, name })).toEqual(arch);
  });

  it('round-trips sampled FBNetV3-space architectures (property)', () => {
    const space = fbnetV3Space();
    fc.assert(
      fc.property(genomeArb(space), (g) => {
        const arch = space.toArch(g);
        const { archDef, numClasses } = toArchDef(arch);
        const back = fromArchDef(archDef, { numClasses });
        // stages are re-derived from the arch_def's stage lists, which mirror ours
        expect(back.blocks).toEqual(arch.blocks);
      }),
      { numRuns: PROPERTY_RUNS },
    );
  });

  it('rejects unknown ops and unsupported keyword arguments with typed errors', () => {
    const unknownOp = () => fromArchDef({ blocks: [[['res_k3', 16, 1, 1]]] });
    expect(unknownOp).toThrow(/fbnas.fromArchDef: blocks\[0\]\[0\]\[0\] op "res_k3" is not a block we model/);
    const badKw = () => fromArchDef({ blocks: [[['ir_k3', 16, 1, 1, { expansion: 2, dw_group_ratio: 4 }]]] });
    expect(badKw).toThrow(/keyword "dw_group_ratio" is not supported/);
    const groups = () => fromArchDef({ blocks: [[['conv_k3', 16, 1, 1]], [['ir_k3_g2', 16, 1, 1, { expansion: 1 }]]] });
    expect(groups).toThrow(/pw groups 2 but pwl_groups 1/);
    try {
      fromArchDef({ blocks: [[['ir_k3', -1, 1, 1]]] });
    } catch (err) {
      expect(isSearchSpaceError(err) && err.path).toBe('blocks[0][0]');
    }
  });

  it('refuses to export what mobile-vision cannot express', () => {
    const arch = getZooArch('fbnet_a');
    const keep = { ...arch, rules: { ...arch.rules, unitExpansionPw: 'keep' as const } };
    expect(() => toArchDef(keep)).toThrow(/unitExpansionPw must be "omit"/);
    const noHead = { ...arch, blocks: arch.blocks.slice(0, -1) };
    expect(() => toArchDef(noHead)).toThrow(/must end with pool \+ fc/);
  });
});
