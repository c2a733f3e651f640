// Train a small MBConv network on Fashion-MNIST with @fbnas/nn and report its test accuracy.
//   node tools/examples/train-fashion-mnist.mjs [--epochs 4] [--batch 128] [--seed 0] [--workers 1] [--checkpoint run.ckpt]
// --workers 2 trains data-parallel on two worker threads (one core each).
// The test set is the fixed last 1,000 images per class (10,000); 5,000 training images are held out as
// validation. Prints one JSON line at the end.
import { MBCONV_FMNIST_ARCH } from './mbconvFmnistArch.mjs';
import { parseArch, archStats } from '@fbnas/search-space';
import { buildModel, evaluateModel, initBackend, loadMnistFamily, trainModel } from '@fbnas/nn';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const epochs = Number(arg('epochs', 4));
const batchSize = Number(arg('batch', 128));
const seed = Number(arg('seed', 0));
const workers = Number(arg('workers', 1));
const checkpointPath = arg('checkpoint', undefined);

const t0 = Date.now();
const backend = await initBackend();
console.log(`backend: ${backend.name}`);
const { train, val, test } = loadMnistFamily('fashion-mnist', { seed });
const arch = parseArch(MBCONV_FMNIST_ARCH);
const stats = archStats(arch);
console.log(`${arch.name}: ${(stats.macs / 1e6).toFixed(2)} M multiply-adds, ${stats.params} params`);
const model = buildModel(arch, { seed, dropout: 0.1 });
const result = await trainModel(model, train, {
  epochs, batchSize, seed, val, checkpointPath, workers, resume: checkpointPath !== undefined,
  optimizer: 'sgd', learningRate: 0.1, warmupEpochs: 0.3, weightDecay: 5e-5, labelSmoothing: 0.1,
  augment: { randomCrop: 2, flip: true },
  onProgress: (e) => {
    if (e.type === 'step' && e.step % 100 === 0) console.log(`epoch ${e.epoch} step ${e.step}/${e.stepsPerEpoch} loss ${e.loss.toFixed(3)} lr ${e.learningRate.toFixed(4)} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
    if (e.type === 'epoch') console.log(`epoch ${e.record.epoch}: train loss ${e.record.trainLoss.toFixed(4)}, val accuracy ${(100 * e.record.valAccuracy).toFixed(2)}% (${e.record.seconds.toFixed(0)} s)`);
  },
});
const testResult = await evaluateModel(model, test);
const seconds = (Date.now() - t0) / 1000;
console.log(`test accuracy ${(100 * testResult.accuracy).toFixed(2)}% after ${epochs} epochs, ${seconds.toFixed(0)} s wall`);
console.log(JSON.stringify({ example: 'train-fashion-mnist', backend: backend.name, epochs, batchSize, workers, testAccuracy: testResult.accuracy, valAccuracy: result.history.at(-1).valAccuracy, seconds: Math.round(seconds) }));
