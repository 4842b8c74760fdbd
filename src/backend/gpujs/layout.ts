/**
 * @internal Index plans for the gpu.js kernels: dimension collapsing, output-coordinate expressions and
 * the index-math limits of gpu.js's webasm transpiler.
 *
 * Index math in a webasm kernel (measured on gpu.js 2.24.1):
 * - `this.thread.x/y/z` are exact i32 values; `Integer & literal-integer` arithmetic (`+ - *`) stays i32
 *   and is exact to 2^31.
 * - `/` and `%` are always f32, and every local variable is f32 (even one initialised from an integer
 *   expression, and loop counters), so `Math.floor(t / s)` and `t % s` are exact only below 2^24, and an
 *   index that adds a loop counter goes inexact past 2^24 unless the counter is cast: `(k|0)` makes it
 *   an i32 again (bitwise operators are i32).
 *
 * So a kernel addresses memory in one of three ways:
 * - `flat`: 1-D output, coordinates decomposed with f32 `Math.floor`/`%` into f32 locals. Used when every
 *   index involved (output and inputs) is below 2^24.
 * - rank-1 `flat`: the collapsed output has one dimension, so every index is `this.thread.x * s + off`,
 *   pure i32: exact at any size (same-shape elementwise and scalar broadcasting are this case).
 * - `nd`: a 2-D or 3-D gpu.js output whose thread ids are the coordinates, indices inline i32
 *   expressions with literal strides: exact at any size. Used at >= 2^24 elements when the collapsed rank
 *   is at most 3 and the innermost dimension is wide enough that gpu.js's per-row result arrays stay cheap.
 *   Anything else at >= 2^24 elements falls back to the plain loops of `loops.ts` (see `index.ts`).
 *
 * @since 0.1.0
 */
import { strides } from '../../core/Shape.js'

/** Sizes below this index exactly through f32 arithmetic. */
export const F32_EXACT = 1 << 24
/** Innermost width below which an `nd` output costs more in per-row arrays than it saves. */
export const ND_MIN_INNER = 32
/**
 * Innermost width from which an `nd` output is chosen even where flat f32 index math would be exact:
 * flat addressing recovers coordinates with `Math.floor(x / s)` and `%` in f32 for every cell (the
 * MLP's [128,10] ÷ [128,1] softmax broadcast took 0.47 ms of CPU per step that way), while `nd`
 * coordinates are thread ids and its rows read contiguously.
 */
export const ND_PREFER_INNER = 8

export const prod = (xs: ReadonlyArray<number>): number => {
  let p = 1
  for (const x of xs) p *= x
  return p
}

/** Row-major strides (the core's definition). */
export const rowStrides = strides

/** Strides of `inShape` read from the right-aligned `out` shape: 0 on broadcast axes. */
export const bcastStrides = (inShape: ReadonlyArray<number>, out: ReadonlyArray<number>): number[] => {
  const st = rowStrides(inShape)
  const off = out.length - inShape.length
  return out.map((_, i) => (i < off || inShape[i - off] === 1 ? 0 : st[i - off]))
}

/** A collapsed iteration space: output dims (row-major) and, per input, its strides over them. */
export interface Collapsed {
  readonly dims: number[]
  readonly strides: number[][]
}

/**
 * Drop size-1 output dims and merge neighbours that every input walks contiguously
 * (`outerStride === innerStride * innerDim`). The result has at least one dim.
 */
export const collapse = (dims: ReadonlyArray<number>, strides: ReadonlyArray<ReadonlyArray<number>>): Collapsed => {
  const D: number[] = []
  const S: number[][] = strides.map(() => [])
  for (let d = 0; d < dims.length; d++) {
    if (dims[d] === 1) continue
    const last = D.length - 1
    if (last >= 0 && strides.every((s, k) => S[k][last] === s[d] * dims[d])) {
      D[last] *= dims[d]
      strides.forEach((s, k) => {
        S[k][last] = s[d]
      })
    } else {
      D.push(dims[d])
      strides.forEach((s, k) => S[k].push(s[d]))
    }
  }
  if (D.length === 0) return { dims: [1], strides: strides.map(() => [0]) }
  return { dims: D, strides: S }
}

/** How a kernel turns its thread ids into coordinates. */
export type Addressing = 'flat' | 'nd'

/** Coordinate expressions over an output, with the declarations they need and the gpu.js output. */
export interface Coords {
  /** Statements to put first in the kernel body. */
  readonly decl: string
  /** One expression per output dim (row-major). */
  readonly c: string[]
  /** The gpu.js `output` setting. */
  readonly output: number[]
}

const THREAD = ['this.thread.x', 'this.thread.y', 'this.thread.z']

/**
 * Coordinates for a (collapsed) output. `flat`: a 1-D output of `prod(dims)` threads; rank 1 uses the
 * thread id directly (exact), higher ranks f32 locals `c0…` (exact below 2^24). `nd`: rank <= 3, one
 * thread axis per dim (x innermost), exact.
 */
export const coords = (dims: ReadonlyArray<number>, mode: Addressing): Coords => {
  const r = dims.length
  if (mode === 'nd') {
    if (r > 3) throw new Error(`internal: nd addressing needs rank <= 3, got ${r}`)
    return { decl: '', c: dims.map((_, d) => THREAD[r - 1 - d]), output: dims.slice().reverse() }
  }
  const n = prod(dims)
  if (r === 1) return { decl: '', c: [THREAD[0]], output: [n] }
  const os = rowStrides(dims)
  let decl = ''
  const c: string[] = []
  for (let d = 0; d < r; d++) {
    const name = `c${d}`
    let e: string
    if (d === 0) e = `Math.floor(this.thread.x / ${os[d]})`
    else if (d === r - 1) e = `this.thread.x % ${dims[d]}`
    else e = `Math.floor(this.thread.x / ${os[d]}) % ${dims[d]}`
    decl += `const ${name} = ${e};\n`
    c.push(name)
  }
  return { decl, c, output: [n] }
}

/** `Σ c[d] * s[d] + off` as kernel source ('0' when empty). */
export const indexExpr = (c: ReadonlyArray<string>, s: ReadonlyArray<number>, off = 0): string => {
  const terms: string[] = []
  for (let d = 0; d < c.length; d++) {
    if (s[d] === 0 || c[d] === '0') continue
    terms.push(s[d] === 1 ? c[d] : `${c[d]} * ${s[d]}`)
  }
  if (off !== 0) terms.push(String(off))
  return terms.length === 0 ? '0' : terms.join(' + ')
}

/**
 * Pick the addressing for an output of `dims` (collapsed) read from inputs of at most `maxIn` elements,
 * or `null` when only the plain loops are exact.
 */
export const chooseAddressing = (dims: ReadonlyArray<number>, maxIn: number, limit = F32_EXACT, minInner = ND_MIN_INNER): Addressing | null => {
  const n = prod(dims)
  if (dims.length === 1) return 'flat'
  if (dims.length <= 3 && dims[dims.length - 1] >= Math.min(minInner, ND_PREFER_INNER)) return 'nd'
  if (n < limit && maxIn < limit) return 'flat'
  return null
}

/**
 * Thread axes for a list of named extents (x fastest), skipping extents of 1. Returns, per name, the
 * thread expression ('' when the extent is 1) and the gpu.js output.
 */
export const threadAxes = (extents: ReadonlyArray<number>): { t: string[]; output: number[] } => {
  const t: string[] = []
  const output: number[] = []
  for (const e of extents) {
    if (e === 1) t.push('')
    else {
      t.push(THREAD[output.length])
      output.push(e)
    }
  }
  if (output.length > 3) throw new Error('internal: more than 3 thread axes')
  if (output.length === 0) output.push(1)
  return { t, output }
}

/** `t * s` terms joined with `+`, skipping absent axes and zero strides. */
export const sumTerms = (terms: ReadonlyArray<readonly [string, number]>): string => {
  const out: string[] = []
  for (const [t, s] of terms) {
    if (t === '' || s === 0) continue
    out.push(s === 1 ? t : `${t} * ${s}`)
  }
  return out.length === 0 ? '0' : out.join(' + ')
}

