/**
 * @internal Softmax cross-entropy kernel sources, over logits and labels of `[R, C]` (rows of `C`
 * classes), following `backend/xent.ts`'s formulas step for step in float32:
 * - the loss: one thread per row, two passes over the row (its maximum; then the exponentials, the label
 *   sum and the label-weighted logits together);
 * - a cotangent: a statistics kernel writes each row's maximum, log-sum and label sum once (`[3, R]`),
 *   then one thread per element reads them (one exponential per element). Recomputing the statistics in
 *   every element's thread instead (one kernel call, not two) cost 4× as much at 10 classes: 118 against
 *   ~30 µs per call for `[128, 10]`, the exponentials dominating.
 *
 * Every index is i32 (thread ids, literal strides, `(j|0)`): exact at any size.
 *
 * @since 0.3.0
 */
import type { XentWrt } from '../../Backend.js'
import { sumTerms, threadAxes } from '../layout.js'
import type { Spec } from './spec.js'

/** `m`: the maximum of the row at `row(j)`, 0 where it is not finite. */
const shift = (C: number, at: string): string =>
  `let m = -Infinity;\nfor (let j = 0; j < ${C}; j++) {\nm = Math.max(m, x[${at}]);\n}\nif (m == Infinity || m == -Infinity) {\nm = 0;\n}\n`

/** The loss of each of `R` rows of `C` classes (thread = row). */
export const xentSpec = (R: number, C: number): Spec => {
  const { t, output } = threadAxes([R])
  const at = sumTerms([
    [t[0], C],
    ['(j|0)', 1]
  ])
  return {
    source:
      `function (x, t) {\n${shift(C, at)}let s = 0;\nlet tt = 0;\nlet d = 0;\n` +
      `for (let j = 0; j < ${C}; j++) {\nconst v = x[${at}] - m;\ns += Math.exp(v);\nconst w = t[${at}];\ntt += w;\nd += w == 0 ? 0 : w * v;\n}\n` +
      `return tt * Math.log(s) - d;\n}`,
    output
  }
}
export const xentKey = (R: number, C: number): string => `xent|${R}|${C}`

/**
 * Row statistics `[3, R]`: row r's maximum `m` at r, `ls` at R + r, the label sum at 2R + r. Threads are
 * (row, statistic), the statistic on y so that a SIMD quad of rows takes one branch.
 */
export const xentStatsSpec = (R: number, C: number): Spec => {
  const at = sumTerms([
    ['this.thread.x', C],
    ['(j|0)', 1]
  ])
  return {
    source:
      `function (x, t) {\n${shift(C, at)}let r = m;\n` +
      `if (this.thread.y == 1) {\nlet s = 0;\nfor (let j = 0; j < ${C}; j++) {\ns += Math.exp(x[${at}] - m);\n}\nr = Math.log(s);\n}\n` +
      `if (this.thread.y == 2) {\nlet tt = 0;\nfor (let j = 0; j < ${C}; j++) {\ntt += t[${at}];\n}\nr = tt;\n}\n` +
      `return r;\n}`,
    output: [R, 3]
  }
}
export const xentStatsKey = (R: number, C: number): string => `xents|${R}|${C}`

/** Cotangent kernel reading the row statistics of {@link xentStatsSpec} (argument `st`). */
export const xentGradSpec = (wrt: XentWrt, R: number, C: number): Spec => {
  const { t, output } = threadAxes([C, R])
  const [tj, tr] = t
  const el = sumTerms([
    [tr, C],
    [tj, 1]
  ])
  const row = sumTerms([[tr, 1]])
  const stat = (q: number): string => (q === 0 ? row : `${row} + ${q * R}`)
  return {
    source:
      wrt === 'logits'
        ? `function (x, t, c, st) {\nconst v = x[${el}] - st[${stat(0)}];\nreturn c[${row}] * (Math.exp(v - st[${stat(1)}]) * st[${stat(2)}] - t[${el}]);\n}`
        : `function (x, c, st) {\nreturn c[${row}] * (st[${stat(1)}] - (x[${el}] - st[${stat(0)}]));\n}`,
    output
  }
}
export const xentGradKey = (wrt: XentWrt, R: number, C: number): string => `xentg|${wrt}|${R}|${C}`
