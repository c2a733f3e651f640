import * as tf from '@tensorflow/tfjs';
import { createRng } from '@fbnas/search-space';
import { blockLayer, BnUpdateQueue, globalAvgPool, WeightStore, type ForwardContext, type LayerFn, type NamedWeights } from '@fbnas/nn';
import { MultitaskError } from './errors';
import type { KeepSkipSpace } from './keepSkipSpace';

/**
 * A task's head on the shared backbone; `tap` is the backbone block whose output it reads (default the last).
 * - `classification`: global average pool, then a linear layer to `classes` logits.
 * - `segmentation`: a 1x1 conv to `classes` logits per pixel, at the tapped block's resolution.
 * - `box`: global average pool, a linear layer and a sigmoid: one box (x0, y0, x1, y1), fractions of the image.
 */
export type TaskHead =
  | { name: string; kind: 'classification'; classes: number; tap?: number }
  | { name: string; kind: 'segmentation'; classes: number; tap?: number }
  | { name: string; kind: 'box'; tap?: number };

/** Options of {@link createMultitaskSupernet}; defaults in brackets. */
export interface MultitaskSupernetOptions {
  /** Seed of the weight initialisation [0]. */
  seed?: number;
  /** BatchNorm momentum [0.9] and epsilon [1e-5]. */
  bnMomentum?: number;
  bnEpsilon?: number;
}

/** The keep/skip supernet shared by every task, with one head per task. */
export interface MultitaskSupernet {
  readonly space: KeepSkipSpace;
  readonly heads: readonly TaskHead[];
  /**
   * One pass with the skippable blocks `keep` kept (the others are the identity): every head's output,
   * by task name (`[N, classes]`, `[N, h, w, classes]` or `[N, 4]`).
   */
  forward(x: tf.Tensor4D, keep: readonly boolean[], training: boolean): Record<string, tf.Tensor>;
  weightVariables(): tf.Variable[];
  commitBnUpdates(): void;
  discardBnUpdates(): void;
  exportWeights(): Promise<NamedWeights>;
  loadWeights(weights: NamedWeights): void;
  dispose(): void;
}

/**
 * Build the supernet: the backbone's blocks (`backbone.{i}.*`, residual ones starting as the identity) and
 * each task's head (`heads.{name}.*`).
 * @example
 * import { fbnet28Space } from '@fbnas/search-space';
 * import { createMultitaskSupernet, keepSkipSpace } from '@fbnas/multitask';
 * const space = keepSkipSpace(fbnet28Space().toArch(new Array(22).fill(0)));
 * const net = createMultitaskSupernet(space, [{ name: 'cls', kind: 'classification', classes: 10 }, { name: 'box', kind: 'box' }]);
 * net.dispose();
 */
export function createMultitaskSupernet(space: KeepSkipSpace, heads: readonly TaskHead[], options: MultitaskSupernetOptions = {}): MultitaskSupernet {
  const api = 'fbnas.createMultitaskSupernet';
  const arch = space.backbone;
  const last = arch.blocks.length - 1;
  if (heads.length === 0) throw new MultitaskError('INVALID_ARGUMENT', api, 'heads must name at least one task');
  const names = new Set<string>();
  heads.forEach((h, i) => {
    if (typeof h.name !== 'string' || !/^[A-Za-z0-9_-]+$/.test(h.name) || names.has(h.name)) {
      throw new MultitaskError('INVALID_ARGUMENT', api, `heads[${i}].name must be a distinct name of letters, digits, _ or -, got ${JSON.stringify(h.name)}`);
    }
    names.add(h.name);
    if (!['classification', 'segmentation', 'box'].includes(h.kind)) throw new MultitaskError('UNKNOWN_NAME', api, `heads[${i}].kind must be classification, segmentation or box, got ${JSON.stringify(h.kind)}`);
    if (h.kind !== 'box' && !(Number.isInteger(h.classes) && h.classes >= 2)) throw new MultitaskError('INVALID_ARGUMENT', api, `heads[${i}].classes must be an integer >= 2, got ${String(h.classes)}`);
    const tap = h.tap ?? last;
    if (!(Number.isInteger(tap) && tap >= 0 && tap <= last)) throw new MultitaskError('INVALID_ARGUMENT', api, `heads[${i}].tap must be a backbone block index in [0, ${last}], got ${String(h.tap)}`);
  });
  const store = new WeightStore(createRng(options.seed ?? 0));
  let inChannels = arch.inputChannels;
  const layers: LayerFn[] = arch.blocks.map((block, i) => {
    const fn = blockLayer(store, `backbone.${i}`, block, inChannels, arch.rules, { zeroInitResidualGamma: true });
    inChannels = space.shapes[i].channels;
    return fn;
  });
  const headFns = heads.map((h) => {
    const c = space.shapes[h.tap ?? last].channels;
    const out = h.kind === 'box' ? 4 : h.classes;
    const w = store.uniform(`heads.${h.name}.weight`, h.kind === 'segmentation' ? [1, 1, c, out] : [c, out], 1 / Math.sqrt(c));
    const b = store.constant(`heads.${h.name}.bias`, [out], 0, true);
    return (feature: tf.Tensor4D): tf.Tensor => {
      if (h.kind === 'segmentation') return tf.add(tf.conv2d(feature, w as tf.Tensor4D, 1, 'valid'), b);
      const pooled = tf.reshape(globalAvgPool(feature), [feature.shape[0], c]) as tf.Tensor2D;
      const z = tf.add(tf.matMul(pooled, w as tf.Tensor2D), b);
      return h.kind === 'box' ? tf.sigmoid(z) : z;
    };
  });
  const skipIndex = new Map(space.skippable.map((b, j) => [b, j]));
  const taps = new Set(heads.map((h) => h.tap ?? last));
  const bnQueue = new BnUpdateQueue();
  const bnMomentum = options.bnMomentum ?? 0.9;
  const bnEpsilon = options.bnEpsilon ?? 1e-5;
  const input = { size: arch.inputSize, channels: arch.inputChannels };

  const net: MultitaskSupernet = {
    space,
    heads,
    forward(x, keep, training) {
      const fapi = 'fbnas.MultitaskSupernet.forward';
      if (x.rank !== 4 || x.shape[1] !== input.size || x.shape[2] !== input.size || x.shape[3] !== input.channels) {
        throw new MultitaskError('SHAPE_MISMATCH', fapi, `x must be [N, ${input.size}, ${input.size}, ${input.channels}], got [${x.shape.join(', ')}]`);
      }
      if (keep.length !== space.skippable.length) throw new MultitaskError('SHAPE_MISMATCH', fapi, `keep must have ${space.skippable.length} flags, got ${keep.length}`);
      const ctx: ForwardContext = { training, rng: null, bnUpdates: [], bnMomentum, bnEpsilon };
      const features = new Map<number, tf.Tensor4D>();
      let y: tf.Tensor4D = x;
      layers.forEach((fn, i) => {
        const j = skipIndex.get(i);
        if (j === undefined || keep[j]) {
          const prev = y;
          y = tf.tidy(() => fn(prev, ctx));
          if (prev !== x && ![...features.values()].includes(prev)) prev.dispose();
        }
        if (taps.has(i)) features.set(i, y);
      });
      const out: Record<string, tf.Tensor> = {};
      heads.forEach((h, k) => {
        out[h.name] = tf.tidy(() => headFns[k](features.get(h.tap ?? last) as tf.Tensor4D));
      });
      const owned = new Set([...features.values(), y].filter((t) => t !== x));
      tf.dispose([...owned]);
      if (training) bnQueue.hold(ctx.bnUpdates);
      else tf.dispose(ctx.bnUpdates.map((u) => u.batch));
      return out;
    },
    weightVariables: () => store.trainable(),
    commitBnUpdates: () => bnQueue.commit(),
    discardBnUpdates: () => bnQueue.discard(),
    exportWeights: () => store.exportAll(),
    loadWeights: (weights) => store.loadAll(weights, 'fbnas.MultitaskSupernet.loadWeights'),
    dispose() {
      net.discardBnUpdates();
      store.dispose();
    },
  };
  return net;
}
