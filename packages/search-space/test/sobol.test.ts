import fc from 'fast-check';
import { createRng, createSobol, fbnetV3Space, jointSpace, recipeSpace, sampleSobol, SOBOL_MAX_DIMENSIONS, isValidGenome } from '../src';

describe('createSobol', () => {
  it('starts with the origin and follows the van der Corput sequence in dimension 1', () => {
    const s = createSobol(2);
    const pts = Array.from({ length: 8 }, () => s.next());
    expect(pts.map((p) => p[0])).toEqual([0, 0.5, 0.75, 0.25, 0.375, 0.875, 0.625, 0.125]);
    // dimension 2 (s=1, a=0, m=1): 0, 1/2, 1/4, 3/4, ...
    expect(pts.slice(0, 4).map((p) => p[1])).toEqual([0, 0.5, 0.25, 0.75]);
  });

  it('puts exactly one of the first 2^k points in each dyadic interval of every dimension (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10 }), fc.integer({ min: 1, max: SOBOL_MAX_DIMENSIONS }), fc.boolean(), fc.integer(), (k, dims, shifted, seed) => {
        const rng = createRng(seed);
        const shift = shifted ? Array.from({ length: dims }, () => rng.nextUint32()) : undefined;
        const s = createSobol(dims, shift ? { shift } : {});
        const n = 2 ** k;
        const counts = Array.from({ length: dims }, () => new Uint8Array(n));
        for (let i = 0; i < n; i++) {
          const p = s.next();
          for (let d = 0; d < dims; d++) counts[d][Math.floor(p[d] * n)]++;
        }
        for (let d = 0; d < dims; d++) expect(counts[d].every((c) => c === 1)).toBe(true);
      }),
      { numRuns: 40 },
    );
  });

  it('balances every dimension on all bundled direction numbers at 2^10 points', () => {
    const s = createSobol(SOBOL_MAX_DIMENSIONS);
    const n = 1024;
    const counts = Array.from({ length: SOBOL_MAX_DIMENSIONS }, () => new Uint16Array(n));
    for (let i = 0; i < n; i++) s.next().forEach((u, d) => counts[d][Math.floor(u * n)]++);
    expect(counts.every((c) => c.every((x) => x === 1))).toBe(true);
  });

  it('rejects dimensions beyond the bundled table', () => {
    expect(() => createSobol(SOBOL_MAX_DIMENSIONS + 1)).toThrow(`dimensions must be an integer in [1, ${SOBOL_MAX_DIMENSIONS}]`);
  });
});

describe('sampleSobol', () => {
  it('maps points to valid genomes of the joint FBNetV3 architecture + recipe space, balanced per choice', () => {
    const space = jointSpace(fbnetV3Space(), recipeSpace());
    const pool = sampleSobol(space, 64, { rng: createRng(3) });
    expect(pool.every((g) => isValidGenome(space, g))).toBe(true);
    // kernel of stage s1 is a 2-way choice: 64 balanced points give exactly 32 each
    const k = space.dims.findIndex((d) => d.name === 's1.kernel');
    expect(pool.filter((g) => g[k] === 0)).toHaveLength(32);
  });

  it('keeps only points that satisfy the constraint', () => {
    const space = fbnetV3Space();
    const pool = sampleSobol(space, 10, { constraint: (g) => g[0] === 0 });
    expect(pool.every((g) => g[0] === 0)).toBe(true);
    expect(() => sampleSobol(space, 2, { constraint: () => false, maxPoints: 50 })).toThrow(/found only 0 of 2 samples/);
  });
});
