/**
 * Activations as differentiable functions of tensors. relu and sigmoid carry custom VJPs (one kernel in
 * the backward pass, stable at the extremes); the others are compositions of primitives.
 * @since 0.1.0
 */
import type { Tensor } from '../core/Tensor.js'
import { lift, maximum, mul, add, div, exp, neg, abs, compare, where, tanh as tanhP, minimum, sign, log, max, sum } from '../primitives/index.js'
import { customVjp } from '../ad/grad.js'
import { sub } from './arithmetic.js'
import { stopGradient } from '../ad/vjp.js'
import { remember } from './logits.js'

const reluImpl = customVjp(
  (x) => maximum(x, 0),
  // d relu(x) = ct where x > 0 (0 at x = 0, as Keras)
  (ct, _xs, out) => [mul(ct, compare(out, 0, 'gt'))]
)
/** `max(x, 0)`. @example relu(tensor([-1, 2])) // [0, 2] */
export const relu = (x: Tensor): Tensor => reluImpl(lift('relu', x))

const sigmoidImpl = customVjp(
  (x) => {
    // z = e^{-|x|} never overflows; σ(x) = 1/(1+z) for x ≥ 0 and z/(1+z) below
    const z = exp(neg(abs(x)))
    return where(compare(x, 0, 'ge'), div(1, add(1, z)), div(z, add(1, z)))
  },
  // d σ(x) = σ(x)(1 − σ(x)) · ct
  (ct, _xs, out) => [mul(ct, mul(out, sub(1, out)))]
)
/** Logistic sigmoid, stable for large |x|. @example sigmoid(tensor([0])) // [0.5] */
export const sigmoid = (x: Tensor): Tensor => {
  const t = lift('sigmoid', x)
  return remember('sigmoid', sigmoidImpl(t), t)
}
/** Hyperbolic tangent. */
export const tanh = (x: Tensor): Tensor => tanhP(lift('tanh', x))
const softplusImpl = customVjp(
  (x) => add(maximum(x, 0), log(add(1, exp(neg(abs(x)))))),
  // d softplus(x) = σ(x) · ct (the max/abs split above has kinks at 0 that the function does not)
  (ct, [x]) => [mul(ct, sigmoid(x))]
)
/** `log(1 + eˣ)`, stable: `max(x, 0) + log(1 + e^{−|x|})`. */
export const softplus = (x: Tensor): Tensor => softplusImpl(lift('softplus', x))
/** `x · σ(x)` (swish / silu). */
export const silu = (x: Tensor): Tensor => mul(lift('silu', x), sigmoid(x))
/** Alias of {@link silu}. */
export const swish = silu
/** ELU: `x` if positive, `α(eˣ − 1)` otherwise. */
export const elu = (x: Tensor, alpha = 1): Tensor => {
  const t = lift('elu', x)
  return where(compare(t, 0, 'gt'), t, mul(alpha, sub(exp(minimum(t, 0)), 1)))
}
const SELU_ALPHA = 1.6732632423543772
const SELU_SCALE = 1.0507009873554805
/** SELU with the Klambauer et al. constants. */
export const selu = (x: Tensor): Tensor => mul(SELU_SCALE, elu(x, SELU_ALPHA))
/** Leaky ReLU: `x` if positive, `αx` otherwise (Keras default α = 0.3). */
export const leakyRelu = (x: Tensor, alpha = 0.3): Tensor => {
  const t = lift('leakyRelu', x)
  return where(compare(t, 0, 'gt'), t, mul(alpha, t))
}
const erfImpl = customVjp(
  (x) => {
    const ax = abs(x)
    const t = div(1, add(1, mul(0.3275911, ax)))
    const poly = mul(t, add(0.254829592, mul(t, add(-0.284496736, mul(t, add(1.421413741, mul(t, add(-1.453152027, mul(t, 1.061405429)))))))))
    return mul(sign(x), sub(1, mul(poly, exp(neg(mul(ax, ax))))))
  },
  // d erf(x) = 2/√π · e^{−x²} · ct (exact, smooth; the sign/abs split above is not differentiable at 0)
  (ct, [x]) => [mul(ct, mul(2 / Math.sqrt(Math.PI), exp(neg(mul(x, x)))))]
)
/** erf by Abramowitz–Stegun 7.1.26 (|error| < 1.5e-7) with the exact derivative. */
export const erf = (x: Tensor): Tensor => erfImpl(lift('erf', x))
/** GELU, exact form `½x(1 + erf(x/√2))` (Keras's default `approximate: false`); `approximate` uses tanh. */
export const gelu = (x: Tensor, approximate = false): Tensor => {
  const t = lift('gelu', x)
  if (approximate) return mul(mul(0.5, t), add(1, tanhP(mul(Math.sqrt(2 / Math.PI), add(t, mul(0.044715, mul(t, mul(t, t))))))))
  return mul(mul(0.5, t), add(1, erf(mul(t, Math.SQRT1_2))))
}
/** `x − logSumExp(x)` along an axis (default last), computed as `(x − max) − log Σ exp(x − max)`. */
export const logSoftmax = (x: Tensor, axis = -1): Tensor => {
  const t = lift('logSoftmax', x)
  // m held constant (softmax is shift-invariant); an all −∞ row shifts by 0. Subtracting m before the
  // log-sum keeps a row of −1e9s exact: x − logSumExp(x) rounds −1e9 + log n back to −1e9 in float32.
  const m0 = stopGradient(max(t, axis, true))
  const m = where(compare(abs(m0), Infinity, 'lt'), m0, 0)
  const s = sub(t, m)
  return sub(s, log(sum(exp(s), axis, true)))
}
/** Softmax along an axis (default last). @example softmax(logits) */
export const softmax = (x: Tensor, axis = -1): Tensor => {
  const t = lift('softmax', x)
  const out = exp(logSoftmax(t, axis))
  return t.shape.length > 0 && (axis === -1 || axis === t.shape.length - 1) ? remember('softmax', out, t) : out
}
/** The identity activation. */
export const linear = (x: Tensor): Tensor => lift('linear', x)
