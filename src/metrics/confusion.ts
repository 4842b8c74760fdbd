/**
 * Metrics over a confusion matrix: `precision`, `recall` and `auc` (Keras semantics, monoid states).
 *
 * @since 0.1.0
 */
import type { Tensor } from '../core/Tensor.js'
import { fail, show } from '../core/errors.js'
import { type Metric, type ConfusionState, type AucState, type MetricOptions, divNoNan, hostWeights, hostPair, lastDim, checkSameSize, batchOf } from './Metric.js'

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
  if (!Number.isInteger(T) || T < 2) fail('InvalidOption', `auc: expected numThresholds to be an integer > 1, received ${show(T)}`, { op: 'auc', path: 'numThresholds', expected: '> 1', received: T })
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
