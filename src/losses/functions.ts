/**
 * The loss functions and `reduce` (see `index.ts` for the contract and the laws).
 *
 * @since 0.1.0
 */
import type { Tensor } from '../core/Tensor.js'
import { show, fail } from '../core/errors.js'
import { add, mul, div, log, abs, maximum, max, sum, reshape, cast, where, compare, neg, sqrt, lift } from '../primitives/index.js'
import { sub, square, clip } from '../ops/arithmetic.js'
import { mean } from '../ops/reductions.js'
import { softplus, logSoftmax } from '../ops/activations.js'
import { logitsOf } from '../ops/logits.js'
import { softmaxXent } from '../primitives/index.js'
import { oneHot } from '../ops/shape.js'
import { type PlainLoss, type OptionsLoss, configurable } from './reduction.js'

/** Keras's fuzz factor `backend.epsilon()`. */
export const EPSILON = 1e-7

export { type LossFn, type PlainLoss, type OptionsLoss, type Reduction, type ReducedLoss, REDUCTIONS, reduce, withReduction, reductionOf, weighted } from './reduction.js'

/** Options of the crossentropies. */
export interface CrossentropyOptions {
  /** `yPred` are logits (unnormalised), not probabilities. Default false. */
  readonly fromLogits?: boolean
  /** Smooth the targets: binary `y(1−s) + s/2`, categorical `y(1−s) + s/classes`. Default 0. */
  readonly labelSmoothing?: number
}
/** Options of {@link sparseCategoricalCrossentropy}. */
export interface SparseCrossentropyOptions {
  /** Default false. */
  readonly fromLogits?: boolean
}
/** Options of {@link huber}. */
export interface HuberOptions {
  /** Where the loss turns from quadratic to linear. Default 1. */
  readonly delta?: number
}
/** Any loss option (for {@link lossFromName}). */
export type LossOptions = CrossentropyOptions & HuberOptions

const shapeMismatch = (op: string, yTrue: Tensor, yPred: Tensor, hint = ''): never =>
  fail('ShapeMismatch', `${op}: yTrue has shape ${show(yTrue.shape)} and yPred has shape ${show(yPred.shape)}; they must match${hint}`, {
    op,
    expected: yPred.shape,
    actual: yTrue.shape
  })

const toFloat = (t: Tensor): Tensor => (t.dtype === 'float32' ? t : cast(t, 'float32'))

/**
 * Keras's `squeeze_or_expand_to_same_rank`: when the ranks differ by one and the longer one ends in 1,
 * a rank-1 side gets a trailing 1, otherwise the longer side loses it.
 */
const align = (op: string, yTrue: Tensor, yPred: Tensor): readonly [Tensor, Tensor] => {
  const t = toFloat(lift(op, yTrue, 0))
  const p = lift(op, yPred, 1)
  const rt = t.shape.length
  const rp = p.shape.length
  if (rt === rp + 1 && t.shape[rt - 1] === 1) return rp === 1 ? [t, reshape(p, [...p.shape, 1])] : [reshape(t, t.shape.slice(0, -1)), p]
  if (rp === rt + 1 && p.shape[rp - 1] === 1) return rt === 1 ? [reshape(t, [...t.shape, 1]), p] : [t, reshape(p, p.shape.slice(0, -1))]
  return [t, p]
}

const lastMean = (x: Tensor): Tensor => (x.shape.length === 0 ? x : mean(x, -1))
const lastSum = (x: Tensor): Tensor => (x.shape.length === 0 ? x : sum(x, -1))

/**
 * Mean squared error over the last axis: `mean((p − t)²)`.
 * @example meanSquaredError(tensor([[0, 1]]), tensor([[1, 1]])) // [0.5]
 */
export const meanSquaredError: PlainLoss = configurable('meanSquaredError', [], (yTrue: Tensor, yPred: Tensor): Tensor => {
  const [t, p] = align('meanSquaredError', yTrue, yPred)
  return lastMean(square(sub(p, t)))
})
/** Mean absolute error over the last axis: `mean(|p − t|)`. @example meanAbsoluteError(t, p) */
export const meanAbsoluteError: PlainLoss = configurable('meanAbsoluteError', [], (yTrue: Tensor, yPred: Tensor): Tensor => {
  const [t, p] = align('meanAbsoluteError', yTrue, yPred)
  return lastMean(abs(sub(p, t)))
})
/** Mean absolute percentage error: `100 · mean(|t − p| / max(|t|, ε))`. @example meanAbsolutePercentageError(t, p) */
export const meanAbsolutePercentageError: PlainLoss = configurable('meanAbsolutePercentageError', [], (yTrue: Tensor, yPred: Tensor): Tensor => {
  const [t, p] = align('meanAbsolutePercentageError', yTrue, yPred)
  return mul(100, lastMean(abs(div(sub(t, p), maximum(abs(t), EPSILON)))))
})
/** Mean squared logarithmic error: `mean((log(max(p, ε) + 1) − log(max(t, ε) + 1))²)`. @example meanSquaredLogarithmicError(t, p) */
export const meanSquaredLogarithmicError: PlainLoss = configurable('meanSquaredLogarithmicError', [], (yTrue: Tensor, yPred: Tensor): Tensor => {
  const [t, p] = align('meanSquaredLogarithmicError', yTrue, yPred)
  return lastMean(square(sub(log(add(maximum(p, EPSILON), 1)), log(add(maximum(t, EPSILON), 1)))))
})

/**
 * The logits a crossentropy computes from, or undefined for probabilities. As Keras 2.15's
 * `backend._get_logits`: an output of `softmax` (last axis) or `sigmoid` is replaced by the logits it
 * came from, whatever `fromLogits` says (Keras warns when `from_logits=True` meets such an output; the
 * probabilities would be squashed twice); otherwise `fromLogits: true` means `y` itself.
 */
const behind = (y: Tensor, kind: 'softmax' | 'sigmoid', fromLogits: boolean | undefined): Tensor | undefined =>
  logitsOf(y, kind) ?? (fromLogits === true ? y : undefined)

const smoothing = (op: string, s: number | undefined): number => {
  const v = s ?? 0
  if (typeof v !== 'number' || !(v >= 0 && v <= 1)) fail('InvalidOption', `${op}: expected labelSmoothing in [0, 1], received ${show(v)}`, { op, path: 'labelSmoothing', expected: '[0, 1]', received: v })
  return v
}

/**
 * Binary crossentropy, mean over the last axis. From probabilities: `−(t log p + (1−t) log(1−p))` with
 * `p` clipped to `[ε, 1−ε]`; from logits: `softplus(x) − x·t` (stable for any x).
 * @example binaryCrossentropy(tensor([[1], [0]]), tensor([[3], [-2]]), { fromLogits: true })
 */
export const binaryCrossentropy: OptionsLoss<CrossentropyOptions> = configurable('binaryCrossentropy', ['fromLogits', 'labelSmoothing'], (yTrue: Tensor, yPred: Tensor, o: CrossentropyOptions = {}): Tensor => {
  const ls = smoothing('binaryCrossentropy', o.labelSmoothing)
  const y = lift('binaryCrossentropy', yPred, 1)
  const z = behind(y, 'sigmoid', o.fromLogits)
  const [t0, p] = align('binaryCrossentropy', yTrue, z ?? y)
  const t = ls > 0 ? add(mul(t0, 1 - ls), 0.5 * ls) : t0
  if (z !== undefined) return lastMean(sub(softplus(p), mul(p, t)))
  const q = clip(p, EPSILON, 1 - EPSILON)
  return lastMean(neg(add(mul(t, log(q)), mul(sub(1, t), log(sub(1, q))))))
})

/**
 * Categorical crossentropy over the last axis, for one-hot (or soft) targets of yPred's shape. From
 * probabilities: `p` is renormalised to sum 1 and clipped to `[ε, 1−ε]`, then `−Σ t log p`; from
 * logits: `−Σ t · logSoftmax(x)`.
 * @example categoricalCrossentropy(tensor([[0, 1, 0]]), tensor([[0.1, 0.8, 0.1]])) // [0.223…]
 */
export const categoricalCrossentropy: OptionsLoss<CrossentropyOptions> = configurable('categoricalCrossentropy', ['fromLogits', 'labelSmoothing'], (yTrue: Tensor, yPred: Tensor, o: CrossentropyOptions = {}): Tensor => {
  const op = 'categoricalCrossentropy'
  const ls = smoothing(op, o.labelSmoothing)
  const t0 = toFloat(lift(op, yTrue, 0))
  const p = lift(op, yPred, 1)
  if (t0.shape.length !== p.shape.length || t0.shape.some((d, i) => d !== p.shape[i]))
    shapeMismatch(op, t0, p, ' (for integer class ids use sparseCategoricalCrossentropy)')
  const classes = p.shape[p.shape.length - 1] ?? 1
  const t = ls > 0 ? add(mul(t0, 1 - ls), ls / classes) : t0
  const z = behind(p, 'softmax', o.fromLogits)
  if (z !== undefined) return z.shape.length === 0 ? neg(mul(t, logSoftmax(z, -1))) : softmaxXent(z, t)
  const q = clip(div(p, sum(p, -1, true)), EPSILON, 1 - EPSILON)
  return neg(lastSum(mul(t, log(q))))
})

/**
 * Categorical crossentropy with integer class ids (int32 or integral floats) of shape `[batch]` or
 * `[batch, 1]` (generally yPred's shape without, or with 1 for, the class axis). From logits:
 * `logSumExp(x) − x[class]`; from probabilities: `−log(p[class])` after clipping to `[ε, 1−ε]` and
 * renormalising (as Keras's TensorFlow backend). Called directly, ids outside `[0, classes)` give a loss
 * of 0 (checking would read the ids back from the device); `fit`, `evaluate` and the batch functions
 * refuse such ids before any step (`InvalidLabels`, see `train/checks.ts`).
 * @example sparseCategoricalCrossentropy(tensor([1]), tensor([[0.1, 0.8, 0.1]])) // [0.223…]
 */
export const sparseCategoricalCrossentropy: OptionsLoss<SparseCrossentropyOptions> = configurable('sparseCategoricalCrossentropy', ['fromLogits'], (yTrue: Tensor, yPred: Tensor, o: SparseCrossentropyOptions = {}): Tensor => {
  const op = 'sparseCategoricalCrossentropy'
  const p = lift(op, yPred, 1)
  let t = lift(op, yTrue, 0)
  if (t.shape.length === p.shape.length && t.shape[t.shape.length - 1] === 1) t = reshape(t, t.shape.slice(0, -1))
  if (t.shape.length !== p.shape.length - 1 || t.shape.some((d, i) => d !== p.shape[i]))
    shapeMismatch(op, t, p, ` without its last axis (class ids of shape ${show(p.shape.slice(0, -1))} or ${show([...p.shape.slice(0, -1), 1])})`)
  const classes = p.shape[p.shape.length - 1]
  const hot = oneHot(t, classes)
  const z = behind(p, 'softmax', o.fromLogits)
  if (z !== undefined) return softmaxXent(z, hot)
  return neg(sum(mul(hot, logSoftmax(log(clip(p, EPSILON, 1 - EPSILON)), -1)), -1))
})

// Keras converts {0, 1} hinge targets to {−1, 1}; elementwise here (0 → −1), which agrees on {0,1} and {−1,1} data
const hingeTargets = (t: Tensor): Tensor => where(compare(t, 0, 'eq'), -1, t)

/** Hinge: `mean(max(1 − t·p, 0))` with targets in {−1, 1} (or {0, 1}, converted). @example hinge(t, p) */
export const hinge: PlainLoss = configurable('hinge', [], (yTrue: Tensor, yPred: Tensor): Tensor => {
  const [t, p] = align('hinge', yTrue, yPred)
  return lastMean(maximum(sub(1, mul(hingeTargets(t), p)), 0))
})
/** Squared hinge: `mean(max(1 − t·p, 0)²)`. @example squaredHinge(t, p) */
export const squaredHinge: PlainLoss = configurable('squaredHinge', [], (yTrue: Tensor, yPred: Tensor): Tensor => {
  const [t, p] = align('squaredHinge', yTrue, yPred)
  return lastMean(square(maximum(sub(1, mul(hingeTargets(t), p)), 0)))
})
/** Categorical hinge: `max(max((1 − t)·p) − Σ t·p + 1, 0)` over the last axis. @example categoricalHinge(t, p) */
export const categoricalHinge: PlainLoss = configurable('categoricalHinge', [], (yTrue: Tensor, yPred: Tensor): Tensor => {
  const [t, p] = align('categoricalHinge', yTrue, yPred)
  const pos = lastSum(mul(t, p))
  const negative = p.shape.length === 0 ? mul(sub(1, t), p) : max(mul(sub(1, t), p), -1)
  return maximum(add(sub(negative, pos), 1), 0)
})

/**
 * Huber: per element `½e²` where `|e| ≤ δ`, else `δ|e| − ½δ²` (`e = p − t`), mean over the last axis.
 * @example huber(t, p, { delta: 1 })
 */
export const huber: OptionsLoss<HuberOptions> = configurable('huber', ['delta'], (yTrue: Tensor, yPred: Tensor, o: HuberOptions = {}): Tensor => {
  const delta = o.delta ?? 1
  if (typeof delta !== 'number' || !(delta > 0)) fail('InvalidOption', `huber: expected a positive delta, received ${show(delta)}`, { op: 'huber', path: 'delta', expected: '> 0', received: delta })
  const [t, p] = align('huber', yTrue, yPred)
  const e = sub(p, t)
  const a = abs(e)
  return lastMean(where(compare(a, delta, 'le'), mul(0.5, square(e)), sub(mul(delta, a), 0.5 * delta * delta)))
})
/** Log-cosh: `mean(log cosh(p − t))`, computed as `x + softplus(−2x) − log 2` (stable). @example logCosh(t, p) */
export const logCosh: PlainLoss = configurable('logCosh', [], (yTrue: Tensor, yPred: Tensor): Tensor => {
  const [t, p] = align('logCosh', yTrue, yPred)
  const x = sub(p, t)
  return lastMean(sub(add(x, softplus(mul(x, -2))), Math.LN2))
})
/** Kullback–Leibler divergence: `Σ t log(t / p)` with both clipped to `[ε, 1]`. @example klDivergence(t, p) */
export const klDivergence: PlainLoss = configurable('klDivergence', [], (yTrue: Tensor, yPred: Tensor): Tensor => {
  const [t0, p0] = align('klDivergence', yTrue, yPred)
  const t = clip(t0, EPSILON, 1)
  const p = clip(p0, EPSILON, 1)
  return lastSum(mul(t, log(div(t, p))))
})
/** Poisson: `mean(p − t log(p + ε))`. @example poisson(t, p) */
export const poisson: PlainLoss = configurable('poisson', [], (yTrue: Tensor, yPred: Tensor): Tensor => {
  const [t, p] = align('poisson', yTrue, yPred)
  return lastMean(sub(p, mul(t, log(add(p, EPSILON)))))
})
const l2Normalize = (x: Tensor): Tensor => div(x, sqrt(maximum(sum(square(x), -1, true), 1e-12)))
/**
 * Cosine similarity loss: `−Σ t̂ · p̂` over the last axis (unit-normalised), so −1 is best (Keras).
 * @example cosineSimilarity(tensor([[1, 0]]), tensor([[2, 0]])) // [-1]
 */
export const cosineSimilarity: PlainLoss = configurable('cosineSimilarity', [], (yTrue: Tensor, yPred: Tensor): Tensor => {
  const [t, p] = align('cosineSimilarity', yTrue, yPred)
  if (t.shape.length === 0) return neg(mul(div(t, abs(t)), div(p, abs(p))))
  return neg(sum(mul(l2Normalize(t), l2Normalize(p)), -1))
})

/** Short aliases, as Keras's functions. */
export const mse = meanSquaredError
export const mae = meanAbsoluteError
export const mape = meanAbsolutePercentageError
export const msle = meanSquaredLogarithmicError
export const kld = klDivergence

