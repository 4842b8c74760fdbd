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
