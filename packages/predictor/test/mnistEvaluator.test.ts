import { fbnet28Space, jointSpace, recipeSpace, type Genome, type TrainingRecipe } from '@fbnas/search-space';
import { initBackend, loadMnistFamily } from '@fbnas/nn';
import { mnistEvaluator, recipeSettings } from '../src';

beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
});

const arch = fbnet28Space();
const recipe: TrainingRecipe = { optimizer: 'adam', learningRate: 0.002, weightDecay: 1e-5, mixup: 0.2, dropout: 0.3, stochasticDepth: 0.1, ema: true, epochs: 2 };
const small = { limitPerClass: 20, train: { batchSize: 32, maxStepsPerEpoch: 3 } };

describe('mnistEvaluator with training recipes', () => {
  it('maps every recipe gene to a trainModel or buildModel setting', () => {
    expect(recipeSettings(recipe)).toEqual({
      train: { optimizer: 'adam', learningRate: 0.002, weightDecay: 1e-5, mixup: 0.2, ema: 0.99 },
      build: { dropout: 0.3, stochasticDepth: 0.1 },
    });
    expect(recipeSettings({ ...recipe, ema: false }, 0.9).train.ema).toBe(0);
  });

  it('trains a joint genome with its own recipe and reports each epoch', async () => {
    const space = jointSpace(arch, recipeSpace({ epochs: [2] }));
    const genome: Genome = [...new Array(22).fill(8), 2, 0.002, 1e-5, 0, 0, 0, 0, 0]; // all-skip net, Adam
    const epochs: number[] = [];
    const acc = await mnistEvaluator(space, small)(genome, { epochs: 2, scheduleEpochs: 2, onEpoch: (_e, a) => epochs.push(a) });
    expect(epochs).toHaveLength(2);
    expect(acc).toBe(epochs[1]);
    expect(acc).toBeGreaterThanOrEqual(0);
    expect(acc).toBeLessThanOrEqual(1);
  }, 60_000);

  it('scores a recipe whose loss diverges at chance for every remaining epoch, and still fails loudly without recipes', async () => {
    // training images with a NaN pixel make the loss non-finite at the first step
    const { train, val } = loadMnistFamily('fashion-mnist', { seed: 0, limitPerClass: 20 });
    const images = Float32Array.from(train.images);
    images[5] = Number.NaN;
    const data = { train: { ...train, images }, val };
    const space = jointSpace(arch, recipeSpace({ epochs: [3] }));
    const seen: Array<[number, number]> = [];
    const genome: Genome = [...new Array(22).fill(0), 0, 0.1, 1e-5, 0, 0, 0, 0, 0];
    const acc = await mnistEvaluator(space, { ...small, data })(genome, { epochs: 3, scheduleEpochs: 3, onEpoch: (e, a) => seen.push([e, a]) });
    expect(acc).toBe(0.1);
    expect(seen).toEqual([[1, 0.1], [2, 0.1], [3, 0.1]]);
    const plain = mnistEvaluator(arch, { ...small, data });
    await expect(plain(new Array(22).fill(0), { epochs: 1, scheduleEpochs: 1, onEpoch: () => undefined })).rejects.toThrow(/the loss became NaN/);
  }, 60_000);
});
