/** add: elementwise `a + b` with broadcasting. @since 0.1.0 */
import { type TensorLike, bind, lift } from './bind.js'
import { binaryDef } from './_elementwise.js'
import { unbroadcast } from './unbroadcast.js'
import type { Tensor } from '../core/Tensor.js'

export const addDef = binaryDef('add', () => 'add', (ct, a, b) =>
  // d(a + b) = ct, ct
  [unbroadcast(ct, a.shape), unbroadcast(ct, b.shape)]
)
/** `a + b`, broadcasting. @example add(tensor([1, 2]), 1) // [2, 3] */
export const add = (a: TensorLike, b: TensorLike): Tensor => bind(addDef, [lift('add', a, 0), lift('add', b, 1)], {})
