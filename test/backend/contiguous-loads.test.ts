import { describe, it, expect, afterAll } from 'vitest'
import { GPU, WebAssemblyFunctionNode } from 'gpu.js'
import { gpujsBackend } from '../../src/backend/gpujs/index.js'
import { createGpujsBackend, type GpuLike, type GpujsBackend } from '../../src/backend/gpujs/backend.js'
import {
  installContiguousLoads,
  setContiguousLoads,
  contiguousLoadsEnabled,
  contiguousLoadStats,
  CONTIGUOUS_LOADS_GPUJS_VERSION
} from '../../src/backend/gpujs/contiguous-loads.js'
import { bits, cases, rnd } from './kernel-cases.js'

gpujsBackend('webasm') // installs the extension

/** A fresh webasm backend whose kernels compile with the extension on or off. */
const fresh = (options: Parameters<typeof createGpujsBackend>[2] = {}): GpujsBackend => createGpujsBackend('webasm', new GPU({ mode: 'webasm' }) as unknown as GpuLike, options)


afterAll(() => setContiguousLoads(true))

describe('contiguous lane loads (gpu.js webasm code generator extension)', () => {
  it(`is installed for gpu.js ${CONTIGUOUS_LOADS_GPUJS_VERSION}`, () => {
    expect(installContiguousLoads(WebAssemblyFunctionNode, CONTIGUOUS_LOADS_GPUJS_VERSION)).toEqual({ ok: true })
    expect(contiguousLoadsEnabled()).toBe(true)
  })

  it('refuses another gpu.js version, or a function node without the internals it extends', () => {
    const r = installContiguousLoads(class {}, '2.25.0')
    expect(r.ok).toBe(false)
    expect(!r.ok && r.reason).toMatch(/2\.25\.0.*2\.24\.1/)
    const m = installContiguousLoads(class {}, undefined)
    expect(!m.ok && m.reason).toMatch(/vGather/)
  })

  for (const options of [{}, { flatLimit: 64, ndMinInner: 4 }]) {
    it(`gives bit-identical results on every kernel kind (${options === undefined || Object.keys(options).length === 0 ? 'flat' : 'nd'} addressing)`, () => {
      const all = cases()
      setContiguousLoads(false)
      const off = fresh(options)
      const want = all.map(([, f]) => bits(f(off)))
      setContiguousLoads(true)
      const before = contiguousLoadStats.proven + contiguousLoadStats.checked
      const on = fresh(options)
      all.forEach(([name, f], i) => {
        expect({ name, bits: bits(f(on)) }).toEqual({ name, bits: want[i] })
      })
      // the extension did replace gathers by vector loads
      expect(contiguousLoadStats.proven + contiguousLoadStats.checked).toBeGreaterThan(before)
    })
  }

  it('takes the checked path (vector load or clamped gather per quad) where bounds are not provable, bit-identically', () => {
    // the index reads past the array for the last quads (gpu.js clamps): only a run-time check is sound
    const src = 'function (a, off) {\nreturn a[(off|0) + this.thread.x];\n}'
    const a = rnd(64)
    const run = (on: boolean): number[] => {
      setContiguousLoads(on)
      const gpu = new GPU({ mode: 'webasm' })
      const k = gpu.createKernel(src, { output: [64], precision: 'single', argumentTypes: { a: 'Array', off: 'Integer' } })
      const r = [bits(k(a, 0) as Float32Array), bits(k(a, 3) as Float32Array), bits(k(a, 62) as Float32Array)].flat()
      gpu.destroy()
      return r
    }
    const want = run(false)
    const checked = contiguousLoadStats.checked
    expect(run(true)).toEqual(want)
    expect(contiguousLoadStats.checked).toBeGreaterThan(checked)
  })
})
