/**
 * Losses with Keras's names, formulas and numerics.
 *
 * A loss is `(yTrue, yPred, options?) => Tensor`: the *per-sample* loss, reduced over the last axis
 * where Keras reduces (so `[batch, d]` inputs give `[batch]`). `reduce(perSample, sampleWeight?)` is
 * Keras's `'sum_over_batch_size'`: `Σ lᵢ·wᵢ / size(l)`. Everything is written in differentiable ops
 * and never reads a tensor back to the host, so losses work inside `grad` and in compiled steps.
 *
 * Numerics as Keras: crossentropy from probabilities clips to `[1e-7, 1 − 1e-7]`; `fromLogits` uses
 * `softplus`/`logSoftmax`, so logits of ±1e4 give finite losses and finite gradients.
 *
 * Laws: each loss equals its formula (test/losses); `reduce(l) = mean(l)`; `reduce(l, ones) = mean(l)`.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { type Tensor, fromBuffer, dataF64, isTensor } from '../core/Tensor.js'
import { tfError, type TfError, show, fail } from '../core/errors.js'
import { nearest } from '../core/nearest.js'
import { type NameTable, nameTable, LOSS_ALIASES } from '../core/names.js'
import { add, mul, div, log, abs, maximum, max, sum, reshape, cast, where, compare, neg, sqrt, lift } from '../primitives/index.js'
import { sub, square, clip } from '../ops/arithmetic.js'
import { mean } from '../ops/reductions.js'
import { softplus, logSoftmax } from '../ops/activations.js'
import { oneHot } from '../ops/shape.js'

/** Keras's fuzz factor `backend.epsilon()`. */
export const EPSILON = 1e-7

/** A loss as the trainer uses it: per-sample values from targets and predictions. */
export type LossFn = (yTrue: Tensor, yPred: Tensor) => Tensor

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
export const meanSquaredError = (yTrue: Tensor, yPred: Tensor): Tensor => {
  const [t, p] = align('meanSquaredError', yTrue, yPred)
  return lastMean(square(sub(p, t)))
}
/** Mean absolute error over the last axis: `mean(|p − t|)`. @example meanAbsoluteError(t, p) */
export const meanAbsoluteError = (yTrue: Tensor, yPred: Tensor): Tensor => {
  const [t, p] = align('meanAbsoluteError', yTrue, yPred)
  return lastMean(abs(sub(p, t)))
}
/** Mean absolute percentage error: `100 · mean(|t − p| / max(|t|, ε))`. @example meanAbsolutePercentageError(t, p) */
export const meanAbsolutePercentageError = (yTrue: Tensor, yPred: Tensor): Tensor => {
  const [t, p] = align('meanAbsolutePercentageError', yTrue, yPred)
  return mul(100, lastMean(abs(div(sub(t, p), maximum(abs(t), EPSILON)))))
}
/** Mean squared logarithmic error: `mean((log(max(p, ε) + 1) − log(max(t, ε) + 1))²)`. @example meanSquaredLogarithmicError(t, p) */
export const meanSquaredLogarithmicError = (yTrue: Tensor, yPred: Tensor): Tensor => {
  const [t, p] = align('meanSquaredLogarithmicError', yTrue, yPred)
  return lastMean(square(sub(log(add(maximum(p, EPSILON), 1)), log(add(maximum(t, EPSILON), 1)))))
}

const smoothing = (op: string, s: number | undefined): number => {
  const v = s ?? 0
  if (typeof v !== 'number' || !(v >= 0 && v <= 1)) fail('InvalidArgument', `${op}: expected labelSmoothing in [0, 1], received ${show(v)}`, { op, path: 'labelSmoothing', expected: '[0, 1]', received: v })
  return v
}

/**
 * Binary crossentropy, mean over the last axis. From probabilities: `−(t log p + (1−t) log(1−p))` with
 * `p` clipped to `[ε, 1−ε]`; from logits: `softplus(x) − x·t` (stable for any x).
 * @example binaryCrossentropy(tensor([[1], [0]]), tensor([[3], [-2]]), { fromLogits: true })
 */
export const binaryCrossentropy = (yTrue: Tensor, yPred: Tensor, o: CrossentropyOptions = {}): Tensor => {
  const ls = smoothing('binaryCrossentropy', o.labelSmoothing)
  const [t0, p] = align('binaryCrossentropy', yTrue, yPred)
  const t = ls > 0 ? add(mul(t0, 1 - ls), 0.5 * ls) : t0
  if (o.fromLogits === true) return lastMean(sub(softplus(p), mul(p, t)))
  const q = clip(p, EPSILON, 1 - EPSILON)
  return lastMean(neg(add(mul(t, log(q)), mul(sub(1, t), log(sub(1, q))))))
}

/**
 * Categorical crossentropy over the last axis, for one-hot (or soft) targets of yPred's shape. From
 * probabilities: `p` is renormalised to sum 1 and clipped to `[ε, 1−ε]`, then `−Σ t log p`; from
 * logits: `−Σ t · logSoftmax(x)`.
 * @example categoricalCrossentropy(tensor([[0, 1, 0]]), tensor([[0.1, 0.8, 0.1]])) // [0.223…]
 */
export const categoricalCrossentropy = (yTrue: Tensor, yPred: Tensor, o: CrossentropyOptions = {}): Tensor => {
  const op = 'categoricalCrossentropy'
  const ls = smoothing(op, o.labelSmoothing)
  const t0 = toFloat(lift(op, yTrue, 0))
  const p = lift(op, yPred, 1)
  if (t0.shape.length !== p.shape.length || t0.shape.some((d, i) => d !== p.shape[i]))
    shapeMismatch(op, t0, p, ' (for integer class ids use sparseCategoricalCrossentropy)')
  const classes = p.shape[p.shape.length - 1] ?? 1
  const t = ls > 0 ? add(mul(t0, 1 - ls), ls / classes) : t0
  if (o.fromLogits === true) return neg(lastSum(mul(t, logSoftmax(p, -1))))
  const q = clip(div(p, sum(p, -1, true)), EPSILON, 1 - EPSILON)
  return neg(lastSum(mul(t, log(q))))
}

/**
 * Categorical crossentropy with integer class ids (int32 or integral floats) of shape `[batch]` or
 * `[batch, 1]` (generally yPred's shape without, or with 1 for, the class axis). From logits:
 * `logSumExp(x) − x[class]`; from probabilities: `−log(p[class])` after clipping to `[ε, 1−ε]` and
 * renormalising (as Keras's TensorFlow backend). Ids outside `[0, classes)` give a loss of 0 (they are
 * not checked, which would need reading the ids back from the device).
 * @example sparseCategoricalCrossentropy(tensor([1]), tensor([[0.1, 0.8, 0.1]])) // [0.223…]
 */
export const sparseCategoricalCrossentropy = (yTrue: Tensor, yPred: Tensor, o: SparseCrossentropyOptions = {}): Tensor => {
  const op = 'sparseCategoricalCrossentropy'
  const p = lift(op, yPred, 1)
  let t = lift(op, yTrue, 0)
  if (t.shape.length === p.shape.length && t.shape[t.shape.length - 1] === 1) t = reshape(t, t.shape.slice(0, -1))
  if (t.shape.length !== p.shape.length - 1 || t.shape.some((d, i) => d !== p.shape[i]))
    shapeMismatch(op, t, p, ` without its last axis (class ids of shape ${show(p.shape.slice(0, -1))} or ${show([...p.shape.slice(0, -1), 1])})`)
  const classes = p.shape[p.shape.length - 1]
  const hot = oneHot(t, classes)
  const logp = o.fromLogits === true ? logSoftmax(p, -1) : logSoftmax(log(clip(p, EPSILON, 1 - EPSILON)), -1)
  return neg(sum(mul(hot, logp), -1))
}

// Keras converts {0, 1} hinge targets to {−1, 1}; elementwise here (0 → −1), which agrees on {0,1} and {−1,1} data
const hingeTargets = (t: Tensor): Tensor => where(compare(t, 0, 'eq'), -1, t)

/** Hinge: `mean(max(1 − t·p, 0))` with targets in {−1, 1} (or {0, 1}, converted). @example hinge(t, p) */
export const hinge = (yTrue: Tensor, yPred: Tensor): Tensor => {
  const [t, p] = align('hinge', yTrue, yPred)
  return lastMean(maximum(sub(1, mul(hingeTargets(t), p)), 0))
}
/** Squared hinge: `mean(max(1 − t·p, 0)²)`. @example squaredHinge(t, p) */
export const squaredHinge = (yTrue: Tensor, yPred: Tensor): Tensor => {
  const [t, p] = align('squaredHinge', yTrue, yPred)
  return lastMean(square(maximum(sub(1, mul(hingeTargets(t), p)), 0)))
}
/** Categorical hinge: `max(max((1 − t)·p) − Σ t·p + 1, 0)` over the last axis. @example categoricalHinge(t, p) */
export const categoricalHinge = (yTrue: Tensor, yPred: Tensor): Tensor => {
  const [t, p] = align('categoricalHinge', yTrue, yPred)
  const pos = lastSum(mul(t, p))
  const negative = p.shape.length === 0 ? mul(sub(1, t), p) : max(mul(sub(1, t), p), -1)
  return maximum(add(sub(negative, pos), 1), 0)
}

/**
 * Huber: per element `½e²` where `|e| ≤ δ`, else `δ|e| − ½δ²` (`e = p − t`), mean over the last axis.
 * @example huber(t, p, { delta: 1 })
 */
export const huber = (yTrue: Tensor, yPred: Tensor, o: HuberOptions = {}): Tensor => {
  const delta = o.delta ?? 1
  if (typeof delta !== 'number' || !(delta > 0)) fail('InvalidArgument', `huber: expected a positive delta, received ${show(delta)}`, { op: 'huber', path: 'delta', expected: '> 0', received: delta })
  const [t, p] = align('huber', yTrue, yPred)
  const e = sub(p, t)
  const a = abs(e)
  return lastMean(where(compare(a, delta, 'le'), mul(0.5, square(e)), sub(mul(delta, a), 0.5 * delta * delta)))
}
/** Log-cosh: `mean(log cosh(p − t))`, computed as `x + softplus(−2x) − log 2` (stable). @example logCosh(t, p) */
export const logCosh = (yTrue: Tensor, yPred: Tensor): Tensor => {
  const [t, p] = align('logCosh', yTrue, yPred)
  const x = sub(p, t)
  return lastMean(sub(add(x, softplus(mul(x, -2))), Math.LN2))
}
/** Kullback–Leibler divergence: `Σ t log(t / p)` with both clipped to `[ε, 1]`. @example klDivergence(t, p) */
export const klDivergence = (yTrue: Tensor, yPred: Tensor): Tensor => {
  const [t0, p0] = align('klDivergence', yTrue, yPred)
  const t = clip(t0, EPSILON, 1)
  const p = clip(p0, EPSILON, 1)
  return lastSum(mul(t, log(div(t, p))))
}
/** Poisson: `mean(p − t log(p + ε))`. @example poisson(t, p) */
export const poisson = (yTrue: Tensor, yPred: Tensor): Tensor => {
  const [t, p] = align('poisson', yTrue, yPred)
  return lastMean(sub(p, mul(t, log(add(p, EPSILON)))))
}
const l2Normalize = (x: Tensor): Tensor => div(x, sqrt(maximum(sum(square(x), -1, true), 1e-12)))
/**
 * Cosine similarity loss: `−Σ t̂ · p̂` over the last axis (unit-normalised), so −1 is best (Keras).
 * @example cosineSimilarity(tensor([[1, 0]]), tensor([[2, 0]])) // [-1]
 */
export const cosineSimilarity = (yTrue: Tensor, yPred: Tensor): Tensor => {
  const [t, p] = align('cosineSimilarity', yTrue, yPred)
  if (t.shape.length === 0) return neg(mul(div(t, abs(t)), div(p, abs(p))))
  return neg(sum(mul(l2Normalize(t), l2Normalize(p)), -1))
}

/** Short aliases, as Keras's functions. */
export const mse = meanSquaredError
export const mae = meanAbsoluteError
export const mape = meanAbsolutePercentageError
export const msle = meanSquaredLogarithmicError
export const kld = klDivergence

const alignWeights = (values: Tensor, w0: Tensor): Tensor => {
  const w = toFloat(w0)
  const rv = values.shape.length
  const rw = w.shape.length
  if (rw === rv + 1 && w.shape[rw - 1] === 1) return reshape(w, w.shape.slice(0, -1))
  if (rw < rv) return reshape(w, [...w.shape, ...Array.from({ length: rv - rw }, () => 1)])
  return w
}

/**
 * Keras's `'sum_over_batch_size'` reduction: `Σ lᵢ wᵢ / size(l)` (plain mean without weights). Sample
 * weights of shape `[batch]` or `[batch, 1]` broadcast over the trailing axes of `l`.
 * @example reduce(mse(yTrue, yPred)); reduce(mse(yTrue, yPred), sampleWeight)
 */
export const reduce = (perSample: Tensor, sampleWeight?: Tensor): Tensor => {
  const l = lift('reduce', perSample)
  if (sampleWeight === undefined) return l.shape.length === 0 ? l : mean(l)
  const w = alignWeights(l, lift('reduce', sampleWeight, 1))
  const weighted = mul(l, w)
  return div(sum(weighted), Math.max(1, weighted.size))
}

interface LossEntry {
  readonly fn: (yTrue: Tensor, yPred: Tensor, o: LossOptions) => Tensor
  readonly options: ReadonlyArray<keyof LossOptions>
}
const noOpt = (f: LossFn): LossEntry => ({ fn: (t, p) => f(t, p), options: [] })

/** The losses by canonical Keras name. */
export const losses: Readonly<Record<string, LossEntry>> = {
  mean_squared_error: noOpt(meanSquaredError),
  mean_absolute_error: noOpt(meanAbsoluteError),
  mean_absolute_percentage_error: noOpt(meanAbsolutePercentageError),
  mean_squared_logarithmic_error: noOpt(meanSquaredLogarithmicError),
  binary_crossentropy: { fn: binaryCrossentropy, options: ['fromLogits', 'labelSmoothing'] },
  categorical_crossentropy: { fn: categoricalCrossentropy, options: ['fromLogits', 'labelSmoothing'] },
  sparse_categorical_crossentropy: { fn: sparseCategoricalCrossentropy, options: ['fromLogits'] },
  hinge: noOpt(hinge),
  squared_hinge: noOpt(squaredHinge),
  categorical_hinge: noOpt(categoricalHinge),
  huber: { fn: huber, options: ['delta'] },
  log_cosh: noOpt(logCosh),
  kl_divergence: noOpt(klDivergence),
  poisson: noOpt(poisson),
  cosine_similarity: noOpt(cosineSimilarity)
}

/** Canonical names, in order. */
export const lossNames: ReadonlyArray<string> = Object.keys(losses)

/** @internal Loss names and their aliases. */
export const lossNameTable: NameTable = nameTable(lossNames, LOSS_ALIASES)

/**
 * The canonical Keras name of a loss spelling ('mse', 'MeanSquaredError', 'meanSquaredError' →
 * 'mean_squared_error'), or `undefined`.
 * @example canonicalLossName('logcosh') // 'log_cosh'
 */
export const canonicalLossName = (name: string): string | undefined => lossNameTable.canonical(name)

/**
 * A loss by Keras name or alias (case, `_` and `-` ignored), with options bound. An unknown name or
 * option is a `Left` naming what came, what is allowed and the nearest.
 * @example lossFromName('binary_crossentropy', { fromLogits: true })
 */
export const lossFromName = (name: string, options: LossOptions = {}): E.Either<TfError, LossFn> => {
  const key = canonicalLossName(name)
  if (key === undefined) {
    const near = typeof name === 'string' ? nearest(name, lossNameTable.accepted) : undefined
    return E.left(
      tfError('UnknownLoss', `unknown loss ${typeof name === 'string' ? `'${name}'` : show(name)}${near ? ` — did you mean '${near}'?` : ''} (expected one of ${lossNames.map((n) => `'${n}'`).join(', ')}, or a function)`, {
        expected: lossNames,
        received: name,
        nearest: near
      })
    )
  }
  const entry = losses[key]
  for (const k of Object.keys(options ?? {}))
    if (!(entry.options as ReadonlyArray<string>).includes(k))
      return E.left(
        tfError('InvalidArgument', `${key}: unknown option '${k}'${entry.options.length ? ` (expected one of ${entry.options.map((o) => `'${o}'`).join(', ')})` : ' (it takes no options)'}`, {
          op: key,
          path: k,
          expected: entry.options,
          received: k
        })
      )
  return E.right((yTrue: Tensor, yPred: Tensor) => entry.fn(yTrue, yPred, options))
}

/** A loss given by name or as a function. */
export type LossSpec = string | LossFn
/** Losses for a model: one for all outputs, a list (one per output, `null` for none) or a record by output name. */
export type LossesSpec = LossSpec | ReadonlyArray<LossSpec | null> | Readonly<Record<string, LossSpec | null>>

const one = (spec: LossSpec, where: string): E.Either<TfError, LossFn> => {
  if (typeof spec === 'function') return E.right(spec)
  if (typeof spec === 'string') {
    const r = lossFromName(spec)
    return E.isLeft(r) ? E.left({ ...r.left, path: where, message: `${where}: ${r.left.message}` }) : r
  }
  return E.left(tfError('InvalidArgument', `${where}: expected a loss name or a function (yTrue, yPred) => Tensor, received ${show(spec)}`, { path: where, expected: 'string | function', received: spec }))
}

/**
 * One loss per output (Keras's rules): a single loss applies to every output; a list must have one
 * entry per output; a record is keyed by output name (outputs left out get no loss, `undefined`).
 * @example resolveLosses({ out: 'mse', out_1: 'binary_crossentropy' }, ['out', 'out_1'])
 */
export const resolveLosses = (spec: LossesSpec, outputNames: ReadonlyArray<string>): E.Either<TfError, ReadonlyArray<LossFn | undefined>> => {
  if (typeof spec === 'string' || typeof spec === 'function') return E.map((f: LossFn) => outputNames.map(() => f))(one(spec, 'loss'))
  if (Array.isArray(spec)) {
    const list = spec as ReadonlyArray<LossSpec | null>
    if (list.length !== outputNames.length)
      return E.left(
        tfError('InvalidArgument', `loss: expected a list of ${outputNames.length} losses (one per output: ${outputNames.join(', ')}), received ${list.length}`, {
          path: 'loss',
          expected: outputNames.length,
          received: list.length
        })
      )
    const out: Array<LossFn | undefined> = []
    for (let i = 0; i < list.length; i++) {
      const s = list[i]
      if (s === null || s === undefined) out.push(undefined)
      else {
        const r = one(s, `loss[${i}]`)
        if (E.isLeft(r)) return r
        out.push(r.right)
      }
    }
    return E.right(out)
  }
  if (typeof spec === 'object' && spec !== null && !isTensor(spec)) {
    const rec = spec as Readonly<Record<string, LossSpec | null>>
    for (const k of Object.keys(rec))
      if (!outputNames.includes(k)) {
        const near = nearest(k, outputNames)
        return E.left(
          tfError('InvalidArgument', `loss: unknown output '${k}'${near ? ` — did you mean '${near}'?` : ''} (outputs: ${outputNames.join(', ')})`, {
            path: `loss.${k}`,
            expected: outputNames,
            received: k,
            nearest: near
          })
        )
      }
    const out: Array<LossFn | undefined> = []
    for (const n of outputNames) {
      const s = rec[n]
      if (s === null || s === undefined) out.push(undefined)
      else {
        const r = one(s, `loss.${n}`)
        if (E.isLeft(r)) return r
        out.push(r.right)
      }
    }
    return E.right(out)
  }
  return E.left(tfError('InvalidArgument', `loss: expected a loss name, a function, a list or a record of them, received ${show(spec)}`, { path: 'loss', expected: 'LossesSpec', received: spec }))
}

/**
 * Per-output loss weights (default 1 each), from a list (one per output) or a record by output name.
 * @example resolveLossWeights({ out: 1, out_1: 0.2 }, ['out', 'out_1']) // Right([1, 0.2])
 */
export const resolveLossWeights = (
  weights: ReadonlyArray<number> | Readonly<Record<string, number>> | undefined,
  outputNames: ReadonlyArray<string>
): E.Either<TfError, ReadonlyArray<number>> => {
  if (weights === undefined) return E.right(outputNames.map(() => 1))
  const bad = (path: string, v: unknown): E.Either<TfError, never> =>
    E.left(tfError('InvalidArgument', `${path}: expected a finite number, received ${show(v)}`, { path, expected: 'finite number', received: v }))
  if (Array.isArray(weights)) {
    const list = weights as ReadonlyArray<number>
    if (list.length !== outputNames.length)
      return E.left(
        tfError('InvalidArgument', `lossWeights: expected ${outputNames.length} weights (one per output: ${outputNames.join(', ')}), received ${list.length}`, {
          path: 'lossWeights',
          expected: outputNames.length,
          received: list.length
        })
      )
    for (let i = 0; i < list.length; i++) if (typeof list[i] !== 'number' || !Number.isFinite(list[i])) return bad(`lossWeights[${i}]`, list[i])
    return E.right(list.slice())
  }
  if (typeof weights === 'object' && weights !== null) {
    const rec = weights as Readonly<Record<string, number>>
    for (const k of Object.keys(rec)) {
      if (!outputNames.includes(k)) {
        const near = nearest(k, outputNames)
        return E.left(
          tfError('InvalidArgument', `lossWeights: unknown output '${k}'${near ? ` — did you mean '${near}'?` : ''} (outputs: ${outputNames.join(', ')})`, {
            path: `lossWeights.${k}`,
            expected: outputNames,
            received: k,
            nearest: near
          })
        )
      }
      if (typeof rec[k] !== 'number' || !Number.isFinite(rec[k])) return bad(`lossWeights.${k}`, rec[k])
    }
    return E.right(outputNames.map((n) => rec[n] ?? 1))
  }
  return bad('lossWeights', weights)
}

/**
 * The total loss of several outputs: `Σ wₖ · reduce(lossₖ(yTrueₖ, yPredₖ), sampleWeight)`, skipping
 * outputs without a loss.
 * @example totalLoss([mse, undefined], [1, 1], [t0, t1], [p0, p1])
 */
export const totalLoss = (
  fns: ReadonlyArray<LossFn | undefined>,
  weights: ReadonlyArray<number>,
  yTrue: ReadonlyArray<Tensor>,
  yPred: ReadonlyArray<Tensor>,
  sampleWeight?: Tensor
): Tensor => {
  let acc: Tensor | undefined
  fns.forEach((f, k) => {
    if (f === undefined) return
    const l = mul(reduce(f(yTrue[k], yPred[k]), sampleWeight), weights[k] ?? 1)
    acc = acc === undefined ? l : add(acc, l)
  })
  return acc ?? lift('totalLoss', 0)
}

/**
 * Keras's `class_weight` as per-sample weights: the class of a sample is `argmax` of a one-hot row, or
 * its rounded value for class ids; classes not listed weigh 1. Reads `yTrue` on the host (data
 * preparation, before the training step).
 * @example sampleWeightsFromClassWeight(tensor([0, 1, 1]), { 0: 1, 1: 3 }) // [1, 3, 3]
 */
export const sampleWeightsFromClassWeight = (yTrue: Tensor, classWeight: Readonly<Record<number, number>>): Tensor => {
  const v = dataF64(yTrue)
  const s = yTrue.shape
  const last = s.length > 1 ? s[s.length - 1] : 1
  const n = s.length === 0 ? 1 : s[0]
  const per = v.length / Math.max(1, n)
  const out = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    let cls: number
    if (s.length > 1 && last !== 1) {
      let best = 0
      for (let j = 1; j < per; j++) if (v[i * per + j] > v[i * per + best]) best = j
      cls = best
    } else cls = Math.round(v[i * per])
    const w = classWeight[cls]
    out[i] = typeof w === 'number' ? w : 1
  }
  return fromBuffer(Float32Array.from(out), [n])
}
