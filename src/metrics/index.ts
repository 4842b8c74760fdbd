/**
 * Metrics as monoids over batches.
 *
 * A `Metric<S>` has a state `S` of plain numbers (or small arrays of numbers): `empty` is the state of
 * no data, `update(s, yTrue, yPred, sampleWeight?)` folds one batch in, `concat(a, b)` merges two
 * states, `result(s)` reads the number to log. Keras's metrics and weighting rules, with the state
 * made explicit and immutable.
 *
 * Laws (laws/metrics.ts): `concat` is associative with `empty` as unit, and `update` is a monoid
 * homomorphism from batches: `update(empty, b₁ ++ b₂) = concat(update(empty, b₁), update(empty, b₂))`
 * (equal up to float rounding of the sums). Also `update(s, b) = concat(s, update(empty, b))`.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { type Tensor, dataF64, isTensor } from '../core/Tensor.js'
import { tfError, show, fail } from '../core/errors.js'
import type { MetricError } from './errors.js'
import { nearest } from '../core/nearest.js'
import { type NameTable, nameTable, METRIC_ALIASES } from '../core/names.js'
import * as L from '../losses/index.js'

import { type Metric, type AnyMetric, type MeanState, type MetricOptions, meanMetric, fromFunction, hostPair, lastDim, rows, argmaxRow, checkSameSize, elementwiseAccuracy } from './Metric.js'
import { precision, recall, auc } from './confusion.js'

export { type Metric, type AnyMetric, type MeanState, type ConfusionState, type AucState, named, fromFunction, type MeanMetric, mean, type MetricOptions } from './Metric.js'
export { type ConfusionOptions, type AucOptions, precision, recall, auc } from './confusion.js'


/**
 * Exact-match accuracy (Keras `Accuracy`): the mean of `yTrue == yPred` over the last axis.
 * @example accuracy().update(accuracy().empty, tensor([1, 2]), tensor([1, 3])) // {total: 1, count: 2}
 */
export const accuracy = (o: MetricOptions = {}): Metric<MeanState> => meanMetric(o.name ?? 'accuracy', elementwiseAccuracy('accuracy', (t, p) => t === p))

/**
 * Binary accuracy: the mean of `yTrue == (yPred > threshold)` over the last axis.
 * @example binaryAccuracy({ threshold: 0.5 })
 */
export const binaryAccuracy = (o: MetricOptions & { readonly threshold?: number } = {}): Metric<MeanState> => {
  const thr = o.threshold ?? 0.5
  return meanMetric(o.name ?? 'binary_accuracy', elementwiseAccuracy('binaryAccuracy', (t, p) => t === (p > thr ? 1 : 0)))
}

/**
 * Categorical accuracy: `argmax(yTrue) == argmax(yPred)` per sample (first index on ties).
 * @example categoricalAccuracy()
 */
export const categoricalAccuracy = (o: MetricOptions = {}): Metric<MeanState> =>
  meanMetric(o.name ?? 'categorical_accuracy', (yTrue, yPred) => {
    const h = hostPair(yTrue, yPred)
    checkSameSize('categoricalAccuracy', h)
    const k = lastDim(h.pShape)
    const r = rows(h.pShape, h.p.length)
    const out = new Float64Array(r)
    for (let i = 0; i < r; i++) out[i] = argmaxRow(h.t, i * k, k) === argmaxRow(h.p, i * k, k) ? 1 : 0
    return { values: out, batch: r }
  })

/** Class ids and prediction rows for the sparse metrics. */
const sparseRows = (op: string, yTrue: Tensor, yPred: Tensor): { ids: Float64Array; p: Float64Array; k: number } => {
  const p = dataF64(yPred)
  const k = lastDim(yPred.shape)
  const ids = dataF64(yTrue)
  if (ids.length * k !== p.length)
    fail('ShapeMismatch', `${op}: expected class ids of shape ${show(yPred.shape.slice(0, -1))} (or with a trailing 1) for predictions of shape ${show(yPred.shape)}, received ${show(yTrue.shape)}`, {
      op,
      expected: yPred.shape.slice(0, -1),
      actual: yTrue.shape
    })
  return { ids, p, k }
}

/**
 * Sparse categorical accuracy: `yTrue == argmax(yPred)` with integer class ids.
 * @example sparseCategoricalAccuracy()
 */
export const sparseCategoricalAccuracy = (o: MetricOptions = {}): Metric<MeanState> =>
  meanMetric(o.name ?? 'sparse_categorical_accuracy', (yTrue, yPred) => {
    const { ids, p, k } = sparseRows('sparseCategoricalAccuracy', yTrue, yPred)
    const out = Float64Array.from(ids, (id, i) => (argmaxRow(p, i * k, k) === id ? 1 : 0))
    return { values: out, batch: ids.length }
  })

// tf.math.in_top_k: the target is in the top k unless k or more scores are strictly greater (ties count in)
const inTopK = (p: Float64Array, off: number, k: number, target: number, topK: number): boolean => {
  if (!(target >= 0 && target < k && Number.isInteger(target))) return false
  const s = p[off + target]
  if (!Number.isFinite(s)) return false
  let greater = 0
  for (let j = 0; j < k; j++) if (p[off + j] > s) greater++
  return greater < topK
}

/**
 * Top-k categorical accuracy (default k = 5): the target class (argmax of the one-hot row) is among
 * the k highest scores; ties at the boundary count as in (as `tf.math.in_top_k`).
 * @example topKCategoricalAccuracy({ k: 3 })
 */
export const topKCategoricalAccuracy = (o: MetricOptions & { readonly k?: number } = {}): Metric<MeanState> => {
  const topK = o.k ?? 5
  return meanMetric(o.name ?? 'top_k_categorical_accuracy', (yTrue, yPred) => {
    const h = hostPair(yTrue, yPred)
    checkSameSize('topKCategoricalAccuracy', h)
    const k = lastDim(h.pShape)
    const r = rows(h.pShape, h.p.length)
    const out = new Float64Array(r)
    for (let i = 0; i < r; i++) out[i] = inTopK(h.p, i * k, k, argmaxRow(h.t, i * k, k), topK) ? 1 : 0
    return { values: out, batch: r }
  })
}

/**
 * Sparse top-k categorical accuracy (default k = 5) with integer class ids.
 * @example sparseTopKCategoricalAccuracy({ k: 2 })
 */
export const sparseTopKCategoricalAccuracy = (o: MetricOptions & { readonly k?: number } = {}): Metric<MeanState> => {
  const topK = o.k ?? 5
  return meanMetric(o.name ?? 'sparse_top_k_categorical_accuracy', (yTrue, yPred) => {
    const { ids, p, k } = sparseRows('sparseTopKCategoricalAccuracy', yTrue, yPred)
    return { values: Float64Array.from(ids, (id, i) => (inTopK(p, i * k, k, id, topK) ? 1 : 0)), batch: ids.length }
  })
}

/** Mean absolute error. @example meanAbsoluteError() */
export const meanAbsoluteError = (o: MetricOptions = {}): Metric<MeanState> => fromFunction(o.name ?? 'mean_absolute_error', L.meanAbsoluteError)
/** Mean squared error. @example meanSquaredError() */
export const meanSquaredError = (o: MetricOptions = {}): Metric<MeanState> => fromFunction(o.name ?? 'mean_squared_error', L.meanSquaredError)
/** Mean absolute percentage error. */
export const meanAbsolutePercentageError = (o: MetricOptions = {}): Metric<MeanState> => fromFunction(o.name ?? 'mean_absolute_percentage_error', L.meanAbsolutePercentageError)
/** Mean squared logarithmic error. */
export const meanSquaredLogarithmicError = (o: MetricOptions = {}): Metric<MeanState> => fromFunction(o.name ?? 'mean_squared_logarithmic_error', L.meanSquaredLogarithmicError)
/** Binary crossentropy, as the loss. @example binaryCrossentropy({ fromLogits: true }) */
export const binaryCrossentropy = (o: MetricOptions & L.CrossentropyOptions = {}): Metric<MeanState> =>
  fromFunction(o.name ?? 'binary_crossentropy', (t, p) => L.binaryCrossentropy(t, p, o))
/** Categorical crossentropy, as the loss. */
export const categoricalCrossentropy = (o: MetricOptions & L.CrossentropyOptions = {}): Metric<MeanState> =>
  fromFunction(o.name ?? 'categorical_crossentropy', (t, p) => L.categoricalCrossentropy(t, p, o))
/** Sparse categorical crossentropy, as the loss. */
export const sparseCategoricalCrossentropy = (o: MetricOptions & L.SparseCrossentropyOptions = {}): Metric<MeanState> =>
  fromFunction(o.name ?? 'sparse_categorical_crossentropy', (t, p) => L.sparseCategoricalCrossentropy(t, p, o))

/** Hinge, as the loss. */
export const hinge = (o: MetricOptions = {}): Metric<MeanState> => fromFunction(o.name ?? 'hinge', L.hinge)
/** Squared hinge, as the loss. */
export const squaredHinge = (o: MetricOptions = {}): Metric<MeanState> => fromFunction(o.name ?? 'squared_hinge', L.squaredHinge)
/** Categorical hinge, as the loss. */
export const categoricalHinge = (o: MetricOptions = {}): Metric<MeanState> => fromFunction(o.name ?? 'categorical_hinge', L.categoricalHinge)
/** KL divergence, as the loss. */
export const klDivergence = (o: MetricOptions = {}): Metric<MeanState> => fromFunction(o.name ?? 'kl_divergence', L.klDivergence)
/** Poisson, as the loss. */
export const poisson = (o: MetricOptions = {}): Metric<MeanState> => fromFunction(o.name ?? 'poisson', L.poisson)
/** Log-cosh error, as the loss. */
export const logCoshError = (o: MetricOptions = {}): Metric<MeanState> => fromFunction(o.name ?? 'logcosh', L.logCosh)
/** Cosine similarity (positive: 1 is best, as Keras's metric). */
export const cosineSimilarity = (o: MetricOptions = {}): Metric<MeanState> => fromFunction(o.name ?? 'cosine_similarity', (t, p) => L.cosineSimilarity(t, p))

/** What {@link metricFromName} needs to resolve 'accuracy'/'acc' and 'crossentropy'/'ce'. */
export interface MetricContext {
  /** The output's loss, by any Keras spelling ('sparse_categorical_crossentropy', 'mse', …). */
  readonly loss?: string
  /** Whether that loss takes logits (passed on to the crossentropy metrics). */
  readonly fromLogits?: boolean
  /** The output's shape, batch axis included (`null` allowed): `[null, 10]`. */
  readonly outputShape?: ReadonlyArray<number | null>
  /** The target's shape, batch axis included. */
  readonly targetShape?: ReadonlyArray<number | null>
}

/** Which family 'accuracy' and 'crossentropy' resolve to. */
export type MetricFamily = 'binary' | 'sparse' | 'categorical'

/**
 * DESIGN §5's rule: binary if the output's last dim is 1 or the loss is binary crossentropy; sparse if
 * the loss is sparse categorical crossentropy or the target's rank is lower than the output's (or its
 * last dim is 1 while the output's is larger); categorical otherwise.
 * @example metricFamily({ outputShape: [null, 10], targetShape: [null] }) // 'sparse'
 */
export const metricFamily = (ctx: MetricContext = {}): MetricFamily => {
  const loss = ctx.loss === undefined ? undefined : L.canonicalLossName(ctx.loss)
  const out = ctx.outputShape
  const tgt = ctx.targetShape
  const outLast = out !== undefined && out.length > 0 ? out[out.length - 1] : undefined
  if (loss === 'binary_crossentropy' || outLast === 1) return 'binary'
  if (loss === 'sparse_categorical_crossentropy') return 'sparse'
  if (out !== undefined && tgt !== undefined) {
    if (tgt.length < out.length) return 'sparse'
    const tLast = tgt.length > 0 ? tgt[tgt.length - 1] : undefined
    if (tLast === 1 && typeof outLast === 'number' && outLast > 1) return 'sparse'
  }
  return 'categorical'
}

type Maker = (name: string, ctx: MetricContext) => AnyMetric
const asAny = <S>(m: Metric<S>): AnyMetric => m as AnyMetric
const plain =
  <S>(f: (o: MetricOptions) => Metric<S>): Maker =>
  (name) =>
    asAny(f({ name }))

const table: Readonly<Record<string, Maker>> = {
  accuracy: (name, ctx) => {
    const fam = metricFamily(ctx)
    return asAny(fam === 'binary' ? binaryAccuracy({ name }) : fam === 'sparse' ? sparseCategoricalAccuracy({ name }) : categoricalAccuracy({ name }))
  },
  crossentropy: (name, ctx) => {
    const fam = metricFamily(ctx)
    const fromLogits = ctx.fromLogits ?? false
    return asAny(
      fam === 'binary' ? binaryCrossentropy({ name, fromLogits }) : fam === 'sparse' ? sparseCategoricalCrossentropy({ name, fromLogits }) : categoricalCrossentropy({ name, fromLogits })
    )
  },
  mean_absolute_error: plain(meanAbsoluteError),
  mean_squared_error: plain(meanSquaredError),
  mean_absolute_percentage_error: plain(meanAbsolutePercentageError),
  mean_squared_logarithmic_error: plain(meanSquaredLogarithmicError),
  binary_accuracy: plain(binaryAccuracy),
  categorical_accuracy: plain(categoricalAccuracy),
  sparse_categorical_accuracy: plain(sparseCategoricalAccuracy),
  top_k_categorical_accuracy: plain(topKCategoricalAccuracy),
  sparse_top_k_categorical_accuracy: plain(sparseTopKCategoricalAccuracy),
  binary_crossentropy: (name, ctx) => asAny(binaryCrossentropy({ name, fromLogits: ctx.fromLogits ?? false })),
  categorical_crossentropy: (name, ctx) => asAny(categoricalCrossentropy({ name, fromLogits: ctx.fromLogits ?? false })),
  sparse_categorical_crossentropy: (name, ctx) => asAny(sparseCategoricalCrossentropy({ name, fromLogits: ctx.fromLogits ?? false })),
  precision: plain(precision),
  recall: plain(recall),
  auc: plain(auc),
  hinge: plain(hinge),
  squared_hinge: plain(squaredHinge),
  categorical_hinge: plain(categoricalHinge),
  kl_divergence: plain(klDivergence),
  poisson: plain(poisson),
  logcosh: plain(logCoshError),
  cosine_similarity: plain(cosineSimilarity)
}

/** Canonical metric names, in order. */
export const metricNames: ReadonlyArray<string> = Object.keys(table)

/** @internal Metric names and their aliases. */
export const metricNameTable: NameTable = nameTable(metricNames, METRIC_ALIASES)

/**
 * A metric by Keras name, logged under the string given. 'accuracy'/'acc' and 'crossentropy'/'ce'
 * resolve by loss and shapes ({@link metricFamily}). Unknown names are a `Left` naming the nearest.
 * @example metricFromName('acc', { loss: 'sparse_categorical_crossentropy' }) // sparse categorical accuracy named 'acc'
 */
export const metricFromName = (name: string, ctx: MetricContext = {}): E.Either<MetricError, AnyMetric> => {
  const key = metricNameTable.canonical(name)
  if (key === undefined) {
    const near = typeof name === 'string' ? nearest(name, metricNameTable.accepted) : undefined
    return E.left(
      tfError('UnknownMetric', `unknown metric ${typeof name === 'string' ? `'${name}'` : show(name)}${near ? ` — did you mean '${near}'?` : ''} (expected one of ${metricNameTable.accepted.map((n) => `'${n}'`).join(', ')}, a function or a Metric)`, {
        expected: metricNameTable.accepted,
        received: name,
        nearest: near
      })
    )
  }
  return E.right(table[key](name, ctx))
}

/** A metric given by name, as a per-sample function, or as a Metric value. */
export type MetricSpec = string | ((yTrue: Tensor, yPred: Tensor) => Tensor) | AnyMetric

const isMetric = (u: unknown): u is AnyMetric =>
  typeof u === 'object' && u !== null && !isTensor(u) && typeof (u as AnyMetric).update === 'function' && typeof (u as AnyMetric).concat === 'function' && typeof (u as AnyMetric).result === 'function'

/**
 * Resolve one metric spec: a name (with the context), a function (a mean of its per-sample values,
 * logged under the function's name) or a Metric (as is).
 * @example resolveMetric('mae'); resolveMetric((t, p) => mse(t, p)); resolveMetric(auc())
 */
export const resolveMetric = (spec: MetricSpec, ctx: MetricContext = {}): E.Either<MetricError, AnyMetric> => {
  if (typeof spec === 'string') return metricFromName(spec, ctx)
  if (isMetric(spec)) return E.right(spec)
  if (typeof spec === 'function') return E.right(asAny(fromFunction(spec.name || 'metric', spec)))
  return E.left(tfError('InvalidOption', `metrics: expected a metric name, a function (yTrue, yPred) => Tensor or a Metric, received ${show(spec)}`, { path: 'metrics', expected: 'MetricSpec', received: spec }))
}
