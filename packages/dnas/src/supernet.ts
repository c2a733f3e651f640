import * as tf from '@tensorflow/tfjs';
import { blockCost, createRng, type Block, type LayerwiseSpace, type TensorShape } from '@fbnas/search-space';
import { blockLayer, BnUpdateQueue, checkpointLayer, mixLayers, WeightStore, type ForwardContext, type LayerFn, type NamedWeights } from '@fbnas/nn';
import { DnasError } from './errors';
import { gumbelSoftmax, gumbelSoftmaxValues } from './gumbelSoftmax';
import { sharedCandidateLayers } from './superkernel';

/**
 * How a searchable layer combines its candidates.
 * - `soft` (FBNet): every candidate runs and the outputs are mixed by m = softmax((θ + g) / τ).
 * - `hard`: straight-through Gumbel; only the sampled candidate i = argmax(θ + g) runs, its output is
 *   scaled by 1 + m_i - stop_gradient(m_i) (value 1, gradient as if mixed), so a step costs one network.
 *   Candidates that did not run get no gradient from the loss in that step (a biased but cheap estimator).
 */
export type SupernetMode = 'soft' | 'hard';

/** Options of {@link createSupernet}; defaults in brackets. */
export interface SupernetOptions {
  /** ['hard'] */
  mode?: SupernetMode;
  /** Seed of the weight initialisation [0]. */
  seed?: number;
  /** Soft mode: recompute each candidate in the backward pass instead of keeping its activations [true]. */
  checkpoint?: boolean;
  /** BatchNorm momentum [0.9] and epsilon [1e-5]. */
  bnMomentum?: number;
  bnEpsilon?: number;
  /** Zero-initialise the last BN scale of residual candidates, so each starts as the identity [true]. */
  zeroInitResidualGamma?: boolean;
  /**
   * `superkernel` [default]: the IR candidates of a layer share one set of conv weights (see
   * `sharedCandidateLayers`); `none`: every candidate has its own weights (FBNet's supernet). Measured on
   * Fashion-MNIST in hard mode: with independent weights the supernet's loss stayed at chance (2.3) for 300
   * steps, because each sampled path combines candidates whose features were never trained together; with
   * shared weights the paths agree and the loss falls like a single network's.
   */
  weightSharing?: 'superkernel' | 'none';
}

/** One forward pass of the supernet. */
export interface SupernetForwardOptions {
  training: boolean;
  /** Gumbel-softmax temperature. */
  tau: number;
  /** Gumbel noise `[layers x candidates]` row-major; null uses θ alone (deterministic relaxation). */
  gumbel: Float32Array | null;
  /** Overrides the supernet's mode for this pass. */
  mode?: SupernetMode;
  /**
   * Hard mode: pick each layer's candidate uniformly (argmax of the Gumbel noise alone, θ ignored) and run it
   * with weight 1, for weight steps that train every candidate equally (SPOS / FairNAS style).
   */
  uniform?: boolean;
}

/** The result of {@link Supernet.forward}. */
export interface SupernetOutput {
  logits: tf.Tensor2D;
  /** The relaxed choice m `[layers, candidates]` (differentiable in θ). */
  probs: tf.Tensor2D;
  /** Hard mode: the candidate that ran at each layer; soft mode: null. */
  sampled: number[] | null;
}

/** A weight-sharing FBNet supernet over a layer-wise space, with architecture logits θ `[layers, candidates]`. */
export interface Supernet {
  readonly space: LayerwiseSpace;
  readonly mode: SupernetMode;
  /** Architecture logits, trainable, initialised to zeros (uniform). */
  readonly theta: tf.Variable;
  forward(x: tf.Tensor4D, options: SupernetForwardOptions): SupernetOutput;
  /** Variables trained by the weight step (θ excluded). */
  weightVariables(): tf.Variable[];
  /** Apply (or drop) the BatchNorm running-statistic updates of the last training forward. */
  commitBnUpdates(): void;
  discardBnUpdates(): void;
  /** θ as nested arrays. */
  thetaValues(): number[][];
  /** Every supernet weight (θ excluded) as named data, BN statistics included. */
  exportWeights(): Promise<NamedWeights>;
  /** Load weights by name; names and shapes must match exactly (an `NnError` names the weight). */
  loadWeights(weights: NamedWeights): void;
  dispose(): void;
}

function spatialChain(store: WeightStore, prefix: string, blocks: readonly Block[], input: TensorShape, space: LayerwiseSpace) {
  const fns: LayerFn[] = [];
  let shape = input;
  let fc: { block: Extract<Block, { op: 'fc' }>; inChannels: number } | null = null;
  blocks.forEach((block, i) => {
    if (block.op === 'fc') {
      fc = { block, inChannels: shape.channels };
      return;
    }
    fns.push(blockLayer(store, `${prefix}.${i}`, block, shape.channels, space.config.rules));
    shape = blockCost(block, shape, space.config.rules).output;
  });
  return { fns, fc: fc as { block: Extract<Block, { op: 'fc' }>; inChannels: number } | null };
}

/**
 * Build the supernet of a layer-wise space: the fixed stem (`stem.*`), every candidate of every searchable
 * layer (`layers.{l}.{c}.*`, plus the layer's shared superkernel `layers.{l}.shared.*`), the fixed head
 * (`head.*`) and θ.
 * @example
 * import { fbnet28Space } from '@fbnas/search-space';
 * import { createSupernet } from '@fbnas/dnas';
 * const net = createSupernet(fbnet28Space(), { mode: 'hard', seed: 1 });
 * net.dispose();
 */
export function createSupernet(space: LayerwiseSpace, options: SupernetOptions = {}): Supernet {
  const api = 'fbnas.createSupernet';
  const mode = options.mode ?? 'hard';
  if (mode !== 'soft' && mode !== 'hard') throw new DnasError('INVALID_ARGUMENT', api, `options.mode must be "soft" or "hard", got ${JSON.stringify(mode)}`);
  const store = new WeightStore(createRng(options.seed ?? 0));
  const input = { height: space.config.inputSize, width: space.config.inputSize, channels: space.config.inputChannels };
  const stem = spatialChain(store, 'stem', space.stem, input, space);
  const nCand = space.config.candidates.length;
  const checkpoint = options.checkpoint ?? true;
  const zeroGamma = options.zeroInitResidualGamma ?? true;
  const sharing = options.weightSharing ?? 'superkernel';
  if (sharing !== 'superkernel' && sharing !== 'none') throw new DnasError('INVALID_ARGUMENT', api, `options.weightSharing must be "superkernel" or "none", got ${JSON.stringify(sharing)}`);
  const constants: tf.Tensor[] = [];
  const candidates: LayerFn[][] = space.layers.map((l) => {
    const own = (c: number) => blockLayer(store, `layers.${l.index}.${c}`, space.candidateBlock(l.index, c), l.inChannels, space.config.rules, { zeroInitResidualGamma: zeroGamma });
    if (sharing === 'none') return space.config.candidates.map((_, c) => own(c));
    const shared = sharedCandidateLayers(store, space, l, zeroGamma, own);
    constants.push(...shared.constants);
    return shared.fns;
  });
  const softCandidates: LayerFn[][] = space.layers.map((l) =>
    candidates[l.index].map((fn, c) => {
      const vars = [...store.withPrefix(`layers.${l.index}.${c}.`), ...store.withPrefix(`layers.${l.index}.shared.`)];
      return vars.length > 0 && checkpoint ? checkpointLayer(fn, vars) : fn;
    }),
  );
  const head = spatialChain(store, 'head', space.head, space.headInput, space);
  if (!head.fc) throw new DnasError('INVALID_ARGUMENT', api, `space ${space.name} must end with an fc head block`);
  const fcIn = head.fc.inChannels;
  const fcW = store.uniform('head.fc.weight', [fcIn, head.fc.block.channels], 1 / Math.sqrt(fcIn));
  const fcB = head.fc.block.bias ? store.constant('head.fc.bias', [head.fc.block.channels], 0, true) : null;
  const theta = tf.variable(tf.zeros([space.layers.length, nCand]), true);
  const bnMomentum = options.bnMomentum ?? 0.9;
  const bnEpsilon = options.bnEpsilon ?? 1e-5;
  const bnQueue = new BnUpdateQueue();

  const net: Supernet = {
    space,
    mode,
    theta,
    forward(x, o) {
      const fapi = 'fbnas.Supernet.forward';
      if (x.rank !== 4 || x.shape[1] !== input.height || x.shape[2] !== input.width || x.shape[3] !== input.channels) {
        throw new DnasError('SHAPE_MISMATCH', fapi, `x must be [N, ${input.height}, ${input.width}, ${input.channels}], got [${x.shape.join(', ')}]`);
      }
      if (o.gumbel && o.gumbel.length !== space.layers.length * nCand) {
        throw new DnasError('SHAPE_MISMATCH', fapi, `gumbel must hold ${space.layers.length * nCand} values, got ${o.gumbel.length}`);
      }
      const passMode = o.mode ?? mode;
      const ctx: ForwardContext = { training: o.training, rng: null, bnUpdates: [], bnMomentum, bnEpsilon };
      const gumbel = o.gumbel ? tf.tensor2d(o.gumbel, [space.layers.length, nCand]) : null;
      const probs = gumbelSoftmax(theta as tf.Variable<tf.Rank.R2>, gumbel, o.tau);
      gumbel?.dispose();
      let sampled: number[] | null = null;
      let hostProbs: Float64Array | null = null;
      const uniform = passMode === 'hard' && o.uniform === true;
      if (passMode === 'hard') {
        const m = gumbelSoftmaxValues(uniform ? new Float32Array(space.layers.length * nCand) : theta.dataSync(), o.gumbel, o.tau, nCand);
        hostProbs = m;
        sampled = space.layers.map((l) => {
          let best = 0;
          for (let c = 1; c < nCand; c++) if (m[l.index * nCand + c] > m[l.index * nCand + best]) best = c;
          return best;
        });
      }
      // One tidy per layer: intermediates die with their layer while the tape keeps what it saved.
      const step = (y: tf.Tensor4D, f: (t: tf.Tensor4D) => tf.Tensor4D) => {
        const out = tf.tidy(() => f(y));
        if (y !== x && y !== out) y.dispose();
        return out;
      };
      let y: tf.Tensor4D = x;
      for (const fn of stem.fns) y = step(y, (t) => fn(t, ctx));
      for (const l of space.layers) {
        y = step(y, (t) => {
          const row = tf.reshape(tf.slice(probs, [l.index, 0], [1, nCand]), [nCand]) as tf.Tensor1D;
          if (sampled && hostProbs) {
            const c = sampled[l.index];
            if (uniform) return candidates[l.index][c](t, ctx);
            // straight-through: value 1, d/dm_c = 1
            const scale = tf.add(tf.slice(row, [c], [1]), 1 - hostProbs[l.index * nCand + c]);
            return tf.mul(candidates[l.index][c](t, ctx), scale) as tf.Tensor4D;
          }
          return mixLayers(softCandidates[l.index].map((fn) => fn(t, ctx)), row);
        });
      }
      for (const fn of head.fns) y = step(y, (t) => fn(t, ctx));
      const logits = tf.tidy(() => {
        const flat = tf.reshape(y, [y.shape[0], -1]) as tf.Tensor2D;
        const z = tf.matMul(flat, fcW as tf.Tensor2D) as tf.Tensor2D;
        return fcB ? (tf.add(z, fcB) as tf.Tensor2D) : z;
      });
      if (y !== x) y.dispose();
      if (o.training) bnQueue.hold(ctx.bnUpdates);
      else tf.dispose(ctx.bnUpdates.map((u) => u.batch));
      return { logits, probs, sampled };
    },
    weightVariables: () => store.trainable(),
    commitBnUpdates: () => bnQueue.commit(),
    discardBnUpdates: () => bnQueue.discard(),
    thetaValues() {
      const v = theta.dataSync();
      return space.layers.map((l) => Array.from(v.subarray(l.index * nCand, (l.index + 1) * nCand)));
    },
    exportWeights: () => store.exportAll(),
    loadWeights: (weights) => store.loadAll(weights, 'fbnas.Supernet.loadWeights'),
    dispose() {
      net.discardBnUpdates();
      store.dispose();
      theta.dispose();
      tf.dispose(constants);
    },
  };
  return net;
}
