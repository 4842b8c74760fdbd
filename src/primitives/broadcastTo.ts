/** broadcastTo: repeat a tensor along broadcast axes to a larger shape. @since 0.1.0 */
import * as E from 'fp-ts/lib/Either.js'
import { type PrimitiveDef, bind, lift, ok, shapeError } from './bind.js'
import { type Shape, broadcastShapes, shapeEq } from '../core/Shape.js'
import { unbroadcast } from './unbroadcast.js'
import type { Tensor } from '../core/Tensor.js'
import { show } from '../core/errors.js'

export const broadcastToDef: PrimitiveDef<{ readonly shape: Shape }> = {
  name: 'broadcastTo',
  shapeRule: ([x], { shape }) => {
    const b = broadcastShapes('broadcastTo', x.shape, shape)
    return E.isRight(b) && shapeEq(b.right, shape) ? ok(shape, x.dtype) : shapeError('broadcastTo', `cannot broadcast shape ${show(x.shape)} to ${show(shape)}`, shape, x.shape)
  },
  impl: (be, [x], { shape }) => (shapeEq(x.shape, shape) ? x.data : be.broadcastTo(x, shape)),
  // d broadcastTo(x) = unbroadcast(ct, shape x)
  vjp: (ct, [x]) => [unbroadcast(ct, x.shape)]
}
/** Broadcast to a shape. @example broadcastTo(tensor([1, 2]), [3, 2]) */
export const broadcastTo = (x: Tensor, shape: Shape): Tensor => {
  const t = lift('broadcastTo', x)
  return shapeEq(t.shape, shape) ? t : bind(broadcastToDef, [t], { shape })
}
