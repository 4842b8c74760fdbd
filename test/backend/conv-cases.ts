/**
 * Random convolutions for the window-kernel and im2col properties: rank 1–2, strides, negative and
 * positive padding, input and kernel dilation, one or two groups; each with its geometry, the input and
 * kernel shapes, and a non-empty output shape.
 */
import fc from 'fast-check'
import { convOutShape, type ConvGeometry } from '../../src/backend/window.js'
import type { Shape } from '../../src/core/Shape.js'

/** A convolution case: its drawn sizes, geometry and shapes. */
export interface ConvCase {
  readonly r: number
  readonly k: number
  readonly cig: number
  readonly g: ConvGeometry
  readonly xShape: Shape
  readonly wShape: Shape
  readonly out: Shape
}

/** Cases with at most `n` samples, `k` taps an axis, padding `pad` a side (and -1) and `cig` channels a group. */
export const convCases = (max: { readonly n: number; readonly k: number; readonly pad: number; readonly cig: number }): fc.Arbitrary<ConvCase> =>
  fc
    .record({
      r: fc.integer({ min: 1, max: 2 }),
      n: fc.integer({ min: 1, max: max.n }),
      s: fc.integer({ min: 1, max: 7 }),
      k: fc.integer({ min: 1, max: max.k }),
      stride: fc.integer({ min: 1, max: 2 }),
      lo: fc.integer({ min: -1, max: max.pad }),
      hi: fc.integer({ min: -1, max: max.pad }),
      ld: fc.integer({ min: 1, max: 2 }),
      rd: fc.integer({ min: 1, max: 2 }),
      groups: fc.integer({ min: 1, max: 2 }),
      cig: fc.integer({ min: 1, max: max.cig }),
      cog: fc.integer({ min: 1, max: 3 })
    })
    .map((c) => {
      const rep = <T,>(v: T): T[] => Array.from({ length: c.r }, () => v)
      const g: ConvGeometry = { strides: rep(c.stride), padding: rep([c.lo, c.hi] as [number, number]), lhsDilation: rep(c.ld), rhsDilation: rep(c.rd), groups: c.groups }
      const xShape = [c.n, ...rep(c.s), c.cig * c.groups]
      const wShape = [...rep(c.k), c.cig, c.cog * c.groups]
      return { r: c.r, k: c.k, cig: c.cig, g, xShape, wShape, out: convOutShape(xShape, wShape, g) }
    })
    .filter((v) => v.out.every((d) => d > 0))
