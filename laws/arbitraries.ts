/**
 * fast-check arbitraries for shapes and tensors, with the broadcasting pairs the laws need.
 * Generators are checked for non-degeneracy in test/laws (they must produce several distinct shapes).
 *
 * @since 0.1.0
 */
import fc from 'fast-check'
import { Tensor, fromBuffer } from '../src/core/Tensor.js'
import type { Shape } from '../src/core/Shape.js'
import { size } from '../src/core/Shape.js'

/** A dimension size 1..maxDim. */
export const dim = (maxDim = 4): fc.Arbitrary<number> => fc.integer({ min: 1, max: maxDim })

/** A shape of rank minRank..maxRank with dims 1..maxDim. */
export const shapeArb = (minRank = 0, maxRank = 3, maxDim = 4): fc.Arbitrary<number[]> =>
  fc.array(dim(maxDim), { minLength: minRank, maxLength: maxRank })

/** Options for tensor values. */
export interface ValueRange {
  readonly min?: number
  readonly max?: number
  /** keep |x| at least this far from 0 (for kinks at 0) */
  readonly awayFromZero?: number
}

/** A float64-stored tensor of the given shape with values in a range. */
export const tensorOf = (shape: Shape, r: ValueRange = {}): fc.Arbitrary<Tensor> => {
  const lo = r.min ?? -2
  const hi = r.max ?? 2
  const gap = r.awayFromZero ?? 0
  return fc
    .array(fc.double({ min: lo, max: hi, noNaN: true, noDefaultInfinity: true }), { minLength: size(shape), maxLength: size(shape) })
    .map((vs) => {
      const d = Float64Array.from(vs, (v) => (gap > 0 && Math.abs(v) < gap ? (v < 0 ? -gap : gap) : v === 0 ? 0 : v))
      return fromBuffer(d, shape)
    })
}

/** A tensor of random shape. */
export const tensorArb = (r: ValueRange = {}, minRank = 0, maxRank = 3): fc.Arbitrary<Tensor> => shapeArb(minRank, maxRank).chain((s) => tensorOf(s, r))

/** A shape that broadcasts against `s`: some leading axes dropped, some axes set to 1. */
export const broadcastableFrom = (s: Shape): fc.Arbitrary<number[]> =>
  fc.tuple(fc.integer({ min: 0, max: s.length }), fc.array(fc.boolean(), { minLength: s.length, maxLength: s.length })).map(([drop, ones]) =>
    s.slice(drop).map((d, i) => (ones[i + drop] ? 1 : d))
  )

/** Two shapes that broadcast together (either side may be the smaller one). */
export const broadcastPair = (minRank = 0, maxRank = 3): fc.Arbitrary<[number[], number[]]> =>
  fc.tuple(shapeArb(minRank, maxRank), fc.boolean()).chain(([s, swap]) => broadcastableFrom(s).map((b): [number[], number[]] => (swap ? [b, s] : [s, b])))

/** Two tensors with broadcast-compatible shapes. */
export const tensorPair = (ra: ValueRange = {}, rb: ValueRange = ra): fc.Arbitrary<[Tensor, Tensor]> =>
  broadcastPair().chain(([sa, sb]) => fc.tuple(tensorOf(sa, ra), tensorOf(sb, rb)))

/** A permutation of 0..n-1. */
export const permutation = (n: number): fc.Arbitrary<number[]> =>
  fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: n, maxLength: n }).map((ks) =>
    ks.map((k, i) => [k, i] as const).sort((a, b) => a[0] - b[0]).map(([, i]) => i)
  )
