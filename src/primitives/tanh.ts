/** tanh: elementwise hyperbolic tangent. @since 0.1.0 */
import { type TensorLike, bind, lift } from './bind.js'
import { unaryDef } from './_elementwise.js'
import { mul } from './mul.js'
import { add } from './add.js'
import { neg } from './neg.js'
import type { Tensor } from '../core/Tensor.js'

// d(tanh x) = (1 − tanh²x) · ct
export const tanhDef = unaryDef('tanh', 'tanh', (ct, _x, out) => mul(ct, add(1, neg(mul(out, out)))))
/** `tanh x`. @example tanh(tensor([0])) // [0] */
export const tanh = (x: TensorLike): Tensor => bind(tanhDef, [lift('tanh', x)], {})
