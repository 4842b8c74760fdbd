/**
 * The direct call path's argument checks and copies (`direct-run.ts` `argsFit`, `writeArgs`), on layouts
 * written by hand as gpu.js 2.24.1 lays them out: arrays and scalars by name, each with its argument
 * index and byte offset.
 */
import { describe, it, expect } from 'vitest'
import { argsFit, writeArgs, residentArgStats, type ArgLayout } from '../../src/backend/gpujs/direct-run.js'
import { freeze, thaw } from '../../src/core/frozen.js'

/** `k(a, n, b, flag)`: a 1-D array of 4, an integer, a 1-D array of 3, a boolean; a scale (float) last */
const layout = (): ArgLayout => ({
  arrays: {
    a: { index: 0, offset: 16, flatLength: 4, dims: [4, 1, 1] },
    b: { index: 2, offset: 48, flatLength: 3, dims: [3, 1, 1] }
  },
  scalars: {
    n: { index: 1, offset: 4, type: 'Integer' },
    flag: { index: 3, offset: 8, type: 'Boolean' },
    scale: { index: 4, offset: 12, type: 'Float' }
  },
  outputOffset: 64
})
const args = (): unknown[] => [new Float32Array([1, 2, 3, 4]), 7, new Int32Array([5, 6, 7]), true, 0.5]

describe('direct calls: the arguments a module was laid out for', () => {
  it('argsFit takes flat Float32 and Int32 arrays of the laid-out lengths and scalars of their types, and nothing else', () => {
    const l = layout()
    expect(argsFit(l, args())).toBe(true)
    const with_ = (i: number, v: unknown): unknown[] => args().map((x, j) => (j === i ? v : x))
    expect(argsFit(l, with_(0, new Float32Array(5)))).toBe(false)
    expect(argsFit(l, with_(0, new Float64Array(4)))).toBe(false)
    expect(argsFit(l, with_(0, [1, 2, 3, 4]))).toBe(false)
    expect(argsFit(l, with_(1, '7'))).toBe(false)
    expect(argsFit(l, with_(3, 1))).toBe(false)
    expect(argsFit(l, with_(4, false))).toBe(false)
    expect(argsFit(l, [...args(), 1])).toBe(false)
    expect(argsFit(l, args().slice(0, 4))).toBe(false)
    // an array gpu.js laid out 2-D is not one this path copies
    const twoD: ArgLayout = { ...l, arrays: { ...l.arrays, a: { index: 0, offset: 16, flatLength: 4, dims: [2, 2, 1] } } }
    expect(argsFit(twoD, args())).toBe(false)
  })

  it('writeArgs puts arrays at their offsets and scalars as their types (integers truncated, booleans 0/1)', () => {
    const mem = new ArrayBuffer(80)
    const f32 = new Float32Array(mem)
    const i32 = new Int32Array(mem)
    writeArgs(layout(), f32, i32, [new Float32Array([1, 2, 3, 4]), 7.9, new Int32Array([5, 6, 7]), false, 0.25])
    expect(Array.from(f32.subarray(4, 8))).toEqual([1, 2, 3, 4])
    expect(Array.from(f32.subarray(12, 15))).toEqual([5, 6, 7])
    expect(i32[1]).toBe(7)
    expect(i32[2]).toBe(0)
    expect(f32[3]).toBe(0.25)
    writeArgs(layout(), f32, i32, [new Float32Array(4), -2.5, new Int32Array(3), true, 1])
    expect([i32[1], i32[2], f32[3]]).toEqual([-2, 1, 1])
  })

  it('with a record of stamps, a frozen array the region still holds is not copied again; anything else is', () => {
    const l = layout()
    const f32 = new Float32Array(20)
    const i32 = new Int32Array(f32.buffer)
    const held: Array<number | undefined> = [undefined, undefined]
    const a = freeze(new Float32Array([1, 2, 3, 4]))
    const b = new Int32Array([5, 6, 7])
    writeArgs(l, f32, i32, [a, 1, b, true, 0], held)
    expect(held[0]).toBeDefined()
    expect(held[1]).toBeUndefined()
    // the region is overwritten behind the record's back: a skipped copy leaves it so
    f32.fill(0, 4, 8)
    f32.fill(0, 12, 15)
    const skipped = residentArgStats.skipped
    writeArgs(l, f32, i32, [a, 1, b, true, 0], held)
    expect(residentArgStats.skipped - skipped).toBe(1)
    expect(Array.from(f32.subarray(4, 8))).toEqual([0, 0, 0, 0])
    expect(Array.from(f32.subarray(12, 15))).toEqual([5, 6, 7])
    // thawed and frozen again, the array has a new stamp: copied
    thaw(a)
    freeze(a)
    writeArgs(l, f32, i32, [a, 1, b, true, 0], held)
    expect(Array.from(f32.subarray(4, 8))).toEqual([1, 2, 3, 4])
  })
})
