/** sum: add over axes (all by default), optionally keeping them as size 1. @since 0.1.0 */
import * as E from 'fp-ts/lib/Either.js'
import { type PrimitiveDef, bind, lift, ok } from './bind.js'
import { normAxes } from '../core/Shape.js'
import type { Tensor } from '../core/Tensor.js'
import { reshape } from './reshape.js'
import { broadcastTo } from './broadcastTo.js'
import { TensorfoldError } from '../core/errors.js'

/** Reduction parameters: normalised sorted axes and keepDims. */
export interface ReduceParams {
  readonly axes: ReadonlyArray<number>
  readonly keepDims: boolean
}
/** @internal shape after reducing. */
export const reducedShape = (shape: ReadonlyArray<number>, { axes, keepDims }: ReduceParams): number[] =>
  keepDims ? shape.map((d, i) => (axes.includes(i) ? 1 : d)) : shape.filter((_, i) => !axes.includes(i))

/** @internal normalise user axes for a reduction, throwing a tagged error. */
export const reduceParams = (op: string, x: Tensor, axes: number | ReadonlyArray<number> | undefined, keepDims: boolean): ReduceParams => {
  const a = normAxes(op, axes, x.shape.length)
  if (E.isLeft(a)) throw new TensorfoldError(a.left)
  return { axes: a.right, keepDims }
}

export const sumDef: PrimitiveDef<ReduceParams> = {
  name: 'sum',
  shapeRule: ([x], p) => ok(reducedShape(x.shape, p)),
  impl: (be, [x], p) => (p.axes.length === 0 ? be.toFloat(x.data) : be.reduce('sum', { data: be.toFloat(x.data), shape: x.shape }, p.axes)),
  // d sum(x) = ct broadcast back over the summed axes
  vjp: (ct, [x], _o, p) => [broadcastTo(reshape(ct, reducedShape(x.shape, { ...p, keepDims: true })), x.shape)]
}
/** Sum over `axes` (all if omitted). @example sum(x) ; sum(x, 1, true) */
export const sum = (x: Tensor, axes?: number | ReadonlyArray<number>, keepDims = false): Tensor => {
  const t = lift('sum', x)
  return bind(sumDef, [t], reduceParams('sum', t, axes, keepDims))
}
