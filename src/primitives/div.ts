/** div: elementwise `a / b` with broadcasting. @since 0.1.0 */
import { type TensorLike, bind, lift } from './bind.js'
import { binaryDef } from './_elementwise.js'
import { unbroadcast } from './unbroadcast.js'
import { mul } from './mul.js'
import { neg } from './neg.js'
import type { Tensor } from '../core/Tensor.js'

export const divDef = binaryDef('div', () => 'div', (ct, a, b, out) =>
  // d(a / b) = ct / b, −ct · (a / b) / b
  [unbroadcast(div(ct, b), a.shape), unbroadcast(neg(div(mul(ct, out), b)), b.shape)]
)
/** `a / b`, broadcasting. @example div(tensor([2, 4]), 2) // [1, 2] */
export const div = (a: TensorLike, b: TensorLike): Tensor => bind(divDef, [lift('div', a, 0), lift('div', b, 1)], {})
