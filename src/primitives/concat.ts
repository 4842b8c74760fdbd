/** concat: join tensors along an axis. @since 0.1.0 */
import { type PrimitiveDef, bind, lift, ok, shapeError } from './bind.js'
import type { Tensor } from '../core/Tensor.js'
import { slice } from './slice.js'
import { show } from '../core/errors.js'

export const concatDef: PrimitiveDef<{ readonly axis: number }> = {
  name: 'concat',
  shapeRule: (xs, { axis }) => {
    if (xs.length === 0) return shapeError('concat', 'expected at least one tensor', '>= 1', 0)
    const r = xs[0].shape.length
    if (axis < 0 || axis >= r) return shapeError('concat', `axis ${axis} out of range for rank ${r}`, r, axis)
    for (const x of xs)
      if (x.shape.length !== r || x.shape.some((d, i) => i !== axis && d !== xs[0].shape[i]))
        return shapeError('concat', `shapes ${show(xs[0].shape)} and ${show(x.shape)} differ outside axis ${axis}`, xs[0].shape, x.shape)
    const out = xs[0].shape.slice()
    out[axis] = xs.reduce((n, x) => n + x.shape[axis], 0)
    return ok(out, xs.every((x) => x.dtype === 'int32') ? 'int32' : 'float32')
  },
  impl: (be, xs, { axis }) => {
    const allInt = xs.every((x) => x.data instanceof Int32Array)
    return be.concat(allInt ? xs : xs.map((x) => ({ data: be.toFloat(x.data), shape: x.shape })), axis)
  },
  // d concat(xs) = the matching slices of ct
  vjp: (ct, xs, _o, { axis }) => {
    let off = 0
    return xs.map((x) => {
      const begin = x.shape.map((_, i) => (i === axis ? off : 0))
      off += x.shape[axis]
      return slice(ct, begin, x.shape)
    })
  }
}
/** Concatenate along `axis`. @example concat([a, b], 1) */
export const concat = (xs: ReadonlyArray<Tensor>, axis = 0): Tensor => {
  const ts = xs.map((x, i) => lift('concat', x, i))
  const r = ts[0]?.shape.length ?? 0
  return bind(concatDef, ts, { axis: axis < 0 ? axis + r : axis })
}
