/** compare: elementwise comparison giving 1 or 0, broadcasting. Not differentiable. @since 0.1.0 */
import { type TensorLike, bind, lift } from './bind.js'
import { binaryDef } from './_elementwise.js'
import type { Tensor } from '../core/Tensor.js'

/** The comparisons. */
export type Comparison = 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge'
const COMPARISONS: ReadonlyArray<Comparison> = ['eq', 'ne', 'lt', 'le', 'gt', 'ge']

// d(a < b) = 0: comparisons are piecewise constant
export const compareDef = binaryDef<{ readonly op: Comparison }>('compare', (p) => p.op, () => [undefined, undefined])
/** `1` where the comparison holds, else `0`. @example compare(tensor([1, 3]), 2, 'gt') // [0, 1] */
export const compare = (a: TensorLike, b: TensorLike, op: Comparison): Tensor => {
  if (!COMPARISONS.includes(op)) lift(`compare(op: expected one of ${COMPARISONS.join(', ')})`, op, 2)
  return bind(compareDef, [lift('compare', a, 0), lift('compare', b, 1)], { op })
}
