/**
 * Deferred results (`backend/deferred.ts`): a threaded product started on tensorfold's own threads and
 * finished by its caller when needed (`sharedStart`, `startShared`), as a Promise with a synchronous
 * `join`. The bits are the synchronous kernel's however late the join comes, whatever runs before it,
 * and whoever finishes it: the caller's join, the next shared call, or the microtask.
 */
import { describe, it, expect, afterAll } from 'vitest'
import { gpujsBackend } from '../../src/backend/gpujs/index.js'
import type { Backend } from '../../src/backend/Backend.js'
import { deferred, deferredStats, isDeferred } from '../../src/backend/deferred.js'
import { kernelThreadStats, kernelThreadsAvailable } from '../../src/backend/gpujs/kernel-threads.js'
import { setDeferredMatmuls } from '../../src/backend/gpujs/matmul-ops.js'
import { bits, rnd } from './kernel-cases.js'
import { aloneBits } from './threaded-kernels.js'

const be = gpujsBackend('webasm')
const threaded = be.threaded as Backend<'async'>
afterAll(() => setDeferredMatmuls(true))

describe('deferred results', () => {
  it('finish once, on the first join or in a microtask, and give every caller the same value', async () => {
    let runs = 0
    const d = deferred(() => ++runs)
    expect(runs).toBe(0)
    expect(d.join()).toBe(1)
    expect(d.join()).toBe(1)
    expect(await d).toBe(1)
    expect(runs).toBe(1)
    // nobody joins: awaiting it finishes it
    let late = 0
    const e = deferred(() => ++late)
    expect(isDeferred(e)).toBe(true)
    expect(isDeferred(Promise.resolve(1))).toBe(false)
    expect(await e).toBe(1)
    expect(e.join()).toBe(1)
    expect(late).toBe(1)
  })

  it('keep an error: every join throws it and the promise rejects with it, and nothing is left unhandled', async () => {
    let runs = 0
    const boom = new Error('boom')
    const d = deferred<number>(() => {
      runs++
      throw boom
    })
    expect(() => d.join()).toThrow(boom)
    expect(() => d.join()).toThrow(boom)
    await expect(d).rejects.toBe(boom)
    expect(runs).toBe(1)
  })
})

describe('threaded products started on the threads and finished by their caller', () => {
  const [m, k, n] = [128, 784, 128]

  it('come back deferred, with the synchronous kernel’s bits however the caller finishes them', async () => {
    expect(kernelThreadsAvailable()).toBe(true)
    await threaded.matmul(rnd(m * k), rnd(k * n), 1, m, k, n, false, false)
    const a = rnd(m * k)
    const b = rnd(k * n)
    const want = aloneBits(be, a, b, m, k, n, false, false)
    // joined at once
    const d1 = threaded.matmul(a, b, 1, m, k, n, false, false)
    expect(isDeferred(d1)).toBe(true)
    const early = deferredStats.joinedEarly
    if (!isDeferred(d1)) return
    expect(bits(d1.join() as Float32Array)).toEqual(want)
    expect(deferredStats.joinedEarly).toBe(early + 1)
    // other kernels run first (an eager product on this thread and synchronous elementwise work), then the join
    const d2 = threaded.matmul(a, b, 1, m, k, n, false, false)
    const busy = be.matmul(rnd(64 * 64), rnd(64 * 64), 1, 64, 64, 64, false, false)
    expect(busy.length).toBe(64 * 64)
    expect(bits((d2 as { join: () => unknown }).join() as Float32Array)).toEqual(want)
    // awaited, never joined
    expect(bits((await threaded.matmul(a, b, 1, m, k, n, false, false)) as Float32Array)).toEqual(want)
  })

  it('finish the product in flight before the next shared call starts, even of the same kernel', async () => {
    const a1 = rnd(m * k)
    const a2 = rnd(m * k)
    const b = rnd(k * n)
    const want1 = aloneBits(be, a1, b, m, k, n, false, false)
    const want2 = aloneBits(be, a2, b, m, k, n, false, false)
    const calls = kernelThreadStats.calls
    const d1 = threaded.matmul(a1, b, 1, m, k, n, false, false) as { join: () => unknown }
    // same shape, same module and memory: starting it finishes the first, whose result is then copied out
    const d2 = threaded.matmul(a2, b, 1, m, k, n, false, false) as { join: () => unknown }
    expect(kernelThreadStats.calls).toBe(calls + 1)
    expect(bits(d2.join() as Float32Array)).toEqual(want2)
    expect(bits(d1.join() as Float32Array)).toEqual(want1)
    expect(kernelThreadStats.calls).toBe(calls + 2)
  })

  it('are computed at once when switched off, with the same bits', async () => {
    const a = rnd(m * k)
    const b = rnd(k * n)
    const want = aloneBits(be, a, b, m, k, n, false, false)
    setDeferredMatmuls(false)
    const r = threaded.matmul(a, b, 1, m, k, n, false, false)
    expect(isDeferred(r)).toBe(false)
    expect(bits((await r) as Float32Array)).toEqual(want)
    setDeferredMatmuls(true)
  })
})
