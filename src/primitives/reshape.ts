/** reshape: same values, another shape (one `-1` may be inferred). Shares the buffer: no copy. @since 0.1.0 */
import { type PrimitiveDef, bind, lift, ok, shapeError } from './bind.js'
import { size, isShape, type Shape } from '../core/Shape.js'
import type { Tensor } from '../core/Tensor.js'
import { show } from '../core/errors.js'

export const reshapeDef: PrimitiveDef<{ readonly shape: Shape }> = {
  name: 'reshape',
  shapeRule: ([x], { shape }) =>
    isShape(shape) && size(shape) === x.size
      ? ok(shape, x.dtype)
      : shapeError('reshape', `cannot reshape a tensor of shape ${show(x.shape)} (${x.size} values) to ${show(shape)}`, x.size, shape),
  impl: (_be, [x]) => x.data,
  // d reshape(x) = reshape(ct, shape x)
  vjp: (ct, [x]) => [reshape(ct, x.shape)]
}
/** Reshape; one axis may be `-1`. @example reshape(x, [-1, 784]) */
export const reshape = (x: Tensor, shape: ReadonlyArray<number>): Tensor => {
  const t = lift('reshape', x)
  let s: ReadonlyArray<number> = shape
  const infer = shape.indexOf(-1)
  if (infer >= 0) {
    const known = shape.reduce((p, d, i) => (i === infer ? p : p * d), 1)
    s = shape.map((d, i) => (i === infer ? (known === 0 ? 0 : t.size / known) : d))
  }
  if (s.length === t.shape.length && s.every((d, i) => d === t.shape[i])) return t
  return bind(reshapeDef, [t], { shape: s })
}
