/** minimum: elementwise smaller of `a` and `b`, broadcasting. @since 0.1.0 */
import { type TensorLike, bind, lift } from './bind.js'
import { binaryDef } from './_elementwise.js'
import { unbroadcast } from './unbroadcast.js'
import { compare } from './compare.js'
import { where } from './where.js'
import type { Tensor } from '../core/Tensor.js'

export const minimumDef = binaryDef('minimum', () => 'minimum', (ct, a, b) => {
  // d min(a, b) = ct where a ≤ b (ties go to a), else to b
  const m = compare(a, b, 'le')
  return [unbroadcast(where(m, ct, 0), a.shape), unbroadcast(where(m, 0, ct), b.shape)]
})
/** Elementwise minimum (NaN propagates). @example minimum(tensor([1, 5]), 3) // [1, 3] */
export const minimum = (a: TensorLike, b: TensorLike): Tensor => bind(minimumDef, [lift('minimum', a, 0), lift('minimum', b, 1)], {})
