/** where: `cond ≠ 0 ? a : b`, elementwise with broadcasting of all three. @since 0.1.0 */
import * as E from 'fp-ts/lib/Either.js'
import { type TensorLike, type PrimitiveDef, bind, lift } from './bind.js'
import { broadcastShapes } from '../core/Shape.js'
import { unbroadcast } from './unbroadcast.js'
import type { Tensor } from '../core/Tensor.js'

export const whereDef: PrimitiveDef<Record<string, never>> = {
  name: 'where',
  shapeRule: ([c, a, b]) =>
    E.map((shape: ReadonlyArray<number>) => ({ shape, dtype: 'float32' as const }))(
      E.chain((ab: ReadonlyArray<number>) => broadcastShapes('where', c.shape, ab))(broadcastShapes('where', a.shape, b.shape))
    ),
  impl: (be, [c, a, b], _p, out) =>
    be.where({ data: be.toFloat(c.data), shape: c.shape }, { data: be.toFloat(a.data), shape: a.shape }, { data: be.toFloat(b.data), shape: b.shape }, out.shape),
  // d where(c, a, b) = (0, ct where c, ct where ¬c)
  vjp: (ct, [c, a, b]) => [undefined, unbroadcast(where(c, ct, 0), a.shape), unbroadcast(where(c, 0, ct), b.shape)]
}
/** Select `a` where `cond` is non-zero, else `b`. @example where(compare(x, 0, 'gt'), x, 0) */
export const where = (cond: TensorLike, a: TensorLike, b: TensorLike): Tensor =>
  bind(whereDef, [lift('where', cond, 0), lift('where', a, 1), lift('where', b, 2)], {})
