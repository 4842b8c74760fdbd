/** Shape manipulation derived from primitives: expandDims, squeeze, flatten2d, stack, splitTensor, oneHot. @since 0.1.0 */
import type { Tensor } from '../core/Tensor.js'
import { range } from '../core/Tensor.js'
import { lift, reshape, concat, compare, slice } from '../primitives/index.js'
import { fail, show } from '../core/errors.js'

/** Insert a size-1 axis. @example expandDims(x, 0) */
export const expandDims = (x: Tensor, axis = 0): Tensor => {
  const t = lift('expandDims', x)
  const a = axis < 0 ? axis + t.shape.length + 1 : axis
  return reshape(t, [...t.shape.slice(0, a), 1, ...t.shape.slice(a)])
}
/** Remove size-1 axes (all, or the given ones). */
export const squeeze = (x: Tensor, axes?: ReadonlyArray<number>): Tensor => {
  const t = lift('squeeze', x)
  const ax = axes?.map((a) => (a < 0 ? a + t.shape.length : a))
  ax?.forEach((a) => {
    if (t.shape[a] !== 1) fail('ShapeMismatch', `squeeze: axis ${a} has size ${t.shape[a]}, expected 1`, { op: 'squeeze', expected: 1, actual: t.shape[a] })
  })
  return reshape(t, t.shape.filter((d, i) => (ax ? !ax.includes(i) : d !== 1)))
}
/** Keep the first axis, flatten the rest. @example flatten2d(images) // [batch, h*w*c] */
export const flatten2d = (x: Tensor): Tensor => {
  const t = lift('flatten2d', x)
  return reshape(t, [t.shape[0] ?? 1, t.shape.slice(1).reduce((p, d) => p * d, 1)])
}
/** Stack tensors of one shape along a new axis. */
export const stack = (xs: ReadonlyArray<Tensor>, axis = 0): Tensor => concat(xs.map((x) => expandDims(x, axis)), axis)
/**
 * Split into pieces of the given sizes along an axis (`split` is the random-key split).
 * @example const [a, b] = splitTensor(x, [2, 3], 1)
 */
export const splitTensor = (x: Tensor, sizes: ReadonlyArray<number>, axis = 0): Tensor[] => {
  const t = lift('splitTensor', x)
  const a = axis < 0 ? axis + t.shape.length : axis
  if (sizes.reduce((p, s) => p + s, 0) !== t.shape[a]) fail('ShapeMismatch', `splitTensor: sizes ${show(sizes)} do not add up to ${t.shape[a]}`, { op: 'splitTensor', expected: t.shape[a], actual: sizes })
  let off = 0
  return sizes.map((s) => {
    const begin = t.shape.map((_, i) => (i === a ? off : 0))
    const size = t.shape.map((d, i) => (i === a ? s : d))
    off += s
    return slice(t, begin, size)
  })
}
/**
 * One-hot rows: `indices` (int32 or integral floats) of any shape give `[...shape, depth]` floats.
 * @example oneHot(tensor([0, 2], undefined, 'int32'), 3) // [[1,0,0],[0,0,1]]
 */
export const oneHot = (indices: Tensor, depth: number): Tensor => {
  const t = lift('oneHot', indices)
  if (!Number.isInteger(depth) || depth <= 0) fail('InvalidArgument', `oneHot: expected a positive integer depth, received ${show(depth)}`, { op: 'oneHot', expected: 'positive integer', received: depth })
  // int32 on both sides: the comparison is exact past 2^24 classes (float32 would merge neighbours)
  return compare(reshape(t, [...t.shape, 1]), range(0, depth, 1, 'int32'), 'eq')
}
