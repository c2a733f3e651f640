import { NnError } from '../errors';

/** An image classification dataset held in memory: normalised float images, NHWC, and integer labels. */
export interface ImageDataset {
  readonly name: string;
  /** Normalised pixels, `count x height x width x channels`. */
  readonly images: Float32Array;
  readonly labels: Int32Array;
  readonly count: number;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  readonly numClasses: number;
}

/** Raw input of {@link createImageDataset}. */
export interface ImageDatasetInput {
  name?: string;
  images: ArrayLike<number>;
  labels: ArrayLike<number>;
  height: number;
  width: number;
  channels: number;
  numClasses: number;
}

/**
 * A dataset from user data, validated: image count x shape must match the pixel buffer, pixels must be
 * finite, labels integers in [0, numClasses). Errors are `NnError`s naming the field and value.
 * @example
 * import { createImageDataset } from '@fbnas/nn';
 * const ds = createImageDataset({ images: new Float32Array(2 * 4), labels: [0, 1], height: 2, width: 2, channels: 1, numClasses: 2 });
 */
export function createImageDataset(input: ImageDatasetInput): ImageDataset {
  const api = 'fbnas.createImageDataset';
  for (const key of ['height', 'width', 'channels', 'numClasses'] as const) {
    const v = input[key];
    if (!Number.isInteger(v) || v < 1) throw new NnError('INVALID_ARGUMENT', api, `${key} must be a positive integer, got ${String(v)}`);
  }
  const per = input.height * input.width * input.channels;
  const count = input.labels.length;
  if (input.images.length !== count * per) {
    throw new NnError('SHAPE_MISMATCH', api, `images must hold labels.length x ${input.height}x${input.width}x${input.channels} = ${count * per} values, got ${input.images.length}`);
  }
  const images = Float32Array.from(input.images);
  for (let i = 0; i < images.length; i++) {
    if (!Number.isFinite(images[i])) throw new NnError('NON_FINITE', api, `images[${i}] must be finite, got ${images[i]}`);
  }
  const labels = Int32Array.from(input.labels);
  for (let i = 0; i < count; i++) {
    if (labels[i] !== input.labels[i] || labels[i] < 0 || labels[i] >= input.numClasses) {
      throw new NnError('INVALID_ARGUMENT', api, `labels[${i}] must be an integer in [0, ${input.numClasses - 1}], got ${String(input.labels[i])}`);
    }
  }
  return { name: input.name ?? 'custom', images, labels, count, height: input.height, width: input.width, channels: input.channels, numClasses: input.numClasses };
}

/** The images at `indices` as a new dataset (same normalisation). */
export function subsetDataset(ds: ImageDataset, indices: ArrayLike<number>, name = ds.name): ImageDataset {
  const per = ds.height * ds.width * ds.channels;
  const images = new Float32Array(indices.length * per);
  const labels = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const j = indices[i];
    images.set(ds.images.subarray(j * per, (j + 1) * per), i * per);
    labels[i] = ds.labels[j];
  }
  return { ...ds, name, images, labels, count: indices.length };
}

/**
 * The images of `parts` one after another as a new dataset (e.g. a training and a validation split trained on
 * together). The parts must agree in image shape and class count, and must share one normalisation (the
 * splits of one {@link loadMnistFamily} call do); the name is the parts' names joined by `+`.
 * @example
 * import { concatDatasets, loadMnistFamily } from '@fbnas/nn';
 * const { train, val } = loadMnistFamily('fashion-mnist', { limitPerClass: 10 });
 * const all = concatDatasets([train, val]); // 200 images
 */
export function concatDatasets(parts: readonly ImageDataset[]): ImageDataset {
  const api = 'fbnas.concatDatasets';
  if (parts.length === 0) throw new NnError('INVALID_ARGUMENT', api, 'parts must hold at least one dataset, got none');
  const [first] = parts;
  parts.forEach((p, i) => {
    for (const key of ['height', 'width', 'channels', 'numClasses'] as const) {
      if (p[key] !== first[key]) throw new NnError('SHAPE_MISMATCH', api, `parts[${i}] (${p.name}) has ${key} ${p[key]}, parts[0] (${first.name}) has ${first[key]}`);
    }
  });
  const per = first.height * first.width * first.channels;
  const count = parts.reduce((n, p) => n + p.count, 0);
  const images = new Float32Array(count * per);
  const labels = new Int32Array(count);
  let at = 0;
  for (const p of parts) {
    images.set(p.images.subarray(0, p.count * per), at * per);
    labels.set(p.labels.subarray(0, p.count), at);
    at += p.count;
  }
  return { ...first, name: parts.map((p) => p.name).join('+'), images, labels, count };
}
