/**
 * @internal Convolution as matrix multiplication: im2col (the input patches as one matrix per group, in
 * JavaScript: a memory-bound gather) and the layout shuffles around the backend's matmul kernel. Used by
 * `window-ops.ts` for the convolution and its kernel cotangent on every gpu.js backend.
 *
 * @since 0.3.0
 */
import { strides, type Shape } from '../../core/Shape.js'
import type { FloatBuffer } from '../../core/Tensor.js'
import type { View } from '../Backend.js'
import type { ConvGeometry } from '../window.js'
import { allIndices, convDims } from './kernels/window-index.js'
import { prod } from './layout.js'

/** The most elements of a patch matrix written into the array kept between calls (32 MiB of float32). */
export const PATCHES_KEPT = 1 << 23
let kept = new Float32Array(0)

/**
 * The array a patch matrix of `n` elements is written into: the one kept between calls when `n` is at
 * most {@link PATCHES_KEPT} (a fresh 12 MB array per call costs its page faults every step: the CNN's
 * input cotangent of its second convolution spent two thirds of its 33 ms there), else a fresh one.
 */
const patchArray = (n: number): { readonly cols: Float32Array; readonly fresh: boolean } => {
  if (n > PATCHES_KEPT) return { cols: new Float32Array(n), fresh: true }
  if (kept.length < n) kept = new Float32Array(Math.min(PATCHES_KEPT, Math.max(n, 2 * kept.length)))
  return { cols: kept.subarray(0, n), fresh: false }
}

/**
 * im2col: the input patches of a convolution as a matrix per group, `[groups, N · P, T · Cig]` (`P`
 * output positions, `T` window taps), zeros where a tap lands on padding or a dilation hole.
 *
 * The result may be the array kept between calls, overwritten by the next call: it is only ever passed
 * straight to a synchronous kernel call, which copies its arguments in when called.
 */
export const im2col = (x: View, g: ConvGeometry, K: ReadonlyArray<number>, O: ReadonlyArray<number>, Cig: number): Float32Array => {
  const r = x.shape.length - 2
  const S = x.shape.slice(1, r + 1)
  const N = x.shape[0]
  const Cin = x.shape[r + 1]
  const G = g.groups
  const sst = strides(S)
  // per axis: for (o, k), the input coordinate times its stride, or -1
  const tables = S.map((sd, d) => {
    const t = new Int32Array(O[d] * K[d])
    for (let o = 0; o < O[d]; o++)
      for (let k = 0; k < K[d]; k++) {
        const p = o * g.strides[d] + k * g.rhsDilation[d] - g.padding[d][0]
        const ld = g.lhsDilation[d]
        t[o * K[d] + k] = p < 0 || p % ld !== 0 || p / ld >= sd ? -1 : (p / ld) * sst[d]
      }
    return t
  })
  const taps = allIndices(K)
  const outPos = allIndices(O)
  const T = taps.length
  const P = outPos.length
  const M = N * P
  const row = T * Cig
  const { cols, fresh } = patchArray(G * M * row)
  const xd = x.data
  const Ps = prod(S)
  // the input offset of every (output position, tap), -1 on padding or a dilation hole
  const offs = new Int32Array(P * T)
  for (let pi = 0; pi < P; pi++) {
    const o = outPos[pi]
    for (let ti = 0; ti < T; ti++) {
      let off = 0
      for (let d = 0; d < r; d++) {
        const v = tables[d][o[d] * K[d] + taps[ti][d]]
        if (v < 0) {
          off = -1
          break
        }
        off += v
      }
      offs[pi * T + ti] = off
    }
  }
  // rows in order (n, then position), so the writes run through `cols` front to back
  for (let n = 0; n < N; n++) {
    const nBase = n * Ps
    for (let pi = 0; pi < P; pi++) {
      const m = n * P + pi
      const oBase = pi * T
      if (G === 1 && Cig === 1) {
        const dst = m * row
        for (let ti = 0; ti < T; ti++) {
          const off = offs[oBase + ti]
          cols[dst + ti] = off >= 0 ? xd[nBase + off] : 0
        }
        continue
      }
      for (let ti = 0; ti < T; ti++) {
        const off = offs[oBase + ti]
        if (off < 0) {
          // a reused array holds the last call's patches: padding taps are written as zeros
          if (!fresh) for (let gi = 0; gi < G; gi++) cols.fill(0, (gi * M + m) * row + ti * Cig, (gi * M + m) * row + (ti + 1) * Cig)
          continue
        }
        const src = (nBase + off) * Cin
        for (let gi = 0; gi < G; gi++) {
          const dst = (gi * M + m) * row + ti * Cig
          const s0 = src + gi * Cig
          for (let c = 0; c < Cig; c++) cols[dst + c] = xd[s0 + c]
        }
      }
    }
  }
  return cols
}

/** `[A, B, C]` -> `[B, A, C]` (row-major, float32). */
export const swap01 = (src: ArrayLike<number>, A: number, B: number, C: number): Float32Array => {
  const out = new Float32Array(A * B * C)
  for (let a = 0; a < A; a++) for (let b = 0; b < B; b++) for (let c = 0; c < C; c++) out[(b * A + a) * C + c] = src[(a * B + b) * C + c]
  return out
}

/** A backend's batched matmul, of either timing. */
export type MatmulKernel<T> = (a: Float32Array, b: Float32Array, batch: number, m: number, k: number, n: number, transA: boolean, transB: boolean) => T

/** `f` applied to a value now, or when its Promise resolves. */
export const later = <A, B>(v: A | Promise<A>, f: (a: A) => B): B | Promise<B> => (v instanceof Promise ? v.then(f) : f(v))

const f32 = (b: ArrayLike<number>): Float32Array => (b instanceof Float32Array ? b : Float32Array.from(b))

/** The dimensions of a convolution as matrices: kernel taps `K`, output positions `O`, channels per group, rows `M = N·P`. */
const dims = (x: Shape, kernel: Shape, out: Shape) => {
  const d = convDims(x, kernel, out)
  return { ...d, T: prod(d.K), M: d.N * prod(d.O) }
}

/** `conv(x, w)` as im2col(x) · w per group, on the matmul `mm`. */
export const convIm2col = <T extends FloatBuffer | Promise<FloatBuffer>>(mm: MatmulKernel<T>, x: View, w: View, g: ConvGeometry, out: Shape): FloatBuffer | Promise<FloatBuffer> => {
  const { K, O, Cig, Cout, T, M } = dims(x.shape, w.shape, out)
  const G = g.groups
  const Cog = Cout / G
  const cols = im2col({ data: f32(x.data), shape: x.shape }, g, K, O, Cig)
  // kernel [T·Cig, G·Cog] -> per group [G, T·Cig, Cog]
  const wm = G === 1 ? f32(w.data) : swap01(w.data, T * Cig, G, Cog)
  return later(mm(cols, wm, G, M, T * Cig, Cog, false, false), (y) => (G === 1 ? y : swap01(y, G, M, Cog)))
}

/** The kernel cotangent of `conv(x, ·)` as im2col(x)ᵀ · ct per group, on the matmul `mm`. */
export const kernelGradIm2col = <T extends FloatBuffer | Promise<FloatBuffer>>(mm: MatmulKernel<T>, x: View, ct: View, g: ConvGeometry, kernel: Shape): FloatBuffer | Promise<FloatBuffer> => {
  const { K, O, Cig, Cout, T, M } = dims(x.shape, kernel, ct.shape)
  const G = g.groups
  const Cog = Cout / G
  const cols = im2col({ data: f32(x.data), shape: x.shape }, g, K, O, Cig)
  const cm = G === 1 ? f32(ct.data) : swap01(ct.data, M, G, Cog)
  // colsᵀ · ct per group: [G, T·Cig, Cog]
  return later(mm(cols, cm, G, T * Cig, M, Cog, true, false), (dw) => (G === 1 ? dw : swap01(dw, G, T * Cig, Cog)))
}
