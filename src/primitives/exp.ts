/** exp: elementwise `eˣ`. @since 0.1.0 */
import { type TensorLike, bind, lift } from './bind.js'
import { unaryDef } from './_elementwise.js'
import { mul } from './mul.js'
import type { Tensor } from '../core/Tensor.js'

// d(exp x) = exp(x) · ct
export const expDef = unaryDef('exp', 'exp', (ct, _x, out) => mul(ct, out))
/** `eˣ`. @example exp(tensor([0])) // [1] */
export const exp = (x: TensorLike): Tensor => bind(expDef, [lift('exp', x)], {})
