/** pow: elementwise `aᵇ` with broadcasting. @since 0.1.0 */
import { type TensorLike, bind, lift } from './bind.js'
import { binaryDef } from './_elementwise.js'
import { unbroadcast } from './unbroadcast.js'
import { mul } from './mul.js'
import { add } from './add.js'
import { log } from './log.js'
import { compare } from './compare.js'
import { where } from './where.js'
import type { Tensor } from '../core/Tensor.js'

export const powDef = binaryDef('pow', () => 'pow', (ct, a, b, out) => {
  // d(aᵇ) = ct · b · aᵇ⁻¹,  ct · aᵇ · ln a   (ln a taken as 0 where a ≤ 0, as JAX does at a = 0)
  const pos = compare(a, 0, 'gt')
  const logA = where(pos, log(where(pos, a, 1)), 0)
  return [unbroadcast(mul(ct, mul(b, pow(a, add(b, -1)))), a.shape), unbroadcast(mul(ct, mul(out, logA)), b.shape)]
})
/** `aᵇ`, broadcasting. @example pow(tensor([2, 3]), 2) // [4, 9] */
export const pow = (a: TensorLike, b: TensorLike): Tensor => bind(powDef, [lift('pow', a, 0), lift('pow', b, 1)], {})
