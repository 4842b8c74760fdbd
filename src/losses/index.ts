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
import { type Tensor, isTensor, dataF64, fromBuffer } from '../core/Tensor.js'
import { tfError, show } from '../core/errors.js'
import type { LossError } from './errors.js'
import { nearest } from '../core/nearest.js'
import { type NameTable, nameTable, LOSS_ALIASES } from '../core/names.js'
import {
  type LossFn, type LossOptions, meanSquaredError, meanAbsoluteError, meanAbsolutePercentageError, meanSquaredLogarithmicError,
  binaryCrossentropy, categoricalCrossentropy, sparseCategoricalCrossentropy, hinge, squaredHinge, categoricalHinge, huber, logCosh,
  klDivergence, poisson, cosineSimilarity, reduce, type Reduction, type ReducedLoss, withReduction, REDUCTIONS, reductionOf, weighted
} from './functions.js'
import { add, mul, sum, lift } from '../primitives/index.js'
import { withTargetRule, ruleOfName } from './targets.js'

export * from './functions.js'

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
 * option is a `Left` naming what came, what is allowed and the nearest. With `reduction`
 * (`'none' | 'sum' | 'sum_over_batch_size'`) it is a `ReducedLoss` (see `withReduction`).
 * @example lossFromName('binary_crossentropy', { fromLogits: true })
 * @example lossFromName('mse', { reduction: 'none' }) // Right(ReducedLoss)
 */
export function lossFromName(name: string, options?: LossOptions): E.Either<LossError, LossFn>
export function lossFromName(name: string, options: LossOptions & { readonly reduction: Reduction }): E.Either<LossError, ReducedLoss>
export function lossFromName(name: string, options0: LossOptions & { readonly reduction?: Reduction } = {}): E.Either<LossError, LossFn | ReducedLoss> {
  const { reduction, ...options } = options0 ?? {}
  if (reduction !== undefined && !REDUCTIONS.includes(reduction)) {
    const near = typeof reduction === 'string' ? nearest(reduction, REDUCTIONS) : undefined
    return E.left(
      tfError('InvalidOption', `${name}: unknown reduction ${show(reduction)}${near ? ` — did you mean '${near}'?` : ''} (expected one of ${REDUCTIONS.map((r) => `'${r}'`).join(', ')})`, {
        path: 'reduction',
        expected: REDUCTIONS,
        received: reduction,
        nearest: near
      })
    )
  }
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
        tfError('InvalidOption', `${key}: unknown option '${k}'${entry.options.length ? ` (expected one of ${entry.options.map((o) => `'${o}'`).join(', ')})` : ' (it takes no options)'}`, {
          op: key,
          path: k,
          expected: entry.options,
          received: k
        })
      )
  const fn = withTargetRule((yTrue: Tensor, yPred: Tensor): Tensor => entry.fn(yTrue, yPred, options), ruleOfName(key))
  return E.right(reduction === undefined ? fn : withReduction(fn, reduction))
}

/** A loss given by name or as a function. */
export type LossSpec = string | LossFn
/** Losses for a model: one for all outputs, a list (one per output, `null` for none) or a record by output name. */
export type LossesSpec = LossSpec | ReadonlyArray<LossSpec | null> | Readonly<Record<string, LossSpec | null>>

const one = (spec: LossSpec, where: string): E.Either<LossError, LossFn> => {
  if (typeof spec === 'function') return E.right(spec)
  if (typeof spec === 'string') {
    const r = lossFromName(spec)
    return E.isLeft(r) ? E.left({ ...r.left, path: where, message: `${where}: ${r.left.message}` }) : r
  }
  return E.left(tfError('InvalidOption', `${where}: expected a loss name or a function (yTrue, yPred) => Tensor, received ${show(spec)}`, { path: where, expected: 'string | function', received: spec }))
}

/** A key of a `loss` or `lossWeights` record that names no output: `InvalidOption` with the nearest output name. */
const unknownOutput = (where: string, k: string, outputNames: ReadonlyArray<string>): LossError => {
  const near = nearest(k, outputNames)
  return tfError('InvalidOption', `${where}: unknown output '${k}'${near ? ` — did you mean '${near}'?` : ''} (outputs: ${outputNames.join(', ')})`, {
    path: `${where}.${k}`,
    expected: outputNames,
    received: k,
    nearest: near
  })
}

/**
 * One loss per output (Keras's rules): a single loss applies to every output; a list must have one
 * entry per output; a record is keyed by output name (outputs left out get no loss, `undefined`).
 * @example resolveLosses({ out: 'mse', out_1: 'binary_crossentropy' }, ['out', 'out_1'])
 */
export const resolveLosses = (spec: LossesSpec, outputNames: ReadonlyArray<string>): E.Either<LossError, ReadonlyArray<LossFn | undefined>> => {
  if (typeof spec === 'string' || typeof spec === 'function') return E.map((f: LossFn) => outputNames.map(() => f))(one(spec, 'loss'))
  if (Array.isArray(spec)) {
    const list = spec as ReadonlyArray<LossSpec | null>
    if (list.length !== outputNames.length)
      return E.left(
        tfError('InvalidOption', `loss: expected a list of ${outputNames.length} losses (one per output: ${outputNames.join(', ')}), received ${list.length}`, {
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
      if (!outputNames.includes(k)) return E.left(unknownOutput('loss', k, outputNames))
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
  return E.left(tfError('InvalidOption', `loss: expected a loss name, a function, a list or a record of them, received ${show(spec)}`, { path: 'loss', expected: 'LossesSpec', received: spec }))
}

/**
 * Per-output loss weights (default 1 each), from a list (one per output) or a record by output name.
 * @example resolveLossWeights({ out: 1, out_1: 0.2 }, ['out', 'out_1']) // Right([1, 0.2])
 */
export const resolveLossWeights = (
  weights: ReadonlyArray<number> | Readonly<Record<string, number>> | undefined,
  outputNames: ReadonlyArray<string>
): E.Either<LossError, ReadonlyArray<number>> => {
  if (weights === undefined) return E.right(outputNames.map(() => 1))
  const bad = (path: string, v: unknown): E.Either<LossError, never> =>
    E.left(tfError('InvalidOption', `${path}: expected a finite number, received ${show(v)}`, { path, expected: 'finite number', received: v }))
  if (Array.isArray(weights)) {
    const list = weights as ReadonlyArray<number>
    if (list.length !== outputNames.length)
      return E.left(
        tfError('InvalidOption', `lossWeights: expected ${outputNames.length} weights (one per output: ${outputNames.join(', ')}), received ${list.length}`, {
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
      if (!outputNames.includes(k)) return E.left(unknownOutput('lossWeights', k, outputNames))
      if (typeof rec[k] !== 'number' || !Number.isFinite(rec[k])) return bad(`lossWeights.${k}`, rec[k])
    }
    return E.right(outputNames.map((n) => rec[n] ?? 1))
  }
  return bad('lossWeights', weights)
}

/**
 * The total loss of several outputs: `Σ wₖ · reduce(lossₖ(yTrueₖ, yPredₖ), sampleWeight)`, skipping
 * outputs without a loss; a `'sum'` or `'none'` loss (`withReduction`) counts with its weighted sum.
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
    const r = reductionOf(f)
    const ps = r.perSample(yTrue[k], yPred[k])
    const red = r.reduction === 'sum_over_batch_size' ? reduce(ps, sampleWeight) : sum(weighted(ps, sampleWeight))
    const l = mul(red, weights[k] ?? 1)
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
