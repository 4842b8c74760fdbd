/** mul: elementwise `a · b` with broadcasting. @since 0.1.0 */
import { type TensorLike, bind, lift } from './bind.js'
import { binaryDef } from './_elementwise.js'
import { unbroadcast } from './unbroadcast.js'
import type { Tensor } from '../core/Tensor.js'

export const mulDef = binaryDef('mul', () => 'mul', (ct, a, b) =>
  // d(a · b) = ct · b, ct · a
  [unbroadcast(mul(ct, b), a.shape), unbroadcast(mul(ct, a), b.shape)]
)
/** `a · b`, broadcasting. @example mul(tensor([1, 2]), 3) // [3, 6] */
export const mul = (a: TensorLike, b: TensorLike): Tensor => bind(mulDef, [lift('mul', a, 0), lift('mul', b, 1)], {})
