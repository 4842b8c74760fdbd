/**
 * Normalization layers (Keras 2.15): `batchNormalization` and `layerNormalization`.
 *
 * `batchNormalization` keeps its moving statistics in the layer's **state** (`moving_mean`,
 * `moving_variance`: non-trainable weights), next to its params `gamma` and `beta` (Keras's names and
 * order). In training (`ctx.training`, and the layer not frozen) it normalizes with the batch's
 * statistics and returns the updated state, which `fit` carries to the next step:
 *
 *   moving ← moving − (moving − batch)·(1 − momentum)
 *
 * with the batch variance biased (÷n) for rank-2/3 inputs and unbiased (÷(n−1)) for rank-4/5 inputs
 * normalized over their channel axis — what Keras 2's non-fused and fused kernels do. In inference, or
 * when frozen (`trainable: false`, Keras 2 behaviour), it uses the moving statistics and leaves them.
 * `axis` is one axis or a list of axes (Keras 2.15): the statistics are kept per position of those axes
 * and training reduces over all the others. Its four weights have Keras's shapes: `[size]` for one
 * axis, else the input's rank with 1 on the reduced axes (`[1, h, w, 1]` for `axis: [1, 2]`), so
 * Keras-converted weights load as they are. Several axes never use the fused (unbiased) variance.
 *
 * `layerNormalization` normalizes each sample over `axis` (default the last) with `gamma`/`beta` of
 * that axis's size.
 *
 * Laws (test/layers/norm.test.ts, test/layers/batchnorm-axes.test.ts): batchNormalization in training gives per-channel mean 0 and
 * variance ≈ 1 (γ = 1, β = 0); in inference with moving statistics (0, 1) it is `x / sqrt(1 + ε)`.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import type { Tensor } from '../core/Tensor.js'
import { split } from '../core/Key.js'
import { tfError, type TfError, show, orThrow } from '../core/errors.js'
import { add, mul, div, sqrt, reshape } from '../primitives/index.js'
import { sub } from '../ops/arithmetic.js'
import { mean } from '../ops/reductions.js'
import { stopGradient } from '../ad/vjp.js'
import { type Layer, type BaseOptions, type BatchShape, makeLayer, shapeErr, showShape, checkOptions } from './Layer.js'
import * as I from './initializers.js'
import { weightOptions, type RegularizerLike, type ConstraintLike } from './weights.js'

const invalid = (where: string, expected: string, received: unknown): E.Either<TfError, never> =>
  E.left(tfError('InvalidOption', `${where}: expected ${expected}, received ${show(received)}`, { path: where, expected, received }))

const isInt = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n)

/** `gamma`/`beta` (or the moving statistics) of the normalized axes, shaped to broadcast against the input. */
const broadcastable = (p: Tensor, rank: number, axes: ReadonlyArray<number>): Tensor => {
  if (p.shape.length === rank) return p // batchNormalization's several-axes weights: already the input's rank
  const trailing = axes.every((a, i) => a === rank - axes.length + i)
  return trailing ? p : reshape(p, Array.from({ length: rank }, (_, i) => (axes.includes(i) ? p.shape[axes.indexOf(i)] : 1)))
}

/**
 * Keras 2.15's shape for batchNormalization's four weights: the axis's size for one axis, else the
 * input's rank with 1 on every other axis (the batch axis included), e.g. `[1, 4, 5, 1]` for axis `[1, 2]`.
 */
const bnParamShape = (s: ReadonlyArray<number>, axes: ReadonlyArray<number>): number[] =>
  axes.length === 1 ? [s[axes[0]]] : s.map((d, i) => (axes.includes(i) ? d : 1))

/** Params of the normalization layers: `gamma` (if `scale`), then `beta` (if `center`). */
export type NormParams = { readonly gamma?: Tensor; readonly beta?: Tensor }

/** The weight options shared by both layers (Keras's names). */
export interface GammaBetaOptions extends BaseOptions {
  readonly axis?: number | ReadonlyArray<number>
  readonly epsilon?: number
  readonly center?: boolean
  readonly scale?: boolean
  readonly betaInitializer?: I.InitializerLike
  readonly gammaInitializer?: I.InitializerLike
  readonly betaRegularizer?: RegularizerLike
  readonly gammaRegularizer?: RegularizerLike
  readonly betaConstraint?: ConstraintLike
  readonly gammaConstraint?: ConstraintLike
  readonly activityRegularizer?: RegularizerLike
}

const GAMMA_BETA_KEYS = ['axis', 'epsilon', 'center', 'scale', 'betaInitializer', 'gammaInitializer', 'betaRegularizer', 'gammaRegularizer', 'betaConstraint', 'gammaConstraint', 'activityRegularizer']

/** Normalize `axis` against a rank: sorted, non-negative, unique; `Left` if out of range. */
const axesFor = (layer: string, axis: number | ReadonlyArray<number>, s: BatchShape): E.Either<TfError, number[]> => {
  const r = s.length
  const list = (typeof axis === 'number' ? [axis] : [...axis]).map((a) => (a < 0 ? a + r : a))
  if (list.some((a) => a <= 0 || a >= r) || new Set(list).size !== list.length)
    return shapeErr(layer, `axis ${JSON.stringify(axis)} is out of range (or the batch axis) for an input of shape ${showShape(s)}`, `axes in 1..${r - 1}`, s)
  const sorted = list.sort((a, b) => a - b)
  if (sorted.some((a) => s[a] === null)) return shapeErr(layer, `the normalized axes must have known sizes, received ${showShape(s)}`, 'known sizes', s)
  return E.right(sorted)
}

const common = (where: string, opts: GammaBetaOptions, dfltEps: number) => {
  const axis = opts.axis ?? -1
  if (!(isInt(axis) || (Array.isArray(axis) && axis.length > 0 && axis.every(isInt)))) return invalid(`${where}.axis`, 'an integer or a non-empty list of integers', axis)
  const epsilon = opts.epsilon ?? dfltEps
  if (typeof epsilon !== 'number' || !(epsilon > 0)) return invalid(`${where}.epsilon`, 'a positive number', epsilon)
  for (const k of ['center', 'scale'] as const) if (opts[k] !== undefined && typeof opts[k] !== 'boolean') return invalid(`${where}.${k}`, 'a boolean', opts[k])
  const bi = I.resolve(`${where}.betaInitializer`, opts.betaInitializer, I.zeros)
  if (E.isLeft(bi)) return bi
  const gi = I.resolve(`${where}.gammaInitializer`, opts.gammaInitializer, I.ones)
  if (E.isLeft(gi)) return gi
  const w = weightOptions(where, opts, { beta: 'beta', gamma: 'gamma' })
  if (E.isLeft(w)) return w
  return E.right({
    axis: (typeof axis === 'number' ? axis : [...axis]) as number | number[],
    epsilon,
    center: opts.center ?? true,
    scale: opts.scale ?? true,
    bi: bi.right,
    gi: gi.right,
    w: w.right
  })
}

/** Make gamma then beta (Keras's weight order) for the normalized axes. */
const gammaBeta = (key: Parameters<I.Initializer['init']>[0], shape: ReadonlyArray<number>, c: { scale: boolean; center: boolean; gi: I.Initializer; bi: I.Initializer }): NormParams => {
  const [kg, kb] = split(key, 2)
  return Object.freeze({ ...(c.scale ? { gamma: c.gi.init(kg, shape) } : {}), ...(c.center ? { beta: c.bi.init(kb, shape) } : {}) })
}

/** `(x − μ)/sqrt(σ² + ε)·γ + β`, with μ, σ² broadcastable. */
const normalize = (x: Tensor, mu: Tensor, v: Tensor, p: NormParams, eps: number, rank: number, axes: ReadonlyArray<number>): Tensor => {
  const inv = div(1, sqrt(add(v, eps)))
  const scaled = p.gamma !== undefined ? mul(inv, broadcastable(p.gamma, rank, axes)) : inv
  const y = mul(sub(x, mu), scaled)
  return p.beta !== undefined ? add(y, broadcastable(p.beta, rank, axes)) : y
}

// ---------------------------------------------------------------------------------------------------
// batchNormalization

/** State of {@link batchNormalization}: the moving statistics. */
export type BatchNormState = { readonly moving_mean: Tensor; readonly moving_variance: Tensor }

/** Options of {@link batchNormalization} (Keras's arguments, camelCase). */
export interface BatchNormalizationOptions extends GammaBetaOptions {
  /** weight of the old moving statistics in each update (default 0.99) */
  readonly momentum?: number
  readonly movingMeanInitializer?: I.InitializerLike
  readonly movingVarianceInitializer?: I.InitializerLike
}

/** `batchNormalization` as `Either`. */
export const batchNormalizationE = (opts: BatchNormalizationOptions = {}): E.Either<TfError, Layer<NormParams, BatchNormState>> => {
  const ok = checkOptions('batchNormalization', opts, [...GAMMA_BETA_KEYS, 'momentum', 'movingMeanInitializer', 'movingVarianceInitializer'])
  if (E.isLeft(ok)) return ok
  const cE = common('batchNormalization', opts, 1e-3)
  if (E.isLeft(cE)) return cE
  const c = cE.right
  const axisOpt = c.axis
  const momentum = opts.momentum ?? 0.99
  if (typeof momentum !== 'number' || !(momentum >= 0 && momentum <= 1)) return invalid('batchNormalization.momentum', 'a number in [0, 1]', momentum)
  const mi = I.resolve('batchNormalization.movingMeanInitializer', opts.movingMeanInitializer, I.zeros)
  if (E.isLeft(mi)) return mi
  const vi = I.resolve('batchNormalization.movingVarianceInitializer', opts.movingVarianceInitializer, I.ones)
  if (E.isLeft(vi)) return vi
  const config = {
    axis: typeof axisOpt !== 'number' && axisOpt.length === 1 ? axisOpt[0] : axisOpt,
    momentum,
    epsilon: c.epsilon,
    center: c.center,
    scale: c.scale,
    betaInitializer: I.toJson(c.bi),
    gammaInitializer: I.toJson(c.gi),
    movingMeanInitializer: I.toJson(mi.right),
    movingVarianceInitializer: I.toJson(vi.right),
    ...c.w.config
  }
  return E.right(
    makeLayer<NormParams, BatchNormState>(
      'BatchNormalization',
      config,
      opts,
      (key, s) => {
        const ax = axesFor('batchNormalization', axisOpt, s)
        if (E.isLeft(ax)) return ax
        const shape = bnParamShape(s.map((d) => d ?? 1), ax.right)
        const [kp, km, kv] = split(key, 3)
        const state: BatchNormState = Object.freeze({ moving_mean: mi.right.init(km, shape), moving_variance: vi.right.init(kv, shape) })
        return E.right({ params: gammaBeta(kp, shape, c), state, outputShape: s })
      },
      (p, st) => (x, ctx) => {
        const rank = x.shape.length
        const axes = (typeof axisOpt === 'number' ? [axisOpt] : axisOpt).map((a) => (a < 0 ? a + rank : a)).sort((a, b) => a - b)
        const reduce = Array.from({ length: rank }, (_, i) => i).filter((i) => !axes.includes(i))
        if (!ctx.training || ctx.frozen === true) {
          const [mm, mv] = [st.moving_mean, st.moving_variance].map((t) => broadcastable(t, rank, axes))
          return { y: normalize(x, mm, mv, p, c.epsilon, rank, axes), state: st }
        }
        const mu = mean(x, reduce, true)
        const centered = sub(x, mu)
        const v = mean(mul(centered, centered), reduce, true)
        const y = normalize(x, mu, v, p, c.epsilon, rank, axes)
        // the moving statistics: Keras's update, on values cut from the graph
        const kept = axes.reduce((k, a) => k * x.shape[a], 1)
        const n = x.size / kept
        const fused = axes.length === 1 && (rank === 4 || rank === 5) && (axes[0] === rank - 1 || axes[0] === 1)
        const shape = st.moving_mean.shape
        const bm = stopGradient(reshape(mu, shape))
        const bvBiased = stopGradient(reshape(v, shape))
        const bv = fused && n > 1 ? mul(bvBiased, n / (n - 1)) : bvBiased
        const decay = 1 - momentum
        const state: BatchNormState = Object.freeze({
          moving_mean: sub(st.moving_mean, mul(sub(st.moving_mean, bm), decay)),
          moving_variance: sub(st.moving_variance, mul(sub(st.moving_variance, bv), decay))
        })
        return { y, state }
      },
      c.w
    )
  )
}
/**
 * Batch normalization: normalizes with the batch's statistics while training (updating the moving
 * statistics in the layer's state) and with the moving statistics in inference.
 * @example sequential([dense(16, { inputShape: [8] }), layers.batchNormalization(), layers.relu()])
 */
export const batchNormalization = (opts: BatchNormalizationOptions = {}): Layer<NormParams, BatchNormState> => orThrow(batchNormalizationE(opts))

// ---------------------------------------------------------------------------------------------------
// layerNormalization

/** Options of {@link layerNormalization}. */
export type LayerNormalizationOptions = GammaBetaOptions

/** `layerNormalization` as `Either`. */
export const layerNormalizationE = (opts: LayerNormalizationOptions = {}): E.Either<TfError, Layer<NormParams>> => {
  const ok = checkOptions('layerNormalization', opts, GAMMA_BETA_KEYS)
  if (E.isLeft(ok)) return ok
  const cE = common('layerNormalization', opts, 1e-3)
  if (E.isLeft(cE)) return cE
  const c = cE.right
  const none = Object.freeze({}) as { readonly [k: string]: never }
  const config = { axis: c.axis, epsilon: c.epsilon, center: c.center, scale: c.scale, betaInitializer: I.toJson(c.bi), gammaInitializer: I.toJson(c.gi), ...c.w.config }
  return E.right(
    makeLayer<NormParams, typeof none>(
      'LayerNormalization',
      config,
      opts,
      (key, s) => {
        const ax = axesFor('layerNormalization', c.axis, s)
        if (E.isLeft(ax)) return ax
        return E.right({ params: gammaBeta(key, ax.right.map((a) => s[a] as number), c), state: none, outputShape: s })
      },
      (p) => (x) => {
        const rank = x.shape.length
        const axes = (typeof c.axis === 'number' ? [c.axis] : c.axis).map((a) => (a < 0 ? a + rank : a)).sort((a, b) => a - b)
        const mu = mean(x, axes, true)
        const centered = sub(x, mu)
        const v = mean(mul(centered, centered), axes, true)
        return { y: normalize(x, mu, v, p, c.epsilon, rank, axes), state: none }
      },
      c.w
    )
  )
}
/**
 * Layer normalization: each sample normalized over `axis` (default the last), then scaled by `gamma`
 * and shifted by `beta`. @example layers.layerNormalization({ epsilon: 1e-6 })
 */
export const layerNormalization = (opts: LayerNormalizationOptions = {}): Layer<NormParams> => orThrow(layerNormalizationE(opts))
