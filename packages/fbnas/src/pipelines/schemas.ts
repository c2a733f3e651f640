import type { ConfigSchema } from './configSchema';

type ObjectSchema = Extract<ConfigSchema, { type: 'object' }>;

const int = (min: number, description?: string): ConfigSchema => ({ type: 'integer', min, description });
const num = (min: number, description?: string, max?: number): ConfigSchema => ({ type: 'number', min, max, description });
const positive = (description?: string): ConfigSchema => ({ type: 'number', min: 0, exclusiveMin: true, description });

const augment: ObjectSchema = {
  type: 'object',
  description: 'Data augmentation of training batches.',
  properties: { randomCrop: int(0, 'Pad by this many pixels and crop back at a random offset.'), flip: { type: 'boolean', description: 'Mirror left-right with probability 1/2.' } },
};

const budgetMinutes = positive('Wall-clock budget of the run: the final training trains as many epochs as fit (train.epochs is the cap).');
const expectation: ConfigSchema = { type: 'enum', values: ['relaxed', 'policy'], description: 'COST under the Gumbel-softmax weights (relaxed) or under P_theta (policy).' };
const finalTrainSplit: ConfigSchema = { type: 'enum', values: ['train', 'train+val'], description: 'Images of the final training: the training split, or the training and validation splits together (no validation accuracy then).' };
const dataset: ConfigSchema = { type: 'enum', values: ['fashion-mnist', 'mnist'], description: 'Dataset (fixed split: the last 1,000 images per class are the test set).' };

/** Training settings (`trainModel` options without run control), shared by both pipelines. */
export const TRAIN_SETTINGS_SCHEMA: ObjectSchema = {
  type: 'object',
  description: 'Training of the chosen architecture from scratch (trainModel options).',
  properties: {
    epochs: int(1),
    batchSize: int(1),
    optimizer: { type: 'enum', values: ['sgd', 'adam', 'rmsprop'] },
    optimizerOptions: { type: 'object', properties: { momentum: num(0, undefined, 1), beta1: num(0, undefined, 1), beta2: num(0, undefined, 1), rho: num(0, undefined, 1), epsilon: positive() } },
    learningRate: positive('Peak learning rate.'),
    minLearningRate: num(0, 'Final learning rate of the cosine schedule.'),
    warmupEpochs: num(0),
    weightDecay: num(0),
    labelSmoothing: num(0, undefined, 1),
    mixup: num(0, 'Mixup alpha; 0 disables.'),
    ema: num(0, 'EMA decay of the weights; 0 disables.', 1),
    augment,
    evalBatchSize: int(1),
    maxStepsPerEpoch: int(1, 'Cap on steps per epoch (quick runs).'),
    stopAfterEpochs: int(1),
    workers: int(1, 'Data-parallel worker threads (one core each) [1].'),
    timeBudgetSeconds: positive('Wall-clock budget of the training: as many epochs as fit (epochs is the cap).'),
  },
};

/** The file part of `SearchFbnetConfig` (everything but outDir, resume and callbacks). */
export const SEARCH_FBNET_CONFIG_SCHEMA: ObjectSchema = {
  type: 'object',
  description: 'fbnas search fbnet: configuration file (JSON or YAML). Every field is optional; flags override it.',
  properties: {
    dataset,
    seed: int(0),
    limitPerClass: int(1, 'Keep at most this many images per class in every split.'),
    budgetMinutes,
    cost: { type: 'enum', values: ['latency', 'macs', 'params'], description: 'Cost in the loss.' },
    lut: {
      type: 'object',
      properties: { path: { type: 'string', description: 'An existing LUT file (else one is measured).' }, threads: int(1), rounds: int(1, 'Measure in this many interleaved passes over all blocks (steadier on a drifting machine).'), statistic: { type: 'enum', values: ['median', 'p10'] } },
    },
    search: {
      type: 'object',
      description: 'searchDnas options.',
      properties: {
        mode: { type: 'enum', values: ['hard', 'soft'] },
        epochs: int(1),
        warmupEpochs: int(0),
        weightShare: { type: 'number', min: 0, exclusiveMin: true, max: 1 },
        weightSampling: { type: 'enum', values: ['theta', 'uniform'], description: 'Hard mode: the path of a weight step, drawn from theta (FBNet) or uniformly.' },
        batchSize: int(1),
        maxStepsPerEpoch: int(1),
        weightLearningRate: positive(),
        weightDecay: num(0),
        thetaLearningRate: positive(),
        thetaWeightDecay: num(0),
        temperature: { type: 'object', properties: { tau0: positive(), decay: num(0), min: positive() } },
        costLoss: {
          type: 'tagged',
          tag: 'kind',
          variants: {
            fbnet: { type: 'object', properties: { kind: { type: 'string' }, alpha: positive(), beta: num(0), scale: { type: 'anyOf', options: [{ type: 'enum', values: ['auto'] }, positive()] }, expectation } },
            target: {
              type: 'object',
              required: ['target'],
              properties: {
                kind: { type: 'string' },
                target: positive(),
                weight: num(0),
                twoSided: { type: 'boolean' },
                expectation,
                relativeTo: { type: 'enum', values: ['absolute', 'uniform'], description: 'target in the cost unit (absolute) or as a fraction of the uniform distribution\'s expected cost (uniform).' },
              },
            },
          },
        },
        augment,
      },
    },
    samples: int(0, 'Architectures drawn from P_theta besides the argmax.'),
    deploy: { type: 'enum', values: ['argmax', 'sample'], description: 'The derived architecture that is trained, exported and measured.' },
    model: {
      type: 'object',
      description: 'Build options of the trained network (buildModel).',
      properties: {
        dropout: { type: 'number', min: 0, max: 1, exclusiveMax: true, description: 'Dropout before the classifier [0.1].' },
        zeroInitResidualGamma: { type: 'boolean', description: 'Start the last BatchNorm scale of every residual block at 0 [false].' },
      },
    },
    train: TRAIN_SETTINGS_SCHEMA,
    finalTrainSplit,
  },
};

/** The file part of `SearchFbnetV3Config` (everything but outDir, resume and callbacks). */
export const SEARCH_FBNETV3_CONFIG_SCHEMA: ObjectSchema = {
  type: 'object',
  description: 'fbnas search fbnetv3: configuration file (JSON or YAML). Every field is optional; flags override it.',
  properties: {
    dataset,
    seed: int(0),
    limitPerClass: int(1, 'Keep at most this many images per class in every split of the final training and test.'),
    budgetMinutes,
    constraints: { type: 'array', items: positive(), minItems: 1, description: 'Largest multiply-adds (millions) of each family member.' },
    deploy: int(0, 'Index in constraints of the member trained, exported and measured (default: the last).'),
    recipe: {
      type: 'object',
      description: 'The training-recipe space (recipeSpace options).',
      properties: {
        optimizers: { type: 'array', items: { type: 'enum', values: ['sgd', 'rmsprop', 'adam'] }, minItems: 1 },
        learningRate: { type: 'array', items: positive(), minItems: 2, maxItems: 2, description: '[min, max] of the learning-rate gene (log-uniform).' },
        learningRateScale: { type: 'object', properties: { sgd: positive(), rmsprop: positive(), adam: positive() } },
      },
    },
    cio: {
      type: 'object',
      description: 'Constrained iterative optimization (FBNetV3 stage 1).',
      properties: {
        poolSize: int(1),
        fullEpochs: int(1),
        iterations: int(1),
        firstBatch: int(3),
        batchSize: int(1),
        correlationThreshold: { type: 'number', min: -1, exclusiveMin: true, max: 1 },
        exploration: num(0, undefined, 1),
        limitPerClass: int(1, 'Images per class a candidate trains on.'),
        trainBatchSize: int(1),
        maxStepsPerEpoch: int(1),
        fitEpochs: int(1),
        fineTuneEpochs: int(0),
      },
    },
    evolution: {
      type: 'object',
      description: 'Predictor-driven adaptive genetic search, one run per constraint (FBNetV3 stage 2).',
      properties: { populationSize: int(2), maxGenerations: int(1), epsilon: num(0), patience: int(1) },
    },
    train: TRAIN_SETTINGS_SCHEMA,
    finalTrainSplit,
  },
};
