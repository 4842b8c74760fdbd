/** argmax: int32 index of the largest value along an axis (first on ties). Not differentiable. @since 0.1.0 */
import * as E from 'fp-ts/lib/Either.js'
import { type PrimitiveDef, bind, lift, ok } from './bind.js'
import type { Tensor } from '../core/Tensor.js'
import { normAxis } from '../core/Shape.js'
import { TensorfoldError } from '../core/errors.js'

export const argmaxDef: PrimitiveDef<{ readonly axis: number }> = {
  name: 'argmax',
  shapeRule: ([x], { axis }) => ok(x.shape.filter((_, i) => i !== axis), 'int32'),
  impl: (be, [x], { axis }) => be.argmax({ data: be.toFloat(x.data), shape: x.shape }, axis),
  // d argmax = 0: an index is piecewise constant
  vjp: () => [undefined]
}
/** Index of the maximum along `axis` (default last). @example argmax(logits) */
export const argmax = (x: Tensor, axis = -1): Tensor => {
  const t = lift('argmax', x)
  const a = normAxis('argmax', axis, t.shape.length)
  if (E.isLeft(a)) throw new TensorfoldError(a.left)
  return bind(argmaxDef, [t], { axis: a.right })
}
