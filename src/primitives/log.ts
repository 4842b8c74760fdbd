/** log: elementwise natural logarithm. @since 0.1.0 */
import { type TensorLike, bind, lift } from './bind.js'
import { unaryDef } from './_elementwise.js'
import { div } from './div.js'
import type { Tensor } from '../core/Tensor.js'

// d(log x) = ct / x
export const logDef = unaryDef('log', 'log', (ct, x) => div(ct, x))
/** `ln x` (−Infinity at 0, NaN below). @example log(tensor([1])) // [0] */
export const log = (x: TensorLike): Tensor => bind(logDef, [lift('log', x)], {})
