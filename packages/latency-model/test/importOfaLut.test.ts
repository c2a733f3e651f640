import fc from 'fast-check';
import { withBlockDefaults } from '@fbnas/search-space';
import { importOfaLut, isLatencyModelError, latencyLutKey } from '../src';

// An OFA-style MobileNetV3 table written for this test (our own values): stem, two IR blocks, the final
// expansion, pooling, the 1x1 feature mix and the classifier; plus keys fbnas cannot express.
const MBV3 = `
Conv-input:224x224x3-output:112x112x16:
  count: 50
  mean: 1.25
expanded_conv-input:112x112x16-output:56x56x24-expand:4-kernel:3-stride:2-idskip:0-se:0-hs:0:
  count: 50
  mean: 2.5
expanded_conv-input:28x28x40-output:28x28x40-expand:6-kernel:5-stride:1-idskip:1-se:1-hs:1:
  {count: 40, mean: 1.75}
Conv_1-input:7x7x160-output:7x7x960:
  {count: 50, mean: 0.5}
AvgPool2D-input:7x7x960-output:1x1x960:
  {count: 50, mean: 0.05}
Conv_2-input:1x1x960-output:1x1x1280:
  {count: 50, mean: 0.25}
Logits-input:1x1x1280-output:1000:
  {count: 50, mean: 0.125}
Logits-input:7x7x1280-output:1000:
  {count: 50, mean: 0.2}
expanded_conv-input:28x28x40-output:28x28x40-expand:6-kernel:5-stride:1-idskip:0-se:0-hs:0:
  {count: 50, mean: 1.5}
DepthwiseSeparable-input:28x28x40-output:28x28x40:
  {count: 50, mean: 1.0}
`;

const shape = (h: number, c: number) => ({ height: h, width: h, channels: c });

describe('importOfaLut', () => {
  it('turns OFA MobileNetV3 keys into the fbnas blocks they describe', () => {
    const { lut, imported, skipped } = importOfaLut(MBV3, { device: 'pixel1', date: '2020-01-01' });
    expect(lut.header).toMatchObject({ runtime: 'ofa-yaml', runtimeVersion: 'imported (mbv3)', cpu: 'pixel1', date: '2020-01-01', overheadMs: 0 });
    expect(imported).toHaveLength(7);
    const entry = (block: Parameters<typeof withBlockDefaults>[0], input: ReturnType<typeof shape>) => lut.entries[latencyLutKey(withBlockDefaults(block), input)];
    expect(entry({ op: 'conv', channels: 16, kernel: 3, stride: 2, activation: 'hswish' }, shape(224, 3))).toEqual({ median: 1.25, p10: 1.25, p90: 1.25, samples: 50 });
    expect(entry({ op: 'ir', channels: 24, kernel: 3, stride: 2, expansion: 4, activation: 'relu' }, shape(112, 16))?.median).toBe(2.5);
    expect(entry({ op: 'ir', channels: 40, kernel: 5, stride: 1, expansion: 6, activation: 'hswish', se: { gate: 'hsigmoid' } }, shape(28, 40))?.samples).toBe(40);
    expect(entry({ op: 'conv', channels: 960, kernel: 1, activation: 'hswish' }, shape(7, 160))?.median).toBe(0.5);
    expect(entry({ op: 'pool' }, shape(7, 960))?.median).toBe(0.05);
    expect(entry({ op: 'conv', channels: 1280, kernel: 1, activation: 'hswish', bn: false }, shape(1, 960))?.median).toBe(0.25);
    expect(entry({ op: 'fc', channels: 1000 }, shape(1, 1280))?.median).toBe(0.125);
    expect(skipped.map((s) => s.ofaKey.split('-')[0])).toEqual(['Logits', 'expanded_conv', 'DepthwiseSeparable']);
    expect(skipped[0].reason).toMatch(/not pooled/);
    expect(skipped[1].reason).toMatch(/idskip:0 but fbnas adds the identity/);
    expect(skipped[2].reason).toMatch(/unknown op "DepthwiseSeparable"/);
  });

  it('reads ProxylessNAS / MobileNetV2 tables with ReLU6 (family inferred from the keys)', () => {
    const { lut, imported } = importOfaLut('expanded_conv-input:56x56x24-output:56x56x24-expand:3-kernel:7-stride:1-idskip:1: {count: 10, mean: 0.9}\n');
    expect(lut.header.runtimeVersion).toBe('imported (mbv2)');
    expect(imported[0].key).toBe(latencyLutKey(withBlockDefaults({ op: 'ir', channels: 24, kernel: 7, expansion: 3, activation: 'relu6' }), shape(56, 24)));
  });

  it('maps every well-formed expanded_conv key to the block with its parameters (property)', () => {
    fc.assert(
      fc.property(
        fc.record({ h: fc.integer({ min: 1, max: 64 }), cin: fc.integer({ min: 1, max: 512 }), cout: fc.integer({ min: 1, max: 512 }), stride: fc.constantFrom(1, 2), e: fc.constantFrom(1, 3, 4, 6), k: fc.constantFrom(3, 5, 7), se: fc.boolean(), hs: fc.boolean(), mean: fc.double({ min: 0, max: 100, noNaN: true }) }),
        ({ h, cin, cout, stride, e, k, se, hs, mean }) => {
          const oh = Math.ceil(h / stride);
          const idskip = stride === 1 && cin === cout ? 1 : 0;
          const key = `expanded_conv-input:${h}x${h}x${cin}-output:${oh}x${oh}x${cout}-expand:${e}-kernel:${k}-stride:${stride}-idskip:${idskip}-se:${+se}-hs:${+hs}`;
          const { lut, imported } = importOfaLut(`${key}: {count: 3, mean: ${mean}}\n`);
          const expected = latencyLutKey(withBlockDefaults({ op: 'ir', channels: cout, kernel: k, stride, expansion: e, activation: hs ? 'hswish' : 'relu', se: se ? { gate: 'hsigmoid' } : null }), shape(h, cin));
          expect(imported).toEqual([{ ofaKey: key, key: expected }]);
          expect(lut.entries[expected].median).toBe(mean);
        },
      ),
    );
  });

  it('gives typed errors for corrupt files and never throws anything else (property)', () => {
    for (const [text, message] of [
      ['a: [1, 2', /not valid YAML/],
      ['- 1\n- 2\n', /must be a YAML mapping/],
      ['Conv-input:8x8x3-output:4x4x8: {count: 1, mean: -1}\n', /must map to \{ count: positive integer, mean: finite ms >= 0 \}/],
      ['Conv-input:8x8x3-output:4x4x8: {count: 0, mean: 1}\n', /must map to/],
      ['Conv-input:8x8x3-output:4x4x8: 3\n', /must map to/],
    ] as const) {
      try {
        importOfaLut(text);
        throw new Error(`accepted ${text}`);
      } catch (err) {
        expect(isLatencyModelError(err) && err.code === 'CORRUPT_LUT').toBe(true);
        expect((err as Error).message).toMatch(message);
      }
    }
    expect(() => importOfaLut('{}', { family: 'resnet' as 'mbv2' })).toThrow(/options\.family must be/);
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.record({ count: fc.oneof(fc.integer({ min: -2, max: 5 }), fc.constant(1.5)), mean: fc.oneof(fc.double(), fc.string()) })), (table) => {
        try {
          const r = importOfaLut(JSON.stringify(table));
          expect(r.imported.length + r.skipped.length).toBe(Object.keys(table).length);
        } catch (err) {
          expect(isLatencyModelError(err)).toBe(true);
        }
      }),
    );
  });
});
