/**
 * Softmax cross-entropy kernels (`softmaxXent`, `softmaxXentGrad`) on every gpu.js mode that runs here,
 * against the float64 reference: random rows of few and many classes, rows with infinities and NaN,
 * and empty shapes. The gradient laws are in `laws/ops.ts`; this file covers the edges they do not draw.
 */
import { describe, it, expect } from 'vitest'
import fc from 'fast-check'
import { reference } from '../../src/backend/reference.js'
import { gpujsBackend } from '../../src/backend/gpujs/index.js'
import type { Backend, View } from '../../src/backend/Backend.js'

const modes = ['webasm', 'cpu'] as const

/** Same non-finite values in the same places, finite values within `tol` relative (float32 sums of up to 130 terms). */
const agree = (got: ArrayLike<number>, want: ArrayLike<number>, tol = 1e-5): void => {
  expect(got.length).toBe(want.length)
  for (let i = 0; i < want.length; i++) {
    const g = got[i]
    const w = want[i]
    if (!Number.isFinite(w)) expect([i, g]).toEqual([i, w])
    else expect([i, Math.abs(g - w) <= tol * (1 + Math.abs(w))]).toEqual([i, true])
  }
}

const view = (data: number[], shape: number[]): View => ({ data: Float32Array.from(data), shape })
const all = (be: Backend, x: View, t: View, c: View): Array<ArrayLike<number>> => [be.softmaxXent(x, t), be.softmaxXentGrad('logits', x, t, c), be.softmaxXentGrad('labels', x, t, c)] as Array<ArrayLike<number>>

describe('softmax cross-entropy kernels agree with the float64 reference', () => {
  const rows = fc.tuple(fc.integer({ min: 1, max: 9 }), fc.constantFrom(1, 2, 3, 10, 37, 130)).chain(([R, C]) =>
    fc.tuple(
      fc.constant([R, C]),
      fc.array(fc.float({ min: -8, max: 8, noNaN: true }), { minLength: R * C, maxLength: R * C }),
      fc.array(fc.float({ min: 0, max: 1, noNaN: true }), { minLength: R * C, maxLength: R * C }),
      fc.array(fc.float({ min: -2, max: 2, noNaN: true }), { minLength: R, maxLength: R })
    )
  )
  for (const mode of modes)
    it(`${mode}: loss and both cotangents on random rows`, () => {
      const be = gpujsBackend(mode)
      fc.assert(
        fc.property(rows, ([[R, C], xs, ts, cs]) => {
          const x = view(xs, [R, C])
          const t = view(ts, [R, C])
          const c = view(cs, [R])
          const want = all(reference, x, t, c)
          all(be, x, t, c).forEach((g, k) => agree(g, want[k]))
        }),
        { numRuns: 40, seed: 8 }
      )
    })

  for (const mode of modes)
    it(`${mode}: a row of −∞ but one, a row of −∞, a +∞ and a NaN logit give the reference's values`, () => {
      const be = gpujsBackend(mode)
      const I = Infinity
      const x = view([-I, 2, -I, -I, -I, -I, -I, -I, 1, I, 0, 0, 1, Number.NaN, 0, 0.5], [4, 4])
      // labels are 0 where the logit is −∞ but one row: the loss of a label on a −∞ logit is +∞
      const t = view([0, 1, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0.5, 0.5, 0, 0], [4, 4])
      const c = view([1, 1, 1, 1], [4])
      const want = all(reference, x, t, c)
      // row 1: a single finite logit is certain (loss 0: a label of 0 on a −∞ logit adds nothing, not
      // 0·∞ = NaN); row 2, all −∞: no distribution at all, NaN (as logSoftmax gives); row 3: a +∞ logit
      // without its label, +∞; row 4: NaN
      expect(Array.from(want[0])).toEqual([0, NaN, Infinity, NaN])
      all(be, x, t, c).forEach((g, k) => agree(g, want[k]))
    })

  for (const mode of modes)
    it(`${mode}: empty shapes and a single class`, () => {
      const be = gpujsBackend(mode)
      expect(Array.from(be.softmaxXent(view([], [3, 0]), view([], [3, 0])) as Float32Array)).toEqual([0, 0, 0])
      expect((be.softmaxXent(view([], [0, 4]), view([], [0, 4])) as Float32Array).length).toBe(0)
      expect((be.softmaxXentGrad('logits', view([], [2, 0]), view([], [2, 0]), view([1, 1], [2])) as Float32Array).length).toBe(0)
      // one class: softmax is 1, the loss is 0 for any logit and the logits' cotangent c·(T − t)
      agree(be.softmaxXent(view([5, -3], [2, 1]), view([1, 0.5], [2, 1])) as Float32Array, [0, 0])
      agree(be.softmaxXentGrad('logits', view([5, -3], [2, 1]), view([1, 0.5], [2, 1]), view([2, 3], [2])) as Float32Array, [0, 0])
      // a rank-1 input is one row
      agree(be.softmaxXent(view([1, 2, 3], [3]), view([0, 0, 1], [3])) as Float32Array, [Math.log(Math.exp(-2) + Math.exp(-1) + 1)])
    })
})
