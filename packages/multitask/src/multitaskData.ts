import type { ImageDataset } from '@fbnas/nn';
import { MultitaskError } from './errors';
import type { KeepSkipSpace } from './keepSkipSpace';
import type { TaskHead } from './multitaskSupernet';

/**
 * A teacher: pseudo-labels for one image. `pixels` are the image's raw values in [0, 1] (height x width x
 * channels). FBNetV5 uses pretrained detectors and segmenters; any function of the image fits here.
 */
export type Teacher = (pixels: Float32Array, height: number, width: number, channels: number) => Float32Array;

/**
 * A segmentation teacher: foreground where the channel mean exceeds `threshold`. Returns a height x width
 * mask of 0 / 1. On Fashion-MNIST (a garment on black) it segments the garment.
 */
export function thresholdTeacher(threshold = 0.1): Teacher {
  if (!(Number.isFinite(threshold) && threshold >= 0 && threshold < 1)) throw new MultitaskError('INVALID_ARGUMENT', 'fbnas.thresholdTeacher', `threshold must be in [0, 1), got ${String(threshold)}`);
  return (pixels, height, width, channels) => {
    const mask = new Float32Array(height * width);
    for (let p = 0; p < height * width; p++) {
      let s = 0;
      for (let c = 0; c < channels; c++) s += pixels[p * channels + c];
      mask[p] = s / channels > threshold ? 1 : 0;
    }
    return mask;
  };
}

/**
 * A box teacher from a segmentation teacher: the tight box (x0, y0, x1, y1) around the foreground, as
 * fractions of the width and height (x1, y1 exclusive); the whole image when nothing is foreground.
 */
export function boxTeacher(segmenter: Teacher = thresholdTeacher()): Teacher {
  return (pixels, height, width, channels) => {
    const mask = segmenter(pixels, height, width, channels);
    let x0 = width;
    let y0 = height;
    let x1 = -1;
    let y1 = -1;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        if (mask[y * width + x] > 0.5) {
          x0 = Math.min(x0, x);
          y0 = Math.min(y0, y);
          x1 = Math.max(x1, x);
          y1 = Math.max(y1, y);
        }
      }
    }
    if (x1 < 0) return Float32Array.of(0, 0, 1, 1);
    return Float32Array.of(x0 / width, y0 / height, (x1 + 1) / width, (y1 + 1) / height);
  };
}

/** One image set with every task's targets: the single multitask dataset FBNetV5 trains its supernet on. */
export interface MultitaskDataset {
  /** The images (normalised, NHWC) and their class labels. */
  readonly images: ImageDataset;
  /**
   * Targets by task: class labels (`Int32Array`, count), per-pixel soft class targets at the head's
   * resolution (`Float32Array`, count x h x w x classes) or boxes (`Float32Array`, count x 4).
   */
  readonly targets: Readonly<Record<string, Int32Array | Float32Array>>;
}

/** How {@link buildMultitaskDataset} labels each task; classification tasks use the images' own labels. */
export interface MultitaskLabelling {
  /** Teachers by task name, for segmentation and box tasks. */
  teachers: Readonly<Record<string, Teacher>>;
  /** The images' normalisation, to recover raw pixels in [0, 1] for the teachers: raw = x * std + mean. */
  mean: number;
  std: number;
}

/**
 * Label an image set once for every task (pseudo-labels from teachers for dense tasks; a segmentation
 * teacher's 0/1 mask is average-pooled to the head's resolution, class 1 = foreground).
 */
export function buildMultitaskDataset(images: ImageDataset, space: KeepSkipSpace, heads: readonly TaskHead[], labelling: MultitaskLabelling): MultitaskDataset {
  const api = 'fbnas.buildMultitaskDataset';
  const { count, height, width, channels } = images;
  const per = height * width * channels;
  const raw = new Float32Array(per);
  const last = space.backbone.blocks.length - 1;
  const targets: Record<string, Int32Array | Float32Array> = {};
  for (const h of heads) {
    if (h.kind === 'classification') {
      if (h.classes !== images.numClasses) throw new MultitaskError('INVALID_ARGUMENT', api, `task ${h.name} has ${h.classes} classes, the images ${images.numClasses}`);
      targets[h.name] = images.labels;
      continue;
    }
    if (h.kind === 'segmentation' && h.classes !== 2) throw new MultitaskError('INVALID_ARGUMENT', api, `task ${h.name}: teacher masks give 2 classes (background, foreground), the head has ${h.classes}`);
    const teacher = labelling.teachers[h.name];
    if (typeof teacher !== 'function') throw new MultitaskError('UNKNOWN_NAME', api, `no teacher for task ${h.name} (teachers: ${Object.keys(labelling.teachers).join(', ') || 'none'})`);
    const shape = space.shapes[h.tap ?? last];
    const size = h.kind === 'box' ? 4 : shape.height * shape.width * h.classes;
    const out = new Float32Array(count * size);
    for (let i = 0; i < count; i++) {
      for (let k = 0; k < per; k++) raw[k] = images.images[i * per + k] * labelling.std + labelling.mean;
      const label = teacher(raw, height, width, channels);
      if (h.kind === 'box') {
        if (label.length !== 4 || label.some((v) => !Number.isFinite(v))) throw new MultitaskError('SHAPE_MISMATCH', api, `the teacher of ${h.name} must return 4 finite values, got ${label.length}`);
        out.set(label, i * 4);
        continue;
      }
      if (label.length !== height * width || label.some((v) => !(v >= 0 && v <= 1))) throw new MultitaskError('SHAPE_MISMATCH', api, `the teacher of ${h.name} must return ${height * width} values in [0, 1], got ${label.length}`);
      // average-pool the mask to the head's grid; 2 classes: background, foreground
      const fy = height / shape.height;
      const fx = width / shape.width;
      for (let gy = 0; gy < shape.height; gy++) {
        for (let gx = 0; gx < shape.width; gx++) {
          let s = 0;
          let n = 0;
          for (let y = Math.floor(gy * fy); y < Math.floor((gy + 1) * fy); y++) {
            for (let x = Math.floor(gx * fx); x < Math.floor((gx + 1) * fx); x++) {
              s += label[y * width + x];
              n++;
            }
          }
          const fg = n > 0 ? s / n : 0;
          const o = i * size + (gy * shape.width + gx) * h.classes;
          out[o] = 1 - fg;
          out[o + 1] = fg;
        }
      }
    }
    targets[h.name] = out;
  }
  return { images, targets };
}
