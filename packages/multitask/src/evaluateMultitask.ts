import * as tf from '@tensorflow/tfjs';
import { makeBatch } from '@fbnas/nn';
import { MultitaskError } from './errors';
import type { MultitaskDataset } from './multitaskData';
import type { MultitaskSupernet } from './multitaskSupernet';

/**
 * A task's score: classification accuracy; segmentation pixel accuracy (argmax against the target's
 * majority class per cell); box mean intersection-over-union with the target box.
 */
export interface MultitaskScore {
  metric: 'accuracy' | 'pixelAccuracy' | 'meanIoU';
  value: number;
}

function boxIoU(a: ArrayLike<number>, ai: number, b: ArrayLike<number>, bi: number): number {
  const ix = Math.max(0, Math.min(a[ai + 2], b[bi + 2]) - Math.max(a[ai], b[bi]));
  const iy = Math.max(0, Math.min(a[ai + 3], b[bi + 3]) - Math.max(a[ai + 1], b[bi + 1]));
  const area = (v: ArrayLike<number>, i: number) => Math.max(0, v[i + 2] - v[i]) * Math.max(0, v[i + 3] - v[i + 1]);
  const inter = ix * iy;
  const union = area(a, ai) + area(b, bi) - inter;
  return union > 0 ? inter / union : 0;
}

/**
 * Score every task on `data` with the supernet's shared weights, each task through its own architecture
 * (`keep` by task name): inference mode, one pass per task and batch.
 */
export async function evaluateMultitask(net: MultitaskSupernet, data: MultitaskDataset, keep: Readonly<Record<string, readonly boolean[]>>, batchSize = 256): Promise<Record<string, MultitaskScore>> {
  const api = 'fbnas.evaluateMultitask';
  const count = data.images.count;
  const scores: Record<string, MultitaskScore> = {};
  for (const h of net.heads) {
    const k = keep[h.name];
    if (!k) throw new MultitaskError('UNKNOWN_NAME', api, `keep has no architecture for task ${h.name}`);
    const target = data.targets[h.name];
    let sum = 0;
    let n = 0;
    for (let start = 0; start < count; start += batchSize) {
      const indices = Int32Array.from({ length: Math.min(batchSize, count - start) }, (_, i) => start + i);
      const batch = makeBatch(data.images, indices);
      const out = net.forward(batch.x, k, false);
      const values = (await out[h.name].data()) as Float32Array;
      tf.dispose([batch.x, ...Object.values(out)]);
      if (h.kind === 'box') {
        indices.forEach((j, i) => {
          sum += boxIoU(values, i * 4, target, j * 4);
          n++;
        });
        continue;
      }
      const cells = h.kind === 'classification' ? 1 : values.length / indices.length / h.classes;
      indices.forEach((j, i) => {
        for (let c = 0; c < cells; c++) {
          const o = (i * cells + c) * h.classes;
          let best = 0;
          for (let q = 1; q < h.classes; q++) if (values[o + q] > values[o + best]) best = q;
          let want: number;
          if (h.kind === 'classification') want = target[j];
          else {
            const t = (j * cells + c) * h.classes;
            want = 0;
            for (let q = 1; q < h.classes; q++) if (target[t + q] > target[t + want]) want = q;
          }
          sum += best === want ? 1 : 0;
          n++;
        }
      });
    }
    scores[h.name] = { metric: h.kind === 'classification' ? 'accuracy' : h.kind === 'segmentation' ? 'pixelAccuracy' : 'meanIoU', value: n > 0 ? sum / n : 0 };
  }
  return scores;
}
