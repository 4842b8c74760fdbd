/**
 * @internal Reduction kernel sources: sum/max over the middle axis of `[A, R, B]` in chunks, and argmax.
 *
 * @since 0.1.0
 */
import type { ReduceOp } from '../../Backend.js'
import { sumTerms, threadAxes } from '../layout.js'
import type { Spec } from './spec.js'

/** How `[A, R, B]` is cut: chunks of `C` along R, `P` of them (the last one shorter). */
export const reduceChunks = (R: number): { readonly C: number; readonly P: number } => {
  const C = R <= 256 ? R : Math.ceil(Math.sqrt(R))
  return { C, P: Math.ceil(R / C) }
}

/**
 * Thread (b, p, a) folds chunk p of the R axis of `[A, R, B]` in float32; the partials `[A, P, B]` are
 * then combined by {@link combinePartials}. Every index is i32 (thread ids, literal strides, `(j|0)`):
 * exact at any size.
 */
export const reduceSpec = (op: ReduceOp, A: number, R: number, B: number): Spec => {
  const { C, P } = reduceChunks(R)
  // x fastest: b (contiguous reads across lanes), then p, then a. With B = 1, p goes on x.
  const { t, output } = threadAxes([B, P, A])
  const [tb, tp, ta] = t
  const idx = sumTerms([
    [ta, R * B],
    [tp, C * B],
    ['(j|0)', B],
    [tb, 1]
  ])
  const acc = op === 'sum' ? `s += x[${idx}];` : `s = Math.max(s, x[${idx}]);`
  const guarded = P * C === R ? acc : `if (${sumTerms([[tp, C]])} + (j|0) < ${R}) {\n${acc}\n}`
  return {
    source: `function (x) {\nlet s = ${op === 'sum' ? '0' : '-Infinity'};\nfor (let j = 0; j < ${C}; j++) {\n${guarded}\n}\nreturn s;\n}`,
    output
  }
}
export const reduceKey = (op: ReduceOp, A: number, R: number, B: number): string => `r|${op}|${A}|${R}|${B}`

/** Combine the `[A, P, B]` partials of {@link reduceSpec} over P, in float64. */
export const combinePartials = (op: ReduceOp, part: ArrayLike<number>, A: number, P: number, B: number): Float32Array => {
  const out = new Float32Array(A * B)
  for (let a = 0; a < A; a++)
    for (let b = 0; b < B; b++) {
      let base = a * P * B + b
      if (op === 'sum') {
        let s = 0
        for (let p = 0; p < P; p++, base += B) s += part[base]
        out[a * B + b] = s
      } else {
        let s = -Infinity
        for (let p = 0; p < P; p++, base += B) {
          const v = part[base]
          if (v > s || v !== v) s = v
        }
        out[a * B + b] = s
      }
    }
  return out
}

/** Index of the maximum of `[A, R, B]` along R (first on ties), as f32 (exact below 2^24). */
export const argmaxSpec = (A: number, R: number, B: number): Spec => {
  const { t, output } = threadAxes([B, A])
  const [tb, ta] = t
  const idx = sumTerms([
    [ta, R * B],
    ['(j|0)', B],
    [tb, 1]
  ])
  return {
    source: `function (x) {\nlet bv = -Infinity;\nlet bi = 0;\nfor (let j = 0; j < ${R}; j++) {\nconst v = x[${idx}];\nif (v > bv) {\nbv = v;\nbi = j;\n}\n}\nreturn bi;\n}`,
    output
  }
}
export const argmaxKey = (A: number, R: number, B: number): string => `am|${A}|${R}|${B}`
