/**
 * pool: max or average pooling over windows (strides, explicit padding), channels-last, for 1-, 2- and
 * 3-d inputs `[N, S..., C]`. Padding is never counted: a max ignores it and an average divides by the
 * number of real entries in its window (as Keras / TensorFlow do for 'same').
 *
 * VJP: `poolRoute` scatters the cotangent back over each window — to the positions equal to the
 * window's maximum (ties share equally, as the `max` reduction's VJP does), or evenly over the window's
 * real entries for an average.
 *
 * @since 0.2.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { type PrimitiveDef, bind, lift, ok, shapeError } from './bind.js'
import type { Tensor } from '../core/Tensor.js'
import type { Shape } from '../core/Shape.js'
import { show, type TfError } from '../core/errors.js'
import { type PoolGeometry, type PoolOp, poolOutShape } from '../backend/window.js'
import { poolRoute } from './poolRoute.js'

export type { PoolGeometry, PoolOp } from '../backend/window.js'

/** Pooling parameters: the reduction and the window geometry. */
export interface PoolParams extends PoolGeometry {
  readonly op: PoolOp
}

const posInts = (xs: ReadonlyArray<number>, r: number): boolean => xs.length === r && xs.every((v) => Number.isSafeInteger(v) && v >= 1)

/** @internal Rank and geometry checks shared by `pool` and `poolRoute`. */
export const checkPool = (op: string, x: Shape, p: PoolParams): E.Either<TfError, number> => {
  const r = x.length - 2
  if (r < 1 || r > 3) return shapeError(op, `expected an input of rank 3, 4 or 5 ([batch, ...spatial, channels]), received shape ${show(x)}`, 'rank 3..5', x)
  if (p.op !== 'max' && p.op !== 'avg') return shapeError(op, `op must be 'max' or 'avg', received ${show(p.op)}`, ['max', 'avg'], p.op)
  if (!posInts(p.window, r) || !posInts(p.strides, r)) return shapeError(op, `window and strides must be ${r} positive integers, received ${show({ window: p.window, strides: p.strides })}`, r, p)
  if (p.padding.length !== r || !p.padding.every((q, d) => q.length === 2 && Number.isSafeInteger(q[0]) && Number.isSafeInteger(q[1]) && q[0] >= 0 && q[1] >= 0 && q[0] < p.window[d] && q[1] < p.window[d]))
    return shapeError(op, `padding must be ${r} [low, high] pairs of non-negative integers below the window, received ${show(p.padding)}`, r, p.padding)
  return E.right(r)
}

export const poolDef: PrimitiveDef<PoolParams> = {
  name: 'pool',
  shapeRule: ([x], p) => E.chain(() => ok(poolOutShape(x.shape, p)))(checkPool('pool', x.shape, p)),
  impl: (be, [x], p, out) => be.pool(p.op, { data: be.toFloat(x.data), shape: x.shape }, p, out.shape),
  vjp: (ct, [x], out, p) => [poolRoute(x, out, ct, p, 'scatter')]
}

/** Max or average pooling with an explicit geometry. @example pool(x, { op: 'max', window: [2, 2], strides: [2, 2], padding: [[0, 0], [0, 0]] }) */
export const pool = (x: Tensor, p: PoolParams): Tensor =>
  bind(poolDef, [lift('pool', x)], { op: p.op, window: [...p.window], strides: [...p.strides], padding: p.padding.map((q) => [q[0], q[1]] as const) })
