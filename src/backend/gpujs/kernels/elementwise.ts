/**
 * @internal Elementwise kernel sources: unary, binary, where and fused expressions over same-size or
 * scalar inputs (the fast paths: every index is `this.thread.x` or 0, i32 and exact at any size), fused
 * expressions that also read suffix- and row-broadcast inputs, and the strided form over a collapsed
 * iteration space (broadcasting, transpose, slice).
 *
 * @since 0.1.0
 */
import type { BinaryOp, Expr, FusedRead, UnaryOp } from '../../Backend.js'
import { coords, indexExpr, type Addressing } from '../layout.js'
import { literal, type Spec } from './spec.js'

export const unarySrc: Record<UnaryOp, (x: string) => string> = {
  neg: (x) => `-${x}`,
  exp: (x) => `Math.exp(${x})`,
  log: (x) => `Math.log(${x})`,
  tanh: (x) => `Math.tanh(${x})`,
  sqrt: (x) => `Math.sqrt(${x})`,
  abs: (x) => `Math.abs(${x})`,
  // written out (not Math.sign) so that sign(NaN) = 0 like loops.ts
  sign: (x) => `(${x} > 0 ? 1 : (${x} < 0 ? -1 : 0))`,
  sin: (x) => `Math.sin(${x})`,
  cos: (x) => `Math.cos(${x})`,
  floor: (x) => `Math.floor(${x})`,
  identity: (x) => x
}

// Math.max/min propagate NaN from either side on webasm (f32.max) and cpu (JS), like loops.ts.
export const binarySrc: Record<BinaryOp, (a: string, b: string) => string> = {
  add: (a, b) => `${a} + ${b}`,
  sub: (a, b) => `${a} - ${b}`,
  mul: (a, b) => `${a} * ${b}`,
  div: (a, b) => `${a} / ${b}`,
  pow: (a, b) => `Math.pow(${a}, ${b})`,
  maximum: (a, b) => `Math.max(${a}, ${b})`,
  minimum: (a, b) => `Math.min(${a}, ${b})`,
  eq: (a, b) => `(${a} == ${b} ? 1 : 0)`,
  ne: (a, b) => `(${a} != ${b} ? 1 : 0)`,
  lt: (a, b) => `(${a} < ${b} ? 1 : 0)`,
  le: (a, b) => `(${a} <= ${b} ? 1 : 0)`,
  gt: (a, b) => `(${a} > ${b} ? 1 : 0)`,
  ge: (a, b) => `(${a} >= ${b} ? 1 : 0)`
}

/** The source of `e`; a subexpression that is a key of `named` (the very object) is read from that local. */
export const render = (e: Expr, leaf: (i: number) => string, named?: ReadonlyMap<Expr, string>): string => {
  const local = named?.get(e)
  if (local !== undefined) return local
  switch (e.k) {
    case 'in':
      return leaf(e.i)
    case 'const':
      return literal(e.v)
    case 'un':
      return `(${unarySrc[e.op](render(e.x, leaf, named))})`
    case 'bin':
      return `(${binarySrc[e.op](render(e.a, leaf, named), render(e.b, leaf, named))})`
    case 'where':
      return `(${render(e.c, leaf, named)} != 0 ? ${render(e.a, leaf, named)} : ${render(e.b, leaf, named)})`
  }
}
const exprKeys = new WeakMap<Expr, string>()
/**
 * The cache key of an expression, memoised per expression object: a compiled plan replays the same
 * `Expr` objects every step, so the string (number formatting included, about 1 µs for an Adam update)
 * is built once.
 */
export const exprKey = (e: Expr): string => {
  const hit = exprKeys.get(e)
  if (hit !== undefined) return hit
  const key =
    e.k === 'in' ? `i${e.i}` : e.k === 'const' ? `c${e.v}` : e.k === 'un' ? `${e.op}(${exprKey(e.x)})` : e.k === 'bin' ? `${e.op}(${exprKey(e.a)},${exprKey(e.b)})` : `w(${exprKey(e.c)},${exprKey(e.a)},${exprKey(e.b)})`
  exprKeys.set(e, key)
  return key
}

/** `'v'` for an input read per cell, `'s'` for a scalar. */
const vs = (size: number, n: number): string => (size === n ? 'v' : 's')
const at = (name: string, size: number, n: number): string => `${name}[${size === n ? 'this.thread.x' : '0'}]`

export const unarySpec = (op: UnaryOp, n: number): Spec => ({ source: `function (x) {\nreturn ${unarySrc[op]('x[this.thread.x]')};\n}`, output: [n] })
export const unaryKey = (op: UnaryOp, n: number): string => `u|${op}|${n}`

/** Binary op over inputs of `na` and `nb` elements, each `n` (per cell) or 1 (scalar). */
export const binarySpec = (op: BinaryOp, na: number, nb: number, n: number): Spec => ({
  source: `function (a, b) {\nreturn ${binarySrc[op](at('a', na, n), at('b', nb, n))};\n}`,
  output: [n]
})
export const binaryKey = (op: BinaryOp, na: number, nb: number, n: number): string => `b|${op}|${vs(na, n)}${vs(nb, n)}|${n}`

/** `c != 0 ? a : b` over inputs each of `n` elements or 1. */
export const whereSpec = (sizes: ReadonlyArray<number>, n: number): Spec => {
  const [ic, ia, ib] = sizes.map((s, k) => at('cab'[k], s, n))
  return { source: `function (c, a, b) {\nreturn (${ic} != 0 ? ${ia} : ${ib});\n}`, output: [n] }
}
export const whereKey = (sizes: ReadonlyArray<number>, n: number): string => `w|${sizes.map((s) => vs(s, n)).join('')}|${n}`

/**
 * The inner extent of the 2-D form of a fused kernel, or undefined: when every broadcast input
 * (suffix or row, see `fusedRead`) splits the output at the same point, of `inner` >= 8 cells, the
 * output is 2-D [inner, n / inner] and every index is i32 and exact at any size — a suffix input is read
 * at `thread.x`, a row input at `thread.y`, a full one at `thread.y * inner + thread.x` (contiguous).
 */
export const fused2D = (reads: ReadonlyArray<FusedRead>, n: number): number | undefined => {
  const inners = new Set(reads.flatMap((r) => (r.k === 'suffix' || r.k === 'row' ? [r.inner] : [])))
  if (inners.size !== 1) return undefined
  const [inner] = inners
  return inner >= 8 && n % inner === 0 ? inner : undefined
}

/**
 * A fused expression over inputs read as `reads` says (`fusedRead`). In the 2-D form (`fused2D`) the
 * indices are thread ids; otherwise the output is 1-D, a suffix input is read at `thread.x % inner` and a
 * row input at `Math.floor(thread.x / inner)` (f32 math: exact below 2^24 cells only, and per cell).
 */
export const fusedSpec = (expr: Expr, reads: ReadonlyArray<FusedRead>, n: number): Spec => {
  const params = reads.map((_, k) => `x${k}`).join(', ')
  const s = fused2D(reads, n)
  if (s !== undefined) {
    const rows = n / s
    const full = rows === 1 ? 'this.thread.x' : `this.thread.y * ${s} + this.thread.x`
    const index2: Record<FusedRead['k'], string> = { full, scalar: '0', suffix: 'this.thread.x', row: 'this.thread.y' }
    return { source: `function (${params}) {\nreturn ${render(expr, (k) => `x${k}[${index2[reads[k].k]}]`)};\n}`, output: rows === 1 ? [s] : [s, rows] }
  }
  const index = (r: FusedRead): string =>
    r.k === 'full' ? 'this.thread.x' : r.k === 'scalar' ? '0' : r.k === 'suffix' ? `this.thread.x % ${r.inner}` : `Math.floor(this.thread.x / ${r.inner})`
  return { source: `function (${params}) {\nreturn ${render(expr, (k) => `x${k}[${index(reads[k])}]`)};\n}`, output: [n] }
}
const fusedKeys = new WeakMap<Expr, { readonly head: string; readonly key: string }>()
/**
 * The cache key of a fused kernel: the reads by kind (a `[r, 1]` row and a `[c]` suffix of one size
 * differ). Kept with the expression object, so a compiled replay's every step looks its kernel up with the
 * same string (whose hash V8 keeps), not a new one as long as the expression.
 */
export const fusedKey = (expr: Expr, reads: ReadonlyArray<FusedRead>, n: number): string => {
  const head = `f|${n}|${reads.map((r) => (r.k === 'full' ? 'v' : r.k === 'scalar' ? 's' : r.k === 'suffix' ? `x${r.inner}` : `r${r.inner}`)).join(',')}|`
  const kept = fusedKeys.get(expr)
  if (kept !== undefined && kept.head === head) return kept.key
  const key = head + exprKey(expr)
  fusedKeys.set(expr, { head, key })
  return key
}

/**
 * Several fused expressions over the same inputs, each read in full (`this.thread.x`) or as a scalar, one
 * kernel returning `Array(k)`: result `c` of cell `i` is component `c` (with row planes, `row-planes.ts`,
 * plane `c` of the flat result). Each result is a local, and a later expression that contains an earlier
 * one (the very object) reads the local instead of computing it again: the same floats either way.
 */
export const fusedManySpec = (exprs: ReadonlyArray<Expr>, reads: ReadonlyArray<FusedRead>, n: number): Spec => {
  const params = reads.map((_, k) => `x${k}`).join(', ')
  const leaf = (k: number): string => `x${k}[${reads[k].k === 'scalar' ? '0' : 'this.thread.x'}]`
  const named = new Map<Expr, string>()
  let body = ''
  exprs.forEach((e, c) => {
    body += `const r${c} = ${render(e, leaf, named)};\n`
    named.set(e, `r${c}`)
  })
  return { source: `function (${params}) {\n${body}return [${exprs.map((_, c) => `r${c}`).join(', ')}];\n}`, output: [n], returnType: `Array(${exprs.length})` }
}
const manyKeys = new WeakMap<ReadonlyArray<Expr>, { readonly head: string; readonly key: string }>()
/**
 * The cache key of a {@link fusedManySpec} kernel. For a frozen array of expressions (a compiled replay
 * passes the same one every step) the key is kept with it and the same string comes back: V8 keeps a
 * string's hash in the string, so the kernel cache finds it without reading its hundreds of characters.
 */
export const fusedManyKey = (exprs: ReadonlyArray<Expr>, reads: ReadonlyArray<FusedRead>, n: number): string => {
  const head = `fm|${n}|${reads.map((r) => (r.k === 'scalar' ? 's' : 'v')).join(',')}|`
  const frozen = Object.isFrozen(exprs)
  const kept = frozen ? manyKeys.get(exprs) : undefined
  if (kept !== undefined && kept.head === head) return kept.key
  const key = head + exprs.map(exprKey).join(';')
  if (frozen) manyKeys.set(exprs, { head, key })
  return key
}

/** One input of a strided kernel: its length, strides over the collapsed output, and start offset. */
export interface StridedInput {
  readonly length: number
  readonly strides: ReadonlyArray<number>
  readonly offset: number
}

/**
 * One kernel over a collapsed output `dims`: `body(reads)` gets each input's read expression and
 * returns the value expression.
 */
export const stridedSpec = (dims: ReadonlyArray<number>, mode: Addressing, inputs: ReadonlyArray<StridedInput>, body: (reads: string[]) => string): Spec => {
  const c = coords(dims, mode)
  const names = inputs.map((_, k) => `x${k}`)
  const reads = inputs.map((inp, k) => `${names[k]}[${indexExpr(c.c, inp.strides, inp.offset)}]`)
  return { source: `function (${names.join(', ')}) {\n${c.decl}return ${body(reads)};\n}`, output: c.output }
}
export const stridedKey = (tag: string, dims: ReadonlyArray<number>, mode: Addressing, inputs: ReadonlyArray<StridedInput>): string =>
  `${tag}|${mode}|${dims.join(',')}|${inputs.map((i) => i.strides.join(',')).join(';')}|${inputs.map((i) => `${i.offset}:${i.length}`).join(',')}`
