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
import { tfError, type TfError, show, fail } from '../core/errors.js'
import { nearest } from '../core/nearest.js'
import { type NameTable, nameTable, METRIC_ALIASES } from '../core/names.js'
import * as L from '../losses/index.js'

/**
 * A metric: a monoid of states, a way to fold a batch in, and a reading.
 * @example const s = accuracy.update(accuracy.empty, yTrue, yPred); accuracy.result(s)
 */
export interface Metric<S> {
  /** The name logged (Keras's default, or the string the user passed). */
  readonly name: string
  readonly empty: S
  update(state: S, yTrue: Tensor, yPred: Tensor, sampleWeight?: Tensor): S
  concat(a: S, b: S): S
  result(state: S): number
}

/** A metric of any state (what lists of metrics hold). */
export type AnyMetric = Metric<unknown>

/** State of mean-like metrics: the weighted sum of per-sample values and the sum of weights. */
export type MeanState = { readonly total: number; readonly count: number }
/** State of precision and recall: weighted confusion counts at one threshold. */
export type ConfusionState = { readonly tp: number; readonly fp: number; readonly fn: number }
/** State of AUC: weighted confusion counts at each threshold. */
export type AucState = { readonly tp: ReadonlyArray<number>; readonly fp: ReadonlyArray<number>; readonly tn: ReadonlyArray<number>; readonly fn: ReadonlyArray<number> }

const EMPTY_MEAN: MeanState = Object.freeze({ total: 0, count: 0 })
const concatMean = (a: MeanState, b: MeanState): MeanState => ({ total: a.total + b.total, count: a.count + b.count })
const divNoNan = (a: number, b: number): number => (b === 0 ? 0 : a / b)

/** A copy of a metric under another logged name. @example named(categoricalAccuracy(), 'acc') */
export const named = <S>(m: Metric<S>, name: string): Metric<S> => ({ ...m, name, update: m.update, concat: m.concat, result: m.result })

/** Per-sample values on the host: `values[i*k + j]` is entry j of sample i. */
interface HostValues {
  readonly values: Float64Array
  readonly batch: number
}

const hostValues = (t: Tensor): HostValues => ({ values: dataF64(t), batch: t.shape.length === 0 ? 1 : t.shape[0] })

/**
 * Sample weights aligned with `n` values of `batch` samples: weights of `batch` entries repeat over
 * each sample's values; weights of `n` entries are per value.
 */
const hostWeights = (op: string, sampleWeight: Tensor | undefined, n: number, batch: number): Float64Array | undefined => {
  if (sampleWeight === undefined) return undefined
  const w = dataF64(sampleWeight)
  if (w.length === n) return w
  if (w.length === batch && batch > 0 && n % batch === 0) {
    const k = n / batch
    const out = new Float64Array(n)
    for (let i = 0; i < batch; i++) out.fill(w[i], i * k, (i + 1) * k)
    return out
  }
  return fail('ShapeMismatch', `${op}: sample weights of shape ${show(sampleWeight.shape)} do not match ${batch} samples (${n} values)`, {
    op,
    expected: [batch],
    actual: sampleWeight.shape
  })
}

/** Keras's `Mean.update_state`: per sample, the mean over its values of `value·weight`; count the sample's mean weight. */
const accumulate = (op: string, s: MeanState, v: HostValues, sampleWeight?: Tensor): MeanState => {
  const n = v.values.length
  const batch = Math.max(1, v.batch)
  const k = n / batch
  const w = hostWeights(op, sampleWeight, n, batch)
  let total = s.total
  let count = s.count
  for (let i = 0; i < batch; i++) {
    let vs = 0
    let ws = 0
    for (let j = 0; j < k; j++) {
      const wij = w === undefined ? 1 : w[i * k + j]
      vs += v.values[i * k + j] * wij
      ws += wij
    }
    total += vs / k
    count += ws / k
  }
  return { total, count }
}

const meanMetric = (name: string, perSample: (yTrue: Tensor, yPred: Tensor) => HostValues): Metric<MeanState> => ({
  name,
  empty: EMPTY_MEAN,
  update: (s, yTrue, yPred, w) => accumulate(name, s, perSample(yTrue, yPred), w),
  concat: concatMean,
  result: (s) => divNoNan(s.total, s.count)
})

/**
 * A metric from a per-sample function (Keras's `MeanMetricWrapper`): the weighted mean of `fn`'s values.
 * @example fromFunction('mse', mse)
 */
export const fromFunction = (name: string, fn: (yTrue: Tensor, yPred: Tensor) => Tensor): Metric<MeanState> => meanMetric(name, (t, p) => hostValues(fn(t, p)))

/** A running mean with a direct `add` for logged numbers (the trainer's loss logs). */
export type MeanMetric = Metric<MeanState> & {
  /** Fold in a value (a number or every entry of a tensor) with an optional weight. */
  add(state: MeanState, value: number | Tensor, weight?: number): MeanState
}

/**
 * A plain (weighted) running mean. As a compile metric it averages `yPred`; `add` folds in numbers.
 * @example const m = mean('loss'); m.result(m.add(m.add(m.empty, 1), 3)) // 2
 */
export const mean = (name = 'mean'): MeanMetric => ({
  ...meanMetric(name, (_t, p) => hostValues(p)),
  add: (s, value, weight = 1) => {
    if (typeof value === 'number') return { total: s.total + value * weight, count: s.count + weight }
    const v = dataF64(value)
    let t = 0
    for (const x of v) t += x
    return { total: s.total + t * weight, count: s.count + v.length * weight }
  }
})

/** Targets and predictions on the host, ranks aligned as Keras does (a trailing 1 squeezed or added). */
interface HostPair {
  readonly t: Float64Array
  readonly p: Float64Array
  readonly tShape: ReadonlyArray<number>
  readonly pShape: ReadonlyArray<number>
}
const hostPair = (yTrue: Tensor, yPred: Tensor): HostPair => {
  let ts = yTrue.shape
  let ps = yPred.shape
  if (ts.length === ps.length + 1 && ts[ts.length - 1] === 1) {
    if (ps.length === 1) ps = [...ps, 1]
    else ts = ts.slice(0, -1)
  } else if (ps.length === ts.length + 1 && ps[ps.length - 1] === 1) {
    if (ts.length === 1) ts = [...ts, 1]
    else ps = ps.slice(0, -1)
  }
  return { t: dataF64(yTrue), p: dataF64(yPred), tShape: ts, pShape: ps }
}

const lastDim = (s: ReadonlyArray<number>): number => (s.length === 0 ? 1 : s[s.length - 1])
const rows = (s: ReadonlyArray<number>, n: number): number => n / Math.max(1, lastDim(s))

const argmaxRow = (a: Float64Array, off: number, k: number): number => {
  let best = 0
  for (let j = 1; j < k; j++) if (a[off + j] > a[off + best]) best = j
  return best
}

const checkSameSize = (op: string, h: HostPair): void => {
  if (h.t.length !== h.p.length)
    fail('ShapeMismatch', `${op}: yTrue has shape ${show(h.tShape)} and yPred has shape ${show(h.pShape)}; they must match`, { op, expected: h.pShape, actual: h.tShape })
}

const batchOf = (s: ReadonlyArray<number>): number => (s.length === 0 ? 1 : s[0])

/** Elementwise mean over the last axis of a predicate on (target, prediction) pairs. */
const elementwiseAccuracy = (op: string, eq: (t: number, p: number) => boolean) => (yTrue: Tensor, yPred: Tensor): HostValues => {
  const h = hostPair(yTrue, yPred)
  checkSameSize(op, h)
  const k = lastDim(h.pShape)
  const r = rows(h.pShape, h.p.length)
  const out = new Float64Array(r)
  for (let i = 0; i < r; i++) {
    let c = 0
    for (let j = 0; j < k; j++) if (eq(h.t[i * k + j], h.p[i * k + j])) c++
    out[i] = c / k
  }
  return { values: out, batch: h.pShape.length <= 1 ? r : batchOf(h.pShape) }
}

/** Options shared by metric constructors. */
export interface MetricOptions {
  /** The logged name. */
  readonly name?: string
}

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

/** Options of {@link precision} and {@link recall}. */
export interface ConfusionOptions extends MetricOptions {
  /** A prediction is positive when above this. Default 0.5. */
  readonly threshold?: number
  /** Only look at this column of the last axis. */
  readonly classId?: number
}

const confusion = (op: string, o: ConfusionOptions) => (s: ConfusionState, yTrue: Tensor, yPred: Tensor, sampleWeight?: Tensor): ConfusionState => {
  const thr = o.threshold ?? 0.5
  const h = hostPair(yTrue, yPred)
  checkSameSize(op, h)
  const n = h.p.length
  const w = hostWeights(op, sampleWeight, n, batchOf(h.pShape))
  const k = lastDim(h.pShape)
  let { tp, fp, fn } = s
  for (let i = 0; i < n; i++) {
    if (o.classId !== undefined && i % k !== o.classId) continue
    const wi = w === undefined ? 1 : w[i]
    const label = h.t[i] !== 0
    const pos = h.p[i] > thr
    if (label && pos) tp += wi
    else if (!label && pos) fp += wi
    else if (label && !pos) fn += wi
  }
  return { tp, fp, fn }
}
const EMPTY_CONFUSION: ConfusionState = Object.freeze({ tp: 0, fp: 0, fn: 0 })
const concatConfusion = (a: ConfusionState, b: ConfusionState): ConfusionState => ({ tp: a.tp + b.tp, fp: a.fp + b.fp, fn: a.fn + b.fn })

/**
 * Precision `tp / (tp + fp)` over all entries (weighted), predictions positive above `threshold`.
 * @example precision({ threshold: 0.5 })
 */
export const precision = (o: ConfusionOptions = {}): Metric<ConfusionState> => ({
  name: o.name ?? 'precision',
  empty: EMPTY_CONFUSION,
  update: confusion('precision', o),
  concat: concatConfusion,
  result: (s) => divNoNan(s.tp, s.tp + s.fp)
})

/**
 * Recall `tp / (tp + fn)` over all entries (weighted), predictions positive above `threshold`.
 * @example recall()
 */
export const recall = (o: ConfusionOptions = {}): Metric<ConfusionState> => ({
  name: o.name ?? 'recall',
  empty: EMPTY_CONFUSION,
  update: confusion('recall', o),
  concat: concatConfusion,
  result: (s) => divNoNan(s.tp, s.tp + s.fn)
})

/** Options of {@link auc}. */
export interface AucOptions extends MetricOptions {
  /** Default 200 (Keras). */
  readonly numThresholds?: number
  /** Default 'ROC'. */
  readonly curve?: 'ROC' | 'PR'
  /** Default 'interpolation'. */
  readonly summationMethod?: 'interpolation' | 'minoring' | 'majoring'
  /** Predictions are logits (a sigmoid is applied first). Default false. */
  readonly fromLogits?: boolean
}

/**
 * Area under the ROC (or PR) curve, from weighted confusion counts at `numThresholds` evenly spaced
 * thresholds in [0, 1] (plus −ε and 1 + ε at the ends), as Keras's `AUC`: all entries are pooled,
 * labels count as positive when non-zero.
 * @example auc({ curve: 'PR' })
 */
export const auc = (o: AucOptions = {}): Metric<AucState> => {
  const T = o.numThresholds ?? 200
  if (!Number.isInteger(T) || T < 2) fail('InvalidArgument', `auc: expected numThresholds to be an integer > 1, received ${show(T)}`, { op: 'auc', path: 'numThresholds', expected: '> 1', received: T })
  const curve = o.curve ?? 'ROC'
  const method = o.summationMethod ?? 'interpolation'
  const thresholds = [-1e-7, ...Array.from({ length: T - 2 }, (_, i) => ((i + 1) * 1.0) / (T - 1)), 1 + 1e-7]
  const zeros = Object.freeze(new Array<number>(T).fill(0))
  const empty: AucState = Object.freeze({ tp: zeros, fp: zeros, tn: zeros, fn: zeros })
  const add = (a: ReadonlyArray<number>, b: ReadonlyArray<number>): number[] => a.map((x, i) => x + b[i])
  return {
    name: o.name ?? 'auc',
    empty,
    update: (s, yTrue, yPred, sampleWeight) => {
      const h = hostPair(yTrue, yPred)
      checkSameSize('auc', h)
      const n = h.p.length
      const w = hostWeights('auc', sampleWeight, n, batchOf(h.pShape))
      // histogram by how many thresholds each prediction exceeds, then suffix sums
      const posH = new Float64Array(T + 1)
      const negH = new Float64Array(T + 1)
      let posTotal = 0
      let negTotal = 0
      for (let i = 0; i < n; i++) {
        const p = o.fromLogits === true ? 1 / (1 + Math.exp(-h.p[i])) : h.p[i]
        let lo = 0
        let hi = T
        while (lo < hi) {
          const mid = (lo + hi) >> 1
          if (p > thresholds[mid]) lo = mid + 1
          else hi = mid
        }
        const wi = w === undefined ? 1 : w[i]
        if (h.t[i] !== 0) {
          posH[lo] += wi
          posTotal += wi
        } else {
          negH[lo] += wi
          negTotal += wi
        }
      }
      const tp = new Array<number>(T)
      const fp = new Array<number>(T)
      let cp = 0
      let cn = 0
      for (let j = T - 1; j >= 0; j--) {
        cp += posH[j + 1]
        cn += negH[j + 1]
        tp[j] = cp
        fp[j] = cn
      }
      const fn = tp.map((x) => posTotal - x)
      const tn = fp.map((x) => negTotal - x)
      return { tp: add(s.tp, tp), fp: add(s.fp, fp), tn: add(s.tn, tn), fn: add(s.fn, fn) }
    },
    concat: (a, b) => ({ tp: add(a.tp, b.tp), fp: add(a.fp, b.fp), tn: add(a.tn, b.tn), fn: add(a.fn, b.fn) }),
    result: (s) => {
      const { tp, fp, tn, fn } = s
      if (curve === 'PR' && method === 'interpolation') {
        // Davis & Goadrich interpolation, as Keras's interpolate_pr_auc
        let total = 0
        for (let i = 0; i < T - 1; i++) {
          const dtp = tp[i] - tp[i + 1]
          const p0 = tp[i] + fp[i]
          const p1 = tp[i + 1] + fp[i + 1]
          const dp = p0 - p1
          const slope = divNoNan(dtp, Math.max(dp, 0))
          const intercept = tp[i + 1] - slope * p1
          const ratio = p0 > 0 && p1 > 0 ? divNoNan(p0, Math.max(p1, 0)) : 1
          total += divNoNan(slope * (dtp + intercept * Math.log(ratio)), Math.max(tp[i + 1] + fn[i + 1], 0))
        }
        return total
      }
      const recallAt = tp.map((x, i) => divNoNan(x, x + fn[i]))
      const x = curve === 'ROC' ? fp.map((f, i) => divNoNan(f, f + tn[i])) : recallAt
      const y = curve === 'ROC' ? recallAt : tp.map((t, i) => divNoNan(t, t + fp[i]))
      let total = 0
      for (let i = 0; i < T - 1; i++) {
        const height = method === 'interpolation' ? (y[i] + y[i + 1]) / 2 : method === 'minoring' ? Math.min(y[i], y[i + 1]) : Math.max(y[i], y[i + 1])
        total += (x[i] - x[i + 1]) * height
      }
      return total
    }
  }
}

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
export const metricFromName = (name: string, ctx: MetricContext = {}): E.Either<TfError, AnyMetric> => {
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
export const resolveMetric = (spec: MetricSpec, ctx: MetricContext = {}): E.Either<TfError, AnyMetric> => {
  if (typeof spec === 'string') return metricFromName(spec, ctx)
  if (isMetric(spec)) return E.right(spec)
  if (typeof spec === 'function') return E.right(asAny(fromFunction(spec.name || 'metric', spec)))
  return E.left(tfError('InvalidArgument', `metrics: expected a metric name, a function (yTrue, yPred) => Tensor or a Metric, received ${show(spec)}`, { path: 'metrics', expected: 'MetricSpec', received: spec }))
}
