/**
 * `unbroadcast(ct, shape)`: the one helper every broadcasting VJP uses. It sums a cotangent of the
 * broadcast shape back down to the input's shape (summing the leading axes and the axes where the
 * input had size 1).
 *
 * @since 0.1.0
 */
import type { Tensor } from '../core/Tensor.js'
import { type Shape, shapeEq } from '../core/Shape.js'
import { sum } from './sum.js'
import { reshape } from './reshape.js'

/** Reduce a broadcast cotangent to `shape`. @example unbroadcast(ones([4, 3]), [3]) // [4, 4, 4] */
export const unbroadcast = (ct: Tensor, shape: Shape): Tensor => {
  if (shapeEq(ct.shape, shape)) return ct
  const off = ct.shape.length - shape.length
  const axes: number[] = []
  for (let i = 0; i < ct.shape.length; i++) if (i < off || (shape[i - off] === 1 && ct.shape[i] !== 1)) axes.push(i)
  const s = axes.length > 0 ? sum(ct, axes, false) : ct
  return reshape(s, shape)
}
