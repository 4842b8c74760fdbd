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
import { ownArray, takeArray } from './recycle.js'
import { unfilledFloats } from '#platform'

/** The most elements of a patch matrix written into the array kept between calls (32 MiB of float32). */
export const PATCHES_KEPT = 1 << 23
/**
 * A forward convolution whose patch matrix would pass this many floats (16 MiB) runs a slice of the
 * batch at a time ({@link convIm2col}): a `predict` batch of 500 through the bench CNN's second layer
 * ran in 31, 37 and 30 ms with slices of 1, 2 and 4 Mi floats, 53 ms with 8 Mi, 136 ms whole.
 */
export const CONV_SLICE = 1 << 22
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
 * One group of all channels (`G = 1`): the copies that make one output position's patch row, in tap
 * order, as triples `(offset in the row, offset in the sample or -1, floats)` from `starts[p]` to
 * `starts[p + 1]`. Taps whose inputs lie next to each other (along the last spatial axis at stride 1,
 * channels last) are one copy — a 3×3 window over 16 channels is three copies of 48 floats, not nine
 * of 16 — and neighbouring padding taps one run of zeros (`-1`).
 */
const patchRuns = (offs: Int32Array, P: number, T: number, Cin: number): { readonly starts: Int32Array; readonly runs: Int32Array } => {
  const runs: number[] = []
  const starts = new Int32Array(P + 1)
  for (let pi = 0; pi < P; pi++) {
    starts[pi] = runs.length / 3
    const base = pi * T
    let ti = 0
    while (ti < T) {
      const off = offs[base + ti]
      let tj = ti + 1
      if (off < 0) while (tj < T && offs[base + tj] < 0) tj++
      else while (tj < T && offs[base + tj] === off + (tj - ti)) tj++
      runs.push(ti * Cin, off < 0 ? -1 : off * Cin, (tj - ti) * Cin)
      ti = tj
    }
  }
  starts[P] = runs.length / 3
  return { starts, runs: Int32Array.from(runs) }
}

/**
 * From this many floats a run is copied by `set` (a memory copy) rather than element by element: the
 * subarray costs more than a loop below it (probe, this machine: 0.38 against 0.41 Gfloat/s at 16
 * floats, 0.41 against 1.09 at 48, 0.41 against 2.02 at 96).
 */
const SET_FROM = 16

/**
 * Write every patch row of `N` samples (`sample` floats each) into `cols` (`row` floats a row) by the
 * copies of {@link patchRuns}; padding runs are zeroed unless `cols` is fresh (already zeros).
 */
const copyRuns = (cols: Float32Array, fresh: boolean, xd: Float32Array, pr: { readonly starts: Int32Array; readonly runs: Int32Array }, N: number, P: number, sample: number, row: number): void => {
  const { starts, runs } = pr
  for (let n = 0; n < N; n++) {
    const sBase = n * sample
    for (let pi = 0; pi < P; pi++) {
      const dst = (n * P + pi) * row
      for (let q = starts[pi] * 3, end = starts[pi + 1] * 3; q < end; q += 3) {
        const d = dst + runs[q]
        const len = runs[q + 2]
        if (runs[q + 1] < 0) {
          if (!fresh) cols.fill(0, d, d + len)
          continue
        }
        const s = sBase + runs[q + 1]
        if (len >= SET_FROM) cols.set(xd.subarray(s, s + len), d)
        else for (let c = 0; c < len; c++) cols[d + c] = xd[s + c]
      }
    }
  }
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
  if (G === 1) {
    // float32 either way: `cols` rounds whatever it is given (every caller passes float32 already)
    copyRuns(cols, fresh, xd instanceof Float32Array ? xd : Float32Array.from(xd), patchRuns(offs, P, T, Cin), N, P, Ps * Cin, row)
    return cols
  }
  // rows in order (n, then position), so the writes run through `cols` front to back
  for (let n = 0; n < N; n++) {
    const nBase = n * Ps
    for (let pi = 0; pi < P; pi++) {
      const m = n * P + pi
      const oBase = pi * T
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

/**
 * `conv(x, w)` as im2col(x) · w per group, on the matmul `mm`. With one group, a patch matrix of more
 * than `slice` floats is made and multiplied a slice of the batch at a time, in the array kept between
 * calls, and the slices' rows joined: a whole-batch matrix past the kept array would be a fresh array
 * every call (a `predict` batch of 500 through a 3×3 convolution over 16 channels: 35 MB, 105 of the
 * convolution's 136 ms in zeroing and page faults; in slices 30 ms, "Convolution patches" in
 * docs/performance.md). Every output row is the same dot product either way.
 */
export const convIm2col = <T extends FloatBuffer | Promise<FloatBuffer>>(mm: MatmulKernel<T>, x: View, w: View, g: ConvGeometry, out: Shape, slice = CONV_SLICE): FloatBuffer | Promise<FloatBuffer> => {
  const { N, K, O, Cig, Cout, T, M } = dims(x.shape, w.shape, out)
  const G = g.groups
  const Cog = Cout / G
  const P = M / N
  const per = Math.max(1, Math.floor(slice / (P * T * Cig)))
  if (G === 1 && per < N) return convInSlices(mm, f32(x.data), x.shape, f32(w.data), g, K, O, Cig, Cout, per)
  const cols = im2col({ data: f32(x.data), shape: x.shape }, g, K, O, Cig)
  // kernel [T·Cig, G·Cog] -> per group [G, T·Cig, Cog]
  const wm = G === 1 ? f32(w.data) : swap01(w.data, T * Cig, G, Cog)
  return later(mm(cols, wm, G, M, T * Cig, Cog, false, false), (y) => (G === 1 ? y : swap01(y, G, M, Cog)))
}

/** {@link convIm2col} with one group, `per` samples at a time; the slices' results joined in one array of the backend's. */
const convInSlices = <T extends FloatBuffer | Promise<FloatBuffer>>(
  mm: MatmulKernel<T>,
  xd: Float32Array,
  shape: Shape,
  wm: Float32Array,
  g: ConvGeometry,
  K: ReadonlyArray<number>,
  O: ReadonlyArray<number>,
  Cin: number,
  Cout: number,
  per: number
): FloatBuffer | Promise<FloatBuffer> => {
  const N = shape[0]
  const sample = prod(shape.slice(1))
  const rows = prod(O)
  const T = prod(K)
  const join = (ys: ReadonlyArray<FloatBuffer>): Float32Array => {
    const outRows = N * rows * Cout
    const y = takeArray(outRows) ?? unfilledFloats(outRows)
    let at = 0
    for (const part of ys) {
      y.set(part, at)
      at += part.length
    }
    return ownArray(y)
  }
  // each slice's patches live in the kept array until the next slice overwrites them: a synchronous
  // matmul has copied them into its module when it returns; an asynchronous one is waited for first
  const from = (n0: number, parts: FloatBuffer[]): FloatBuffer | Promise<FloatBuffer> => {
    for (let at = n0; at < N; at += per) {
      const n = Math.min(per, N - at)
      const cols = im2col({ data: xd.subarray(at * sample, (at + n) * sample), shape: [n, ...shape.slice(1)] }, g, K, O, Cin)
      const y = mm(cols, wm, 1, n * rows, T * Cin, Cout, false, false)
      if (y instanceof Promise) return y.then((v: FloatBuffer) => from(at + per, [...parts, v]))
      parts.push(y)
    }
    return join(parts)
  }
  return from(0, [])
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
