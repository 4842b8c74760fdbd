/**
 * @internal Kernel sources of the data-movement ops: gather, scatter-add, concat and pad. (Transpose,
 * broadcast and slice are strided copies: `stridedSpec` in `elementwise.ts`.)
 *
 * @since 0.1.0
 */
import { coords, indexExpr, sumTerms, threadAxes, type Addressing } from '../layout.js'
import type { Spec } from './spec.js'

/**
 * Flat coordinates of `[outer, J, inner]` written so that dims of extent 1 cost nothing. Returns the
 * expressions for o, j, i ('0' when the extent is 1).
 */
const flatCoords = (dims: number[]): { decl: string; o: string; j: string; i: string } => {
  const live = dims.map((d, k) => ({ d, k })).filter((e) => e.d !== 1)
  const names = ['0', '0', '0']
  if (live.length === 0) return { decl: '', o: '0', j: '0', i: '0' }
  const c = coords(
    live.map((e) => e.d),
    'flat'
  )
  live.forEach((e, q) => {
    names[e.k] = c.c[q]
  })
  return { decl: c.decl, o: names[0], j: names[1], i: names[2] }
}

/** Rows of `x` (`[outer, len, inner]`) at `ind` (J of them, as f32) along the middle axis. */
export const gatherSpec = (mode: Addressing, outer: number, len: number, inner: number, J: number): Spec => {
  if (mode === 'nd') {
    const { t, output } = threadAxes([inner, J, outer])
    const [ti, tj, to] = t
    const idx = sumTerms([
      [to, len * inner],
      [tj === '' ? '(ind[0]|0)' : `(ind[${tj}]|0)`, inner],
      [ti, 1]
    ])
    return { source: `function (x, ind) {\nreturn x[${idx}];\n}`, output }
  }
  const full = flatCoords([outer, J, inner])
  const idx = indexExpr([full.o, `ind[${full.j}]`, full.i], [len * inner, inner, 1])
  return { source: `function (x, ind) {\n${full.decl}return x[${idx}];\n}`, output: [outer * J * inner] }
}
export const gatherKey = (mode: Addressing, outer: number, len: number, inner: number, J: number): string => `ga|${mode}|${outer}|${len}|${inner}|${J}`

/**
 * Scatter-add of `[outer, J, inner]` updates into `[outer, len, inner]`, given the CSR of the indices
 * (`start`: len + 1 offsets into `order`, the update rows of each output row in ascending order). The
 * loop bound comes from data, so gpu.js caps it at loopMaxIterations (field notes G1): J + 1, a bound
 * fixed by the shapes so the kernel stays cacheable.
 */
export const scatterAddSpec = (mode: Addressing, outer: number, len: number, inner: number, J: number): Spec => {
  if (mode === 'nd') {
    const { t, output } = threadAxes([inner, len, outer])
    const [ti, tr, to] = t
    const r = tr === '' ? '0' : tr
    const idx = sumTerms([
      [to, J * inner],
      ['(order[k]|0)', inner],
      [ti, 1]
    ])
    return {
      source: `function (x, start, order) {\nlet s = 0;\nfor (let k = start[${r}]; k < start[${r} + 1]; k++) {\ns += x[${idx}];\n}\nreturn s;\n}`,
      output,
      loopMaxIterations: J + 1
    }
  }
  const full = flatCoords([outer, len, inner])
  const idx = indexExpr([full.o, 'order[k]', full.i], [J * inner, inner, 1])
  return {
    source: `function (x, start, order) {\n${full.decl}let s = 0;\nfor (let k = start[${full.j}]; k < start[${full.j} + 1]; k++) {\ns += x[${idx}];\n}\nreturn s;\n}`,
    output: [outer * len * inner],
    loopMaxIterations: J + 1
  }
}
export const scatterAddKey = (mode: Addressing, outer: number, len: number, inner: number, J: number): string => `sa|${mode}|${outer}|${len}|${inner}|${J}`

/** The CSR of scatter indices: for output row r, update rows `order[start[r] .. start[r+1])`, ascending. */
export const scatterPlan = (indices: Int32Array, len: number): { readonly start: Int32Array; readonly order: Int32Array } => {
  const J = indices.length
  const start = new Int32Array(len + 1)
  for (let j = 0; j < J; j++) start[indices[j] + 1]++
  for (let r = 0; r < len; r++) start[r + 1] += start[r]
  const order = new Int32Array(J)
  const fillPos = start.slice(0, len)
  for (let j = 0; j < J; j++) order[fillPos[indices[j]]++] = j
  return { start, order }
}

/** Concatenate `outer` rows of blocks (each input `[outer, block]`) along the block axis. */
export const concatSpec = (mode: Addressing, outer: number, blocks: ReadonlyArray<number>): Spec => {
  const total = blocks.reduce((s, b) => s + b, 0)
  let decl = ''
  let o: string
  let c: string
  if (outer === 1) {
    o = '0'
    c = 'this.thread.x'
  } else if (mode === 'nd') {
    o = 'this.thread.y'
    c = 'this.thread.x'
  } else {
    decl = `const o = Math.floor(this.thread.x / ${total});\nconst c = this.thread.x % ${total};\n`
    o = 'o'
    c = 'c'
  }
  const names = blocks.map((_, k) => `x${k}`)
  let body = ''
  let end = 0
  blocks.forEach((bl, k) => {
    const start = end
    end += bl
    const idx = sumTerms([
      [o === '0' ? '' : o, bl],
      [c, 1]
    ])
    const read = `${names[k]}[${idx}${start === 0 ? '' : ` - ${start}`}]`
    body += k === blocks.length - 1 ? `return ${read};\n` : `if (${c} < ${end}) {\nreturn ${read};\n}\n`
  })
  return { source: `function (${names.join(', ')}) {\n${decl}${body}}`, output: mode === 'nd' ? [total, outer] : [outer * total] }
}
export const concatKey = (mode: Addressing, outer: number, blocks: ReadonlyArray<number>): string => `cc|${mode}|${outer}|${blocks.join(',')}`

/** One live (padded or longer than 1) dim of a pad: input extent, low/high padding, input stride, output extent. */
export interface PadDim {
  readonly d: number
  readonly lo: number
  readonly hi: number
  readonly st: number
  readonly o: number
}

/** Pad with the `Float` argument `v` over the live dims (output `dims`). */
export const padSpec = (mode: Addressing, live: ReadonlyArray<PadDim>, dims: ReadonlyArray<number>): Spec => {
  const c = coords(dims, mode)
  const conds: string[] = []
  const terms: Array<readonly [string, number]> = []
  let off = 0
  live.forEach((e, k) => {
    if (e.lo > 0) conds.push(`${c.c[k]} >= ${e.lo}`)
    if (e.hi > 0) conds.push(`${c.c[k]} < ${e.lo + e.d}`)
    terms.push([c.c[k], e.st])
    off += e.lo * e.st
  })
  // index = Σ (c - lo) * st = Σ c * st - Σ lo * st; only read where every cond holds.
  const idx = `${sumTerms(terms)}${off === 0 ? '' : ` - ${off}`}`
  const body = conds.length === 0 ? `x[${idx}]` : `((${conds.join(' && ')}) ? x[${idx}] : v)`
  return { source: `function (x, v) {\n${c.decl}return ${body};\n}`, output: c.output, argumentTypes: { x: 'Array', v: 'Float' } }
}
export const padKey = (mode: Addressing, live: ReadonlyArray<PadDim>): string => `pd|${mode}|${live.map((e) => `${e.d}:${e.lo}:${e.hi}`).join(',')}`
