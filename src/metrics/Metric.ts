/**
 * @internal The metric contract (`Metric<S>`, a monoid of states) and the helpers the metrics share:
 * host reads of batches, weighted means, exact-match accuracy.
 *
 * @since 0.1.0
 */
import { type Tensor, dataF64 } from '../core/Tensor.js'
import { fail, show } from '../core/errors.js'

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

export const EMPTY_MEAN: MeanState = Object.freeze({ total: 0, count: 0 })
export const concatMean = (a: MeanState, b: MeanState): MeanState => ({ total: a.total + b.total, count: a.count + b.count })
export const divNoNan = (a: number, b: number): number => (b === 0 ? 0 : a / b)

/** A copy of a metric under another logged name. @example named(categoricalAccuracy(), 'acc') */
export const named = <S>(m: Metric<S>, name: string): Metric<S> => ({ ...m, name, update: m.update, concat: m.concat, result: m.result })

/** Per-sample values on the host: `values[i*k + j]` is entry j of sample i. */
export interface HostValues {
  readonly values: Float64Array
  readonly batch: number
}

export const hostValues = (t: Tensor): HostValues => ({ values: dataF64(t), batch: t.shape.length === 0 ? 1 : t.shape[0] })

/**
 * Sample weights aligned with `n` values of `batch` samples: weights of `n` entries are per value; fewer
 * weights (`[batch]`, or `[batch, time]` for `[batch, time, k]` values) repeat over the trailing values,
 * as Keras broadcasts them.
 */
export const hostWeights = (op: string, sampleWeight: Tensor | undefined, n: number, batch: number): Float64Array | undefined => {
  if (sampleWeight === undefined) return undefined
  const w = dataF64(sampleWeight)
  if (w.length === n) return w
  if (w.length > 0 && batch > 0 && w.length % batch === 0 && n % w.length === 0) {
    const k = n / w.length
    const out = new Float64Array(n)
    for (let i = 0; i < w.length; i++) out.fill(w[i], i * k, (i + 1) * k)
    return out
  }
  return fail('ShapeMismatch', `${op}: sample weights of shape ${show(sampleWeight.shape)} do not match ${batch} samples (${n} values)`, {
    op,
    expected: [batch],
    actual: sampleWeight.shape
  })
}

/** Keras's `Mean.update_state`: per sample, the mean over its values of `value·weight`; count the sample's mean weight. */
export const accumulate = (op: string, s: MeanState, v: HostValues, sampleWeight?: Tensor): MeanState => {
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

export const meanMetric = (name: string, perSample: (yTrue: Tensor, yPred: Tensor) => HostValues): Metric<MeanState> => ({
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
export interface HostPair {
  readonly t: Float64Array
  readonly p: Float64Array
  readonly tShape: ReadonlyArray<number>
  readonly pShape: ReadonlyArray<number>
}
export const hostPair = (yTrue: Tensor, yPred: Tensor): HostPair => {
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

export const lastDim = (s: ReadonlyArray<number>): number => (s.length === 0 ? 1 : s[s.length - 1])
export const rows = (s: ReadonlyArray<number>, n: number): number => n / Math.max(1, lastDim(s))

export const argmaxRow = (a: Float64Array, off: number, k: number): number => {
  let best = 0
  for (let j = 1; j < k; j++) if (a[off + j] > a[off + best]) best = j
  return best
}

export const checkSameSize = (op: string, h: HostPair): void => {
  if (h.t.length !== h.p.length)
    fail('ShapeMismatch', `${op}: yTrue has shape ${show(h.tShape)} and yPred has shape ${show(h.pShape)}; they must match`, { op, expected: h.pShape, actual: h.tShape })
}

export const batchOf = (s: ReadonlyArray<number>): number => (s.length === 0 ? 1 : s[0])

/** Elementwise mean over the last axis of a predicate on (target, prediction) pairs. */
export const elementwiseAccuracy = (op: string, eq: (t: number, p: number) => boolean) => (yTrue: Tensor, yPred: Tensor): HostValues => {
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
