/** neg: elementwise `−x`. @since 0.1.0 */
import { type TensorLike, bind, lift } from './bind.js'
import { unaryDef } from './_elementwise.js'
import type { Tensor } from '../core/Tensor.js'

// d(−x) = −ct
export const negDef = unaryDef('neg', 'neg', (ct) => neg(ct))
/** `−x`. @example neg(tensor([1, -2])) // [-1, 2] */
export const neg = (x: TensorLike): Tensor => bind(negDef, [lift('neg', x)], {})
