/**
 * im2col (`gpujs/im2col.ts`) against a patch matrix written out plainly here, bit for bit: the copies it
 * merges (neighbouring taps, channels last) and the padding it zeroes in an array an earlier call left
 * full; and a forward convolution run a slice of the batch at a time against the same convolution whole.
 */
import { describe, it, expect } from 'vitest'
import fc from 'fast-check'
import { GPU } from 'gpu.js'
import type { GpuLike } from '../../src/backend/gpujs/runtime.js'
import { createGpujsBackend } from '../../src/backend/gpujs/backend.js'
import { convIm2col, im2col, type MatmulKernel } from '../../src/backend/gpujs/im2col.js'
import type { FloatBuffer } from '../../src/core/Tensor.js'
import { convOutShape, makeWindowLoops, type ConvGeometry } from '../../src/backend/window.js'
import type { View } from '../../src/backend/Backend.js'
import { convCases } from './conv-cases.js'

const prod = (s: ReadonlyArray<number>): number => s.reduce((a, b) => a * b, 1)

let seed = 3
const view = (shape: ReadonlyArray<number>): View => {
  const data = new Float32Array(prod(shape))
  for (let i = 0; i < data.length; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0
    // no zeros: a padding tap left unwritten, or a copy from the wrong place, shows
    data[i] = 1 + (seed / 2 ** 32) * 4
  }
  return { data, shape }
}

/** Row-major multi-indices of a box. */
const indices = (dims: ReadonlyArray<number>): number[][] => {
  let out: number[][] = [[]]
  for (const d of dims) out = out.flatMap((p) => Array.from({ length: d }, (_, i) => [...p, i]))
  return out
}

/** The patch matrix `[G, N·P, T·Cig]`, one float at a time. */
const patches = (x: View, g: ConvGeometry, K: number[], O: number[], Cig: number): Float32Array => {
  const r = K.length
  const S = x.shape.slice(1, r + 1)
  const [N, Cin] = [x.shape[0], x.shape[r + 1]]
  const taps = indices(K)
  const pos = indices(O)
  const [T, P, G] = [taps.length, pos.length, g.groups]
  const out = new Float32Array(G * N * P * T * Cig)
  for (let gi = 0; gi < G; gi++)
    for (let n = 0; n < N; n++)
      for (let pi = 0; pi < P; pi++)
        for (let ti = 0; ti < T; ti++)
          for (let c = 0; c < Cig; c++) {
            let at = n
            let inside = true
            for (let d = 0; d < r; d++) {
              const p = pos[pi][d] * g.strides[d] + taps[ti][d] * g.rhsDilation[d] - g.padding[d][0]
              const q = p / g.lhsDilation[d]
              if (p < 0 || !Number.isInteger(q) || q >= S[d]) inside = false
              at = at * S[d] + q
            }
            out[((gi * N + n) * P + pi) * T * Cig + ti * Cig + c] = inside ? x.data[at * Cin + gi * Cig + c] : 0
          }
  return out
}

const bitsEqual = (got: Float32Array, want: Float32Array): boolean => {
  if (got.length !== want.length) return false
  const [a, b] = [new Uint32Array(got.buffer, got.byteOffset, got.length), new Uint32Array(want.buffer, want.byteOffset, want.length)]
  return a.every((v, i) => v === b[i])
}

describe('im2col', () => {
  it('writes the patch matrix exactly, over strides, padding, dilations and groups, in an array left full by the call before', () => {
    fc.assert(
      // run lengths from 1 float to past im2col's switch to `set` (16)
      fc.property(convCases({ n: 3, k: 4, pad: 3, cig: 9 }), ({ r, k, cig, g, xShape, out }) => {
        const K = Array.from({ length: r }, () => k)
        const O = out.slice(1, r + 1)
        // fill the kept array with non-zeros first: a padding tap must be written as 0, not skipped
        im2col(view([4, 24, 24, 9]), { strides: [1, 1], padding: [[0, 0], [0, 0]], lhsDilation: [1, 1], rhsDilation: [1, 1], groups: 1 }, [3, 3], [22, 22], 9)
        const x = view(xShape)
        expect(bitsEqual(im2col(x, g, K, O, cig), patches(x, g, K, O, cig))).toBe(true)
      }),
      { numRuns: 120, seed: 5 }
    )
  })

  it('the bench CNN\'s shapes: runs of 48 floats, and a padded input cotangent over 32 channels', () => {
    const cases: Array<[number[], number, number[], number]> = [
      [[3, 13, 13, 16], 0, [11, 11], 16],
      [[2, 11, 11, 32], 2, [13, 13], 32],
      [[2, 28, 28, 1], 0, [26, 26], 1]
    ]
    for (const [shape, pad, O, Cig] of cases) {
      const g: ConvGeometry = { strides: [1, 1], padding: [[pad, pad], [pad, pad]], lhsDilation: [1, 1], rhsDilation: [1, 1], groups: 1 }
      const x = view(shape)
      expect({ shape, same: bitsEqual(im2col(x, g, [3, 3], O, Cig), patches(x, g, [3, 3], O, Cig)) }).toEqual({ shape, same: true })
    }
  })
})

describe('a forward convolution in slices of the batch', () => {
  const mm = createGpujsBackend('webasm', new GPU({ mode: 'webasm' }) as unknown as GpuLike).matmul
  const ref = makeWindowLoops(Float64Array)

  it('gives the whole batch\'s result, bit for bit, for every slice size', () => {
    const g: ConvGeometry = { strides: [1, 1], padding: [[1, 1], [1, 1]], lhsDilation: [1, 1], rhsDilation: [1, 1], groups: 1 }
    const x = view([5, 9, 8, 6])
    const w = view([3, 3, 6, 7])
    const out = convOutShape(x.shape, w.shape, g)
    const whole = convIm2col(mm, x, w, g, out, Infinity) as Float32Array
    const want = ref.conv(x, w, g, out)
    for (let i = 0; i < want.length; i++) expect(Math.abs(whole[i] - want[i])).toBeLessThanOrEqual(1e-4 * (1 + Math.abs(want[i])))
    const perSample = 9 * 8 * 9 * 6
    // two samples a slice (2, 2, 1), one (a slice smaller than a sample's patches still takes a sample), all
    for (const slice of [2 * perSample, perSample + 1, 1, 5 * perSample]) {
      const got = convIm2col(mm, x, w, g, out, slice) as Float32Array
      expect({ slice, same: bitsEqual(got, whole) }).toEqual({ slice, same: true })
    }
  })

  it('waits for an asynchronous matmul before the next slice overwrites the patches it was given', async () => {
    // a matmul that reads its arguments only when it resolves: patches overwritten before then would show
    const lazy: MatmulKernel<Promise<FloatBuffer>> = (a, b, batch, m, k, n, ta, tb) =>
      new Promise((resolve) => setTimeout(() => resolve(mm(a, b, batch, m, k, n, ta, tb)), 1))
    const g: ConvGeometry = { strides: [1, 1], padding: [[1, 1], [1, 1]], lhsDilation: [1, 1], rhsDilation: [1, 1], groups: 1 }
    const x = view([5, 9, 8, 6])
    const w = view([3, 3, 6, 7])
    const out = convOutShape(x.shape, w.shape, g)
    const pending = convIm2col(lazy, x, w, g, out, 2 * 9 * 8 * 9 * 6)
    expect(pending).toBeInstanceOf(Promise)
    expect(bitsEqual((await pending) as Float32Array, convIm2col(mm, x, w, g, out, Infinity) as Float32Array)).toBe(true)
  })

  it('runs grouped convolutions whole', () => {
    const g: ConvGeometry = { strides: [1, 1], padding: [[0, 0], [0, 0]], lhsDilation: [1, 1], rhsDilation: [1, 1], groups: 2 }
    const x = view([3, 6, 6, 4])
    const w = view([2, 2, 2, 6])
    const out = convOutShape(x.shape, w.shape, g)
    const got = convIm2col(mm, x, w, g, out, 1) as Float32Array
    expect(bitsEqual(got, convIm2col(mm, x, w, g, out, Infinity) as Float32Array)).toBe(true)
    const want = ref.conv(x, w, g, out)
    for (let i = 0; i < want.length; i++) expect(Math.abs(got[i] - want[i])).toBeLessThanOrEqual(1e-4 * (1 + Math.abs(want[i])))
  })
})
