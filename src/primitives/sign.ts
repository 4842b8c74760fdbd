/** sign: elementwise −1, 0 or 1. @since 0.1.0 */
import { type TensorLike, bind, lift } from './bind.js'
import { unaryDef } from './_elementwise.js'
import type { Tensor } from '../core/Tensor.js'

// d(sign x) = 0 almost everywhere
export const signDef = unaryDef('sign', 'sign', () => undefined)
/** −1, 0 or 1. @example sign(tensor([-3, 0, 2])) // [-1, 0, 1] */
export const sign = (x: TensorLike): Tensor => bind(signDef, [lift('sign', x)], {})
