/** transpose: permute axes (default: reverse them). @since 0.1.0 */
import { type PrimitiveDef, bind, lift, ok, shapeError } from './bind.js'
import type { Tensor } from '../core/Tensor.js'
import { isIdentity } from '../backend/loops.js'
import { show } from '../core/errors.js'

export const transposeDef: PrimitiveDef<{ readonly perm: ReadonlyArray<number> }> = {
  name: 'transpose',
  shapeRule: ([x], { perm }) => {
    const r = x.shape.length
    const valid = perm.length === r && perm.every((p) => Number.isInteger(p) && p >= 0 && p < r) && new Set(perm).size === r
    return valid ? ok(perm.map((p) => x.shape[p]), x.dtype) : shapeError('transpose', `expected a permutation of 0..${r - 1}, received ${show(perm)}`, r, perm)
  },
  impl: (be, [x], { perm }) => (isIdentity(perm) ? x.data : be.transpose(x, perm)),
  // d transpose(x, p) = transpose(ct, p⁻¹)
  vjp: (ct, _x, _o, { perm }) => {
    const inv = new Array<number>(perm.length)
    perm.forEach((p, i) => (inv[p] = i))
    return [transpose(ct, inv)]
  }
}
/** Permute axes. @example transpose(x) ; transpose(x, [0, 2, 1]) */
export const transpose = (x: Tensor, perm?: ReadonlyArray<number>): Tensor => {
  const t = lift('transpose', x)
  const p = perm ?? t.shape.map((_, i) => t.shape.length - 1 - i)
  return bind(transposeDef, [t], { perm: p.map((a) => (a < 0 ? a + t.shape.length : a)) })
}
