/** pad: surround with a constant. @since 0.1.0 */
import { type PrimitiveDef, bind, lift, ok, shapeError } from './bind.js'
import type { Tensor } from '../core/Tensor.js'
import { slice } from './slice.js'
import { show } from '../core/errors.js'

export interface PadParams {
  readonly paddings: ReadonlyArray<readonly [number, number]>
  readonly value: number
}
export const padDef: PrimitiveDef<PadParams> = {
  name: 'pad',
  shapeRule: ([x], { paddings }) =>
    paddings.length === x.shape.length && paddings.every(([a, b]) => Number.isInteger(a) && Number.isInteger(b) && a >= 0 && b >= 0)
      ? ok(x.shape.map((d, i) => d + paddings[i][0] + paddings[i][1]), x.dtype)
      : shapeError('pad', `expected ${x.shape.length} pairs of non-negative integers, received ${show(paddings)}`, x.shape.length, paddings),
  impl: (be, [x], { paddings, value }) => be.pad(x, paddings, value),
  // d pad(x) = the slice of ct where x sits
  vjp: (ct, [x], _o, { paddings }) => [slice(ct, paddings.map((p) => p[0]), x.shape)]
}
/** Pad with a constant (0 by default). @example pad(x, [[1, 1], [0, 2]]) */
export const pad = (x: Tensor, paddings: ReadonlyArray<readonly [number, number]>, value = 0): Tensor =>
  bind(padDef, [lift('pad', x)], { paddings, value })
