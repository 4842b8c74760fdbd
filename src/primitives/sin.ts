/** sin: elementwise sine. @since 0.1.0 */
import { type TensorLike, bind, lift } from './bind.js'
import { unaryDef } from './_elementwise.js'
import { mul } from './mul.js'
import { cos } from './cos.js'
import type { Tensor } from '../core/Tensor.js'

// d(sin x) = cos(x) · ct
export const sinDef = unaryDef('sin', 'sin', (ct, x) => mul(ct, cos(x)))
/** `sin x`. @example sin(tensor([0])) // [0] */
export const sin = (x: TensorLike): Tensor => bind(sinDef, [lift('sin', x)], {})
