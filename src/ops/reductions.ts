/** Derived reductions: mean, variance, logSumExp, min, norms, argmax re-export. @since 0.1.0 */
import type { Tensor } from '../core/Tensor.js'
import { lift, sum, max, div, mul, add, exp, log, neg, reshape, sqrt } from '../primitives/index.js'
import { reduceParams, reducedShape } from '../primitives/sum.js'
import { stopGradient } from '../ad/vjp.js'
import { sub, square } from './arithmetic.js'
import { where, compare, abs } from '../primitives/index.js'

const count = (x: Tensor, axes: number | ReadonlyArray<number> | undefined): number => {
  const p = reduceParams('mean', x, axes, false)
  return p.axes.reduce((n, a) => n * x.shape[a], 1)
}
/** Mean over axes (all if omitted). @example mean(x, 0) */
export const mean = (x: Tensor, axes?: number | ReadonlyArray<number>, keepDims = false): Tensor => {
  const t = lift('mean', x)
  return div(sum(t, axes, keepDims), count(t, axes))
}
/** Population variance over axes. @example variance(x, -1, true) */
export const variance = (x: Tensor, axes?: number | ReadonlyArray<number>, keepDims = false): Tensor => {
  const t = lift('variance', x)
  return mean(square(sub(t, mean(t, axes, true))), axes, keepDims)
}
/** Minimum over axes. */
export const min = (x: Tensor, axes?: number | ReadonlyArray<number>, keepDims = false): Tensor => neg(max(neg(lift('min', x)), axes, keepDims))
/**
 * `log Σ exp x` over axes, stable for large inputs (the max is subtracted first and held constant).
 * @example logSumExp(tensor([1000, 1000])) // 1000.693…
 */
export const logSumExp = (x: Tensor, axes?: number | ReadonlyArray<number>, keepDims = false): Tensor => {
  const t = lift('logSumExp', x)
  const p = reduceParams('logSumExp', t, axes, true)
  const m0 = stopGradient(max(t, p.axes, true))
  // an all −∞ row would give −∞ − −∞ = NaN: shift by 0 there instead
  const m = where(compare(abs(m0), Infinity, 'lt'), m0, 0)
  const s = add(log(sum(exp(sub(t, m)), p.axes, true)), m)
  return keepDims ? s : reshape(s, reducedShape(t.shape, { axes: p.axes, keepDims: false }))
}
/** Euclidean norm over axes. */
export const norm = (x: Tensor, axes?: number | ReadonlyArray<number>, keepDims = false): Tensor => sqrt(sum(square(lift('norm', x)), axes, keepDims))
/** Product-free helper: sum of squares. */
export const sumSquares = (x: Tensor): Tensor => sum(mul(x, x))
