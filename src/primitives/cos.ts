/** cos: elementwise cosine. @since 0.1.0 */
import { type TensorLike, bind, lift } from './bind.js'
import { unaryDef } from './_elementwise.js'
import { mul } from './mul.js'
import { neg } from './neg.js'
import { sin } from './sin.js'
import type { Tensor } from '../core/Tensor.js'

// d(cos x) = −sin(x) · ct
export const cosDef = unaryDef('cos', 'cos', (ct, x) => mul(ct, neg(sin(x))))
/** `cos x`. @example cos(tensor([0])) // [1] */
export const cos = (x: TensorLike): Tensor => bind(cosDef, [lift('cos', x)], {})
