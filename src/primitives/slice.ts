/** slice: a contiguous block `begin .. begin + size` (size −1 = to the end). @since 0.1.0 */
import { type PrimitiveDef, bind, lift, ok, shapeError } from './bind.js'
import type { Tensor } from '../core/Tensor.js'
import { pad } from './pad.js'
import { show } from '../core/errors.js'

export interface SliceParams {
  readonly begin: ReadonlyArray<number>
  readonly size: ReadonlyArray<number>
}
export const sliceDef: PrimitiveDef<SliceParams> = {
  name: 'slice',
  shapeRule: ([x], { begin, size }) => {
    const r = x.shape.length
    const valid =
      begin.length === r &&
      size.length === r &&
      begin.every((b, i) => Number.isInteger(b) && Number.isInteger(size[i]) && b >= 0 && size[i] >= 0 && b + size[i] <= x.shape[i])
    return valid ? ok(size, x.dtype) : shapeError('slice', `begin ${show(begin)} and size ${show(size)} do not fit in shape ${show(x.shape)}`, x.shape, { begin, size })
  },
  impl: (be, [x], { begin, size }) => be.slice(x, begin, size),
  // d slice(x) = ct padded with zeros back to shape x
  vjp: (ct, [x], _o, { begin, size }) => [pad(ct, begin.map((b, i) => [b, x.shape[i] - b - size[i]] as const))]
}
/** Slice a block. @example slice(x, [0, 1], [2, -1]) */
export const slice = (x: Tensor, begin: ReadonlyArray<number>, size: ReadonlyArray<number>): Tensor => {
  const t = lift('slice', x)
  const b = begin.map((v, i) => (v < 0 ? v + (t.shape[i] ?? 0) : v))
  const s = size.map((v, i) => (v === -1 ? (t.shape[i] ?? 0) - (b[i] ?? 0) : v))
  return bind(sliceDef, [t], { begin: b, size: s })
}
