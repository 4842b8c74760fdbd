/** max: largest value over axes (all by default). @since 0.1.0 */
import { type PrimitiveDef, bind, lift, ok } from './bind.js'
import type { Tensor } from '../core/Tensor.js'
import { type ReduceParams, reducedShape, reduceParams } from './sum.js'
import { reshape } from './reshape.js'
import { compare } from './compare.js'
import { mul } from './mul.js'
import { div } from './div.js'
import { sum } from './sum.js'

export const maxDef: PrimitiveDef<ReduceParams> = {
  name: 'max',
  shapeRule: ([x], p) => ok(reducedShape(x.shape, p)),
  impl: (be, [x], p) => (p.axes.length === 0 ? be.toFloat(x.data) : be.reduce('max', { data: be.toFloat(x.data), shape: x.shape }, p.axes)),
  vjp: (ct, [x], out, p) => {
    // d max(x) = ct shared equally among the positions equal to the max
    const keep = { ...p, keepDims: true }
    const mask = compare(x, reshape(out, reducedShape(x.shape, keep)), 'eq')
    const count = sum(mask, p.axes, true)
    return [mul(mask, div(reshape(ct, reducedShape(x.shape, keep)), count))]
  }
}
/** Maximum over `axes` (all if omitted). @example max(x, -1, true) */
export const max = (x: Tensor, axes?: number | ReadonlyArray<number>, keepDims = false): Tensor => {
  const t = lift('max', x)
  return bind(maxDef, [t], reduceParams('max', t, axes, keepDims))
}
