/**
 * Windowed kernels — convolution and pooling — as plain loops over flat row-major, channels-last
 * buffers, parameterised by the float array they write. The float64 reference backend is these loops
 * with Float64Array; the gpu.js backend uses them for tensors too large for exact f32 index math.
 *
 * Geometry, per spatial axis `d` (all explicit, already resolved from Keras's 'valid'/'same'/'causal'):
 * the input is dilated by `lhsDilation[d]` (zeros between its entries), padded by `padding[d] = [lo, hi]`
 * (either may be negative), and a window of `K[d]` taps spaced `rhsDilation[d]` apart slides over it
 * `strides[d]` at a time. Output length `O = floor((Sd + lo + hi - Kd) / stride) + 1` where
 * `Sd = (S - 1)·lhsDilation + 1` and `Kd = (K - 1)·rhsDilation + 1` (0 when that is negative).
 *
 * @since 0.2.0
 */
import { strides, type Shape } from '../core/Shape.js'
import type { FloatBuffer } from '../core/Tensor.js'
import type { View } from './Backend.js'
import type { FloatCtor } from './loops.js'

/** The geometry of a convolution over `x: [N, S..., Cin]` with kernel `w: [K..., Cin / groups, Cout]`. */
export interface ConvGeometry {
  readonly strides: ReadonlyArray<number>
  readonly padding: ReadonlyArray<readonly [number, number]>
  readonly lhsDilation: ReadonlyArray<number>
  readonly rhsDilation: ReadonlyArray<number>
  /** feature groups: input and output channels split into this many independent groups */
  readonly groups: number
}

/** The geometry of a pooling window over `x: [N, S..., C]` (no dilation; padding never counts). */
export interface PoolGeometry {
  readonly window: ReadonlyArray<number>
  readonly strides: ReadonlyArray<number>
  readonly padding: ReadonlyArray<readonly [number, number]>
}

/** Pooling reductions. */
export type PoolOp = 'max' | 'avg'

/**
 * The two linear maps a pooling VJP needs: `scatter` sends an output-shaped tensor back over the input
 * (each window's value shared among its selected positions), `gather` is its adjoint (input-shaped to
 * output-shaped). For `max` a window selects the positions equal to its maximum (ties share equally, as
 * the `max` reduction's VJP does); for `avg` it selects every valid position.
 */
export type RouteDir = 'scatter' | 'gather'

/** Output length of one axis. */
export const windowOutLength = (s: number, k: number, stride: number, lo: number, hi: number, ld = 1, rd = 1): number => {
  const sd = s === 0 ? 0 : (s - 1) * ld + 1
  const kd = (k - 1) * rd + 1
  const span = sd + lo + hi - kd
  return span < 0 || s === 0 ? 0 : Math.floor(span / stride) + 1
}

/** Output shape of a convolution. */
export const convOutShape = (x: Shape, w: Shape, g: ConvGeometry): number[] => {
  const r = x.length - 2
  const spatial = Array.from({ length: r }, (_, d) => windowOutLength(x[d + 1], w[d], g.strides[d], g.padding[d][0], g.padding[d][1], g.lhsDilation[d], g.rhsDilation[d]))
  return [x[0], ...spatial, w[w.length - 1]]
}

/** Output shape of a pooling. */
export const poolOutShape = (x: Shape, g: PoolGeometry): number[] => {
  const r = x.length - 2
  const spatial = Array.from({ length: r }, (_, d) => windowOutLength(x[d + 1], g.window[d], g.strides[d], g.padding[d][0], g.padding[d][1]))
  return [x[0], ...spatial, x[x.length - 1]]
}

/** Row-major multi-index iteration over `dims` (calls `f` with a reused counter array). */
const forEachIndex = (dims: ReadonlyArray<number>, f: (c: ReadonlyArray<number>) => void): void => {
  const r = dims.length
  if (dims.some((d) => d === 0)) return
  const c = new Array<number>(r).fill(0)
  for (;;) {
    f(c)
    let d = r - 1
    while (d >= 0) {
      c[d]++
      if (c[d] < dims[d]) break
      c[d] = 0
      d--
    }
    if (d < 0) return
  }
}

/**
 * For an output position `o` and window tap `k` (both per spatial axis), the flat spatial offset of the
 * input entry read, or -1 when the tap lands on padding or on a dilation hole.
 */
const tapOffset = (o: ReadonlyArray<number>, k: ReadonlyArray<number>, S: ReadonlyArray<number>, sst: ReadonlyArray<number>, strides: ReadonlyArray<number>, pad: ReadonlyArray<readonly [number, number]>, ld: ReadonlyArray<number>, rd: ReadonlyArray<number>): number => {
  let off = 0
  for (let d = 0; d < S.length; d++) {
    const p = o[d] * strides[d] + k[d] * rd[d] - pad[d][0]
    if (p < 0 || p % ld[d] !== 0) return -1
    const i = p / ld[d]
    if (i >= S[d]) return -1
    off += i * sst[d]
  }
  return off
}

const prod = (xs: ReadonlyArray<number>): number => xs.reduce((a, b) => a * b, 1)

/** The windowed kernels over a float array type. */
export const makeWindowLoops = (F: FloatCtor) => {
  /** `out[n, o..., co] = Σ_k Σ_ci x[n, tap(o, k), g·Cig + ci] · w[k..., ci, co]`, `g = co / Cog`. */
  const conv = (x: View, w: View, g: ConvGeometry, out: Shape): FloatBuffer => {
    const r = x.shape.length - 2
    const S = x.shape.slice(1, r + 1)
    const K = w.shape.slice(0, r)
    const O = out.slice(1, r + 1)
    const N = x.shape[0]
    const Cin = x.shape[r + 1]
    const Cout = w.shape[r + 1]
    const Cig = w.shape[r]
    const Cog = Cout / g.groups
    const sst = strides(S)
    const res = new F(prod(out))
    const Ps = prod(S)
    const taps: Array<{ k: number[]; wOff: number }> = []
    forEachIndex(K, (k) => taps.push({ k: k.slice(), wOff: k.reduce((a, kd, d) => a * K[d] + kd, 0) * Cig * Cout }))
    const acc = new Float64Array(Cout)
    let oi = 0
    for (let n = 0; n < N; n++) {
      forEachIndex(O, (o) => {
        acc.fill(0)
        for (const t of taps) {
          const so = tapOffset(o, t.k, S, sst, g.strides, g.padding, g.lhsDilation, g.rhsDilation)
          if (so < 0) continue
          const xb = (n * Ps + so) * Cin
          for (let co = 0; co < Cout; co++) {
            const xg = xb + Math.floor(co / Cog) * Cig
            let s = 0
            for (let ci = 0; ci < Cig; ci++) s += x.data[xg + ci] * w.data[t.wOff + ci * Cout + co]
            acc[co] += s
          }
        }
        res.set(acc, oi * Cout)
        oi++
      })
    }
    return res
  }

  /** The kernel cotangent of `conv(x, w)` given the output cotangent `ct`: `Σ_{n,o} x[n, tap(o,k), ·] · ct[n, o, co]`. */
  const convKernelGrad = (x: View, ct: View, g: ConvGeometry, kernel: Shape): FloatBuffer => {
    const r = x.shape.length - 2
    const S = x.shape.slice(1, r + 1)
    const K = kernel.slice(0, r)
    const O = ct.shape.slice(1, r + 1)
    const N = x.shape[0]
    const Cin = x.shape[r + 1]
    const Cig = kernel[r]
    const Cout = kernel[r + 1]
    const Cog = Cout / g.groups
    const sst = strides(S)
    const Ps = prod(S)
    const res = new Float64Array(prod(kernel))
    const taps: Array<{ k: number[]; wOff: number }> = []
    forEachIndex(K, (k) => taps.push({ k: k.slice(), wOff: k.reduce((a, kd, d) => a * K[d] + kd, 0) * Cig * Cout }))
    let oi = 0
    for (let n = 0; n < N; n++) {
      forEachIndex(O, (o) => {
        const cb = oi * Cout
        for (const t of taps) {
          const so = tapOffset(o, t.k, S, sst, g.strides, g.padding, g.lhsDilation, g.rhsDilation)
          if (so < 0) continue
          const xb = (n * Ps + so) * Cin
          for (let co = 0; co < Cout; co++) {
            const c = ct.data[cb + co]
            if (c === 0) continue
            const xg = xb + Math.floor(co / Cog) * Cig
            for (let ci = 0; ci < Cig; ci++) res[t.wOff + ci * Cout + co] += x.data[xg + ci] * c
          }
        }
        oi++
      })
    }
    return F === Float64Array ? res : new F(res)
  }

  /** Window taps of a pooling, as flat spatial offsets per output position (-1 = padding). */
  const poolTaps = (S: ReadonlyArray<number>, O: ReadonlyArray<number>, g: PoolGeometry): Int32Array[] => {
    const sst = strides(S)
    const ones = S.map(() => 1)
    const ks: number[][] = []
    forEachIndex(g.window, (k) => ks.push(k.slice()))
    const all: Int32Array[] = []
    forEachIndex(O, (o) => all.push(Int32Array.from(ks, (k) => tapOffset(o, k, S, sst, g.strides, g.padding, ones, ones))))
    return all
  }

  /** Max or mean of each window over its valid (unpadded) positions. */
  const pool = (op: PoolOp, x: View, g: PoolGeometry, out: Shape): FloatBuffer => {
    const r = x.shape.length - 2
    const S = x.shape.slice(1, r + 1)
    const O = out.slice(1, r + 1)
    const N = x.shape[0]
    const C = x.shape[r + 1]
    const Ps = prod(S)
    const taps = poolTaps(S, O, g)
    const res = new F(prod(out))
    let oi = 0
    for (let n = 0; n < N; n++) {
      for (const tw of taps) {
        for (let c = 0; c < C; c++) {
          let acc = op === 'max' ? -Infinity : 0
          let cnt = 0
          for (const so of tw) {
            if (so < 0) continue
            const v = x.data[(n * Ps + so) * C + c]
            if (op === 'max') acc = v > acc || Number.isNaN(v) ? v : acc
            else acc += v
            cnt++
          }
          res[oi * C + c] = op === 'max' ? acc : cnt === 0 ? 0 : acc / cnt
        }
        oi++
      }
    }
    return res
  }

  /**
   * The pooling VJP's routing (see {@link RouteDir}): `scatter` takes `t` shaped like `y` to the shape
   * of `x`; `gather` takes `t` shaped like `x` to the shape of `y`. `x` and `y = pool(op, x)` pick the
   * selected positions (`max`); for `avg` only their shapes matter.
   */
  const poolRoute = (op: PoolOp, dir: RouteDir, x: View, y: View, t: View, g: PoolGeometry): FloatBuffer => {
    const r = x.shape.length - 2
    const S = x.shape.slice(1, r + 1)
    const O = y.shape.slice(1, r + 1)
    const N = x.shape[0]
    const C = x.shape[r + 1]
    const Ps = prod(S)
    const taps = poolTaps(S, O, g)
    const res = new Float64Array(dir === 'scatter' ? x.data.length : y.data.length)
    let oi = 0
    for (let n = 0; n < N; n++) {
      for (const tw of taps) {
        for (let c = 0; c < C; c++) {
          const yo = oi * C + c
          const ym = y.data[yo]
          let cnt = 0
          for (const so of tw) if (so >= 0 && (op === 'avg' || x.data[(n * Ps + so) * C + c] === ym)) cnt++
          if (cnt === 0) continue
          let acc = 0
          for (const so of tw) {
            if (so < 0) continue
            const xi = (n * Ps + so) * C + c
            if (op === 'max' && x.data[xi] !== ym) continue
            if (dir === 'scatter') res[xi] += t.data[yo] / cnt
            else acc += t.data[xi]
          }
          if (dir === 'gather') res[yo] = acc / cnt
        }
        oi++
      }
    }
    return F === Float64Array ? res : new F(res)
  }

  return { conv, convKernelGrad, pool, poolRoute }
}
