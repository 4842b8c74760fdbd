/**
 * @internal The pooling kernels' sources: max/average pooling and the two directions of the pooling
 * VJP's routing (`window.ts`'s `RouteDir`), one output element per thread, window taps unrolled.
 * Shared by the webasm and WebGPU backends.
 *
 * Spatial coordinates are decomposed with f32 `Math.floor`/`%`: the caller runs these kernels only
 * while every index stays below 2^24.
 *
 * @since 0.3.0
 */
import { strides, type Shape } from '../../../core/Shape.js'
import type { PoolGeometry, PoolOp } from '../../window.js'
import { prod, threadAxes } from '../layout.js'
import type { Spec } from './spec.js'
import { allIndices, axisOr0, guarded, lit, poolGeomKey, splitSpatial, sum, tapAxes, tapAxis, term } from './window-index.js'

/**
 * A reduction over each window of `x: xShape` into `out`: `init`, then `body(xi)` per valid tap (`xi`
 * the input index), then `finish`. In scope: `xn` (this batch entry and channel's base in `x`) and `yo`
 * (this thread's output index).
 */
const windowReduce = (xShape: Shape, g: PoolGeometry, out: Shape, args: string, init: string, body: (xi: string) => string, finish: string): Spec => {
  const r = xShape.length - 2
  const S = xShape.slice(1, r + 1)
  const O = out.slice(1, r + 1)
  const [N, C] = [xShape[0], xShape[r + 1]]
  const { t, output } = threadAxes([C, prod(O), N])
  const [tc, tp, tn] = t
  const c = axisOr0(tc)
  const sp = splitSpatial(tp, O, strides(O), 'o')
  const sst = strides(S)
  let src = `function (${args}) {\n${sp.decl}const xn = ${sum([term(tn, prod(S) * C), c])};\nconst yo = ${sum([term(tn, prod(O) * C), term(tp, C), c])};\n${init}`
  for (const k of allIndices(g.window)) {
    const axes = tapAxes(k.map((kd, d) => tapAxis(sp.c[d], O[d], kd, S[d], g.strides[d], g.padding[d][0], 1, 1)))
    if (axes === null) continue
    src += guarded(axes.flatMap((a) => a.conds), body(`xn + ${sum(axes.map((a, d) => term(a.i, sst[d] * C)))}`))
  }
  return { source: `${src}${finish}\n}`, output }
}

/** Max or mean of each window of `x: xShape` over its valid (unpadded) positions, shaped `out`. Argument `(x)`. */
export const poolSpec = (op: PoolOp, xShape: Shape, g: PoolGeometry, out: Shape): Spec =>
  op === 'max'
    ? windowReduce(xShape, g, out, 'x', 'let m = -Infinity;\n', (xi) => `m = Math.max(m, x[${xi}]);\n`, 'return m;')
    : windowReduce(xShape, g, out, 'x', 'let s = 0;\nlet cnt = 0;\n', (xi) => `s += x[${xi}];\ncnt += 1;\n`, 'return cnt > 0 ? s / cnt : 0;')
export const poolKey = (op: PoolOp, xShape: Shape, g: PoolGeometry): string => `pool${op}|${poolGeomKey(g, xShape)}`

/**
 * Max pooling's `gather` routing: per window of `x`, the mean of `t` over the positions where `x` equals
 * the window's maximum `y`. Arguments `(x, y, t)`, `t` shaped like `x`, result like `y`. (Average
 * pooling's `gather` is `poolSpec('avg')` of `t`.)
 */
export const routeMaxGatherSpec = (xShape: Shape, g: PoolGeometry, yShape: Shape): Spec =>
  windowReduce(xShape, g, yShape, 'x, y, t', 'const ym = y[yo];\nlet s = 0;\nlet cnt = 0;\n', (xi) => `if (x[${xi}] == ym) {\ns += t[${xi}];\ncnt += 1;\n}\n`, 'return cnt > 0 ? s / cnt : 0;')
export const routeMaxGatherKey = (xShape: Shape, g: PoolGeometry): string => `routemaxg|${poolGeomKey(g, xShape)}`

/**
 * The `scatter` routing: each input position of `x: xShape` sums, over the windows of `y: yShape` that
 * contain it, the window's `t` shared among its selected positions (for `max`, those equal to the
 * window's maximum; for `avg`, every valid one). Arguments `(x, y, t)`, `t` shaped like `y`. Max pooling
 * over windows that tile the input reads its one window directly (`tiledMaxScatter`); `form: 'general'`
 * (for tests) keeps the general form.
 */
export const routeScatterSpec = (op: PoolOp, xShape: Shape, yShape: Shape, g: PoolGeometry, form: 'auto' | 'general' = 'auto'): Spec => {
  const r = xShape.length - 2
  const S = xShape.slice(1, r + 1)
  const O = yShape.slice(1, r + 1)
  const [N, C] = [xShape[0], xShape[r + 1]]
  const { t: th, output } = threadAxes([C, prod(S), N])
  const [tc, tp, tn] = th
  const c = axisOr0(tc)
  const sst = strides(S)
  const sp = splitSpatial(tp, S, sst, 'i')
  const ost = strides(O)
  let src = `function (x, y, t) {\n${sp.decl}const xn = ${sum([term(tn, prod(S) * C), c])};\nconst yn = ${sum([term(tn, prod(O) * C), c])};\n`
  if (op === 'max') src += `const xv = x[${sum([term(tp, C)])} + xn];\n`
  src += 'let s = 0;\n'
  if (op === 'max' && form === 'auto' && tiled(g)) return { source: `${src}${tiledMaxScatter(sp.c, S, O, C, g)}return s;\n}`, output }
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
    let body = `const y${ki} = yn + ${sum(oc.map((o, d) => term(o, ost[d] * C)))};\n`
    // the window's start on each axis, relative to this input position
    const starts = k.map((kd, d) => `(${sp.c[d]} - ${kd})`)
    if (op === 'avg') {
      // the window's valid positions: per axis, its extent clipped to [0, S)
      const cnt = starts.map((st, d) => `(Math.min(${S[d]}, ${st} + ${g.window[d]}) - Math.max(0, ${st}))`).join(' * ')
      body += `s += t[y${ki}] / (${cnt});\n`
    } else {
      body += `const m${ki} = y[y${ki}];\nif (xv == m${ki}) {\nlet cnt = 0;\n`
      // count the window's positions equal to its max
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
  return { source: `${src}return s;\n}`, output }
}
export const routeScatterKey = (op: PoolOp, xShape: Shape, yShape: Shape, g: PoolGeometry): string => `route${op}s|${poolGeomKey(g, xShape, yShape)}`

/** Whether the windows tile the input without overlap or padding (stride = window, no padding): `maxPooling2d(2)`. */
const tiled = (g: PoolGeometry): boolean => g.window.every((w, d) => g.strides[d] === w && g.padding[d][0] === 0 && g.padding[d][1] === 0)

/**
 * The max `scatter` body where the windows tile the input: the one window holding input position `i`
 * is `floor(i / window)` on each axis (none past the last whole window), so it is read directly instead
 * of testing every window offset — the same window, maximum and tie count as the general form, and the
 * same `s += t / cnt`, so the same bits (test/backend/window-ops.test.ts compares the two).
 */
const tiledMaxScatter = (i: ReadonlyArray<string>, S: ReadonlyArray<number>, O: ReadonlyArray<number>, C: number, g: PoolGeometry): string => {
  const sst = strides(S)
  const ost = strides(O)
  const o = i.map((id, d) => (g.window[d] === 1 ? id : `Math.floor(${id} / ${g.window[d]})`))
  // positions past the last whole window (S not a multiple of the window) belong to none
  const conds = o.flatMap((od, d) => (O[d] * g.window[d] < S[d] ? [`${od} < ${O[d]}`] : []))
  let body = o.map((od, d) => `const w${d} = ${od};\n`).join('')
  body += `const yw = yn + ${sum(o.map((_, d) => term(`w${d}`, ost[d] * C)))};\nconst m = y[yw];\nif (xv == m) {\nlet cnt = 0;\n`
  for (const k of allIndices(g.window)) {
    const at = k.map((kd, d) => term(g.window[d] === 1 ? `w${d}` : `(w${d} * ${g.window[d]} + ${kd})`, sst[d] * C))
    body += `if (x[xn + ${sum(at)}] == m) {\ncnt += 1;\n}\n`
  }
  body += 's += t[yw] / cnt;\n}\n'
  return conds.length === 0 ? body : `if (${conds.join(' && ')}) {\n${body}}\n`
}
