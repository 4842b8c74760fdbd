import { describe, it, expect, afterAll } from 'vitest'
import fc from 'fast-check'
import { gpujsBackend } from '../../src/backend/gpujs/index.js'
import type { Backend } from '../../src/backend/Backend.js'
import { MAX_CHUNKS, SPIN_US, STALL_MS, chunking, kernelThreadStats, kernelThreadsAvailable, setKernelThreadSpin, setKernelThreads, stallForTest } from '../../src/backend/gpujs/kernel-threads.js'
import { buildThreaded, sharedRun, splitRun, splitRunStats } from '../../src/backend/gpujs/split-run.js'
import { compileThreaded } from '../../src/backend/gpujs/runtime.js'
import { bits, rnd } from './kernel-cases.js'
import { MATMUL_FORMS, aloneBits, axpbSync, axpbThreaded, gpuInstances } from './threaded-kernels.js'

const be = gpujsBackend('webasm') // installs the extensions
const threaded = be.threaded as Backend<'async'>
const { gpu, destroyAll } = gpuInstances()
afterAll(() => {
  setKernelThreads(true)
  setKernelThreadSpin(SPIN_US)
  destroyAll()
})

describe("tensorfold's kernel threads (Atomics, shared chunks)", () => {
  it('are there in Node', () => {
    expect(kernelThreadsAvailable()).toBe(true)
  })

  it('cut a call into quad-aligned chunks that cover it, at most MAX_CHUNKS, at least two per thread and the caller', () => {
    fc.assert(
      fc.property(fc.integer({ min: 8, max: 1_000_000 }), fc.integer({ min: 1, max: 7 }), (cells, threads) => {
        const [count, size] = chunking(cells, threads)
        expect(size % 4).toBe(0)
        expect(count * size).toBeGreaterThanOrEqual(cells)
        expect((count - 1) * size).toBeLessThan(cells)
        expect(count).toBeLessThanOrEqual(MAX_CHUNKS)
        if (cells >= 8 * 2 * threads) expect(count).toBeGreaterThanOrEqual(2)
      })
    )
    expect(chunking(4096, 1)).toEqual([16, 256])
    expect(chunking(25088, 1)).toEqual([64, 392])
  })

  it('compute threaded matmuls bit-identically to the synchronous kernel, the threads taking chunks', async () => {
    const shapes = MATMUL_FORMS
    const before = { ...kernelThreadStats }
    const shared = splitRunStats.shared
    for (const [m, k, n, ta, tb] of shapes) {
      // first called on other operands, so nothing a call leaves unwritten can pass
      await threaded.matmul(rnd(m * k), rnd(k * n), 1, m, k, n, ta, tb)
      for (let r = 0; r < 10; r++) {
        const a = rnd(m * k)
        const b = rnd(k * n)
        const want = aloneBits(be, a, b, m, k, n, ta, tb) // eager products share the threads too
        const got = await threaded.matmul(a, b, 1, m, k, n, ta, tb)
        expect({ shape: [m, k, n, ta, tb], r, bits: bits(got as Float32Array) }).toEqual({ shape: [m, k, n, ta, tb], r, bits: want })
      }
    }
    // every call shared, the first of each shape too (its kernel built on this thread: buildThreaded)
    expect(splitRunStats.shared - shared).toBe(shapes.length * 11)
    const calls = kernelThreadStats.calls - before.calls
    const chunks = kernelThreadStats.chunks - before.chunks
    const caller = kernelThreadStats.callerChunks - before.callerChunks
    expect(calls).toBe(shapes.length * 11)
    // the caller ran some chunks and the threads the rest of at least some calls
    expect(caller).toBeGreaterThan(0)
    expect(caller).toBeLessThan(chunks)
  })

  it('take synchronous (eager) products too, from the first call, with the same bits', () => {
    const [m, k, n] = [256, 200, 132]
    const a = rnd(m * k)
    const b = rnd(k * n)
    const want = aloneBits(be, a, b, m, k, n, true, true)
    const shared = splitRunStats.shared
    // the first call builds the threaded kernel here (buildThreaded), without gpu.js's pool, and shares it
    expect(bits(be.matmul(a, b, 1, m, k, n, true, true) as Float32Array)).toEqual(want)
    expect(splitRunStats.shared).toBe(shared + 1)
    expect(bits(be.matmul(a, b, 1, m, k, n, true, true) as Float32Array)).toEqual(want)
    expect(splitRunStats.shared).toBe(shared + 2)
    const c = rnd(m * k)
    const wantC = aloneBits(be, c, b, m, k, n, true, true)
    expect(bits(be.matmul(c, b, 1, m, k, n, true, true) as Float32Array)).toEqual(wantC)
  })

  it('build a threaded kernel on the calling thread (buildThreaded): shared from its first call, gpu.js\'s pool untouched', () => {
    const n = 8192
    const k = compileThreaded(gpu(), { source: 'function (a, b, s) {\nreturn a[this.thread.x] * s + b[this.thread.x];\n}', output: [n] })
    const inner = k.kernel as { built?: boolean; _active?: { shared?: boolean }; _pool?: { dispatch: (...x: unknown[]) => unknown } }
    const dispatch = inner._pool?.dispatch
    let dispatched = 0
    if (inner._pool !== undefined) inner._pool.dispatch = (...x: unknown[]) => (dispatched++, dispatch?.apply(inner._pool, x))
    const a = rnd(n)
    const b = rnd(n)
    expect(sharedRun(k, [a, b, 0.5])).toBeUndefined() // not built: gpu.js would take the call
    expect(buildThreaded(k, [a, b, 0.5])).toBe(true)
    expect(inner.built).toBe(true)
    expect(inner._active?.shared).toBe(true)
    const got = sharedRun(k, [a, b, 0.5])
    expect(got).toBeInstanceOf(Float32Array)
    expect(bits(got as Float32Array)).toEqual(bits(axpbSync(gpu(), n)(a, b, 0.5) as Float32Array))
    expect(dispatched).toBe(0)
    if (inner._pool !== undefined && dispatch !== undefined) inner._pool.dispatch = dispatch
    // a synchronous kernel is not built by it
    const sync = axpbSync(gpu(), n)
    expect(buildThreaded(sync, [a, b, 0.5])).toBe(false)
    expect((sync.kernel as { built?: boolean }).built).not.toBe(true)
  })

  it('run rows not a multiple of 4 wide (scalar spans) as gpu.js does', async () => {
    for (const [n, width] of [[8195, 8195], [130 * 70, 130]]) {
      const { k } = await axpbThreaded(gpu(), n, width)
      const sync = axpbSync(gpu(), n)
      const a = rnd(n)
      const b = rnd(n)
      const shared = splitRunStats.shared
      const got = await (splitRun(k, [a, b, 0.75]) as Promise<Float32Array>)
      expect(splitRunStats.shared).toBe(shared + 1)
      expect(bits(got)).toEqual(bits(sync(a, b, 0.75) as Float32Array))
    }
  })

  it("spin for the threads' last chunks before sleeping, and sleep when they take longer, with the same bits", async () => {
    const [m, k, n] = [256, 512, 256]
    const a = rnd(m * k)
    const b = rnd(k * n)
    const want = aloneBits(be, a, b, m, k, n, false, false)
    await threaded.matmul(a, b, 1, m, k, n, false, false)
    await threaded.matmul(a, b, 1, m, k, n, false, false)
    const call = async (): Promise<number> => {
      const before = kernelThreadStats.sleeps
      expect(bits((await threaded.matmul(a, b, 1, m, k, n, false, false)) as Float32Array)).toEqual(want)
      return kernelThreadStats.sleeps - before
    }
    try {
      // a thread sleeps 300 ms after a claim once it reads the message (at its next call, or one after),
      // longer than the caller's share of the call: a 5 ms spin runs out and the caller sleeps
      setKernelThreadSpin(5_000)
      stallForTest(300, STALL_MS)
      let slept = 0
      for (let i = 0; i < 6 && slept === 0; i++) slept = await call()
      expect(slept).toBeGreaterThan(0)
      // a 2 s spin outlasts it: the caller never sleeps, in the calls the hang falls in or the others
      setKernelThreadSpin(2_000_000)
      stallForTest(300, STALL_MS)
      for (let i = 0; i < 4; i++) expect(await call()).toBe(0)
    } finally {
      setKernelThreadSpin(SPIN_US)
    }
    expect(kernelThreadStats.stalls).toBe(0)
  })

  it('step aside when turned off: the split then goes through gpu.js’s pool, with the same bits', async () => {
    const [m, k, n] = [128, 784, 128]
    const a = rnd(m * k)
    const b = rnd(k * n)
    const on = bits((await threaded.matmul(a, b, 1, m, k, n, false, false)) as Float32Array)
    setKernelThreads(false)
    const pooled = splitRunStats.calls
    const off = bits((await threaded.matmul(a, b, 1, m, k, n, false, false)) as Float32Array)
    expect(splitRunStats.calls).toBe(pooled + 1)
    setKernelThreads(true)
    expect(off).toEqual(on)
  })
})
