import * as tf from '@tensorflow/tfjs';
import type { Rng } from '@fbnas/search-space';
import { NnError } from '../errors';
import type { ImageDataset } from './dataset';

/** Augmentation applied per image when batching. */
export interface AugmentOptions {
  /** Pad by this many pixels (zeros in normalised space... i.e. the mean) and crop back at a random offset. */
  randomCrop?: number;
  /** Mirror left-right with probability 1/2. */
  flip?: boolean;
}

/** One batch: NHWC images and integer labels. */
export interface Batch {
  x: tf.Tensor4D;
  labels: Int32Array;
  indices: Int32Array;
}

/** The order of one epoch: shuffled with `rng`, or sequential without. */
export function epochOrder(count: number, rng: Rng | null): Int32Array {
  const order = Int32Array.from({ length: count }, (_, i) => i);
  if (rng) {
    for (let i = count - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      const t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
  }
  return order;
}

/**
 * The batch of `indices` as a tensor, augmented with `rng` when `augment` is given. Pixels shifted in by a
 * crop are 0 (the mean after standardisation).
 */
export function makeBatch(ds: ImageDataset, indices: ArrayLike<number>, augment: AugmentOptions | null = null, rng: Rng | null = null): Batch {
  const { height: h, width: w, channels: c } = ds;
  const per = h * w * c;
  const n = indices.length;
  const out = new Float32Array(n * per);
  const labels = new Int32Array(n);
  const pad = augment?.randomCrop ?? 0;
  if (pad < 0 || !Number.isInteger(pad)) throw new NnError('INVALID_ARGUMENT', 'fbnas.makeBatch', `augment.randomCrop must be a non-negative integer, got ${pad}`);
  for (let b = 0; b < n; b++) {
    const j = indices[b];
    labels[b] = ds.labels[j];
    const src = j * per;
    const dst = b * per;
    const dy = pad > 0 && rng ? rng.int(2 * pad + 1) - pad : 0;
    const dx = pad > 0 && rng ? rng.int(2 * pad + 1) - pad : 0;
    const flip = augment?.flip === true && rng !== null && rng.next() < 0.5;
    if (dy === 0 && dx === 0 && !flip) {
      out.set(ds.images.subarray(src, src + per), dst);
      continue;
    }
    for (let y = 0; y < h; y++) {
      const sy = y + dy;
      if (sy < 0 || sy >= h) continue;
      for (let x = 0; x < w; x++) {
        const sx = (flip ? w - 1 - x : x) + dx;
        if (sx < 0 || sx >= w) continue;
        for (let k = 0; k < c; k++) out[dst + (y * w + x) * c + k] = ds.images[src + (sy * w + sx) * c + k];
      }
    }
  }
  return { x: tf.tensor4d(out, [n, h, w, c]), labels, indices: Int32Array.from(indices) };
}
