import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { createRng } from '@fbnas/search-space';
import { concatDatasets, createImageDataset, epochOrder, isNnError, loadMnistFamily, makeBatch, TEST_PER_CLASS } from '../src';

describe('loadMnistFamily', () => {
  it('splits Fashion-MNIST 55,000 / 5,000 / 10,000 with the fixed test set and standardises with train statistics', () => {
    const a = loadMnistFamily('fashion-mnist', { seed: 0 });
    expect([a.train.count, a.val.count, a.test.count]).toEqual([55000, 5000, 10000]);
    expect(a.mean).toBeCloseTo(0.286, 2);
    expect(a.std).toBeCloseTo(0.353, 2);
    const perClass = new Array(10).fill(0);
    a.test.labels.forEach((l) => perClass[l]++);
    expect(perClass).toEqual(new Array(10).fill(TEST_PER_CLASS['fashion-mnist']));
    // the test split does not depend on the seed (train/val do); its pixels differ only by the
    // standardisation, which uses the seed's train statistics
    const b = loadMnistFamily('fashion-mnist', { seed: 1 });
    expect(b.test.labels).toEqual(a.test.labels);
    for (let i = 0; i < 784 * 3; i += 37) expect(b.test.images[i] * b.std + b.mean).toBeCloseTo(a.test.images[i] * a.std + a.mean, 5);
    const firstVal = (d: typeof a) => Array.from(d.val.images.subarray(0, 784), (v) => Math.round((v * d.std + d.mean) * 255));
    expect(firstVal(b)).not.toEqual(firstVal(a)); // another image was drawn into val
  }, 60_000);

  it('loads MNIST (10,000 digits, 100 per class as test)', () => {
    const m = loadMnistFamily('mnist', { seed: 0, valFraction: 0.1 });
    expect(m.test.count).toBe(1000);
    expect(m.train.count + m.val.count + m.test.count).toBe(10000);
    expect(m.mean).toBeCloseTo(0.131, 2);
  }, 60_000);

  it('limits per class and rejects bad options', () => {
    expect(loadMnistFamily('mnist', { limitPerClass: 5 }).train.count).toBe(50);
    expect(() => loadMnistFamily('cifar' as never)).toThrow(/name must be "fashion-mnist" or "mnist", got "cifar"/);
    expect(() => loadMnistFamily('mnist', { valFraction: 1 })).toThrow(/valFraction must be in \[0, 1\), got 1/);
  });
});

describe('createImageDataset', () => {
  it('rejects wrong sizes, NaN pixels and bad labels with typed errors', () => {
    const ok = { images: new Float32Array(8), labels: [0, 1], height: 2, width: 2, channels: 1, numClasses: 2 };
    expect(createImageDataset(ok).count).toBe(2);
    expect(() => createImageDataset({ ...ok, images: new Float32Array(7) })).toThrow(/images must hold labels.length x 2x2x1 = 8 values, got 7/);
    expect(() => createImageDataset({ ...ok, images: Float32Array.of(0, 0, NaN, 0, 0, 0, 0, 0) })).toThrow(/images\[2\] must be finite, got NaN/);
    expect(() => createImageDataset({ ...ok, labels: [0, 2] })).toThrow(/labels\[1\] must be an integer in \[0, 1\], got 2/);
    expect(() => createImageDataset({ ...ok, labels: [0, 0.5] })).toThrow(/labels\[1\]/);
    try {
      createImageDataset({ ...ok, height: 0 });
    } catch (err) {
      expect(isNnError(err) && err.code).toBe('INVALID_ARGUMENT');
    }
  });
});

describe('concatDatasets', () => {
  it('puts the parts one after another and refuses parts of other shapes or class counts', () => {
    const part = (name: string, labels: number[], numClasses = 3) =>
      createImageDataset({ name, images: Float32Array.from({ length: labels.length * 4 }, (_, i) => labels[Math.floor(i / 4)] * 10 + (i % 4)), labels, height: 2, width: 2, channels: 1, numClasses });
    const all = concatDatasets([part('a', [0, 1]), part('b', [2]), part('c', [])]);
    expect(all).toMatchObject({ name: 'a+b+c', count: 3, height: 2, width: 2, channels: 1, numClasses: 3 });
    expect(Array.from(all.labels)).toEqual([0, 1, 2]);
    expect(Array.from(all.images)).toEqual([0, 1, 2, 3, 10, 11, 12, 13, 20, 21, 22, 23]);
    expect(() => concatDatasets([part('a', [0]), part('b', [1], 4)])).toThrow('fbnas.concatDatasets: parts[1] (b) has numClasses 4, parts[0] (a) has 3');
    const tall = createImageDataset({ name: 't', images: new Float32Array(6), labels: [0], height: 3, width: 2, channels: 1, numClasses: 3 });
    const err = (() => {
      try {
        return concatDatasets([part('a', [0]), tall]);
      } catch (e) {
        return e;
      }
    })();
    expect(isNnError(err) && err.code === 'SHAPE_MISMATCH' && err.message).toBe('fbnas.concatDatasets: parts[1] (t) has height 3, parts[0] (a) has 2');
    expect(() => concatDatasets([])).toThrow('fbnas.concatDatasets: parts must hold at least one dataset, got none');
  });
});

describe('batches', () => {
  it('shuffles reproducibly and covers every index once', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200 }), fc.integer(), (n, seed) => {
        const a = epochOrder(n, createRng(seed));
        expect(a).toEqual(epochOrder(n, createRng(seed)));
        expect([...a].sort((x, y) => x - y)).toEqual(Array.from({ length: n }, (_, i) => i));
      }),
    );
  });

  it('flips mirror images and crops shift them with zeros shifted in', () => {
    const images = Float32Array.from({ length: 9 }, (_, i) => i + 1); // 3x3: 1..9
    const ds = createImageDataset({ images, labels: [0], height: 3, width: 3, channels: 1, numClasses: 1 });
    // find a seed whose first draw flips
    let seed = 0;
    while (createRng(seed).next() >= 0.5) seed++;
    const flipped = makeBatch(ds, [0], { flip: true }, createRng(seed));
    expect(Array.from(flipped.x.dataSync())).toEqual([3, 2, 1, 6, 5, 4, 9, 8, 7]);
    const crops = new Set<string>();
    for (let s = 0; s < 40; s++) {
      const b = makeBatch(ds, [0], { randomCrop: 1 }, createRng(s));
      const v = Array.from(b.x.dataSync());
      expect(v.filter((x) => x !== 0).every((x) => images.includes(x))).toBe(true);
      crops.add(v.join(','));
      b.x.dispose();
    }
    expect(crops.size).toBe(9); // every shift in [-1, 1]^2
    tf.dispose(flipped.x);
  });
});
