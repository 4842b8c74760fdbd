import { describe, it, expect } from 'vitest'
import fc from 'fast-check'
import { makeLoops } from '../../src/backend/loops.js'
import { HOST_RUN_MIN, hostPad, hostSlice } from '../../src/backend/gpujs/host-copy.js'
import type { View } from '../../src/backend/Backend.js'

const loops = makeLoops(Float32Array)
const prod = (s: ReadonlyArray<number>): number => s.reduce((a, b) => a * b, 1)

/** A shape of rank 1–4 with a long last axis sometimes, so both outcomes (host copy, kernel) occur. */
const shapeArb = fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 4 }).chain((s) =>
  fc.integer({ min: 1, max: 40 }).map((last) => [...s.slice(0, -1), last])
)
const viewArb = (int: boolean) =>
  shapeArb.map((shape): View => {
    const n = prod(shape)
    const data = int ? Int32Array.from({ length: n }, (_, i) => (i * 7919) % 100003 - 50000) : Float32Array.from({ length: n }, (_, i) => Math.fround(Math.sin(i) * 1e3))
    return { data, shape }
  })
const sliceArb = fc.boolean().chain((int) =>
  viewArb(int).chain((x) =>
    fc
      .tuple(...x.shape.map((d) => fc.integer({ min: 0, max: d - 1 }).chain((b) => fc.integer({ min: 1, max: d - b }).map((sz) => [b, sz] as const))))
      .map((bs) => ({ x, begin: bs.map((p) => p[0]), sz: bs.map((p) => p[1]) }))
  )
)
const padArb = fc.boolean().chain((int) =>
  viewArb(int).chain((x) =>
    fc.record({
      x: fc.constant(x),
      paddings: fc.tuple(...x.shape.map(() => fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 })))),
      value: fc.constantFrom(0, -2.5)
    })
  )
)

const same = (a: ArrayLike<number>, b: ArrayLike<number>): void => {
  expect(a.constructor).toBe(b.constructor)
  expect(Array.from(a)).toEqual(Array.from(b))
}

describe('host copies for slice and pad (gpu.js backend)', () => {
  /** Over `runs` samples, the host copy equals the loop reference bit for bit whenever it is taken, and it is taken often. */
  const agrees = <A>(arb: fc.Arbitrary<A>, host: (a: A) => ArrayLike<number> | undefined, ref: (a: A) => ArrayLike<number>, seed: number): void => {
    let hosted = 0
    fc.assert(
      fc.property(arb, (a) => {
        const r = host(a)
        if (r === undefined) return
        hosted++
        same(r, ref(a))
      }),
      { numRuns: 200, seed }
    )
    expect(hosted).toBeGreaterThan(20)
  }

  it('slice: equals the loop reference exactly, float32 and int32, whenever it takes the host path', () => {
    agrees(sliceArb, ({ x, begin, sz }) => hostSlice(x, begin, sz), ({ x, begin, sz }) => loops.slice(x, begin, sz), 12)
  })

  it('pad: equals the loop reference exactly, float32 and int32, whenever it takes the host path', () => {
    agrees(padArb, ({ x, paddings, value }) => hostPad(x, paddings, value), ({ x, paddings, value }) => loops.pad(x, paddings, value), 13)
  })

  it('leaves short strided runs to the kernel and takes contiguous ones', () => {
    const x: View = { data: new Float32Array(64 * 256).map((_, i) => i), shape: [64, 256] }
    // an LSTM gate: 64 runs of 64
    const gate = hostSlice(x, [0, 64], [64, 64])
    expect(gate).toBeDefined()
    expect(gate?.[0]).toBe(64)
    expect(gate?.[64]).toBe(256 + 64)
    // runs of 2 elements: the kernel's job
    expect(hostSlice(x, [0, 0], [64, 2])).toBeUndefined()
    // one run however short (a single row part) is a copy
    expect(hostSlice(x, [3, 5], [1, HOST_RUN_MIN - 1])).toBeDefined()
    expect(hostPad({ data: new Float32Array(8), shape: [4, 2] }, [[0, 0], [1, 1]], 0)).toBeUndefined()
    expect(hostPad({ data: new Float32Array(8), shape: [4, 2] }, [[-1, 0], [0, 0]], 0)).toBeUndefined()
  })
})
