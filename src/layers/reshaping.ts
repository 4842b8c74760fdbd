/**
 * Shape layers (Keras 2.15, channels-last): `upSampling2d`, `zeroPadding2d`, `cropping2d`,
 * `repeatVector`, `permute`. None has weights; each is a few shape ops (reshape, broadcast, pad, slice,
 * transpose), so each is differentiable by construction.
 *
 * @example
 * sequential([layers.zeroPadding2d(1, { inputShape: [4, 4, 3] }), layers.cropping2d([[1, 0], [0, 1]]), layers.upSampling2d(2)])
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import type { Tensor } from '../core/Tensor.js'
import { tfError, type TfError, show, orThrow } from '../core/errors.js'
import { reshape, broadcastTo, pad, slice, transpose, matmul } from '../primitives/index.js'
import { tensor } from '../core/Tensor.js'
import { type Layer, type BaseOptions, type Empty, type BatchShape, makeLayer, shapeErr, showShape, checkOptions } from './Layer.js'

const none: Empty = Object.freeze({})

type Pair = readonly [number, number]

const isNat = (n: unknown, min = 0): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= min

const invalid = (where: string, expected: string, received: unknown): E.Either<TfError, never> =>
  E.left(tfError('InvalidOption', `${where}: expected ${expected}, received ${show(received)}`, { path: where, expected, received }))

/** `n`, `[a, b]` or `[[a, b], [c, d]]` as two (before, after) pairs (Keras's forms for 2-d padding and cropping). */
const pairs2d = (where: string, v: unknown): E.Either<TfError, readonly [Pair, Pair]> => {
  if (isNat(v)) return E.right([[v, v], [v, v]])
  if (Array.isArray(v) && v.length === 2 && v.every((x) => isNat(x))) return E.right([[v[0], v[0]], [v[1], v[1]]])
  if (Array.isArray(v) && v.length === 2 && v.every((p) => Array.isArray(p) && p.length === 2 && p.every((x) => isNat(x))))
    return E.right([[v[0][0], v[0][1]], [v[1][0], v[1][1]]])
  return invalid(where, 'a non-negative integer, [height, width], or [[top, bottom], [left, right]]', v)
}

const rank4 = (layer: string, s: BatchShape): E.Either<TfError, void> =>
  s.length === 4 ? E.right(undefined) : shapeErr(layer, `expected an input of rank 4 (batch, rows, cols, channels), received ${showShape(s)}`, 'rank 4', s)

const times = (d: number | null, k: number): number | null => (d === null ? null : d * k)

// ---------------------------------------------------------------------------------------------------
// upSampling2d

/** Options of {@link upSampling2d}. */
export interface UpSampling2dOptions extends BaseOptions {
  /** `'nearest'` (default: repeat rows and columns) or `'bilinear'` (Keras's half-pixel bilinear resize) */
  readonly interpolation?: 'nearest' | 'bilinear'
  /** only `'channelsLast'` (Keras's default) */
  readonly dataFormat?: 'channelsLast'
}

/** The `[outSize, inSize]` matrix of a 1-d half-pixel bilinear resize by an integer factor (TensorFlow's `resize`). */
const bilinearMatrix = (n: number, k: number): Tensor => {
  const out = n * k
  const m = new Float32Array(out * n)
  for (let i = 0; i < out; i++) {
    const src = Math.max(0, (i + 0.5) / k - 0.5)
    const lo = Math.min(Math.floor(src), n - 1)
    const hi = Math.min(lo + 1, n - 1)
    const f = src - lo
    m[i * n + lo] += 1 - f
    m[i * n + hi] += f
  }
  return tensor(m, [out, n])
}

/** `upSampling2d` as `Either`. */
export const upSampling2dE = (size: number | readonly [number, number] = 2, opts: UpSampling2dOptions = {}): E.Either<TfError, Layer<Empty>> => {
  const ok = checkOptions('upSampling2d', opts, ['interpolation', 'dataFormat'])
  if (E.isLeft(ok)) return ok
  const sz: Pair | undefined = isNat(size, 1) ? [size, size] : Array.isArray(size) && size.length === 2 && size.every((x) => isNat(x, 1)) ? [size[0], size[1]] : undefined
  if (sz === undefined) return invalid('upSampling2d.size', 'a positive integer or [rows, cols] of positive integers', size)
  const interpolation = opts.interpolation ?? 'nearest'
  if (interpolation !== 'nearest' && interpolation !== 'bilinear') return invalid('upSampling2d.interpolation', "'nearest' or 'bilinear'", interpolation)
  if (opts.dataFormat !== undefined && opts.dataFormat !== 'channelsLast') return invalid('upSampling2d.dataFormat', "'channelsLast'", opts.dataFormat)
  const [sh, sw] = sz
  return E.right(
    makeLayer<Empty, Empty>(
      'UpSampling2D',
      { size: [sh, sw], interpolation },
      opts,
      (_k, s) => E.map(() => ({ params: none, state: none, outputShape: Object.freeze([s[0], times(s[1], sh), times(s[2], sw), s[3]]) }))(rank4('upSampling2d', s)),
      () => (x) => {
        const [b, h, w, c] = x.shape
        if (interpolation === 'nearest') {
          // every pixel repeated sh × sw times: [b, h, 1, w, 1, c] broadcast to [b, h, sh, w, sw, c]
          const big = broadcastTo(reshape(x, [b, h, 1, w, 1, c]), [b, h, sh, w, sw, c])
          return { y: reshape(big, [b, h * sh, w * sw, c]), state: none }
        }
        // separable: rows then columns, each a matmul with a fixed interpolation matrix
        const rows = bilinearMatrix(h, sh)
        const cols = bilinearMatrix(w, sw)
        const xr = reshape(transpose(x, [1, 0, 2, 3]), [h, b * w * c])
        const yr = transpose(reshape(matmul(rows, xr), [h * sh, b, w, c]), [1, 0, 2, 3])
        const yc = reshape(transpose(yr, [2, 0, 1, 3]), [w, b * h * sh * c])
        return { y: transpose(reshape(matmul(cols, yc), [w * sw, b, h * sh, c]), [1, 2, 0, 3]), state: none }
      }
    )
  )
}
/**
 * Repeats rows and columns `size` times (`'nearest'`), or resizes bilinearly: `[b, h, w, c]` -> `[b, h·s, w·s, c]`.
 * @example upSampling2d(2)
 */
export const upSampling2d = (size: number | readonly [number, number] = 2, opts: UpSampling2dOptions = {}): Layer<Empty> => orThrow(upSampling2dE(size, opts))

// ---------------------------------------------------------------------------------------------------
// zeroPadding2d, cropping2d

/** The 2-d padding or cropping forms: `n`, `[rows, cols]` or `[[top, bottom], [left, right]]`. */
export type Pairs2d = number | readonly [number, number] | readonly [readonly [number, number], readonly [number, number]]

/** `zeroPadding2d` as `Either`. */
export const zeroPadding2dE = (padding: Pairs2d = 1, opts: BaseOptions & { readonly dataFormat?: 'channelsLast' } = {}): E.Either<TfError, Layer<Empty>> => {
  const ok = checkOptions('zeroPadding2d', opts, ['dataFormat'])
  if (E.isLeft(ok)) return ok
  if (opts.dataFormat !== undefined && opts.dataFormat !== 'channelsLast') return invalid('zeroPadding2d.dataFormat', "'channelsLast'", opts.dataFormat)
  return E.map(([[t, b], [l, r]]: readonly [Pair, Pair]) =>
    makeLayer<Empty, Empty>(
      'ZeroPadding2D',
      { padding: [[t, b], [l, r]] },
      opts,
      (_k, s) => E.map(() => ({ params: none, state: none, outputShape: Object.freeze([s[0], s[1] === null ? null : s[1] + t + b, s[2] === null ? null : s[2] + l + r, s[3]]) }))(rank4('zeroPadding2d', s)),
      () => (x) => ({ y: pad(x, [[0, 0], [t, b], [l, r], [0, 0]]), state: none })
    )
  )(pairs2d('zeroPadding2d.padding', padding))
}
/** Adds rows and columns of zeros around an image batch. @example zeroPadding2d([[1, 0], [2, 2]]) */
export const zeroPadding2d = (padding: Pairs2d = 1, opts: BaseOptions & { readonly dataFormat?: 'channelsLast' } = {}): Layer<Empty> => orThrow(zeroPadding2dE(padding, opts))

/** `cropping2d` as `Either`. */
export const cropping2dE = (cropping: Pairs2d = 0, opts: BaseOptions & { readonly dataFormat?: 'channelsLast' } = {}): E.Either<TfError, Layer<Empty>> => {
  const ok = checkOptions('cropping2d', opts, ['dataFormat'])
  if (E.isLeft(ok)) return ok
  if (opts.dataFormat !== undefined && opts.dataFormat !== 'channelsLast') return invalid('cropping2d.dataFormat', "'channelsLast'", opts.dataFormat)
  return E.map(([[t, b], [l, r]]: readonly [Pair, Pair]) =>
    makeLayer<Empty, Empty>(
      'Cropping2D',
      { cropping: [[t, b], [l, r]] },
      opts,
      (_k, s) => {
        const ok4 = rank4('cropping2d', s)
        if (E.isLeft(ok4)) return ok4
        const h = s[1] === null ? null : s[1] - t - b
        const w = s[2] === null ? null : s[2] - l - r
        if ((h !== null && h <= 0) || (w !== null && w <= 0))
          return shapeErr('cropping2d', `cropping [[${t}, ${b}], [${l}, ${r}]] leaves nothing of an input of shape ${showShape(s)}`, 'a cropping smaller than the input', s)
        return E.right({ params: none, state: none, outputShape: Object.freeze([s[0], h, w, s[3]]) })
      },
      () => (x) => {
        const [n, hh, ww, c] = x.shape
        return { y: slice(x, [0, t, l, 0], [n, hh - t - b, ww - l - r, c]), state: none }
      }
    )
  )(pairs2d('cropping2d.cropping', cropping))
}
/** Removes rows and columns at the edges of an image batch. @example cropping2d([[2, 2], [4, 4]]) */
export const cropping2d = (cropping: Pairs2d = 0, opts: BaseOptions & { readonly dataFormat?: 'channelsLast' } = {}): Layer<Empty> => orThrow(cropping2dE(cropping, opts))

// ---------------------------------------------------------------------------------------------------
// repeatVector, permute

/** `repeatVector` as `Either`. */
export const repeatVectorE = (n: number, opts: BaseOptions = {}): E.Either<TfError, Layer<Empty>> => {
  const ok = checkOptions('repeatVector', opts, [])
  if (E.isLeft(ok)) return ok
  if (!isNat(n, 1)) return invalid('repeatVector.n', 'a positive integer', n)
  return E.right(
    makeLayer<Empty, Empty>(
      'RepeatVector',
      { n },
      opts,
      (_k, s) =>
        s.length === 2
          ? E.right({ params: none, state: none, outputShape: Object.freeze([s[0], n, s[1]]) })
          : shapeErr('repeatVector', `expected an input of rank 2 (batch, features), received ${showShape(s)}`, 'rank 2', s),
      () => (x) => ({ y: broadcastTo(reshape(x, [x.shape[0], 1, x.shape[1]]), [x.shape[0], n, x.shape[1]]), state: none })
    )
  )
}
/** Repeats the input `n` times: `[b, f]` -> `[b, n, f]`. @example repeatVector(3) */
export const repeatVector = (n: number, opts: BaseOptions = {}): Layer<Empty> => orThrow(repeatVectorE(n, opts))

/** `permute` as `Either`. */
export const permuteE = (dims: ReadonlyArray<number>, opts: BaseOptions = {}): E.Either<TfError, Layer<Empty>> => {
  const ok = checkOptions('permute', opts, [])
  if (E.isLeft(ok)) return ok
  const valid = Array.isArray(dims) && dims.length > 0 && [...dims].sort((a, b) => a - b).every((d, i) => d === i + 1)
  if (!valid) return invalid('permute.dims', 'a permutation of 1..rank-1 (the batch axis is 0 and stays first)', dims)
  const perm = [...dims]
  return E.right(
    makeLayer<Empty, Empty>(
      'Permute',
      { dims: perm },
      opts,
      (_k, s) =>
        s.length === perm.length + 1
          ? E.right({ params: none, state: none, outputShape: Object.freeze([s[0], ...perm.map((d) => s[d])]) })
          : shapeErr('permute', `dims ${JSON.stringify(perm)} need an input of rank ${perm.length + 1}, received ${showShape(s)}`, `rank ${perm.length + 1}`, s),
      () => (x) => ({ y: transpose(x, [0, ...perm]), state: none })
    )
  )
}
/** Permutes the non-batch axes (1-based, as Keras). @example permute([2, 1]) // [b, t, f] -> [b, f, t] */
export const permute = (dims: ReadonlyArray<number>, opts: BaseOptions = {}): Layer<Empty> => orThrow(permuteE(dims, opts))
