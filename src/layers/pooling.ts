/**
 * Pooling layers, as Keras 2.15's: `maxPooling1d/2d/3d`, `averagePooling1d/2d/3d` (`poolSize` first,
 * 2 by default; strides default to the pool size) and `globalAveragePooling1d/2d/3d`,
 * `globalMaxPooling1d/2d/3d` (optionally `keepdims`). Average pooling does not count padding. They have
 * no weights; `trainable` is accepted as Keras accepts it on every layer.
 *
 * @since 0.2.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import { tfError, type TfError, show, orThrow } from '../core/errors.js'
import { max as maxOp } from '../primitives/index.js'
import { mean } from '../ops/reductions.js'
import { maxPool, avgPool } from '../ops/conv.js'
import { type Layer, type BaseOptions, type Empty, type BatchShape, makeLayer, checkOptions } from './Layer.js'
import { type DataFormat, none, tupleE, paddingE, formatE, inputDims, outShape, windowShapes, channelsLast } from './spatial.js'

/** Options of the pooling layers. */
export interface PoolingOptions extends BaseOptions {
  /** default: the pool size */
  readonly strides?: number | ReadonlyArray<number> | null
  readonly padding?: 'valid' | 'same'
  readonly dataFormat?: DataFormat
}

const POOL_KINDS: Record<string, string> = { max: 'MaxPooling', avg: 'AveragePooling' }

/** A max or average pooling layer over 1, 2 or 3 spatial axes, as `Either`. */
export const poolingLayerE = (op: 'max' | 'avg', rank: 1 | 2 | 3, poolSize: number | ReadonlyArray<number> | undefined, opts: PoolingOptions = {}): E.Either<TfError, Layer<Empty>> => {
  const kind = `${POOL_KINDS[op]}${rank}D`
  const where = `${op === 'max' ? 'maxPooling' : 'averagePooling'}${rank}d`
  return pipe(
    checkOptions(where, opts, ['strides', 'padding', 'dataFormat']),
    E.chain(() => tupleE(where, 'poolSize', poolSize, rank, 2)),
    E.bindTo('win'),
    E.bind('strides', ({ win }) => tupleE(where, 'strides', opts.strides, rank, win)),
    E.bind('padding', () => paddingE(where, opts.padding, false)),
    E.bind('fmt', () => formatE(where, opts.dataFormat)),
    E.map(({ win, strides, padding, fmt }) => {
      const pad = padding as 'valid' | 'same'
      const f = op === 'max' ? maxPool : avgPool
      return makeLayer<Empty, Empty>(
        kind,
        { poolSize: win, strides, padding: pad, dataFormat: fmt },
        opts,
        (_k, s) =>
          pipe(
            windowShapes(where, s, rank, fmt, win, strides, pad, undefined, 'the pool'),
            E.map(({ channels, out }) => ({ params: none, state: none, outputShape: outShape(s[0], out, channels, fmt) }))
          ),
        () => (x) => ({ y: channelsLast(x, fmt, (xl) => f(xl, win, { strides, padding: pad })), state: none })
      )
    })
  )
}
type PoolCtor = (poolSize?: number | ReadonlyArray<number>, opts?: PoolingOptions) => Layer<Empty>
const poolCtor = (op: 'max' | 'avg', rank: 1 | 2 | 3): PoolCtor => (poolSize, opts) => orThrow(poolingLayerE(op, rank, poolSize, opts))

/** Max pooling over steps (Keras `MaxPooling1D`, pool 2 by default). @example maxPooling1d(2) */
export const maxPooling1d: PoolCtor = poolCtor('max', 1)
/** Max pooling over height and width (Keras `MaxPooling2D`, pool 2×2 by default). @example maxPooling2d(2) */
export const maxPooling2d: PoolCtor = poolCtor('max', 2)
/** Max pooling over 3 spatial axes (Keras `MaxPooling3D`). @example maxPooling3d(2) */
export const maxPooling3d: PoolCtor = poolCtor('max', 3)
/** Average pooling over steps (Keras `AveragePooling1D`). @example averagePooling1d(2) */
export const averagePooling1d: PoolCtor = poolCtor('avg', 1)
/** Average pooling over height and width (Keras `AveragePooling2D`); padding is not counted. @example averagePooling2d(2, { padding: 'same' }) */
export const averagePooling2d: PoolCtor = poolCtor('avg', 2)
/** Average pooling over 3 spatial axes (Keras `AveragePooling3D`). @example averagePooling3d(2) */
export const averagePooling3d: PoolCtor = poolCtor('avg', 3)

/** Options of the global pooling layers. */
export interface GlobalPoolingOptions extends BaseOptions {
  readonly dataFormat?: DataFormat
  /** keep the spatial axes with size 1 (default false) */
  readonly keepdims?: boolean
}

/** A global max or average pooling layer, as `Either`. */
export const globalPoolingLayerE = (op: 'max' | 'avg', rank: 1 | 2 | 3, opts: GlobalPoolingOptions = {}): E.Either<TfError, Layer<Empty>> => {
  const kind = `Global${POOL_KINDS[op]}${rank}D`
  const where = `global${op === 'max' ? 'MaxPooling' : 'AveragePooling'}${rank}d`
  return pipe(
    checkOptions(where, opts, ['dataFormat', 'keepdims']),
    E.chain(() => formatE(where, opts.dataFormat)),
    E.chain((fmt) =>
      opts.keepdims !== undefined && typeof opts.keepdims !== 'boolean'
        ? E.left(tfError('InvalidOption', `${where}: keepdims must be a boolean, received ${show(opts.keepdims)}`, { path: 'keepdims', expected: 'boolean', received: opts.keepdims }))
        : E.right(fmt)
    ),
    E.map((fmt) => {
      const keep = opts.keepdims ?? false
      const axes = fmt === 'channels_last' ? Array.from({ length: rank }, (_, i) => i + 1) : Array.from({ length: rank }, (_, i) => i + 2)
      return makeLayer<Empty, Empty>(
        kind,
        { dataFormat: fmt, keepdims: keep },
        opts,
        (_k, s) =>
          pipe(
            inputDims(where, s, rank, fmt),
            E.map(({ channels }) => ({
              params: none,
              state: none,
              outputShape: keep ? outShape(s[0], axes.map(() => 1), channels, fmt) : (Object.freeze([s[0], channels]) as BatchShape)
            }))
          ),
        () => (x) => ({ y: op === 'max' ? maxOp(x, axes, keep) : mean(x, axes, keep), state: none })
      )
    })
  )
}

type GlobalCtor = (opts?: GlobalPoolingOptions) => Layer<Empty>
const globalCtor = (op: 'max' | 'avg', rank: 1 | 2 | 3): GlobalCtor => (opts) => orThrow(globalPoolingLayerE(op, rank, opts))

/** Mean over steps (Keras `GlobalAveragePooling1D`): `[b, steps, c]` -> `[b, c]`. @example globalAveragePooling1d() */
export const globalAveragePooling1d: GlobalCtor = globalCtor('avg', 1)
/** Mean over height and width (Keras `GlobalAveragePooling2D`). @example globalAveragePooling2d() */
export const globalAveragePooling2d: GlobalCtor = globalCtor('avg', 2)
/** Mean over 3 spatial axes (Keras `GlobalAveragePooling3D`). */
export const globalAveragePooling3d: GlobalCtor = globalCtor('avg', 3)
/** Max over steps (Keras `GlobalMaxPooling1D`). @example globalMaxPooling1d() */
export const globalMaxPooling1d: GlobalCtor = globalCtor('max', 1)
/** Max over height and width (Keras `GlobalMaxPooling2D`). @example globalMaxPooling2d() */
export const globalMaxPooling2d: GlobalCtor = globalCtor('max', 2)
/** Max over 3 spatial axes (Keras `GlobalMaxPooling3D`). */
export const globalMaxPooling3d: GlobalCtor = globalCtor('max', 3)
