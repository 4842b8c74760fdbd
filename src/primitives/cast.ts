/** cast: convert between float32 and int32 (int32 truncates toward zero). @since 0.1.0 */
import { type PrimitiveDef, bind, lift, ok } from './bind.js'
import type { Tensor, DType } from '../core/Tensor.js'

export const castDef: PrimitiveDef<{ readonly dtype: DType }> = {
  name: 'cast',
  shapeRule: ([x], { dtype }) => ok(x.shape, dtype),
  impl: (be, [x], { dtype }) => (dtype === 'int32' ? Int32Array.from(x.data, (v) => Math.trunc(v)) : be.toFloat(x.data)),
  // d cast(x) = ct to float, nothing to int
  vjp: (ct, [x], _o, { dtype }) => [dtype === 'float32' && x.dtype === 'float32' ? ct : undefined]
}
/** Cast to a dtype. @example cast(labels, 'int32') */
export const cast = (x: Tensor, dtype: DType): Tensor => {
  const t = lift('cast', x)
  return t.dtype === dtype ? t : bind(castDef, [t], { dtype })
}
