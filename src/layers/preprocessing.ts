/**
 * Preprocessing layers (Keras 2.15): `rescaling` (`x·scale + offset`) and `normalization`
 * (`(x − mean) / max(sqrt(variance), ε)`, or the inverse with `invert`), with `adapt(layer, data)`,
 * which computes the statistics of the data and returns a NEW layer (the old one is unchanged).
 *
 * A `normalization` layer given `mean` and `variance` (or adapted) holds them in its config, as
 * constants. One without them keeps Keras's non-trainable weights `mean`, `variance`, `count` in its
 * state (zeros, ones, 0: the identity until weights are loaded) — what Keras saves for an adapted layer.
 *
 * @example
 * const norm = adapt(layers.normalization(), [[1, 10], [3, 30]]) // mean [2, 20], variance [1, 100]
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { type Tensor, tensor, fill, dataSync } from '../core/Tensor.js'
import { size } from '../core/Shape.js'
import { tfError, type TfError, show, orThrow } from '../core/errors.js'
import { add, mul, div, sqrt, maximum, reshape } from '../primitives/index.js'
import { sub } from '../ops/arithmetic.js'
import { type Layer, type BaseOptions, type Empty, type BatchShape, type Json, makeLayer, shapeErr, showShape, checkOptions } from './Layer.js'
import { toTensor } from './common.js'

const none: Empty = Object.freeze({})
const EPSILON = 1e-7

const invalid = (where: string, expected: string, received: unknown): E.Either<TfError, never> =>
  E.left(tfError('InvalidOption', `${where}: expected ${expected}, received ${show(received)}`, { path: where, expected, received }))

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v)

// ---------------------------------------------------------------------------------------------------
// rescaling

/** `rescaling` as `Either`. */
export const rescalingE = (scale: number, opts: BaseOptions & { readonly offset?: number } = {}): E.Either<TfError, Layer<Empty>> => {
  const ok = checkOptions('rescaling', opts, ['offset'])
  if (E.isLeft(ok)) return ok
  const offset = opts.offset ?? 0
  if (!finite(scale)) return invalid('rescaling.scale', 'a finite number', scale)
  if (!finite(offset)) return invalid('rescaling.offset', 'a finite number', offset)
  return E.right(
    makeLayer<Empty, Empty>('Rescaling', { scale, offset }, opts, (_k, s) => E.right({ params: none, state: none, outputShape: s }), () => (x) => ({
      y: offset === 0 ? mul(x, scale) : add(mul(x, scale), offset),
      state: none
    }))
  )
}
/** `x·scale + offset` (e.g. pixels to [0, 1]). @example rescaling(1 / 255) */
export const rescaling = (scale: number, opts: BaseOptions & { readonly offset?: number } = {}): Layer<Empty> => orThrow(rescalingE(scale, opts))

// ---------------------------------------------------------------------------------------------------
// normalization

/** Options of {@link normalization}. */
export interface NormalizationOptions extends BaseOptions {
  /** the axes that keep their own statistics (default -1, the features); `null`: one statistic for all */
  readonly axis?: number | ReadonlyArray<number> | null
  /** the mean: a number or one value per kept position (row-major); with `variance` */
  readonly mean?: number | ReadonlyArray<number>
  readonly variance?: number | ReadonlyArray<number>
  /** `true`: undo the normalization (`mean + x·sqrt(variance)`) */
  readonly invert?: boolean
}

/** State of a normalization layer without constant statistics (Keras's weights of an adapted layer). */
export type NormalizationState = { readonly mean: Tensor; readonly variance: Tensor; readonly count: Tensor } | Empty

const keptAxes = (axis: number | ReadonlyArray<number> | null, rank: number): number[] =>
  axis === null ? [] : (typeof axis === 'number' ? [axis] : [...axis]).map((a) => (a < 0 ? a + rank : a)).sort((a, b) => a - b)

/** Statistics of the kept axes, reshaped to broadcast against a rank-`rank` input. */
const broadcastStat = (t: Tensor, kept: ReadonlyArray<number>, s: ReadonlyArray<number | null>): Tensor =>
  reshape(t, s.map((d, i) => (kept.includes(i) ? (d as number) : 1)))

const flatList = (v: number | ReadonlyArray<number> | undefined): Json | undefined => (v === undefined ? undefined : typeof v === 'number' ? v : [...v])

/** `normalization` as `Either`. */
export const normalizationE = (opts: NormalizationOptions = {}): E.Either<TfError, Layer<Empty, NormalizationState>> => {
  const ok = checkOptions('normalization', opts, ['axis', 'mean', 'variance', 'invert'])
  if (E.isLeft(ok)) return ok
  const axis = opts.axis === undefined ? -1 : opts.axis
  if (!(axis === null || Number.isSafeInteger(axis) || (Array.isArray(axis) && axis.every((a) => Number.isSafeInteger(a)))))
    return invalid('normalization.axis', 'an integer, a list of integers or null', axis)
  const invert = opts.invert ?? false
  if (typeof invert !== 'boolean') return invalid('normalization.invert', 'a boolean', invert)
  if ((opts.mean === undefined) !== (opts.variance === undefined)) return invalid('normalization', 'both mean and variance, or neither', { mean: opts.mean, variance: opts.variance })
  const listOk = (v: unknown) => finite(v) || (Array.isArray(v) && v.length > 0 && v.every(finite))
  if (opts.mean !== undefined && !listOk(opts.mean)) return invalid('normalization.mean', 'a finite number or a list of them', opts.mean)
  if (opts.variance !== undefined && (!listOk(opts.variance) || (Array.isArray(opts.variance) ? opts.variance : [opts.variance]).some((v) => v < 0)))
    return invalid('normalization.variance', 'a non-negative number or a list of them', opts.variance)
  const constant = opts.mean !== undefined
  const config = { axis: typeof axis === 'number' || axis === null ? axis : [...axis], mean: flatList(opts.mean), variance: flatList(opts.variance), invert }
  return E.right(
    makeLayer<Empty, NormalizationState>(
      'Normalization',
      config,
      opts,
      (_k, s) => {
        const kept = keptAxes(axis, s.length)
        if (kept.some((a) => a <= 0 || a >= s.length || s[a] === null))
          return shapeErr('normalization', `axis ${JSON.stringify(axis)} must name known, non-batch axes of the input, received ${showShape(s)}`, 'known non-batch axes', s)
        const shape = kept.map((a) => s[a] as number)
        const n = size(shape)
        if (constant) {
          const bad = [opts.mean, opts.variance].find((v) => Array.isArray(v) && v.length !== n)
          if (bad !== undefined) return shapeErr('normalization', `mean and variance need 1 or ${n} values for the kept axes ${JSON.stringify(shape)}, received ${(bad as ReadonlyArray<number>).length}`, n, bad)
          return E.right({ params: none, state: none, outputShape: s })
        }
        const state = Object.freeze({ mean: fill(shape, 0), variance: fill(shape, 1), count: fill([], 0) })
        return E.right({ params: none, state, outputShape: s })
      },
      (_p, st) => (x) => {
        const kept = keptAxes(axis, x.shape.length)
        const shape = kept.map((a) => x.shape[a])
        const stat = (v: number | ReadonlyArray<number> | undefined, fromState: Tensor | undefined): Tensor => {
          const t = v === undefined ? (fromState as Tensor) : typeof v === 'number' ? fill(shape, v) : tensor(Float32Array.from(v), shape)
          return broadcastStat(t, kept, x.shape)
        }
        const s = st as { readonly mean?: Tensor; readonly variance?: Tensor }
        const mu = stat(opts.mean, s.mean)
        const sd = maximum(sqrt(stat(opts.variance, s.variance)), EPSILON)
        return { y: invert ? add(mu, mul(x, sd)) : div(sub(x, mu), sd), state: st }
      }
    )
  )
}
/**
 * Normalizes features to mean 0 and variance 1 with given (or adapted) statistics.
 * @example layers.normalization({ mean: [2, 20], variance: [1, 100] })
 */
export const normalization = (opts: NormalizationOptions = {}): Layer<Empty, NormalizationState> => orThrow(normalizationE(opts))

/**
 * `adapt(layer, data)`: a NEW normalization layer whose mean and variance are those of `data` (over
 * every axis but the kept ones; the variance is the biased one, as Keras's). The layer keeps its name
 * and options; `data` is a Tensor, nested numbers or `{data, shape}` with the batch axis first.
 * @example adaptE(layers.normalization(), [[1, 10], [3, 30]])
 */
export const adaptE = (layer: Layer<Empty, NormalizationState>, data: unknown): E.Either<TfError, Layer<Empty, NormalizationState>> => {
  if (typeof layer !== 'object' || layer === null || layer.kind !== 'Normalization')
    return invalid('adapt', 'a normalization layer', (layer as { kind?: unknown } | null)?.kind ?? layer)
  const t = toTensor(data)
  if (E.isLeft(t)) return t
  const x = t.right
  const c = layer.config
  const axis = c.axis as number | ReadonlyArray<number> | null
  const kept = keptAxes(axis, x.shape.length)
  if (x.shape.length < 1 || x.shape[0] === 0 || kept.some((a) => a <= 0 || a >= x.shape.length))
    return shapeErr('adapt', `data of shape ${showShape(x.shape as BatchShape)} does not fit the layer's axis ${JSON.stringify(axis)}`, 'data with the batch axis first', x.shape)
  // float64 sums on the host: one pass for the mean, one for the variance
  const v = dataSync(x)
  const shape = x.shape
  const strides = shape.map((_, i) => size(shape.slice(i + 1)))
  const keptSizes = kept.map((a) => shape[a])
  const n = size(keptSizes)
  const per = v.length / n
  const slot = (i: number): number => kept.reduce((acc, a, j) => acc * keptSizes[j] + (Math.floor(i / strides[a]) % shape[a]), 0)
  const sums = new Float64Array(n)
  for (let i = 0; i < v.length; i++) sums[slot(i)] += v[i]
  const mean = Array.from(sums, (s) => s / per)
  const sq = new Float64Array(n)
  for (let i = 0; i < v.length; i++) {
    const d = v[i] - mean[slot(i)]
    sq[slot(i)] += d * d
  }
  const variance = Array.from(sq, (s) => s / per)
  const opts: NormalizationOptions = {
    ...(layer.autoName === true ? {} : { name: layer.name }),
    ...(Array.isArray(c.inputShape) ? { inputShape: c.inputShape as ReadonlyArray<number> } : {}),
    ...(layer.trainable === false ? { trainable: false } : {}),
    axis,
    invert: c.invert === true,
    mean: n === 1 && kept.length === 0 ? mean[0] : mean,
    variance: n === 1 && kept.length === 0 ? variance[0] : variance
  }
  return normalizationE(opts)
}
/** {@link adaptE}, throwing. @example const norm = adapt(layers.normalization(), xTrain) */
export const adapt = (layer: Layer<Empty, NormalizationState>, data: unknown): Layer<Empty, NormalizationState> => orThrow(adaptE(layer, data))
