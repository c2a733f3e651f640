import * as tf from '@tensorflow/tfjs';
import { createRng, type Arch } from '@fbnas/search-space';
import { buildModel, type NnModel } from '@fbnas/nn';

/**
 * A random model brought to the scale of a trained one, so that a 1e-4 absolute tolerance is meaningful:
 * BatchNorm statistics from a batch of 16 (momentum 0; a couple of images would leave near-zero variances
 * that amplify float32 noise a thousandfold), and the classifier rescaled so logits have unit std. The
 * export is then compared with exactly this model.
 */
export async function calibratedModel(arch: Arch, seed: number): Promise<NnModel> {
  const model = buildModel(arch, { seed, bnMomentum: 0 });
  const rng = createRng(seed + 1);
  const n = 16;
  const size = n * arch.inputSize * arch.inputSize * arch.inputChannels;
  const x = tf.tensor4d(Float32Array.from({ length: size }, () => rng.normal()), [n, arch.inputSize, arch.inputSize, arch.inputChannels]);
  tf.tidy(() => model.forward(x, { training: true }));
  model.commitBnUpdates();
  const std = tf.tidy(() => tf.moments(model.forward(x)).variance.sqrt().dataSync()[0]);
  const fc = model.weightNames().filter((n2) => n2.endsWith('.fc.weight') || n2.endsWith('.fc.bias'));
  for (const name of fc) tf.tidy(() => model.weight(name).assign(tf.div(model.weight(name), std)));
  x.dispose();
  return model;
}

