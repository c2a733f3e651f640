import fc from 'fast-check';
import { fbnet28Space, fbnetV3Space, getZooArch, isSearchSpaceError, listZooArchs, parseArch, serializeArch, type SearchSpaceError } from '../src';
import { genomeArb, PROPERTY_RUNS } from './arbitraries';

const small = {
  inputSize: 28,
  inputChannels: 1,
  blocks: [
    { op: 'conv', channels: 16, kernel: 3, stride: 2 },
    { op: 'ir', channels: 24, kernel: 5, expansion: 4, stride: 2, se: { gate: 'hsigmoid' } },
    { op: 'pool' },
    { op: 'fc', channels: 10 },
  ],
};

function errorOf(input: unknown): SearchSpaceError {
  try {
    parseArch(input);
  } catch (err) {
    if (isSearchSpaceError(err)) return err;
    throw err;
  }
  throw new Error('parseArch did not throw');
}

describe('parseArch', () => {
  it('fills every default and assigns stages', () => {
    const arch = parseArch(small);
    expect(arch.format).toBe('fbnas.arch/v1');
    expect(arch.rules).toEqual({ widthDivisor: 8, unitExpansionPw: 'omit' });
    expect(arch.blocks[0]).toEqual({ op: 'conv', stage: 0, channels: 16, kernel: 3, stride: 2, groups: 1, padding: null, activation: 'relu', bn: true, bias: false });
    expect(arch.blocks[1]).toMatchObject({ op: 'ir', stage: 1, groups: 1, shuffle: false, se: { gate: 'hsigmoid', ratio: 0.25, divideByExpansion: false } });
    expect(arch.blocks.map((b) => b.stage)).toEqual([0, 1, 2, 2]);
  });

  it('accepts JSON text', () => {
    expect(parseArch(JSON.stringify(small))).toEqual(parseArch(small));
  });

  it('reports the path of a wrongly typed field', () => {
    const bad = structuredClone(small) as { blocks: Array<Record<string, unknown>> };
    bad.blocks[1].kernel = '5';
    const err = errorOf(bad);
    expect(err.code).toBe('INVALID_ARCH');
    expect(err.path).toBe('blocks[1].kernel');
    expect(err.message).toBe('fbnas.parseArch: blocks[1].kernel must be integer, got "5"');
  });

  it('reports unknown fields, missing fields and unknown ops by path', () => {
    const unknownField = structuredClone(small) as { blocks: Array<Record<string, unknown>> };
    unknownField.blocks[1].kernal = 3;
    expect(errorOf(unknownField).path).toBe('blocks[1].kernal');

    const missing = structuredClone(small) as { blocks: Array<Record<string, unknown>> };
    delete missing.blocks[3].channels;
    expect(errorOf(missing).message).toMatch(/blocks\[3\]\.channels is required/);

    const badOp = structuredClone(small) as { blocks: Array<Record<string, unknown>> };
    badOp.blocks[2].op = 'maxpool';
    const err = errorOf(badOp);
    expect(err.path).toBe('blocks[2].op');
    expect(err.message).toMatch(/must be one of "conv", "ir", "skip", "ir_pool", "pool", "fc", got "maxpool"/);
  });

  it('rejects shapes that do not fit, naming the block', () => {
    const noPool = { ...small, blocks: [small.blocks[0], small.blocks[1], small.blocks[3]] };
    const err = errorOf(noPool);
    expect(err.path).toBe('blocks[2]');
    expect(err.message).toMatch(/fc needs a pooled 1x1 input, got 7x7/);

    const groups = { ...small, blocks: [{ op: 'conv', channels: 15, kernel: 3 }, { op: 'ir', channels: 16, kernel: 3, expansion: 1, groups: 2 }, { op: 'pool' }, { op: 'fc', channels: 2 }] };
    expect(errorOf(groups).message).toMatch(/groups 2 must divide/);

    const tooSmall = { ...small, inputSize: 2, blocks: [{ op: 'conv', channels: 8, kernel: 5, padding: 0 }, { op: 'pool' }, { op: 'fc', channels: 2 }] };
    expect(errorOf(tooSmall).message).toMatch(/leaves no output/);
  });

  it('rejects malformed JSON text with PARSE_ERROR', () => {
    expect(errorOf('{"blocks": [').code).toBe('PARSE_ERROR');
  });

  it('round-trips every zoo architecture through serializeArch', () => {
    for (const name of listZooArchs()) {
      const arch = getZooArch(name);
      expect(parseArch(serializeArch(arch))).toEqual(arch);
    }
  });

  it('round-trips sampled architectures of the 28x28 and FBNetV3 spaces (property)', () => {
    for (const space of [fbnet28Space(), fbnetV3Space()]) {
      fc.assert(
        fc.property(genomeArb(space), (g) => {
          const arch = parseArch(space.toArch(g));
          expect(parseArch(serializeArch(arch))).toEqual(arch);
        }),
        { numRuns: PROPERTY_RUNS },
      );
    }
  });

  it('turns input of any shape into an architecture or a SearchSpaceError, nothing else (property)', () => {
    fc.assert(
      fc.property(fc.anything(), (value) => {
        try {
          parseArch(value);
        } catch (err) {
          expect(isSearchSpaceError(err)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('turns a valid document with one field replaced by anything into an architecture or a typed error (property)', () => {
    const base = JSON.parse(serializeArch(getZooArch('FBNetV3_A'))) as { blocks: Array<Record<string, unknown>> };
    fc.assert(
      fc.property(fc.nat(), fc.nat(), fc.anything(), (bi, fi, value) => {
        const doc = structuredClone(base);
        const block = doc.blocks[bi % doc.blocks.length];
        const keys = Object.keys(block);
        block[keys[fi % keys.length]] = value;
        try {
          parseArch(doc);
        } catch (err) {
          expect(isSearchSpaceError(err)).toBe(true);
          expect((err as SearchSpaceError).message.startsWith('fbnas.parseArch: ')).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});
