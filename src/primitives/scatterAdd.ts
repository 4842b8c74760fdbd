/** scatterAdd: add rows into zeros of a shape at int32 indices (the adjoint of gather). @since 0.1.0 */
import { type PrimitiveDef, bind, lift, ok, shapeError } from './bind.js'
import type { Tensor } from '../core/Tensor.js'
import type { Shape } from '../core/Shape.js'
import { gather } from './gather.js'
import { show } from '../core/errors.js'

export const scatterAddDef: PrimitiveDef<{ readonly axis: number; readonly shape: Shape }> = {
  name: 'scatterAdd',
  shapeRule: ([u, idx], { axis, shape }) => {
    const want = [...shape.slice(0, axis), idx.shape[0], ...shape.slice(axis + 1)]
    return u.shape.length === want.length && u.shape.every((d, i) => d === want[i])
      ? ok(shape)
      : shapeError('scatterAdd', `updates of shape ${show(u.shape)} do not fit ${show(want)}`, want, u.shape)
  },
  impl: (be, [u, idx], { axis, shape }) =>
    be.scatterAdd({ data: be.toFloat(u.data), shape: u.shape }, idx.data instanceof Int32Array ? idx.data : Int32Array.from(idx.data), axis, shape),
  // d scatterAdd(u, i) = gather(ct, i)
  vjp: (ct, [, idx], _o, { axis }) => [gather(ct, idx, axis), undefined]
}
/** Scatter-add `updates` along `axis` into zeros of `shape`. */
export const scatterAdd = (updates: Tensor, indices: Tensor, axis: number, shape: Shape): Tensor =>
  bind(scatterAddDef, [lift('scatterAdd', updates, 0), lift('scatterAdd', indices, 1)], { axis, shape })
