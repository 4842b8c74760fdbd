/** sqrt: elementwise square root. @since 0.1.0 */
import { type TensorLike, bind, lift } from './bind.js'
import { unaryDef } from './_elementwise.js'
import { div } from './div.js'
import { mul } from './mul.js'
import type { Tensor } from '../core/Tensor.js'

// d(√x) = ct / (2√x)
export const sqrtDef = unaryDef('sqrt', 'sqrt', (ct, _x, out) => div(ct, mul(out, 2)))
/** `√x`. @example sqrt(tensor([4])) // [2] */
export const sqrt = (x: TensorLike): Tensor => bind(sqrtDef, [lift('sqrt', x)], {})
