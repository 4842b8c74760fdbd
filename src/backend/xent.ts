/**
 * Softmax cross-entropy along the last axis as plain loops over flat row-major buffers, parameterised by
 * the float array they write: the float64 reference backend's kernels, and the formulas the gpu.js
 * kernels (`gpujs/kernels/xent.ts`) follow step for step in float32.
 *
 * Per row of `C` logits `x` and labels `t`: `m` is the row's maximum (0 where that is not finite, as
 * `logSoftmax` does), `ls = log Σ_k e^{x_k − m}`, `T = Σ_k t_k`; then
 * - the loss is `T·ls − Σ_j t_j (x_j − m)` (`= −Σ_j t_j logSoftmax(x)_j`; every term of the difference is
 *   non-negative for non-negative labels, so nothing cancels). A label of 0 adds nothing, also on a logit
 *   of −∞ (a masked class), where `0·∞` would make the row's loss NaN;
 * - its cotangent with respect to `x_j`, given the row's cotangent `c`, is `c (e^{x_j − m − ls} T − t_j)`;
 * - with respect to `t_j` it is `c (ls − (x_j − m))`.
 *
 * @since 0.3.0
 */
import type { FloatBuffer } from '../core/Tensor.js'
import type { View, XentWrt } from './Backend.js'
import type { FloatCtor } from './loops.js'

/** The row statistics `[m, ls, T]` of the row starting at `o` (see the module comment). */
const xentRowStats = (x: ArrayLike<number>, t: ArrayLike<number>, o: number, C: number): readonly [number, number, number] => {
  let m = -Infinity
  for (let j = 0; j < C; j++) m = Math.max(m, x[o + j])
  if (m === Infinity || m === -Infinity) m = 0
  let s = 0
  let T = 0
  for (let j = 0; j < C; j++) {
    s += Math.exp(x[o + j] - m)
    T += t[o + j]
  }
  return [m, Math.log(s), T]
}

/** The loops of `softmaxXent` and `softmaxXentGrad` writing `F` arrays. */
export const makeXentLoops = (F: FloatCtor) => {
  const softmaxXent = (x: View, t: View): FloatBuffer => {
    // the shape rule makes x of rank ≥ 1; a row of no classes has a loss of 0
    const C = x.shape[x.shape.length - 1]
    const out = new F(x.shape.slice(0, -1).reduce((a, b) => a * b, 1))
    const R = C === 0 ? 0 : out.length
    for (let r = 0; r < R; r++) {
      const o = r * C
      const [m, ls, T] = xentRowStats(x.data, t.data, o, C)
      let d = 0
      for (let j = 0; j < C; j++) {
        const w = t.data[o + j]
        d += w === 0 ? 0 : w * (x.data[o + j] - m)
      }
      out[r] = T * ls - d
    }
    return out
  }
  const softmaxXentGrad = (wrt: XentWrt, x: View, t: View, c: View): FloatBuffer => {
    const n = x.data.length
    const out = new F(n)
    const C = x.shape[x.shape.length - 1]
    if (C === 0) return out
    for (let r = 0; r < n / C; r++) {
      const o = r * C
      const [m, ls, T] = xentRowStats(x.data, t.data, o, C)
      const cr = c.data[r]
      for (let j = 0; j < C; j++) {
        const v = x.data[o + j] - m
        out[o + j] = wrt === 'logits' ? cr * (Math.exp(v - ls) * T - t.data[o + j]) : cr * (ls - v)
      }
    }
    return out
  }
  return { softmaxXent, softmaxXentGrad }
}
