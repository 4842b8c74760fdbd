/**
 * Regularization layers that act only while training (Keras 2.15): `spatialDropout1d`,
 * `spatialDropout2d` (drop whole feature maps: one keep/drop decision per sample and channel, scaled by
 * `1 / (1 − rate)`), and `gaussianNoise` (adds `N(0, stddev²)` noise). In inference each is the identity.
 * Randomness comes from `ctx.key` only, so a seeded `fit` is reproducible bit for bit.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { tfError, type TfError, show, orThrow } from '../core/errors.js'
import { randomUniform, randomNormal } from '../core/random.js'
import { mul, add, compare } from '../primitives/index.js'
import { type Layer, type BaseOptions, type Empty, makeLayer, shapeErr, showShape, checkOptions } from './Layer.js'

const none: Empty = Object.freeze({})

const rateOk = (where: string, rate: unknown): E.Either<TfError, number> =>
  typeof rate === 'number' && rate >= 0 && rate < 1
    ? E.right(rate)
    : E.left(tfError('InvalidOption', `${where}: expected a rate in [0, 1), received ${show(rate)}`, { path: `${where}.rate`, expected: '[0, 1)', received: rate }))

const spatial = (kind: 'SpatialDropout1D' | 'SpatialDropout2D', where: string, rank: number, rate: number, opts: BaseOptions & { readonly dataFormat?: 'channelsLast' }): E.Either<TfError, Layer<Empty>> => {
  const ok = checkOptions(where, opts, rank === 4 ? ['dataFormat'] : [])
  if (E.isLeft(ok)) return ok
  if (opts.dataFormat !== undefined && opts.dataFormat !== 'channelsLast')
    return E.left(tfError('InvalidOption', `${where}: expected dataFormat 'channelsLast', received ${show(opts.dataFormat)}`, { path: `${where}.dataFormat`, expected: 'channelsLast', received: opts.dataFormat }))
  return E.map((r: number) =>
    makeLayer<Empty, Empty>(
      kind,
      { rate: r },
      opts,
      (_k, s) =>
        s.length === rank
          ? E.right({ params: none, state: none, outputShape: s })
          : shapeErr(where, `expected an input of rank ${rank} (batch, …, channels), received ${showShape(s)}`, `rank ${rank}`, s),
      () => (x, ctx) => {
        if (!ctx.training || r === 0) return { y: x, state: none }
        // one decision per (sample, channel), broadcast over the spatial axes
        const noiseShape = x.shape.map((d, i) => (i === 0 || i === x.shape.length - 1 ? d : 1))
        const keep = compare(randomUniform(ctx.key, noiseShape), r, 'ge')
        return { y: mul(x, mul(keep, 1 / (1 - r))), state: none }
      }
    )
  )(rateOk(where, rate))
}

/** `spatialDropout1d` as `Either`. */
export const spatialDropout1dE = (rate: number, opts: BaseOptions = {}): E.Either<TfError, Layer<Empty>> => spatial('SpatialDropout1D', 'spatialDropout1d', 3, rate, opts)
/** Drops whole channels of `[batch, steps, channels]` inputs while training. @example spatialDropout1d(0.2) */
export const spatialDropout1d = (rate: number, opts: BaseOptions = {}): Layer<Empty> => orThrow(spatialDropout1dE(rate, opts))
/** `spatialDropout2d` as `Either`. */
export const spatialDropout2dE = (rate: number, opts: BaseOptions & { readonly dataFormat?: 'channelsLast' } = {}): E.Either<TfError, Layer<Empty>> =>
  spatial('SpatialDropout2D', 'spatialDropout2d', 4, rate, opts)
/** Drops whole feature maps of `[batch, rows, cols, channels]` inputs while training. @example spatialDropout2d(0.2) */
export const spatialDropout2d = (rate: number, opts: BaseOptions & { readonly dataFormat?: 'channelsLast' } = {}): Layer<Empty> => orThrow(spatialDropout2dE(rate, opts))

/** `gaussianNoise` as `Either`. */
export const gaussianNoiseE = (stddev: number, opts: BaseOptions = {}): E.Either<TfError, Layer<Empty>> => {
  const ok = checkOptions('gaussianNoise', opts, [])
  if (E.isLeft(ok)) return ok
  if (typeof stddev !== 'number' || !(stddev >= 0) || !Number.isFinite(stddev))
    return E.left(tfError('InvalidOption', `gaussianNoise: expected a non-negative stddev, received ${show(stddev)}`, { path: 'gaussianNoise.stddev', expected: 'number >= 0', received: stddev }))
  return E.right(
    makeLayer<Empty, Empty>('GaussianNoise', { stddev }, opts, (_k, s) => E.right({ params: none, state: none, outputShape: s }), () => (x, ctx) =>
      !ctx.training || stddev === 0 ? { y: x, state: none } : { y: add(x, randomNormal(ctx.key, x.shape, 0, stddev)), state: none }
    )
  )
}
/** Adds zero-mean Gaussian noise of standard deviation `stddev` while training. @example gaussianNoise(0.1) */
export const gaussianNoise = (stddev: number, opts: BaseOptions = {}): Layer<Empty> => orThrow(gaussianNoiseE(stddev, opts))
