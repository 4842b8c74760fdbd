/**
 * Merge layers for the functional API: they take an array of tensors. `add`, `multiply`, `average`
 * combine elementwise (feature axes broadcast as numpy does); `concatenate` joins along an axis.
 *
 * @example
 * const a = input({ shape: [4] }), b = input({ shape: [4] })
 * const s = call(layers.add(), [a, b])
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import type { Tensor } from '../core/Tensor.js'
import { broadcastShapes, type Shape } from '../core/Shape.js'
import { tfError, type TfError, show, orThrow } from '../core/errors.js'
import { add as addOp, mul, concat } from '../primitives/index.js'
import { fill } from '../core/Tensor.js'
import { type Layer, type BaseOptions, type Empty, type BatchShape, makeLayer, featureDims, shapeErr, showShapes, checkOptions } from './Layer.js'

const none: Empty = Object.freeze({})

/** A merge layer: several tensors in, one out. */
export type MergeLayer = Layer<Empty, Empty, ReadonlyArray<Tensor>, Tensor>

const atLeastTwo = (kind: string, s: ReadonlyArray<BatchShape>): E.Either<TfError, ReadonlyArray<BatchShape>> =>
  Array.isArray(s) && s.length >= 2 && s.every((x) => Array.isArray(x))
    ? E.right(s)
    : E.left(tfError('IncompatibleInputShape', `${kind}: a merge layer should be called on a list of at least 2 inputs, received ${show(s)}`, { expected: 'list of >= 2 shapes', received: s }))

/**
 * Keras's `_Merge.compute_mask`: the AND of the inputs' masks (the ones that have one); none when no
 * input has one.
 */
const andMasks = (_x: ReadonlyArray<Tensor>, _m: Tensor | undefined, masks?: ReadonlyArray<Tensor | undefined>): Tensor | undefined => {
  const ms = (masks ?? []).filter((m): m is Tensor => m !== undefined)
  return ms.length === 0 ? undefined : ms.reduce((a, m) => mul(a, m))
}

/**
 * Keras's `Concatenate.compute_mask`: joined along the time axis (axis 1), the masks are joined too (an
 * input without a mask counts as all real steps); along any other axis the steps line up and the masks
 * are AND-ed.
 */
const concatMasks =
  (axis: number) =>
  (xs: ReadonlyArray<Tensor>, m: Tensor | undefined, masks?: ReadonlyArray<Tensor | undefined>): Tensor | undefined => {
    if (masks === undefined || masks.every((k) => k === undefined)) return undefined
    const a = axis < 0 ? axis + xs[0].shape.length : axis
    if (a !== 1) return andMasks(xs, m, masks)
    return concat(
      xs.map((x, i) => masks[i] ?? fill([x.shape[0], x.shape[1]], 1)),
      1
    )
  }

const elementwise = (kind: string, combine: (xs: ReadonlyArray<Tensor>) => Tensor, opts?: BaseOptions): MergeLayer => {
  orThrow(checkOptions(kind.charAt(0).toLowerCase() + kind.slice(1), opts, []))
  const l = makeLayer<Empty, Empty, ReadonlyArray<Tensor>, Tensor>(
    kind,
    {},
    opts,
    (_k, shapes) => {
      const ok = atLeastTwo(kind, shapes)
      if (E.isLeft(ok)) return ok
      let out: Shape = []
      for (const s of shapes) {
        const f = featureDims(kind, s)
        if (E.isLeft(f)) return f
        const b = broadcastShapes(kind, out, f.right)
        if (E.isLeft(b)) return shapeErr(kind, `inputs must have the same shape (or broadcast), received ${showShapes(shapes)}`, shapes[0], s)
        out = b.right
      }
      return E.right({ params: none, state: none, outputShape: Object.freeze([null, ...out]) })
    },
    () => (xs) => ({ y: combine(xs), state: none }),
    { multiInput: true }
  )
  return Object.freeze({ ...l, computeMask: andMasks })
}

/** Sums its inputs elementwise. @example call(layers.add(), [a, b]) */
export const add = (opts?: BaseOptions): MergeLayer => elementwise('Add', (xs) => xs.reduce((s, x) => addOp(s, x)), opts)
/** Multiplies its inputs elementwise. */
export const multiply = (opts?: BaseOptions): MergeLayer => elementwise('Multiply', (xs) => xs.reduce((s, x) => mul(s, x)), opts)
/** Averages its inputs elementwise. */
export const average = (opts?: BaseOptions): MergeLayer => elementwise('Average', (xs) => mul(xs.reduce((s, x) => addOp(s, x)), 1 / xs.length), opts)

/** `concatenate` as `Either`. */
export const concatenateE = (opts: BaseOptions & { readonly axis?: number } = {}): E.Either<TfError, MergeLayer> => {
  const known = checkOptions('concatenate', opts, ['axis'])
  if (E.isLeft(known)) return known
  const axis = opts.axis ?? -1
  if (!Number.isInteger(axis)) return E.left(tfError('InvalidOption', `concatenate: expected an integer axis, received ${show(axis)}`, { path: 'axis', expected: 'integer', received: axis }))
  const l = makeLayer<Empty, Empty, ReadonlyArray<Tensor>, Tensor>(
      'Concatenate',
      { axis },
      opts,
      (_k, shapes) => {
        const ok = atLeastTwo('concatenate', shapes)
        if (E.isLeft(ok)) return ok
        const r = shapes[0].length
        const a = axis < 0 ? axis + r : axis
        if (a <= 0 || a >= r) return shapeErr('concatenate', `axis ${axis} is out of range for inputs of rank ${r} (the batch axis cannot be joined)`, `1..${r - 1}`, axis)
        for (const s of shapes)
          if (s.length !== r || s.some((d, i) => i !== a && i !== 0 && d !== shapes[0][i]))
            return shapeErr('concatenate', `a Concatenate layer requires inputs with matching shapes except for the concatenation axis, received ${showShapes(shapes)}`, shapes[0], s)
        const out = shapes[0].slice()
        out[a] = shapes.reduce<number | null>((n, s) => (n === null || s[a] === null ? null : n + (s[a] as number)), 0)
        return E.right({ params: none, state: none, outputShape: Object.freeze(out) })
      },
      () => (xs) => ({ y: concat(xs, axis < 0 ? axis + xs[0].shape.length : axis), state: none }),
      { multiInput: true }
    )
  return E.right(Object.freeze({ ...l, computeMask: concatMasks(axis) }))
}
/** Joins its inputs along an axis (default the last). @example call(concatenate(), [a, b]) */
export const concatenate = (opts: BaseOptions & { readonly axis?: number } = {}): MergeLayer => orThrow(concatenateE(opts))
