import * as tf from '@tensorflow/tfjs';
import { archStats, createRng, parseArch, type Arch, type Rng } from '@fbnas/search-space';
import { NnError } from '../errors';
import { blockLayer } from './blockLayer';
import { dropout } from './dropPath';
import type { ForwardContext, LayerFn } from './forwardContext';
import { WeightStore } from './weightStore';
import { BnUpdateQueue } from './bnUpdateQueue';

/** Options of {@link buildModel}. */
export interface BuildModelOptions {
  /** Seed of the weight initialisation (default 0). */
  seed?: number;
  /** Dropout before the classifier; overrides the fc block's `dropout` when given. */
  dropout?: number;
  /** Stochastic depth: the drop rate of the last residual block, scaled linearly from 0 (default 0). */
  stochasticDepth?: number;
  /** BatchNorm running-average momentum (default 0.9) and epsilon (default 1e-5). */
  bnMomentum?: number;
  bnEpsilon?: number;
  /** Zero-initialise the last BN scale of residual IR blocks (mobile-vision `zero_last_bn_gamma`). */
  zeroInitResidualGamma?: boolean;
}

/** Named weights as plain data (for ONNX export, checkpoints and transfer). */
export type NamedWeights = Record<string, { shape: number[]; data: Float32Array }>;

/** A built network: a forward function over seeded, named tfjs variables. */
export interface NnModel {
  readonly arch: Arch;
  /** The options it was built with (data-parallel workers rebuild replicas from them). */
  readonly buildOptions: BuildModelOptions;
  /** Forward pass; NHWC float input `[N, H, W, C]` -> logits `[N, classes]`. */
  forward(x: tf.Tensor4D, options?: { training?: boolean; rng?: Rng }): tf.Tensor2D;
  /** Variables trained by gradients. */
  trainableVariables(): tf.Variable[];
  /** Apply the BatchNorm running-statistic updates of the last training forward (after the step). */
  commitBnUpdates(): void;
  /** Drop pending BatchNorm updates (e.g. after a rejected step). */
  discardBnUpdates(): void;
  /** Stable weight names, in creation order. */
  weightNames(): string[];
  /** The variable behind a stable name. */
  weight(name: string): tf.Variable;
  /** Copy every weight out as plain data. */
  exportWeights(): Promise<NamedWeights>;
  /** Load weights by name; names and shapes must match exactly (typed errors name the weight). */
  loadWeights(weights: NamedWeights): void;
  dispose(): void;
}

/**
 * Build a tfjs model from an architecture of `@fbnas/search-space` (zoo included): conv, IR (BN, channel
 * shuffle, SE, hswish, residual), skip, ir_pool, pool and fc blocks, NHWC, seeded initialisation.
 * @example
 * import { buildModel } from '@fbnas/nn';
 * import { fbnet28Space } from '@fbnas/search-space';
 * const model = buildModel(fbnet28Space().toArch(new Array(22).fill(0)), { seed: 1 });
 */
export function buildModel(archInput: Arch, options: BuildModelOptions = {}): NnModel {
  const api = 'fbnas.buildModel';
  const arch = parseArch(archInput);
  for (const [key, value] of Object.entries({ dropout: options.dropout, stochasticDepth: options.stochasticDepth })) {
    if (value !== undefined && !(value >= 0 && value < 1)) throw new NnError('INVALID_ARGUMENT', api, `options.${key} must be in [0, 1), got ${String(value)}`);
  }
  const bnMomentum = options.bnMomentum ?? 0.9;
  const bnEpsilon = options.bnEpsilon ?? 1e-5;
  const store = new WeightStore(createRng(options.seed ?? 0));
  const stats = archStats(arch);
  const residualBlocks = arch.blocks.map((b, i) => b.op === 'ir' && b.stride === 1 && stats.layers[i].input.channels === b.channels);
  const totalResidual = residualBlocks.filter(Boolean).length;
  let residualSeen = 0;
  const layers: Array<{ kind: 'spatial'; fn: LayerFn } | { kind: 'flat'; fn: (x: tf.Tensor2D, ctx: ForwardContext) => tf.Tensor2D }> = [];
  let pooled = false;
  arch.blocks.forEach((block, i) => {
    const name = `blocks.${i}`;
    const inChannels = stats.layers[i].input.channels;
    switch (block.op) {
      case 'ir': {
        const rate = residualBlocks[i] && totalResidual > 0 ? ((options.stochasticDepth ?? 0) * ++residualSeen) / totalResidual : 0;
        layers.push({ kind: 'spatial', fn: blockLayer(store, name, block, inChannels, arch.rules, { dropPathRate: rate, zeroInitResidualGamma: options.zeroInitResidualGamma ?? false }) });
        break;
      }
      case 'conv':
      case 'skip':
      case 'ir_pool':
      case 'pool':
        layers.push({ kind: 'spatial', fn: blockLayer(store, name, block, inChannels, arch.rules) });
        break;
      case 'fc': {
        const w = store.uniform(`${name}.fc.weight`, [inChannels, block.channels], 1 / Math.sqrt(inChannels));
        const b = block.bias ? store.constant(`${name}.fc.bias`, [block.channels], 0, true) : null;
        const rate = options.dropout ?? block.dropout;
        pooled = true;
        layers.push({
          kind: 'flat',
          fn: (x: tf.Tensor2D, ctx: ForwardContext): tf.Tensor2D => {
            const y = tf.matMul(dropout(x, rate, ctx), w as tf.Tensor2D) as tf.Tensor2D;
            return b ? (tf.add(y, b) as tf.Tensor2D) : y;
          },
        });
        break;
      }
    }
  });
  if (!pooled) throw new NnError('UNSUPPORTED', api, 'the architecture must end with an fc classifier');
  const bnQueue = new BnUpdateQueue();
  const model: NnModel = {
    arch,
    buildOptions: { ...options },
    forward(x, fwd = {}) {
      const [, h, w, c] = x.shape;
      if (h !== arch.inputSize || w !== arch.inputSize || c !== arch.inputChannels) {
        throw new NnError('SHAPE_MISMATCH', 'fbnas.NnModel.forward', `input must be [N, ${arch.inputSize}, ${arch.inputSize}, ${arch.inputChannels}], got [${x.shape.join(', ')}]`);
      }
      const ctx: ForwardContext = { training: fwd.training ?? false, rng: fwd.rng ?? null, bnUpdates: [], bnMomentum, bnEpsilon };
      // Each layer in its own tidy: intermediates die with their layer (peak memory is the largest layer,
      // not the sum), while the gradient tape keeps the tensors it saved.
      let y: tf.Tensor = x;
      for (const layer of layers) {
        const input = y;
        y = tf.tidy(() => (layer.kind === 'spatial' ? layer.fn(input as tf.Tensor4D, ctx) : layer.fn(input.rank === 4 ? tf.reshape(input, [input.shape[0], -1]) : (input as tf.Tensor2D), ctx)));
        if (input !== x && input !== y) input.dispose();
      }
      if (ctx.training) bnQueue.hold(ctx.bnUpdates);
      return y as tf.Tensor2D;
    },
    trainableVariables: () => store.trainable(),
    commitBnUpdates: () => bnQueue.commit(),
    discardBnUpdates: () => bnQueue.discard(),
    weightNames: () => store.names(),
    weight: (name) => store.get(name),
    exportWeights: () => store.exportAll(),
    loadWeights: (weights) => store.loadAll(weights, 'fbnas.NnModel.loadWeights'),
    dispose() {
      model.discardBnUpdates();
      store.dispose();
    },
  };
  return model;
}
