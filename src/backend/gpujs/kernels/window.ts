/**
 * @internal gpu.js kernels for the windowed ops — convolution, its kernel cotangent, pooling and the
 * pooling VJP's routing — generated as source per geometry with every size and tap baked in as a
 * literal. Window taps are unrolled (kernels are small: 1–27 taps); the channel loop of a convolution
 * is a literal-bound loop. Each output element is one thread (`direct` convolution: measured faster
 * here than im2col + the matmul kernel, see docs/performance.md).
 *
 * Index math follows `layout.ts`: spatial coordinates are decomposed with f32 `Math.floor`, so these
 * kernels run while every index stays below 2^24; larger tensors use the plain loops of `window.ts`.
 *
 * @since 0.2.0
 */
import type { Shape } from '../../../core/Shape.js'
import type { FloatBuffer } from '../../../core/Tensor.js'
import type { View } from '../../Backend.js'
import { type ConvGeometry, type PoolGeometry, type PoolOp, type RouteDir, makeWindowLoops } from '../../window.js'
import { F32_EXACT, prod, threadAxes } from '../layout.js'

/** The slice of the gpu.js backend's kernel runner these kernels use. */
export type RunKernel = (key: string, spec: () => { source: string; output: number[] }, args: unknown[], n: number, inBytes: number) => Float32Array

const f32 = (v: View): Float32Array => (v.data instanceof Float32Array ? v.data : Float32Array.from(v.data))

const spatialStrides = (S: ReadonlyArray<number>): number[] => {
  const st = new Array<number>(S.length)
  let acc = 1
  for (let d = S.length - 1; d >= 0; d--) {
    st[d] = acc
    acc *= S[d]
  }
  return st
}

/** Every multi-index of `dims`, row-major. */
const allIndices = (dims: ReadonlyArray<number>): number[][] => {
  let acc: number[][] = [[]]
  for (const d of dims) acc = acc.flatMap((c) => Array.from({ length: d }, (_, i) => [...c, i]))
  return acc
}

/** Declarations splitting the flat spatial thread coordinate `p` into `o0…` over `O` (f32, exact < 2^24); '0' for constant axes. */
const splitSpatial = (p: string, O: ReadonlyArray<number>, name: string): { decl: string; c: string[] } => {
  const st = spatialStrides(O)
  let decl = ''
  const c: string[] = []
  O.forEach((od, d) => {
    if (p === '' || od === 1) {
      c.push('0')
      return
    }
    const v = `${name}${d}`
    let e: string
    if (d === 0) e = st[0] === 1 ? p : `Math.floor(${p} / ${st[0]})`
    else if (d === O.length - 1) e = `${p} % ${od}`
    else e = `Math.floor(${p} / ${st[d]}) % ${od}`
    decl += `const ${v} = ${e};\n`
    c.push(v)
  })
  return { decl, c }
}

const term = (t: string, s: number): string => (t === '' || t === '0' || s === 0 ? '' : s === 1 ? t : `${t} * ${s}`)
const sum = (terms: ReadonlyArray<string>, off = 0): string => {
  const ts = terms.filter((t) => t !== '')
  if (off !== 0) ts.push(String(off))
  return ts.length === 0 ? '0' : ts.join(' + ')
}
const lit = (v: number): string => (v < 0 ? `(${v})` : String(v))

/**
 * Where tap `k` of output coordinate `o` lands on axis `d`: the conditions for a real (unpadded,
 * undilated) input entry and the input coordinate expression, or null when it never does. Conditions
 * provably true are dropped.
 */
const tapAxis = (o: string, od: number, k: number, S: number, stride: number, lo: number, ld: number, rd: number): { conds: string[]; i: string } | null => {
  const off = k * rd - lo
  const hiPos = (S - 1) * ld
  if (o === '0') {
    // a single output position: decide now
    if (off < 0 || off > hiPos || off % ld !== 0) return null
    return { conds: [], i: String(off / ld) }
  }
  const pos = `${term(o, stride)}${off === 0 ? '' : ` + ${lit(off)}`}`
  const maxPos = (od - 1) * stride + off
  if (maxPos < 0 || off > hiPos) return null
  const conds: string[] = []
  if (off < 0) conds.push(`${pos} >= 0`)
  if (maxPos > hiPos) conds.push(`${pos} <= ${hiPos}`)
  if (ld === 1) return { conds, i: `(${pos})` }
  if (stride % ld !== 0) conds.push(`(${pos}) % ${ld} == 0`)
  else if (off % ld !== 0) return null
  return { conds, i: `((${pos}) / ${ld})` }
}

/** The backend's (batched) matmul kernel. */
export type MatmulKernel = (a: Float32Array, b: Float32Array, batch: number, m: number, k: number, n: number, transA: boolean, transB: boolean) => FloatBuffer

/**
 * im2col: the input patches of a convolution as a matrix per group, `[groups, N · P, T · Cig]` (`P`
 * output positions, `T` window taps), zeros where a tap lands on padding or a dilation hole.
 */
export const im2col = (x: View, g: ConvGeometry, K: ReadonlyArray<number>, O: ReadonlyArray<number>, Cig: number): Float32Array => {
  const r = x.shape.length - 2
  const S = x.shape.slice(1, r + 1)
  const N = x.shape[0]
  const Cin = x.shape[r + 1]
  const G = g.groups
  const sst = spatialStrides(S)
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
  const cols = new Float32Array(G * M * row)
  const xd = x.data
  const Ps = prod(S)
  const offs = new Int32Array(T)
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
      offs[ti] = off
    }
    for (let n = 0; n < N; n++) {
      const m = n * P + pi
      for (let ti = 0; ti < T; ti++) {
        if (offs[ti] < 0) continue
        const src = (n * Ps + offs[ti]) * Cin
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
const swap01 = (src: ArrayLike<number>, A: number, B: number, C: number): Float32Array => {
  const out = new Float32Array(A * B * C)
  for (let a = 0; a < A; a++) for (let b = 0; b < B; b++) for (let c = 0; c < C; c++) out[(b * A + a) * C + c] = src[(a * B + b) * C + c]
  return out
}

/**
 * The windowed ops of the gpu.js backend. Convolutions are im2col (in JavaScript: a memory-bound
 * gather) feeding the backend's matmul kernel — measured here 5–10× faster than the direct gpu.js
 * convolution kernels below, which remain for reference and for `direct: true`. Pooling runs as
 * gpu.js kernels; beyond exact f32 indices everything falls back to the loops of `window.ts`.
 */
export const gpujsWindowOps = (run: RunKernel, limit = F32_EXACT, matmul?: MatmulKernel) => {
  const loops = makeWindowLoops(Float32Array)
  const small = (...ns: number[]): boolean => ns.every((n) => n < limit)
  const f32b = (b: FloatBuffer): Float32Array => (b instanceof Float32Array ? b : Float32Array.from(b))

  const convIm2col = (mm: MatmulKernel, x: View, w: View, g: ConvGeometry, out: Shape): FloatBuffer => {
    const r = x.shape.length - 2
    const K = w.shape.slice(0, r)
    const O = out.slice(1, r + 1)
    const [Cig, Cout] = [w.shape[r], w.shape[r + 1]]
    const G = g.groups
    const Cog = Cout / G
    const T = prod(K)
    const M = x.shape[0] * prod(O)
    const cols = im2col({ data: f32(x), shape: x.shape }, g, K, O, Cig)
    // kernel [T·Cig, G·Cog] -> per group [G, T·Cig, Cog]
    const wm = G === 1 ? f32(w) : swap01(f32(w), T * Cig, G, Cog)
    const y = f32b(mm(cols, wm, G, M, T * Cig, Cog, false, false))
    return G === 1 ? y : swap01(y, G, M, Cog)
  }

  const kernelGradIm2col = (mm: MatmulKernel, x: View, ct: View, g: ConvGeometry, kernel: Shape): FloatBuffer => {
    const r = x.shape.length - 2
    const K = kernel.slice(0, r)
    const O = ct.shape.slice(1, r + 1)
    const [Cig, Cout] = [kernel[r], kernel[r + 1]]
    const G = g.groups
    const Cog = Cout / G
    const T = prod(K)
    const M = x.shape[0] * prod(O)
    const cols = im2col({ data: f32(x), shape: x.shape }, g, K, O, Cig)
    const cm = G === 1 ? f32(ct) : swap01(f32(ct), M, G, Cog)
    // colsᵀ · ct per group: [G, T·Cig, Cog]
    const dw = f32b(mm(cols, cm, G, T * Cig, M, Cog, true, false))
    return G === 1 ? dw : swap01(dw, G, T * Cig, Cog)
  }

  const conv = (x: View, w: View, g: ConvGeometry, out: Shape): FloatBuffer => {
    if (matmul !== undefined && prod(out) > 0 && x.data.length > 0) return convIm2col(matmul, x, w, g, out)
    return convDirect(x, w, g, out)
  }
  const convKernelGrad = (x: View, ct: View, g: ConvGeometry, kernel: Shape): FloatBuffer => {
    if (matmul !== undefined && prod(kernel) > 0 && ct.data.length > 0) return kernelGradIm2col(matmul, x, ct, g, kernel)
    return convKernelGradDirect(x, ct, g, kernel)
  }

  const convDirect = (x: View, w: View, g: ConvGeometry, out: Shape): FloatBuffer => {
    const n = prod(out)
    if (n === 0) return new Float32Array(0)
    if (!small(n, x.data.length, w.data.length) || x.data.length === 0) return x.data.length === 0 ? new Float32Array(n) : loops.conv(x, w, g, out)
    const r = x.shape.length - 2
    const S = x.shape.slice(1, r + 1)
    const K = w.shape.slice(0, r)
    const O = out.slice(1, r + 1)
    const [N, Cin, Cig, Cout] = [x.shape[0], x.shape[r + 1], w.shape[r], w.shape[r + 1]]
    const Cog = Cout / g.groups
    const key = `conv|${x.shape.join(',')}|${w.shape.join(',')}|${g.strides.join(',')}|${g.padding.map((p) => p.join(':')).join(',')}|${g.lhsDilation.join(',')}|${g.rhsDilation.join(',')}|${g.groups}`
    return run(
      key,
      () => {
        const { t, output } = threadAxes([Cout, prod(O), N])
        const [tco, tp, tn] = t
        const co = tco === '' ? '0' : tco
        const sp = splitSpatial(tp, O, 'o')
        const sst = spatialStrides(S)
        let src = `function (x, w) {\n${sp.decl}`
        const grp = g.groups === 1 ? '' : Cog === 1 ? `${co} * ${Cig}` : `Math.floor(${co} / ${Cog}) * ${Cig}`
        src += `const xn = ${sum([term(tn, prod(S) * Cin), grp])};\nlet s = 0;\n`
        allIndices(K).forEach((k, ti) => {
          const maybe = k.map((kd, d) => tapAxis(sp.c[d], O[d], kd, S[d], g.strides[d], g.padding[d][0], g.lhsDilation[d], g.rhsDilation[d]))
          // a tap that never lands on the input contributes nothing
          if (maybe.some((a) => a === null)) return
          const axes = maybe as Array<{ conds: string[]; i: string }>
          const conds = axes.flatMap((a) => a.conds)
          const xi = `xn + (${sum(axes.map((a, d) => term(a.i, sst[d] * Cin)))})`
          const wb = ti * Cig * Cout
          const body =
            Cig === 1
              ? `s += x[${xi}] * w[${sum([co], wb)}];\n`
              : `const b${ti} = ${xi};\nfor (let c = 0; c < ${Cig}; c++) {\ns += x[b${ti} + c] * w[${wb} + c * ${Cout} + ${co}];\n}\n`
          src += conds.length === 0 ? `{\n${body}}\n` : `if (${conds.join(' && ')}) {\n${body}}\n`
        })
        src += 'return s;\n}'
        return { source: src, output }
      },
      [f32(x), f32(w)],
      n,
      x.data.length + w.data.length
    )
  }

  const convKernelGradDirect = (x: View, ct: View, g: ConvGeometry, kernel: Shape): FloatBuffer => {
    const n = prod(kernel)
    if (n === 0) return new Float32Array(0)
    if (!small(n, x.data.length, ct.data.length) || ct.data.length === 0) return ct.data.length === 0 ? new Float32Array(n) : loops.convKernelGrad(x, ct, g, kernel)
    const r = x.shape.length - 2
    const S = x.shape.slice(1, r + 1)
    const K = kernel.slice(0, r)
    const O = ct.shape.slice(1, r + 1)
    const [N, Cin, Cig, Cout] = [x.shape[0], x.shape[r + 1], kernel[r], kernel[r + 1]]
    const Cog = Cout / g.groups
    const key = `convkg|${x.shape.join(',')}|${ct.shape.join(',')}|${kernel.join(',')}|${g.strides.join(',')}|${g.padding.map((p) => p.join(':')).join(',')}|${g.lhsDilation.join(',')}|${g.rhsDilation.join(',')}|${g.groups}`
    return run(
      key,
      () => {
        const { t, output } = threadAxes([Cout, Cig, prod(K)])
        const [tco, tci, tk] = t
        const co = tco === '' ? '0' : tco
        const ci = tci === '' ? '0' : tci
        const sp = splitSpatial(tk, K, 'k')
        const sst = spatialStrides(S)
        const ost = spatialStrides(O)
        const grp = g.groups === 1 ? '' : Cog === 1 ? `${co} * ${Cig}` : `Math.floor(${co} / ${Cog}) * ${Cig}`
        let src = `function (x, ct) {\n${sp.decl}const xc = ${sum([ci, grp])};\nlet s = 0;\n`
        src += `for (let n = 0; n < ${N}; n++) {\n`
        const loopsOpen = O.map((od, d) => `for (let q${d} = 0; q${d} < ${od}; q${d}++) {\n`).join('')
        src += loopsOpen
        const conds: string[] = []
        const idx: string[] = []
        O.forEach((_, d) => {
          const pos = `q${d} * ${g.strides[d]} + ${sp.c[d]} * ${g.rhsDilation[d]} - ${g.padding[d][0]}`
          src += `const p${d} = ${pos};\n`
          conds.push(`p${d} >= 0`, `p${d} <= ${(S[d] - 1) * g.lhsDilation[d]}`)
          if (g.lhsDilation[d] > 1) conds.push(`p${d} % ${g.lhsDilation[d]} == 0`)
          idx.push(term(g.lhsDilation[d] === 1 ? `p${d}` : `(p${d} / ${g.lhsDilation[d]})`, sst[d] * Cin))
        })
        const xi = sum([`n * ${prod(S) * Cin}`, ...idx, 'xc'])
        const ci2 = sum([`n * ${prod(O) * Cout}`, ...O.map((_, d) => term(`q${d}`, ost[d] * Cout)), co])
        src += `if (${conds.join(' && ')}) {\ns += x[${xi}] * ct[${ci2}];\n}\n`
        src += O.map(() => '}\n').join('') + '}\nreturn s;\n}'
        return { source: src, output }
      },
      [f32(x), f32(ct)],
      n,
      x.data.length + ct.data.length
    )
  }

  /** Shared by pooling and the `gather` routing: a reduction over each window of `x` (and, for max, `y`). */
  const windowReduce = (tag: string, x: View, g: PoolGeometry, outShape: Shape, body: (xi: string) => string, init: string, finish: string, args: unknown[], argNames: string): Float32Array => {
    const n = prod(outShape)
    const r = x.shape.length - 2
    const S = x.shape.slice(1, r + 1)
    const O = outShape.slice(1, r + 1)
    const [N, C] = [x.shape[0], x.shape[r + 1]]
    const key = `${tag}|${x.shape.join(',')}|${g.window.join(',')}|${g.strides.join(',')}|${g.padding.map((p) => p.join(':')).join(',')}`
    return run(
      key,
      () => {
        const { t, output } = threadAxes([C, prod(O), N])
        const [tc, tp, tn] = t
        const c = tc === '' ? '0' : tc
        const sp = splitSpatial(tp, O, 'o')
        const sst = spatialStrides(S)
        let src = `function (${argNames}) {\n${sp.decl}const xn = ${sum([term(tn, prod(S) * C), c])};\nconst yo = ${sum([term(tn, prod(O) * C), term(tp, C), c])};\n${init}`
        for (const k of allIndices(g.window)) {
          const maybe = k.map((kd, d) => tapAxis(sp.c[d], O[d], kd, S[d], g.strides[d], g.padding[d][0], 1, 1))
          if (maybe.some((a) => a === null)) continue
          const axes = maybe as Array<{ conds: string[]; i: string }>
          const conds = axes.flatMap((a) => a.conds)
          const xi = `xn + ${sum(axes.map((a, d) => term(a.i, sst[d] * C)))}`
          src += conds.length === 0 ? `{\n${body(xi)}}\n` : `if (${conds.join(' && ')}) {\n${body(xi)}}\n`
        }
        src += `${finish}\n}`
        return { source: src, output }
      },
      args,
      n,
      x.data.length
    )
  }

  const pool = (op: PoolOp, x: View, g: PoolGeometry, out: Shape): FloatBuffer => {
    const n = prod(out)
    if (n === 0) return new Float32Array(0)
    if (!small(n, x.data.length)) return loops.pool(op, x, g, out)
    return op === 'max'
      ? windowReduce('poolmax', x, g, out, (xi) => `m = Math.max(m, x[${xi}]);\n`, 'let m = -Infinity;\n', 'return m;', [f32(x)], 'x')
      : windowReduce('poolavg', x, g, out, (xi) => `s += x[${xi}];\ncnt += 1;\n`, 'let s = 0;\nlet cnt = 0;\n', 'return cnt > 0 ? s / cnt : 0;', [f32(x)], 'x')
  }

  const poolRoute = (op: PoolOp, dir: RouteDir, x: View, y: View, t: View, g: PoolGeometry): FloatBuffer => {
    const n = dir === 'scatter' ? x.data.length : y.data.length
    if (n === 0) return new Float32Array(0)
    if (!small(x.data.length, y.data.length) || y.data.length === 0) return loops.poolRoute(op, dir, x, y, t, g)
    if (dir === 'gather') {
      if (op === 'avg') return pool('avg', t, g, y.shape)
      return windowReduce(
        'routemaxg',
        x,
        g,
        y.shape,
        (xi) => `if (x[${xi}] == ym) {\ns += t[${xi}];\ncnt += 1;\n}\n`,
        'const ym = y[yo];\nlet s = 0;\nlet cnt = 0;\n',
        'return cnt > 0 ? s / cnt : 0;',
        [f32(x), f32(y), f32(t)],
        'x, y, t'
      )
    }
    // scatter: each input position visits the windows that contain it
    const r = x.shape.length - 2
    const S = x.shape.slice(1, r + 1)
    const O = y.shape.slice(1, r + 1)
    const [N, C] = [x.shape[0], x.shape[r + 1]]
    const key = `route${op}s|${x.shape.join(',')}|${y.shape.join(',')}|${g.window.join(',')}|${g.strides.join(',')}|${g.padding.map((p) => p.join(':')).join(',')}`
    return run(
      key,
      () => {
        const { t: th, output } = threadAxes([C, prod(S), N])
        const [tc, tp, tn] = th
        const c = tc === '' ? '0' : tc
        const sp = splitSpatial(tp, S, 'i')
        const sst = spatialStrides(S)
        const ost = spatialStrides(O)
        let src = `function (x, y, t) {\n${sp.decl}const xn = ${sum([term(tn, prod(S) * C), c])};\nconst yn = ${sum([term(tn, prod(O) * C), c])};\n`
        if (op === 'max') src += `const xv = x[${sum([term(tp, C)])} + xn];\n`
        src += 'let s = 0;\n'
        allIndices(g.window).forEach((k, ki) => {
          // window o with o·stride + k - lo = i, on every axis
          const conds: string[] = []
          const oc: string[] = []
          k.forEach((kd, d) => {
            const q = `(${sp.c[d]} + ${lit(g.padding[d][0] - kd)})`
            conds.push(`${q} >= 0`, `${q} <= ${(O[d] - 1) * g.strides[d]}`)
            if (g.strides[d] > 1) conds.push(`${q} % ${g.strides[d]} == 0`)
            oc.push(g.strides[d] === 1 ? q : `(${q} / ${g.strides[d]})`)
          })
          const yi = `yn + ${sum(oc.map((o, d) => term(o, ost[d] * C)))}`
          let body = `const y${ki} = ${yi};\n`
          if (op === 'avg') {
            // the window's valid positions: per axis, its start clipped to [0, S)
            const cnt = k
              .map((kd, d) => {
                const st = `(${sp.c[d]} - ${kd})`
                return `(Math.min(${S[d]}, ${st} + ${g.window[d]}) - Math.max(0, ${st}))`
              })
              .join(' * ')
            body += `s += t[y${ki}] / (${cnt});\n`
          } else {
            body += `const m${ki} = y[y${ki}];\nif (xv == m${ki}) {\nlet cnt = 0;\n`
            // count the window's positions equal to its max
            const starts = k.map((kd, d) => `(${sp.c[d]} - ${kd})`)
            for (const k2 of allIndices(g.window)) {
              const cc: string[] = []
              const ii: string[] = []
              k2.forEach((kd2, d) => {
                const pos = `(${starts[d]} + ${kd2})`
                cc.push(`${pos} >= 0`, `${pos} < ${S[d]}`)
                ii.push(term(pos, sst[d] * C))
              })
              body += `if (${cc.join(' && ')}) {\nif (x[xn + ${sum(ii)}] == m${ki}) {\ncnt += 1;\n}\n}\n`
            }
            body += `s += t[y${ki}] / cnt;\n}\n`
          }
          src += `if (${conds.join(' && ')}) {\n${body}}\n`
        })
        src += 'return s;\n}'
        return { source: src, output }
      },
      [f32(x), f32(y), f32(t)],
      n,
      x.data.length + 2 * y.data.length
    )
  }

  return { conv, convKernelGrad, pool, poolRoute, convDirect, convKernelGradDirect }
}
