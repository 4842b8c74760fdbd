/** abs: elementwise `|x|`. @since 0.1.0 */
import { type TensorLike, bind, lift } from './bind.js'
import { unaryDef } from './_elementwise.js'
import { mul } from './mul.js'
import { sign } from './sign.js'
import type { Tensor } from '../core/Tensor.js'

// d|x| = sign(x) · ct
export const absDef = unaryDef('abs', 'abs', (ct, x) => mul(ct, sign(x)))
/** `|x|`. @example abs(tensor([-2])) // [2] */
export const abs = (x: TensorLike): Tensor => bind(absDef, [lift('abs', x)], {})
