/**
 * Shapes: readonly arrays of non-negative integers. Pure helpers for sizes, strides and numpy-style
 * broadcasting. Broadcasting is checked here once, for every op.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { tfError, type TfError, show } from './errors.js'

/** A tensor shape. `[]` is a scalar. */
export type Shape = ReadonlyArray<number>

/** Number of elements of a shape. @example size([2, 3]) === 6 */
export const size = (shape: Shape): number => {
  let n = 1
  for (const d of shape) n *= d
  return n
}

/** Row-major strides. @example strides([2, 3]) // [3, 1] */
export const strides = (shape: Shape): number[] => {
  const s = new Array<number>(shape.length)
  let acc = 1
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc
    acc *= shape[i]
  }
  return s
}

/** Structural equality of shapes. */
export const shapeEq = (a: Shape, b: Shape): boolean => a.length === b.length && a.every((d, i) => d === b[i])

/** Whether a value is a valid shape: an array of non-negative safe integers. */
export const isShape = (s: unknown): s is Shape =>
  Array.isArray(s) && s.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0)

/** Validate a user-given shape, naming the op in the error. */
export const checkShape = (op: string, s: unknown): E.Either<TfError, Shape> =>
  isShape(s)
    ? E.right(s)
    : E.left(
        tfError('InvalidShape', `${op}: expected a shape (an array of non-negative integers), received ${show(s)}`, {
          op,
          expected: 'array of non-negative integers',
          received: s
        })
      )

/** numpy broadcasting of two shapes. */
export const broadcastShapes = (op: string, a: Shape, b: Shape): E.Either<TfError, Shape> => {
  const n = Math.max(a.length, b.length)
  const out = new Array<number>(n)
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1
    const db = b[b.length - n + i] ?? 1
    if (da === db || db === 1) out[i] = da
    else if (da === 1) out[i] = db
    else
      return E.left(
        tfError('ShapeMismatch', `${op}: shapes ${show(a)} and ${show(b)} cannot be broadcast together (axis ${i - n}: ${da} vs ${db})`, {
          op,
          expected: a,
          actual: b
        })
      )
  }
  return E.right(out)
}

/** Normalise a possibly negative axis against a rank. */
export const normAxis = (op: string, axis: number, rank: number): E.Either<TfError, number> => {
  if (!Number.isInteger(axis) || axis < -rank || axis >= Math.max(rank, 1))
    return E.left(
      tfError('InvalidAxis', `${op}: axis ${show(axis)} is out of range for rank ${rank} (expected -${rank}..${rank - 1})`, {
        op,
        expected: `integer in [-${rank}, ${rank - 1}]`,
        received: axis
      })
    )
  return E.right(axis < 0 ? axis + rank : axis)
}

/** Normalise an axis list (undefined = all axes), sorted and de-duplicated. */
export const normAxes = (op: string, axes: number | ReadonlyArray<number> | undefined, rank: number): E.Either<TfError, number[]> => {
  if (axes === undefined) return E.right(Array.from({ length: rank }, (_, i) => i))
  const list = typeof axes === 'number' ? [axes] : axes
  const out: number[] = []
  for (const a of list) {
    const r = normAxis(op, a, rank)
    if (E.isLeft(r)) return r
    if (!out.includes(r.right)) out.push(r.right)
  }
  return E.right(out.sort((x, y) => x - y))
}
