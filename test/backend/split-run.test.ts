import { describe, it, expect, afterAll, beforeAll } from 'vitest'
import fc from 'fast-check'
import { WebAssemblyKernel } from 'gpu.js'
import { gpujsBackend } from '../../src/backend/gpujs/index.js'
import type { Backend } from '../../src/backend/Backend.js'
import { SPLIT_RUN_GPUJS_VERSION, installSplitRun, setSplitRun, splitRanges, splitRun, splitRunActive, splitRunStats } from '../../src/backend/gpujs/split-run.js'
import { compileSpec, compileThreaded } from '../../src/backend/gpujs/runtime.js'
import { setKernelThreads } from '../../src/backend/gpujs/kernel-threads.js'
import { bits, rnd } from './kernel-cases.js'
import { MATMUL_FORMS, axpbSync, axpbThreaded, gpuInstances } from './threaded-kernels.js'

const be = gpujsBackend('webasm') // installs the extensions
const threaded = be.threaded as Backend<'async'>
const { gpu, destroyAll } = gpuInstances()
// these tests take the split through gpu.js's pool; tensorfold's own threads (kernel-threads.test.ts) step aside
beforeAll(() => setKernelThreads(false))
afterAll(() => {
  setKernelThreads(true)
  setSplitRun(true)
  destroyAll()
})

/** A threaded `a·s + b` kernel over `n` cells, its module active (threaded-kernels.ts). */
const built = (n: number, width = n): ReturnType<typeof axpbThreaded> => axpbThreaded(gpu(), n, width)

describe('threaded kernels shared with the main thread (gpu.js webasm pool path)', () => {
  it(`is installed for gpu.js ${SPLIT_RUN_GPUJS_VERSION}, and refuses another version or missing internals`, () => {
    expect(installSplitRun(WebAssemblyKernel, SPLIT_RUN_GPUJS_VERSION)).toEqual({ ok: true })
    expect(splitRunActive()).toBe(true)
    const r = installSplitRun(WebAssemblyKernel, '2.25.0')
    expect(!r.ok && r.reason).toMatch(/2\.25\.0.*2\.24\.1/)
    expect(installSplitRun(class {}, undefined).ok).toBe(false)
  })

  it('splits cells into contiguous quad-aligned ranges, the first for the main thread, or declines', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 200_000 }), fc.integer({ min: 1, max: 16 }), (cells, threads) => {
        const r = splitRanges(cells, threads)
        if (r === undefined) {
          // declined only for one thread, a share under one quad, or nothing left for the last thread
          const chunk = Math.ceil(cells / threads) & ~3
          expect(threads < 2 || chunk < 4 || chunk * (threads - 1) >= cells).toBe(true)
          return
        }
        expect(r).toHaveLength(threads)
        expect(r[0][0]).toBe(0)
        expect(r[threads - 1][1]).toBe(cells)
        r.forEach(([start, end], i) => {
          expect(start % 4).toBe(0)
          expect(end).toBeGreaterThan(start)
          if (i > 0) expect(start).toBe(r[i - 1][1])
        })
      })
    )
    expect(splitRanges(16384, 2)).toEqual([[0, 8192], [8192, 16384]])
    expect(splitRanges(4099, 2)).toEqual([[0, 2048], [2048, 4099]])
    expect(splitRanges(7, 2)).toEqual([[0, 4], [4, 7]])
    expect(splitRanges(6, 2)).toBeUndefined()
    expect(splitRanges(100, 1)).toBeUndefined()
  })

  it('gives threaded matmuls bit-identical to the synchronous kernel, with the main thread computing a share', async () => {
    const shapes = MATMUL_FORMS
    for (const [m, k, n, ta, tb] of shapes) {
      const a = rnd(m * k)
      const b = rnd(k * n)
      const want = bits(be.matmul(a, b, 1, m, k, n, ta, tb) as Float32Array)
      // compiles and activates the module through gpu.js, on other operands: nothing the split leaves unwritten can pass
      await threaded.matmul(rnd(m * k), rnd(k * n), 1, m, k, n, ta, tb)
      const before = { ...splitRunStats }
      const got = await threaded.matmul(a, b, 1, m, k, n, ta, tb)
      expect(splitRunStats.calls).toBe(before.calls + 1)
      const main = splitRunStats.mainCells - before.mainCells
      const cells = splitRunStats.cells - before.cells
      expect(main).toBeGreaterThan(0)
      expect(main).toBeLessThan(cells)
      expect({ shape: [m, k, n, ta, tb], bits: bits(got as Float32Array) }).toEqual({ shape: [m, k, n, ta, tb], bits: want })
    }
  })

  it('runs a kernel whose row width is not a multiple of 4 (scalar spans) as gpu.js does', async () => {
    for (const [n, width] of [[8195, 8195], [130 * 70, 130]]) {
      const { k, run } = await built(n, width)
      const a = rnd(n)
      const b = rnd(n)
      const sync = axpbSync(gpu(), n)
      const want = bits(sync(a, b, 0.75) as Float32Array)
      const split = splitRun(k, [a, b, 0.75])
      expect(split).toBeInstanceOf(Promise)
      expect(bits((await split) as Float32Array)).toEqual(want)
      setSplitRun(false)
      const viaGpujs = (await run(a, b, 0.75)) as Float32Array | Float32Array[]
      setSplitRun(true)
      const flat = viaGpujs instanceof Float32Array ? viaGpujs : Float32Array.from(viaGpujs.flatMap((r) => Array.from(r)))
      expect(bits(flat)).toEqual(want)
    }
  })

  it('keeps gpu.js bookkeeping: calls issued while one is in flight go through gpu.js, wait their turn, and read their own arguments', async () => {
    const n = 16384
    const { k, run } = await built(n)
    const inputs = Array.from({ length: 6 }, () => [rnd(n), rnd(n)] as const)
    const sync = axpbSync(gpu(), n)
    const want = inputs.map(([a, b], i) => bits(sync(a, b, i) as Float32Array))
    const before = splitRunStats.calls
    // the first call takes the split path; the others find it in flight and stage through gpu.js, then
    // the last one, issued after they settle, splits again
    const first = splitRun(k, [inputs[0][0], inputs[0][1], 0])
    expect(first).toBeInstanceOf(Promise)
    expect(splitRun(k, [inputs[1][0], inputs[1][1], 1])).toBeUndefined()
    const rest = inputs.slice(1, 5).map(([a, b], i) => run(a, b, i + 1) as Promise<Float32Array>)
    const got = await Promise.all([first as Promise<Float32Array>, ...rest])
    got.forEach((g, i) => expect({ i, bits: bits(g) }).toEqual({ i, bits: want[i] }))
    const last = await (splitRun(k, [inputs[5][0], inputs[5][1], 5]) as Promise<Float32Array>)
    expect(bits(last)).toEqual(want[5])
    expect(splitRunStats.calls).toBe(before + 2)
  })

  it('answers undefined whenever gpu.js must take the call', async () => {
    const n = 8192
    const g = gpu()
    const src = 'function (a, b, s) {\nreturn a[this.thread.x] * s + b[this.thread.x];\n}'
    const k = compileThreaded(g, { source: src, output: [n] })
    const a = rnd(n)
    const b = rnd(n)
    expect(splitRun(k, [a, b, 1])).toBeUndefined() // not built yet
    await k(a, b, 1)
    expect(splitRun(k, [rnd(n + 4), b, 1])).toBeUndefined() // another length
    expect(splitRun(k, [Array.from(a), b, 1])).toBeUndefined() // a plain array: gpu.js flattens it
    expect(splitRun(k, [a, b, true])).toBeUndefined() // a scalar of another type
    expect(splitRun(k, [a, b])).toBeUndefined() // a missing argument
    setSplitRun(false)
    expect(splitRun(k, [a, b, 1])).toBeUndefined()
    setSplitRun(true)
    expect(await splitRun(k, [a, b, 1])).toBeInstanceOf(Float32Array)
    // a synchronous kernel (direct-run.ts covers those)
    const s = compileSpec(g, { source: src, output: [n] })
    s(a, b, 1)
    expect(splitRun(s, [a, b, 1])).toBeUndefined()
    // a kernel drawing random numbers: gpu.js draws its seed per call
    const r = compileThreaded(g, { source: 'function (a) {\nreturn a[this.thread.x] + Math.random();\n}', output: [n] })
    await r(a)
    expect(splitRun(r, [a])).toBeUndefined()
    // too few cells to give both threads a quad
    const tiny = compileThreaded(g, { source: 'function (a) {\nreturn a[this.thread.x] * 2;\n}', output: [6] })
    await tiny(rnd(6))
    expect(splitRun(tiny, [rnd(6)])).toBeUndefined()
    k.destroy()
    expect(splitRun(k, [a, b, 1])).toBeUndefined()
  })
})
