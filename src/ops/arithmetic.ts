/** Derived arithmetic, written only in primitives. @since 0.1.0 */
import type { Tensor } from '../core/Tensor.js'
import { type TensorLike, lift, add, neg, mul, div, maximum, minimum, compare, where, exp, log, abs } from '../primitives/index.js'

/** `a − b`. @example sub(x, 1) */
export const sub = (a: TensorLike, b: TensorLike): Tensor => add(lift('sub', a, 0), neg(lift('sub', b, 1)))
/** `x²`. @example square(tensor([3])) // [9] */
export const square = (x: TensorLike): Tensor => {
  const t = lift('square', x)
  return mul(t, t)
}
/** `1 / x`. */
export const reciprocal = (x: TensorLike): Tensor => div(1, lift('reciprocal', x))
/** Clip into `[lo, hi]`. @example clip(x, 0, 1) */
export const clip = (x: TensorLike, lo: TensorLike, hi: TensorLike): Tensor => minimum(maximum(lift('clip', x), lo), hi)
/** `log(1 + x)`, computed stably for small x. */
export const log1p = (x: TensorLike): Tensor => log(add(1, lift('log1p', x)))
/** `exp(x) − 1`. */
export const expm1 = (x: TensorLike): Tensor => sub(exp(lift('expm1', x)), 1)
/** 1 where `x` is finite, else 0. */
export const isFinite = (x: TensorLike): Tensor => compare(abs(lift('isFinite', x)), Infinity, 'lt')
/** 1 where `x` is NaN, else 0. */
export const isNaN = (x: TensorLike): Tensor => {
  const t = lift('isNaN', x)
  return compare(t, t, 'ne')
}
/** Elementwise `a == b` as 1/0. */
export const equal = (a: TensorLike, b: TensorLike): Tensor => compare(a, b, 'eq')
/** Elementwise `a > b` as 1/0. */
export const greater = (a: TensorLike, b: TensorLike): Tensor => compare(a, b, 'gt')
/** Elementwise `a < b` as 1/0. */
export const less = (a: TensorLike, b: TensorLike): Tensor => compare(a, b, 'lt')
/** Elementwise `a >= b` as 1/0. */
export const greaterEqual = (a: TensorLike, b: TensorLike): Tensor => compare(a, b, 'ge')
/** Elementwise `a <= b` as 1/0. */
export const lessEqual = (a: TensorLike, b: TensorLike): Tensor => compare(a, b, 'le')
/** Replace NaN by a value. */
export const nanToNum = (x: TensorLike, value = 0): Tensor => {
  const t = lift('nanToNum', x)
  return where(isNaN(t), value, t)
}
