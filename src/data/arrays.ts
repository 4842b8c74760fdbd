/**
 * Datasets from in-memory arrays: `fromArrays(x, y?, sampleWeight?)` slices each along its first axis,
 * as `tf.data.Dataset.from_tensor_slices` does. An element is `x_i`, `[x_i, y_i]` or `[x_i, y_i, w_i]`;
 * `x` (and `y`) may be a record of arrays (one per named model input), giving records of slices.
 *
 * @since 0.2.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { type Tensor, type NestedArray, isTensor, fromValues, bufferOf, fromBuffer } from '../core/Tensor.js'
import type { Tree } from '../core/Tree.js'
import { show } from '../core/errors.js'
import { type Dataset, make } from './Dataset.js'
import { type DatasetOptionError, optionError } from './errors.js'

/** Typed arrays accepted with a shape. */
export type TypedArray = Float32Array | Float64Array | Int32Array | Int16Array | Int8Array | Uint32Array | Uint16Array | Uint8Array | Uint8ClampedArray

/** One array of samples: a tensor, nested numbers, or a flat typed array with its shape. */
export type SliceSource = Tensor | NestedArray | { readonly data: TypedArray | ReadonlyArray<number>; readonly shape: ReadonlyArray<number> }

/** Arrays for one side (inputs or targets): one array, or a record of arrays by name. */
export type SliceSources = SliceSource | { readonly [name: string]: SliceSource }

/** The element type `fromArrays` yields for a given side. */
export type SliceOf<S> = S extends SliceSource ? Tensor : { readonly [K in keyof S]: Tensor }

const isShaped = (u: unknown): u is { data: ArrayLike<number>; shape: ReadonlyArray<number> } =>
  typeof u === 'object' && u !== null && !Array.isArray(u) && !isTensor(u) && 'data' in u && 'shape' in u

const toTensor = (path: string, u: unknown): E.Either<DatasetOptionError, Tensor> => {
  if (isTensor(u)) return E.right(u)
  const r = isShaped(u) ? fromValues(Array.isArray(u.data) ? u.data : Array.from(u.data as ArrayLike<number>), u.shape) : fromValues(u)
  return E.mapLeft(() => optionError('fromArrays', path, 'a tensor, nested numbers or {data, shape}', u))(r)
}

const isSourceRecord = (u: unknown): u is Record<string, unknown> =>
  typeof u === 'object' && u !== null && !Array.isArray(u) && !isTensor(u) && !isShaped(u) && !ArrayBuffer.isView(u)

/** One side as a tree: a tensor or a record of tensors. */
const side = (path: string, u: unknown): E.Either<DatasetOptionError, Tensor | Record<string, Tensor>> => {
  if (!isSourceRecord(u)) return toTensor(path, u)
  const out: Record<string, Tensor> = {}
  for (const k of Object.keys(u)) {
    const t = toTensor(`${path}.${k}`, u[k])
    if (E.isLeft(t)) return t
    out[k] = t.right
  }
  if (Object.keys(out).length === 0) return E.left(optionError('fromArrays', path, 'at least one array', u))
  return E.right(out)
}

const rowsOf = (t: Tensor): number => (t.shape.length === 0 ? -1 : t.shape[0])

/** A row of a tensor, copied (the dataset never shares storage with the caller). */
const rowOf = (t: Tensor, i: number): Tensor => {
  const n = t.size / t.shape[0]
  return fromBuffer(bufferOf(t).slice(i * n, (i + 1) * n), t.shape.slice(1), t.dtype)
}

const slice = (s: Tensor | Record<string, Tensor>, i: number): Tree =>
  isTensor(s) ? rowOf(s, i) : Object.freeze(Object.fromEntries(Object.keys(s).map((k) => [k, rowOf(s[k], i)])))

/**
 * A dataset of the rows of `x` (and `y`, `sampleWeight`), all with the same number of rows. Returns a
 * `Left` naming the array whose rows differ or that is not an array.
 * @example fromArrays([[1, 2], [3, 4]], [0, 1]) // elements [x_i, y_i]
 */
export function fromArrays<X extends SliceSources>(x: X): E.Either<DatasetOptionError, Dataset<SliceOf<X>>>
export function fromArrays<X extends SliceSources, Y extends SliceSources>(x: X, y: Y): E.Either<DatasetOptionError, Dataset<readonly [SliceOf<X>, SliceOf<Y>]>>
export function fromArrays<X extends SliceSources, Y extends SliceSources>(
  x: X,
  y: Y,
  sampleWeight: SliceSource
): E.Either<DatasetOptionError, Dataset<readonly [SliceOf<X>, SliceOf<Y>, Tensor]>>
export function fromArrays(x: unknown, ...rest: unknown[]): E.Either<DatasetOptionError, Dataset<unknown>> {
  const names = ['x', 'y', 'sampleWeight'].slice(0, 1 + rest.length)
  const sides: Array<Tensor | Record<string, Tensor>> = []
  for (const [i, u] of [x, ...rest].entries()) {
    const s = side(names[i], u)
    if (E.isLeft(s)) return s
    sides.push(s.right)
  }
  const counts = sides.flatMap((s, i) => (isTensor(s) ? [[names[i], rowsOf(s)] as const] : Object.keys(s).map((k) => [`${names[i]}.${k}`, rowsOf(s[k])] as const)))
  const bad = counts.find(([, n]) => n < 0)
  if (bad !== undefined) return E.left(optionError('fromArrays', bad[0], 'an array with a first (sample) axis', 'a scalar'))
  const n = counts[0][1]
  const other = counts.find(([, m]) => m !== n)
  if (other !== undefined)
    return E.left(optionError('fromArrays', other[0], `${n} rows (as ${counts[0][0]} has)`, `${other[1]} rows`, ` — every array needs one row per sample (${show(counts.map(([p, m]) => `${p}: ${m}`))})`))
  const single = rest.length === 0
  return E.right(
    make(async function* () {
      for (let i = 0; i < n; i++) yield single ? slice(sides[0], i) : Object.freeze(sides.map((s) => slice(s, i)))
    }, n)
  )
}
