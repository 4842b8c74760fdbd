/**
 * poolRoute: the linear maps behind pooling's VJP. For `y = pool(x)`, `scatter` takes a tensor shaped
 * like `y` to the shape of `x`, sharing each window's value among its selected positions (for max: the
 * entries equal to the window's maximum, ties equally; for average: every real entry); `gather` is its
 * adjoint, from the shape of `x` to the shape of `y`. Each is the other's VJP (with respect to `t`;
 * `x` and `y` only select positions, so their cotangents are zero, as for `max`), which makes pooling
 * twice differentiable.
 *
 * @since 0.2.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { type PrimitiveDef, bind, lift, ok, shapeError } from './bind.js'
import type { Tensor } from '../core/Tensor.js'
import { shapeEq } from '../core/Shape.js'
import { show } from '../core/errors.js'
import { type RouteDir, poolOutShape } from '../backend/window.js'
import { type PoolParams, checkPool } from './pool.js'

/** Pooling parameters plus the direction. */
export interface PoolRouteParams extends PoolParams {
  readonly dir: RouteDir
}

export const poolRouteDef: PrimitiveDef<PoolRouteParams> = {
  name: 'poolRoute',
  shapeRule: ([x, y, t], p) =>
    E.chain(() => {
      const ys = poolOutShape(x.shape, p)
      if (!shapeEq(ys, y.shape)) return shapeError('poolRoute', `pooled shape ${show(y.shape)} ≠ ${show(ys)} for input ${show(x.shape)}`, ys, y.shape)
      const want = p.dir === 'scatter' ? y.shape : x.shape
      if (p.dir !== 'scatter' && p.dir !== 'gather') return shapeError('poolRoute', `dir must be 'scatter' or 'gather', received ${show(p.dir)}`, ['scatter', 'gather'], p.dir)
      if (!shapeEq(want, t.shape)) return shapeError('poolRoute', `routed tensor has shape ${show(t.shape)}, expected ${show(want)}`, want, t.shape)
      return ok(p.dir === 'scatter' ? x.shape : y.shape)
    })(checkPool('poolRoute', x.shape, p)),
  impl: (be, [x, y, t], p) =>
    be.poolRoute(p.op, p.dir, { data: be.toFloat(x.data), shape: x.shape }, { data: be.toFloat(y.data), shape: y.shape }, { data: be.toFloat(t.data), shape: t.shape }, p),
  vjp: (ct, [x, y], _out, p) => [undefined, undefined, poolRoute(x, y, ct, p, p.dir === 'scatter' ? 'gather' : 'scatter')]
}

/** Route `t` between the shapes of `x` and `y = pool(x, p)`. */
export const poolRoute = (x: Tensor, y: Tensor, t: Tensor, p: PoolParams, dir: RouteDir): Tensor =>
  bind(poolRouteDef, [lift('poolRoute', x, 0), lift('poolRoute', y, 1), lift('poolRoute', t, 2)], {
    op: p.op,
    window: [...p.window],
    strides: [...p.strides],
    padding: p.padding.map((q) => [q[0], q[1]] as const),
    dir
  })
