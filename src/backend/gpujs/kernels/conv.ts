/**
 * @internal The direct convolution kernels' sources: the convolution itself and its kernel cotangent
 * (the correlation of input and output cotangent), one output element per thread, window taps unrolled
 * (kernels are small: 1–27 taps), the channel loop a literal-bound loop. The input cotangent is a
 * convolution again (`primitives/conv.ts`), so it runs on `convSpec` too. Shared by the webasm and
 * WebGPU backends (`window-ops.ts` chooses between these and im2col + matmul).
 *
 * Spatial coordinates are decomposed with f32 `Math.floor`/`%`: the caller runs these kernels only
 * while every index stays below 2^24.
 *
 * @since 0.3.0
 */
import { strides, type Shape } from '../../../core/Shape.js'
import type { ConvGeometry } from '../../window.js'
import { prod, threadAxes } from '../layout.js'
import type { Spec } from './spec.js'
import { allIndices, axisOr0, convDims, convGeomKey, guarded, splitSpatial, sum, tapAxes, tapAxis, term } from './window-index.js'

/** The first input channel of output channel `co`'s group, as source ('' with one group). */
const groupBase = (co: string, groups: number, Cig: number, Cog: number): string => (groups === 1 ? '' : Cog === 1 ? `${co} * ${Cig}` : `Math.floor(${co} / ${Cog}) * ${Cig}`)

/**
 * `y[n, o..., co] = Σ_taps Σ_ci x[n, tap(o), group(co)·Cig + ci] · w[tap, ci, co]` over `x: xShape`,
 * `w: wShape` (`[K..., Cin / groups, Cout]`), output `out`. Arguments `(x, w)`.
 */
export const convSpec = (xShape: Shape, wShape: Shape, g: ConvGeometry, out: Shape): Spec => {
  const { S, K, O, N, Cin, Cig, Cout } = convDims(xShape, wShape, out)
  const { t, output } = threadAxes([Cout, prod(O), N])
  const [tco, tp, tn] = t
  const co = axisOr0(tco)
  const sp = splitSpatial(tp, O, strides(O), 'o')
  const sst = strides(S)
  let src = `function (x, w) {\n${sp.decl}`
  src += `const xn = ${sum([term(tn, prod(S) * Cin), groupBase(co, g.groups, Cig, Cout / g.groups)])};\nlet s = 0;\n`
  allIndices(K).forEach((k, ti) => {
    const axes = tapAxes(k.map((kd, d) => tapAxis(sp.c[d], O[d], kd, S[d], g.strides[d], g.padding[d][0], g.lhsDilation[d], g.rhsDilation[d])))
    if (axes === null) return
    const xi = `xn + (${sum(axes.map((a, d) => term(a.i, sst[d] * Cin)))})`
    const wb = ti * Cig * Cout
    const body =
      Cig === 1
        ? `s += x[${xi}] * w[${sum([co], wb)}];\n`
        : `const b${ti} = ${xi};\nfor (let c = 0; c < ${Cig}; c++) {\ns += x[b${ti} + c] * w[${wb} + c * ${Cout} + ${co}];\n}\n`
    src += guarded(axes.flatMap((a) => a.conds), body)
  })
  return { source: `${src}return s;\n}`, output }
}
export const convKey = (xShape: Shape, wShape: Shape, g: ConvGeometry): string => `conv|${convGeomKey(g, xShape, wShape)}`

/**
 * The kernel cotangent `dw[tap, ci, co] = Σ_{n, o} x[n, tap(o), group(co)·Cig + ci] · ct[n, o, co]` of a
 * convolution over `x: xShape` with output cotangent `ct: ctShape`, shaped `kernel`. One thread per
 * kernel entry, loops over the batch and output positions. Arguments `(x, ct)`.
 */
export const convKernelGradSpec = (xShape: Shape, ctShape: Shape, g: ConvGeometry, kernel: Shape): Spec => {
  const { S, K, O, N, Cin, Cig, Cout } = convDims(xShape, kernel, ctShape)
  const { t, output } = threadAxes([Cout, Cig, prod(K)])
  const [tco, tci, tk] = t
  const co = axisOr0(tco)
  const sp = splitSpatial(tk, K, strides(K), 'k')
  const sst = strides(S)
  const ost = strides(O)
  let src = `function (x, ct) {\n${sp.decl}const xc = ${sum([axisOr0(tci), groupBase(co, g.groups, Cig, Cout / g.groups)])};\nlet s = 0;\n`
  // one partial sum per batch entry, added to the total after it: fewer terms in each float32 sum
  src += `for (let n = 0; n < ${N}; n++) {\nlet u = 0;\n`
  src += O.map((od, d) => `for (let q${d} = 0; q${d} < ${od}; q${d}++) {\n`).join('')
  const conds: string[] = []
  const idx: string[] = []
  O.forEach((_, d) => {
    src += `const p${d} = q${d} * ${g.strides[d]} + ${sp.c[d]} * ${g.rhsDilation[d]} - ${g.padding[d][0]};\n`
    conds.push(`p${d} >= 0`, `p${d} <= ${(S[d] - 1) * g.lhsDilation[d]}`)
    if (g.lhsDilation[d] > 1) conds.push(`p${d} % ${g.lhsDilation[d]} == 0`)
    idx.push(term(g.lhsDilation[d] === 1 ? `p${d}` : `(p${d} / ${g.lhsDilation[d]})`, sst[d] * Cin))
  })
  const xi = sum([`n * ${prod(S) * Cin}`, ...idx, 'xc'])
  const ci = sum([`n * ${prod(O) * Cout}`, ...O.map((_, d) => term(`q${d}`, ost[d] * Cout)), co])
  src += `if (${conds.join(' && ')}) {\nu += x[${xi}] * ct[${ci}];\n}\n`
  src += O.map(() => '}\n').join('') + 's += u;\n}\nreturn s;\n}'
  return { source: src, output }
}
export const convKernelGradKey = (xShape: Shape, ctShape: Shape, g: ConvGeometry, kernel: Shape): string => `convkg|${convGeomKey(g, xShape, ctShape, kernel)}`
