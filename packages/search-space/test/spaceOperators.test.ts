import fc from 'fast-check';
import {
  createRng,
  crossoverGenomes,
  decodeEncoding,
  encodeGenome,
  encodingLength,
  isSearchSpaceError,
  isValidGenome,
  macsConstraint,
  archStats,
  fbnet28Space,
  mutateGenome,
  sampleUniform,
  validateGenome,
} from '../src';
import { ALL_SPACES, genomeArb, PROPERTY_RUNS } from './arbitraries';

describe.each(ALL_SPACES.map((s) => [s.name, s] as const))('space %s', (_name, space) => {
  it('samples only valid genomes', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        for (const g of sampleUniform(space, 5, createRng(seed))) expect(isValidGenome(space, g)).toBe(true);
      }),
      { numRuns: PROPERTY_RUNS },
    );
  });

  it('mutates and crosses over without leaving the space', () => {
    fc.assert(
      fc.property(genomeArb(space), genomeArb(space), fc.integer(), fc.double({ min: 0, max: 1, noNaN: true }), (a, b, seed, rate) => {
        const rng = createRng(seed);
        const m = mutateGenome(space, a, rng, { rate });
        expect(isValidGenome(space, m)).toBe(true);
        expect(m).not.toEqual(a);
        const c = crossoverGenomes(space, a, b, rng);
        expect(isValidGenome(space, c)).toBe(true);
        c.forEach((gene, i) => expect(gene === a[i] || gene === b[i]).toBe(true));
      }),
      { numRuns: PROPERTY_RUNS },
    );
  });

  it('encodes to [0,1] features and decodes back to the same genome', () => {
    fc.assert(
      fc.property(genomeArb(space), (g) => {
        const v = encodeGenome(space, g);
        expect(v).toHaveLength(encodingLength(space));
        expect(v.every((x) => x >= 0 && x <= 1)).toBe(true);
        const back = decodeEncoding(space, v);
        back.forEach((gene, i) => expect(gene).toBeCloseTo(g[i], 9));
      }),
      { numRuns: PROPERTY_RUNS },
    );
  });

  it('decodes any finite vector of the right length into a valid genome', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: encodingLength(space), maxLength: encodingLength(space) }), (v) => {
        expect(isValidGenome(space, decodeEncoding(space, v))).toBe(true);
      }),
      { numRuns: PROPERTY_RUNS },
    );
  });

  it('rejects anything that is not a genome with a typed error', () => {
    fc.assert(
      fc.property(fc.anything(), (value) => {
        try {
          validateGenome(space, value);
          expect(isValidGenome(space, value)).toBe(true);
        } catch (err) {
          expect(isSearchSpaceError(err) && err.code).toBe('OUT_OF_SPACE');
        }
      }),
      { numRuns: 100 },
    );
  });
});

describe('macsConstraint', () => {
  it('keeps samples inside the multiply-add range', () => {
    const space = fbnet28Space();
    const constraint = macsConstraint(space, { min: 15e6, max: 25e6 });
    for (const g of sampleUniform(space, 20, createRng(4), { constraint })) {
      const macs = archStats(space.toArch(g)).macs;
      expect(macs).toBeGreaterThanOrEqual(15e6);
      expect(macs).toBeLessThanOrEqual(25e6);
    }
    expect(() => macsConstraint(space, { min: 5, max: 1 })).toThrow(/0 <= min <= max/);
  });
});

describe('decodeEncoding', () => {
  it('rejects a wrong length or NaN', () => {
    const space = ALL_SPACES[0];
    expect(() => decodeEncoding(space, [1, 2])).toThrow(/vector must have 198 entries/);
    const v = new Array(encodingLength(space)).fill(0);
    v[3] = NaN;
    expect(() => decodeEncoding(space, v)).toThrow(/vector\[3\] must be finite, got NaN/);
  });
});
