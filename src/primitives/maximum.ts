/** maximum: elementwise larger of `a` and `b`, broadcasting. @since 0.1.0 */
import { type TensorLike, bind, lift } from './bind.js'
import { binaryDef } from './_elementwise.js'
import { unbroadcast } from './unbroadcast.js'
import { compare } from './compare.js'
import { where } from './where.js'
import type { Tensor } from '../core/Tensor.js'

export const maximumDef = binaryDef('maximum', () => 'maximum', (ct, a, b) => {
  // d max(a, b) = ct where a ≥ b (ties go to a), else to b
  const m = compare(a, b, 'ge')
  return [unbroadcast(where(m, ct, 0), a.shape), unbroadcast(where(m, 0, ct), b.shape)]
})
/** Elementwise maximum (NaN propagates). @example maximum(tensor([1, 5]), 3) // [3, 5] */
export const maximum = (a: TensorLike, b: TensorLike): Tensor => bind(maximumDef, [lift('maximum', a, 0), lift('maximum', b, 1)], {})
