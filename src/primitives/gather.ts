/** gather: take entries along an axis at int32 indices. @since 0.1.0 */
import { type PrimitiveDef, bind, lift, ok, shapeError } from './bind.js'
import { type Tensor } from '../core/Tensor.js'
import { scatterAdd } from './scatterAdd.js'
import { show, fail } from '../core/errors.js'

export const gatherDef: PrimitiveDef<{ readonly axis: number }> = {
  name: 'gather',
  shapeRule: ([x, idx], { axis }) => {
    if (idx.shape.length !== 1) return shapeError('gather', `indices must be a vector, received shape ${show(idx.shape)}`, 1, idx.shape.length)
    if (axis < 0 || axis >= x.shape.length) return shapeError('gather', `axis ${axis} out of range for shape ${show(x.shape)}`, x.shape.length, axis)
    return ok([...x.shape.slice(0, axis), idx.shape[0], ...x.shape.slice(axis + 1)], x.dtype)
  },
  impl: (be, [x, idx], { axis }) => {
    const ind = idx.data instanceof Int32Array ? idx.data : Int32Array.from(idx.data)
    const len = x.shape[axis]
    const bad = ind.find((i) => i < 0 || i >= len)
    if (bad !== undefined) fail('IndexOutOfRange', `gather: index ${bad} is out of range [0, ${len}) on axis ${axis}`, { op: 'gather', expected: `[0, ${len})`, received: bad })
    return be.gather(x, ind, axis)
  },
  // d gather(x, i) = scatterAdd(ct, i) into zeros of shape x
  vjp: (ct, [x, idx], _o, { axis }) => [scatterAdd(ct, idx, axis, x.shape), undefined]
}
/** Take entries at `indices` along `axis`. @example gather(table, tensor([0, 2], undefined, 'int32')) */
export const gather = (x: Tensor, indices: Tensor, axis = 0): Tensor => {
  const t = lift('gather', x)
  return bind(gatherDef, [t, lift('gather', indices, 1)], { axis: axis < 0 ? axis + t.shape.length : axis })
}
