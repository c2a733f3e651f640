import * as tf from '@tensorflow/tfjs';
import type { ImageDataset } from '../data/dataset';
import { makeBatch } from '../data/batches';
import type { NnModel } from '../model/buildModel';

/** Accuracy and mean cross-entropy of a model on a dataset, in inference mode (BN running statistics). */
export async function evaluateModel(model: NnModel, ds: ImageDataset, options: { batchSize?: number } = {}): Promise<{ accuracy: number; loss: number }> {
  const batchSize = options.batchSize ?? 256;
  let correct = 0;
  let lossSum = 0;
  for (let start = 0; start < ds.count; start += batchSize) {
    const idx = Int32Array.from({ length: Math.min(batchSize, ds.count - start) }, (_, i) => start + i);
    const batch = makeBatch(ds, idx);
    const [pred, loss] = tf.tidy(() => {
      const logits = model.forward(batch.x);
      const labels = tf.tensor1d(batch.labels, 'int32');
      const ce = tf.sum(tf.neg(tf.sum(tf.mul(tf.oneHot(labels, ds.numClasses), tf.logSoftmax(logits)), 1)));
      return [tf.argMax(logits, 1), ce];
    });
    const p = await pred.data();
    lossSum += (await loss.data())[0];
    for (let i = 0; i < p.length; i++) if (p[i] === batch.labels[i]) correct++;
    tf.dispose([pred, loss, batch.x]);
  }
  return { accuracy: correct / ds.count, loss: lossSum / ds.count };
}
