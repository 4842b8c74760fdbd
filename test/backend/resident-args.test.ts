import { describe, it, expect, afterEach } from 'vitest'
import { GPU } from 'gpu.js'
import { gpujsBackend } from '../../src/backend/gpujs/index.js'
import { createGpujsBackend, type GpuLike, type GpujsBackend } from '../../src/backend/gpujs/backend.js'
import { directRun, residentArgStats, setResidentArgs } from '../../src/backend/gpujs/direct-run.js'
import { recycleArrays, recycleStats } from '../../src/backend/gpujs/recycle.js'
import { freeze, stampOf, thaw } from '../../src/core/frozen.js'
import { dataSync, storageOf, tensor } from '../../src/core/Tensor.js'
import type { KernelFn } from '../../src/backend/gpujs/runtime.js'
import { bits, rnd } from './kernel-cases.js'

gpujsBackend('webasm') // installs the extensions

afterEach(() => setResidentArgs(true))

/** A webasm backend of its own (no forwarding of small ops to JS loops: every op below is a kernel). */
const fresh = (): GpujsBackend => createGpujsBackend('webasm', new GPU({ mode: 'webasm' }) as unknown as GpuLike)
const N = 4099 // quads and a tail
const view = (data: Float32Array): { data: Float32Array; shape: number[] } => ({ data, shape: [N] })
/** a·b elementwise, in float32 as the kernel computes it */
const mulOf = (a: Float32Array, b: Float32Array): number[] => bits(a.map((v, i) => Math.fround(v * b[i])))

describe('frozen arrays (core/frozen.ts)', () => {
  it('gives each freezing a stamp of its own, which thawing takes away', () => {
    const a = new Float32Array(3)
    const b = new Float32Array(3)
    expect(stampOf(a)).toBeUndefined()
    const sa = stampOf(freeze(a))
    const sb = stampOf(freeze(b))
    expect(sa).toBeDefined()
    expect(sb).not.toBe(sa)
    thaw(a)
    expect(stampOf(a)).toBeUndefined()
    expect(stampOf(freeze(a))).not.toBe(sa)
  })

  it("freezes tensor()'s copy, never the caller's array", () => {
    const mine = new Float32Array([1, 2, 3])
    const t = tensor(mine)
    expect(stampOf(mine)).toBeUndefined()
    expect(stampOf(storageOf(t) as Float32Array)).toBeDefined()
    expect(stampOf(dataSync(t))).toBeUndefined()
  })
})

describe('arguments a kernel module already holds are not copied again (direct-run.ts)', () => {
  it('skips frozen arguments the module holds, and the result is the same', () => {
    const be = fresh()
    const a = freeze(rnd(N))
    const b = freeze(rnd(N))
    be.binary('mul', view(a), view(b), [N]) // compiles
    const first = bits(be.binary('mul', view(a), view(b), [N]))
    const before = residentArgStats.skipped
    const again = bits(be.binary('mul', view(a), view(b), [N]))
    expect(residentArgStats.skipped - before).toBe(2)
    expect(again).toEqual(first)
    expect(again).toEqual(mulOf(a, b))
    // another frozen array in one argument: that one is copied, the other still skipped
    const c = freeze(rnd(N))
    const s = residentArgStats.skipped
    expect(bits(be.binary('mul', view(a), view(c), [N]))).toEqual(mulOf(a, c))
    expect(residentArgStats.skipped - s).toBe(1)
  })

  it('copies arrays that are not frozen every time, so writing them between calls is seen', () => {
    const be = fresh()
    const a = rnd(N)
    const b = freeze(rnd(N))
    be.binary('mul', view(a), view(b), [N])
    be.binary('mul', view(a), view(b), [N])
    a[10] = 123
    a[4098] = -7
    expect(bits(be.binary('mul', view(a), view(b), [N]))).toEqual(mulOf(a, b))
  })

  it('copies an array again once it was given back and written as another result', () => {
    const be = fresh()
    const b = freeze(rnd(N))
    // x: a kernel result (frozen by the backend), held by the mul module after two calls
    const x = be.binary('add', view(rnd(N)), view(rnd(N)), [N]) as Float32Array
    expect(stampOf(x)).toBeDefined()
    be.binary('sub', view(rnd(N)), view(rnd(N)), [N]) // compiled, so its next call is a direct one
    be.binary('mul', view(x), view(b), [N])
    be.binary('mul', view(x), view(b), [N])
    // x dies and is given back; the next result of its length is written into it
    const kept = recycleStats.kept
    recycleArrays([x])
    expect(recycleStats.kept).toBe(kept + 1)
    // on the free list it has no stamp: nothing may pass for its contents until it is written and frozen anew
    expect(stampOf(x)).toBeUndefined()
    const y = be.binary('sub', view(rnd(N)), view(rnd(N)), [N]) as Float32Array
    expect(y).toBe(x)
    expect(bits(be.binary('mul', view(y), view(b), [N]))).toEqual(mulOf(y, b))
  })

  it("forgets what a module holds when gpu.js's own run writes it", () => {
    const gpu = new GPU({ mode: 'webasm' })
    const k = gpu.createKernel('function (a, b) { return a[this.thread.x] * b[this.thread.x]; }', { output: [N], precision: 'single' }) as unknown as KernelFn
    const a = freeze(rnd(N))
    const b = freeze(rnd(N))
    const c = rnd(N)
    ;(k as unknown as (...x: unknown[]) => unknown)(a, b) // compiles through gpu.js
    expect(bits(directRun(k, [a, b]) as Float32Array)).toEqual(mulOf(a, b))
    // gpu.js's run copies c over a's place in the module
    expect(bits((k as unknown as (...x: unknown[]) => Float32Array)(c, b))).toEqual(mulOf(c, b))
    const before = residentArgStats.skipped
    expect(bits(directRun(k, [a, b]) as Float32Array)).toEqual(mulOf(a, b))
    expect(residentArgStats.skipped).toBe(before)
    gpu.destroy()
  })

  it('copies every argument when switched off, and forgets what it held', () => {
    const be = fresh()
    const a = freeze(rnd(N))
    const c = freeze(rnd(N))
    be.binary('mul', view(a), view(a), [N])
    be.binary('mul', view(a), view(a), [N]) // the module holds a in both arguments
    setResidentArgs(false)
    const before = residentArgStats.skipped
    expect(bits(be.binary('mul', view(c), view(c), [N]))).toEqual(mulOf(c, c))
    expect(bits(be.binary('mul', view(a), view(a), [N]))).toEqual(mulOf(a, a))
    expect(bits(be.binary('mul', view(c), view(c), [N]))).toEqual(mulOf(c, c))
    expect(residentArgStats.skipped).toBe(before)
    // back on: what the module held before was overwritten while off, so a is copied again
    setResidentArgs(true)
    expect(bits(be.binary('mul', view(a), view(a), [N]))).toEqual(mulOf(a, a))
  })
})
