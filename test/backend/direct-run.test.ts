import { describe, it, expect, afterAll } from 'vitest'
import { GPU, WebAssemblyKernel } from 'gpu.js'
import { gpujsBackend } from '../../src/backend/gpujs/index.js'
import { createGpujsBackend, type GpuLike, type GpujsBackend } from '../../src/backend/gpujs/backend.js'
import { DIRECT_RUN_GPUJS_VERSION, directRun, directRunActive, directRunStats, installDirectRun, setDirectRun } from '../../src/backend/gpujs/direct-run.js'
import { requestFlatOutput } from '../../src/backend/gpujs/flat-outputs.js'
import { compileThreaded, type KernelFn } from '../../src/backend/gpujs/runtime.js'
import { bits, cases, rnd } from './kernel-cases.js'

gpujsBackend('webasm') // installs the extensions

const fresh = (): GpujsBackend => createGpujsBackend('webasm', new GPU({ mode: 'webasm' }) as unknown as GpuLike)
const kernel = (gpu: GPU, src: string, settings: Record<string, unknown>): KernelFn => gpu.createKernel(src, { precision: 'single', ...settings }) as unknown as KernelFn

afterAll(() => setDirectRun(true))

describe('direct kernel calls (gpu.js webasm run path)', () => {
  it(`is installed for gpu.js ${DIRECT_RUN_GPUJS_VERSION}, and refuses another version or missing internals`, () => {
    expect(installDirectRun(WebAssemblyKernel, DIRECT_RUN_GPUJS_VERSION)).toEqual({ ok: true })
    expect(directRunActive()).toBe(true)
    const r = installDirectRun(WebAssemblyKernel, '2.25.0')
    expect(!r.ok && r.reason).toMatch(/2\.25\.0.*2\.24\.1/)
    expect(installDirectRun(class {}, undefined).ok).toBe(false)
  })

  it('gives bit-identical results on every kernel kind, and takes the direct path on repeated calls', () => {
    const all = cases()
    setDirectRun(false)
    const want = all.map(([, f]) => bits(f(fresh())))
    setDirectRun(true)
    const on = fresh()
    const before = directRunStats.calls
    all.forEach(([name, f], i) => {
      // the first call compiles through gpu.js; the second may go straight into the module
      expect({ name, bits: bits(f(on)) }).toEqual({ name, bits: want[i] })
      expect({ name, bits: bits(f(on)) }).toEqual({ name, bits: want[i] })
    })
    expect(directRunStats.calls - before).toBeGreaterThanOrEqual(all.length)
  })

  it('runs a built kernel with array and scalar arguments as gpu.js does', () => {
    const gpu = new GPU({ mode: 'webasm' })
    const k = kernel(gpu, 'function (a, b, s, t) {\nreturn a[this.thread.x] * s + b[this.thread.x] + t;\n}', { output: [13] })
    const a = rnd(13)
    const b = Int32Array.from({ length: 13 }, (_, i) => i * 7 - 40)
    expect(directRun(k, [a, b, 1.5, -2])).toBeUndefined() // not built yet
    const first = k(a, b, 1.5, -2) as Float32Array
    const direct = directRun(k, [a, b, 0.25, 3])
    expect(direct).toBeInstanceOf(Float32Array)
    expect(bits(direct as Float32Array)).toEqual(bits(k(a, b, 0.25, 3) as Float32Array))
    expect(bits(directRun(k, [a, b, 1.5, -2]) as Float32Array)).toEqual(bits(first))
    gpu.destroy()
  })

  it('answers undefined whenever gpu.js would do more than its plain path', () => {
    const gpu = new GPU({ mode: 'webasm' })
    const k = kernel(gpu, 'function (a, s) {\nreturn a[this.thread.x] + s;\n}', { output: [8] })
    const a = rnd(8)
    k(a, 1)
    expect(directRun(k, [a, 1])).toBeInstanceOf(Float32Array)
    expect(directRun(k, [rnd(9), 1])).toBeUndefined() // another length: gpu.js throws or re-lays out
    expect(directRun(k, [Array.from(a), 1])).toBeUndefined() // a plain array: gpu.js flattens it
    expect(directRun(k, [a, true])).toBeUndefined() // a scalar of another type: gpu.js switches kernels
    expect(directRun(k, [a])).toBeUndefined() // a missing argument
    expect(directRun(k, [a, 1, 2])).toBeUndefined() // an extra one
    setDirectRun(false)
    expect(directRun(k, [a, 1])).toBeUndefined()
    setDirectRun(true)
    // a 2-D output gpu.js erects into rows: only once flagged for packed results
    const k2 = kernel(gpu, 'function (a) {\nreturn a[this.thread.y * 4 + this.thread.x];\n}', { output: [4, 2] })
    k2(a)
    expect(directRun(k2, [a])).toBeUndefined()
    requestFlatOutput(k2)
    expect(bits(directRun(k2, [a]) as Float32Array)).toEqual(bits(a))
    k.destroy()
    expect(directRun(k, [a, 1])).toBeUndefined()
    gpu.destroy()
  })

  it('leaves threaded kernels to gpu.js (they answer promises)', async () => {
    const gpu = new GPU({ mode: 'webasm' })
    const n = 8192
    const k = compileThreaded(gpu as unknown as GpuLike, { source: 'function (a) {\nreturn a[this.thread.x] * 2;\n}', output: [n] })
    const a = rnd(n)
    await k(a)
    expect(directRun(k, [a])).toBeUndefined()
    gpu.destroy()
  })
})
