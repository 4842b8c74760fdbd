/**
 * Keras's loss reductions: `reduce` (`'sum_over_batch_size'`), `withReduction` (a loss object with a
 * reduction, from any per-sample loss) and `configurable` (a built-in loss that is also Keras's loss
 * class: `meanSquaredError(yTrue, yPred)` computes, `meanSquaredError({reduction: 'none'})` configures).
 *
 * @since 0.2.0
 */
import { type Tensor, isTensor } from '../core/Tensor.js'
import { show, fail } from '../core/errors.js'
import { nearest } from '../core/nearest.js'
import { mul, div, sum, reshape, cast, lift } from '../primitives/index.js'
import { mean } from '../ops/reductions.js'

/** A loss as the trainer uses it: per-sample values from targets and predictions. */
export type LossFn = (yTrue: Tensor, yPred: Tensor) => Tensor

const toFloat = (t: Tensor): Tensor => (t.dtype === 'float32' ? t : cast(t, 'float32'))

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

/**
 * Keras's loss reductions: `'none'` keeps the per-sample losses (times the sample weights),
 * `'sum'` adds them up, `'sum_over_batch_size'` (the default) is `reduce`.
 */
export type Reduction = 'none' | 'sum' | 'sum_over_batch_size'
/** The accepted reductions, in Keras's spelling. */
export const REDUCTIONS: ReadonlyArray<Reduction> = ['none', 'sum', 'sum_over_batch_size']

/**
 * A loss object with a reduction (Keras's `Loss(reduction=...)`): called, it returns the reduced loss
 * (for `'none'` the per-sample losses times the weights, shape `[batch, ...]`); `perSample` is the
 * unreduced loss. In `compile`, Keras 2.15's rules apply: `'sum_over_batch_size'` trains and logs the
 * weighted mean; `'sum'` trains and logs the batch sum; `'none'` trains on the SUM of the per-sample
 * losses while the logged `loss` is their mean.
 */
export interface ReducedLoss {
  (yTrue: Tensor, yPred: Tensor, sampleWeight?: Tensor): Tensor
  readonly reduction: Reduction
  readonly perSample: LossFn
}

/** @internal The per-sample values times the sample weights (broadcast over trailing axes). */
export const weighted = (perSample: Tensor, sampleWeight?: Tensor): Tensor =>
  sampleWeight === undefined ? lift('weighted', perSample) : mul(lift('weighted', perSample), alignWeights(perSample, lift('weighted', sampleWeight, 1)))

/**
 * A loss with a reduction, from any per-sample loss: a built-in one (`meanSquaredError`) or your own
 * `(yTrue, yPred) => Tensor`. An unknown reduction throws a tagged `InvalidOption`.
 * @example compile(model, { optimizer: 'sgd', loss: withReduction(meanSquaredError, 'sum') })
 */
export const withReduction = (loss: LossFn, reduction: Reduction = 'sum_over_batch_size'): ReducedLoss => {
  if (typeof loss !== 'function') fail('InvalidOption', `withReduction: expected a loss function (yTrue, yPred) => Tensor, received ${show(loss)}`, { path: 'loss', expected: 'function', received: loss })
  if (!REDUCTIONS.includes(reduction)) {
    const near = typeof reduction === 'string' ? nearest(reduction, REDUCTIONS) : undefined
    fail('InvalidOption', `withReduction: unknown reduction ${show(reduction)}${near ? ` — did you mean '${near}'?` : ''} (expected one of ${REDUCTIONS.map((r) => `'${r}'`).join(', ')})`, {
      path: 'reduction',
      expected: REDUCTIONS,
      received: reduction,
      nearest: near
    })
  }
  const perSample: LossFn = (loss as Partial<ReducedLoss>).perSample ?? loss
  const f = (yTrue: Tensor, yPred: Tensor, sampleWeight?: Tensor): Tensor => {
    const l = perSample(yTrue, yPred)
    if (reduction === 'sum_over_batch_size') return reduce(l, sampleWeight)
    const v = weighted(l, sampleWeight)
    return reduction === 'sum' ? sum(v) : v
  }
  return Object.freeze(Object.assign(f, { reduction, perSample }))
}

/** @internal The reduction and per-sample loss of a loss given to compile (plain functions: the default). */
export const reductionOf = (loss: LossFn): { readonly reduction: Reduction; readonly perSample: LossFn } => {
  const r = loss as Partial<ReducedLoss>
  return r.reduction !== undefined && typeof r.perSample === 'function' ? { reduction: r.reduction, perSample: r.perSample } : { reduction: 'sum_over_batch_size', perSample: loss }
}

/**
 * A built-in loss without options: called with `(yTrue, yPred)` it gives the per-sample loss; called
 * with an options record it is Keras's loss class (`MeanSquaredError(reduction=…)`), a `ReducedLoss`.
 */
export interface PlainLoss {
  (yTrue: Tensor, yPred: Tensor): Tensor
  (options: { readonly reduction?: Reduction }): ReducedLoss
}

/**
 * A built-in loss with options `O`: `(yTrue, yPred, options?)` gives the per-sample loss; an options
 * record (with an optional `reduction`) alone gives the configured `ReducedLoss` (Keras's
 * `BinaryCrossentropy(from_logits=True, reduction=…)`).
 */
export interface OptionsLoss<O extends object> {
  (yTrue: Tensor, yPred: Tensor, options?: O): Tensor
  (options: O & { readonly reduction?: Reduction }): ReducedLoss
}

const isOptionsRecord = (u: unknown): u is Readonly<Record<string, unknown>> =>
  typeof u === 'object' && u !== null && !isTensor(u) && !Array.isArray(u) && !ArrayBuffer.isView(u)

const boundFrom = new WeakMap<LossFn, unknown>()
/** @internal The built-in loss an options-bound loss was made from (`mse({reduction})`'s per-sample loss → `mse`). */
export const builtFrom = (f: LossFn): unknown => boundFrom.get(f)

/**
 * @internal A built-in loss that is also its own loss class: an options record as the only argument
 * (keys: `optionKeys` and `reduction`) gives `withReduction(loss with those options, reduction)`.
 * An unknown option throws a tagged `InvalidOption` naming it and the nearest allowed one.
 */
export function configurable(name: string, optionKeys: readonly [], f: (yTrue: Tensor, yPred: Tensor) => Tensor): PlainLoss
export function configurable<O extends object>(name: string, optionKeys: ReadonlyArray<keyof O & string>, f: (yTrue: Tensor, yPred: Tensor, o?: O) => Tensor): OptionsLoss<O>
export function configurable<O extends object>(name: string, optionKeys: ReadonlyArray<string>, f: (yTrue: Tensor, yPred: Tensor, o?: O) => Tensor): PlainLoss | OptionsLoss<O> {
  const allowed = [...optionKeys, 'reduction']
  const loss = (a: unknown, b?: unknown, c?: unknown): Tensor | ReducedLoss => {
    if (b === undefined && isOptionsRecord(a)) {
      const { reduction, ...o } = a as Readonly<Record<string, unknown>>
      for (const k of Object.keys(o))
        if (!allowed.includes(k)) {
          const near = nearest(k, allowed)
          fail('InvalidOption', `${name}: unknown option '${k}'${near ? ` — did you mean '${near}'?` : ''} (expected one of ${allowed.map((n) => `'${n}'`).join(', ')})`, {
            op: name,
            path: k,
            expected: allowed,
            received: k,
            nearest: near
          })
        }
      const bound: LossFn = (yTrue, yPred) => f(yTrue, yPred, o as O)
      boundFrom.set(bound, loss)
      return withReduction(bound, (reduction ?? 'sum_over_batch_size') as Reduction)
    }
    return f(a as Tensor, b as Tensor, c as O | undefined)
  }
  Object.defineProperty(loss, 'name', { value: name })
  return loss as PlainLoss | OptionsLoss<O>
}
