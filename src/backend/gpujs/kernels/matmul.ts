/**
 * @internal The matmul kernel source.
 *
 * @since 0.1.0
 */
import { sumTerms, threadAxes } from '../layout.js'
import type { Spec } from './spec.js'

/**
 * Batched matmul. Each operand is read in the layout it comes in — A as [batch, m, k] (or [batch, k, m]
 * when transposed), B as [batch, k, n] (or [batch, n, k]) — so no operand is transposed in JavaScript
 * first; measured here, reading B as [k, n] was 5–10% faster than pre-transposing it, and reading A
 * transposed cost nothing.
 */
export const matmulSpec = (batch: number, m: number, k: number, n: number, transA: boolean, transB: boolean): Spec => {
  const { t, output } = threadAxes([n, m, batch])
  const [tx, ty, tz] = t
  const aBase = transA ? sumTerms([[tz, m * k], [ty, 1]]) : sumTerms([[tz, m * k], [ty, k]])
  const bBase = transB ? sumTerms([[tz, n * k], [tx, k]]) : sumTerms([[tz, n * k], [tx, 1]])
  // `(k|0)` keeps the whole index i32 (exact past 2^24) and was also the fastest form measured
  const kk = (o: string): string => `(k|0)${o}`
  const aAt = (o: string): string => (transA ? `a[${aBase} + (${kk(o)}) * ${m}]` : `a[${aBase} + ${kk(o)}]`)
  const bAt = (o: string): string => (transB ? `b[${bBase} + ${kk(o)}]` : `b[${bBase} + (${kk(o)}) * ${n}]`)
  // 8 accumulators over k (faster than 4 here, and more accurate), then a tail
  const U = 8
  const ku = k - (k % U)
  const acc = Array.from({ length: ku > 0 ? U : 1 }, (_, u) => `s${u}`)
  let src = `function (a, b) {\n${acc.map((s) => `let ${s} = 0;`).join(' ')}\n`
  if (ku > 0) {
    src += `for (let k = 0; k < ${ku}; k += ${U}) {\n`
    for (let u = 0; u < U; u++) {
      const o = u === 0 ? '' : ` + ${u}`
      src += `s${u} += ${aAt(o)} * ${bAt(o)};\n`
    }
    src += '}\n'
  }
  if (ku < k) src += `for (let k = ${ku}; k < ${k}; k++) {\ns0 += ${aAt('')} * ${bAt('')};\n}\n`
  const sum = acc.length === 1 ? 's0' : '((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))'
  src += `return ${sum};\n}`
  return { source: src, output }
}
/** The cache key of a matmul kernel. */
export const matmulKey = (batch: number, m: number, k: number, n: number, transA: boolean, transB: boolean): string =>
  `mm|${batch}|${m}|${k}|${n}|${transA ? 't' : 'n'}${transB ? 't' : 'n'}`

/** Rows of C each thread of the register-blocked matmul computes (gpu.js's widest `Array(n)` return). */
export const MATMUL_ROWS = 4

/**
 * Whether the register-blocked matmul applies: whole blocks of 4 rows, and at least 4 columns (the
 * columns are the SIMD lanes; with one column gpu.js would make the row blocks its x axis).
 */
export const blockedMatmulFits = (m: number, k: number, n: number): boolean => m % MATMUL_ROWS === 0 && n >= 4 && k >= 1

/**
 * Register-blocked batched matmul: each thread computes a column of 4 rows of C (`returnType:
 * 'Array(4)'`), so each quad of SIMD lanes computes a 4×4 tile and every B vector it loads is used four
 * times. Thread (x, y, z) = (column, row block, batch). gpu.js stores the results `[batch][m/4][n][4]`;
 * with the row-plane extension (`row-planes.ts`, when n is a multiple of 4) the kernel stores each row
 * block as four rows of n, which is C in row order, and otherwise {@link unblockRows} puts the packed
 * results back in row order. Operands are read in the layout
 * they come in, as in {@link matmulSpec}; each row's sum runs over k in order.
 *
 * With `intLocals` (the integer-local extension is installed, `integer-locals.ts`) the uniform index
 * bases and the loop counter are i32 locals; without it every index is written inline with `(k|0)`, which
 * gpu.js computes in i32 as shipped — slower, the same loads, so the same results.
 */
export const matmulBlockedSpec = (batch: number, m: number, k: number, n: number, transA: boolean, transB: boolean, intLocals: boolean): Spec => {
  const R = MATMUL_ROWS
  const { t, output } = threadAxes([n, m / R, batch])
  const [tx, ty, tz] = t
  // A's first element of this thread's rows, B's of this batch (lane-uniform)
  const aBase = transA ? sumTerms([[tz, m * k], [ty, R]]) : sumTerms([[tz, m * k], [ty, R * k]])
  const bBase = sumTerms([[tz, n * k]])
  const ab = intLocals ? 'ab' : `(${aBase})`
  const bb = intLocals ? 'bb' : `(${bBase})`
  // index of A[row r][kk] and B[kk][column]; `kk` is an i32 expression
  const aAt = (r: number, kk: string): string => (transA ? `a[${ab} + (${kk}) * ${m} + ${r}]` : `a[${ab} + ${kk} + ${r * k}]`)
  const bAt = (kk: string): string => (transB ? `b[${bb} + ${tx} * ${k} + ${kk}]` : `b[${bb} + (${kk}) * ${n} + ${tx}]`)
  const step = (kk: string, v: string): string => {
    let s = `const ${v} = ${bAt(kk)};\n`
    for (let r = 0; r < R; r++) s += `c${r} += ${aAt(r, kk)} * ${v};\n`
    return s
  }
  const U = 2
  const ku = k - (k % U)
  let src = 'function (a, b) {\n'
  if (intLocals) src += `const ab = ${aBase};\nconst bb = ${bBase};\n`
  src += Array.from({ length: R }, (_, r) => `let c${r} = 0;`).join(' ') + '\n'
  const ctr = (name: string): string => (intLocals ? name : `(${name}|0)`)
  if (ku > 0) {
    src += `for (let k = 0; k < ${ku}; k += ${U}) {\n`
    for (let u = 0; u < U; u++) src += step(u === 0 ? ctr('k') : `${ctr('k')} + ${u}`, `v${u}`)
    src += '}\n'
  }
  if (ku < k) src += `for (let t = ${ku}; t < ${k}; t++) {\n${step(ctr('t'), 'w')}}\n`
  src += `return [${Array.from({ length: R }, (_, r) => `c${r}`).join(', ')}];\n}`
  return { source: src, output, returnType: `Array(${R})` }
}
/** The cache key of a register-blocked matmul kernel. */
export const matmulBlockedKey = (batch: number, m: number, k: number, n: number, transA: boolean, transB: boolean, intLocals: boolean): string =>
  `mm4${intLocals ? 'i' : ''}|${batch}|${m}|${k}|${n}|${transA ? 't' : 'n'}${transB ? 't' : 'n'}`

/** The scratch block {@link unblockRows} reorders through, kept up to this many floats (256 KiB). */
const SCRATCH_KEEP = 1 << 16
let scratch = new Float32Array(0)

/**
 * C in row order from the blocked kernel's packed `[batch][m/4][n][4]` output, reordered in place and
 * returned: block `blk` (4 rows of C) occupies the same `4n` floats in both layouts, so each block is
 * copied to one scratch block and written back row by row. `packed` must be the kernel's own fresh
 * result (gpu.js slices a new array per call); no second array of C is allocated.
 */
export const unblockRows = (packed: Float32Array, batch: number, m: number, n: number): Float32Array => {
  const R = MATMUL_ROWS
  const len = R * n
  if (scratch.length < len && len <= SCRATCH_KEEP) scratch = new Float32Array(len)
  const s = scratch.length >= len ? scratch : new Float32Array(len)
  const blocks = batch * (m / R)
  // one sweep over each block, writing its four rows together (R is 4): 1.7x faster than a sweep per row
  for (let blk = 0; blk < blocks; blk++) {
    const r0 = blk * len
    const r1 = r0 + n
    const r2 = r1 + n
    const r3 = r2 + n
    // copied element by element: a subarray per block was most of a training step's garbage objects
    for (let i = 0; i < len; i++) s[i] = packed[r0 + i]
    for (let x = 0, q = 0; x < n; x++, q += 4) {
      packed[r0 + x] = s[q]
      packed[r1 + x] = s[q + 1]
      packed[r2 + x] = s[q + 2]
      packed[r3 + x] = s[q + 3]
    }
  }
  return packed
}
