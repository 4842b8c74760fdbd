import { describe, it, expect, afterEach } from 'vitest'
import { GPU, WebAssemblyFunctionNode, WebAssemblyKernel } from 'gpu.js'
import { gpujsBackend } from '../../src/backend/gpujs/index.js'
import { createGpujsBackend, type GpuLike, type GpujsBackend } from '../../src/backend/gpujs/backend.js'
import { installRowPlanes, requestRowPlanes, hasRowPlanes, rowPlanesActive, setRowPlanes, ROW_PLANES_GPUJS_VERSION } from '../../src/backend/gpujs/row-planes.js'
import { requestFlatOutput } from '../../src/backend/gpujs/flat-outputs.js'
import { reference } from '../../src/backend/reference.js'
import type { Backend } from '../../src/backend/Backend.js'
import { bits, rnd } from './kernel-cases.js'

gpujsBackend('webasm') // installs the extensions

afterEach(() => setRowPlanes(true))

type Kernel = ((...args: unknown[]) => unknown) & { kernel?: unknown }

/** `[cell][component]` → per row of cells (y and z together), one plane of `width` per component. */
const toPlanes = (packed: Float32Array, n: number, width: number): Float32Array => {
  const out = new Float32Array(packed.length)
  const cells = packed.length / n
  for (let cell = 0; cell < cells; cell++) {
    const x = cell % width
    const row = (cell - x) / width
    for (let c = 0; c < n; c++) out[(row * n + c) * width + x] = packed[cell * n + c]
  }
  return out
}

/** A flat result of `src` on `args`, with row planes or without. */
const runKernel = (src: string, settings: Record<string, unknown>, args: unknown[], planes: boolean): Float32Array => {
  const gpu = new GPU({ mode: 'webasm' })
  const k = gpu.createKernel(src, { precision: 'single', ...settings }) as unknown as Kernel
  requestFlatOutput(k)
  if (planes) expect(requestRowPlanes(k, (settings.output as number[])[0])).toBe(true)
  const r = k(...args) as Float32Array
  const copy = Float32Array.from(r)
  gpu.destroy()
  return copy
}

/** The same with gpu.js's SIMD path off, so every cell goes through the scalar `run` loop. */
const scalarOnly = <T>(f: () => T): T => {
  const own = Object.getOwnPropertyDescriptor(WebAssemblyKernel, 'isSIMDSupported')
  Object.defineProperty(WebAssemblyKernel, 'isSIMDSupported', { configurable: true, get: () => false })
  try {
    return f()
  } finally {
    if (own === undefined) delete (WebAssemblyKernel as unknown as Record<string, unknown>).isSIMDSupported
    else Object.defineProperty(WebAssemblyKernel, 'isSIMDSupported', own)
  }
}

const fresh = (): GpujsBackend => createGpujsBackend('webasm', new GPU({ mode: 'webasm' }) as unknown as GpuLike, {})

describe('row-plane outputs (gpu.js webasm code generator extension)', () => {
  it(`is installed for gpu.js ${ROW_PLANES_GPUJS_VERSION}, and refuses another version or missing internals`, () => {
    expect(installRowPlanes(WebAssemblyFunctionNode, WebAssemblyKernel, ROW_PLANES_GPUJS_VERSION)).toEqual({ ok: true })
    expect(rowPlanesActive()).toBe(true)
    const r = installRowPlanes(class {}, class {}, '2.25.0')
    expect(!r.ok && r.reason).toMatch(/2\.25\.0.*2\.24\.1/)
    const m = installRowPlanes(class {}, class {}, undefined)
    expect(!m.ok && m.reason).toMatch(/emitComponentAddress, vStoreOutput, _assembleModule/)
  })

  it('flags only unbuilt kernels whose width is a multiple of 4, and only while on', () => {
    const gpu = new GPU({ mode: 'webasm' })
    const src = 'function (a) {\nreturn [a[this.thread.x], a[this.thread.x] * 2];\n}'
    const make = (w: number): Kernel => gpu.createKernel(src, { output: [w], precision: 'single', returnType: 'Array(2)' } as Record<string, unknown>) as unknown as Kernel
    expect(requestRowPlanes(make(6), 6)).toBe(false)
    setRowPlanes(false)
    const off = make(8)
    expect(requestRowPlanes(off, 8)).toBe(false)
    expect(hasRowPlanes(off)).toBe(false)
    setRowPlanes(true)
    const built = make(8)
    requestFlatOutput(built)
    built(rnd(8))
    expect(requestRowPlanes(built, 8)).toBe(false)
    const k = make(8)
    expect(requestRowPlanes(k, 8)).toBe(true)
    expect(hasRowPlanes(k)).toBe(true)
    gpu.destroy()
  })

  // each component differs, and depends on the cell's x, y and z
  const body = (n: number): string => {
    const comps = ['a[i] + this.thread.x', 'a[i] * 2 - this.thread.y', 'a[i] * this.thread.z + 0.5', '0 - a[i]'].slice(0, n)
    return `function (a) {\nconst i = (this.thread.z * ${3 * 12} + this.thread.y * 12 + this.thread.x);\nreturn [${comps.join(', ')}];\n}`
  }
  const outputs: number[][] = [[16], [12, 3], [8, 3, 2]]
  for (const n of [2, 3, 4])
    it(`stores Array(${n}) results as row planes on the SIMD and the scalar paths: the same floats, in plane order`, () => {
      const a = rnd(2 * 3 * 16)
      for (const output of outputs) {
        const settings = { output, returnType: `Array(${n})` }
        const packed = runKernel(body(n), settings, [a], false)
        const want = bits(toPlanes(packed, n, output[0]))
        expect({ output, bits: bits(runKernel(body(n), settings, [a], true)) }).toEqual({ output, bits: want })
        expect({ output, scalar: bits(scalarOnly(() => runKernel(body(n), settings, [a], true))) }).toEqual({ output, scalar: want })
      }
    })

  it('stores only the live lanes where a lane-varying branch returns early', () => {
    // lanes take the early return or not by their data: the first store runs under a mask, the second after
    // lanes have retired; a lane's result must be the one its own return gave
    const src =
      'function (a) {\nconst i = this.thread.y * 8 + this.thread.x;\nif (a[i] > 0) {\nreturn [a[i], 1, this.thread.x, 2];\n}\nreturn [0 - a[i], 3, this.thread.y, 4];\n}'
    const a = rnd(8 * 4).map((v, i) => (i % 3 === 0 ? -Math.abs(v) - 0.5 : Math.abs(v) + 0.5))
    const settings = { output: [8, 4], returnType: 'Array(4)' }
    const packed = runKernel(src, settings, [a], false)
    const want = toPlanes(packed, 4, 8)
    expect(bits(runKernel(src, settings, [a], true))).toEqual(bits(want))
    // the values themselves: plane 1 is 1 where the lane returned early, 3 where it did not
    for (let y = 0; y < 4; y++) for (let x = 0; x < 8; x++) expect(want[(y * 4 + 1) * 8 + x]).toBe(a[y * 8 + x] > 0 ? 1 : 3)
  })

  it('gives the blocked matmul C in row order: bit-identical to the reordered results, sync, threaded and shared with the threads', async () => {
    const shapes: Array<[number, number, number, number]> = [
      [1, 36, 41, 40],
      [3, 8, 9, 12],
      [1, 128, 64, 10],
      [1, 128, 264, 132]
    ]
    for (const [batch, m, k, n] of shapes)
      for (const tA of [false, true])
        for (const tB of [false, true]) {
          const a = rnd(batch * m * k).map((x) => (Number.isFinite(x) ? x : 0.25))
          const b = rnd(batch * k * n).map((x) => (Number.isFinite(x) ? x : -0.5))
          setRowPlanes(false)
          const off = fresh()
          const want = bits(off.matmul(a, b, batch, m, k, n, tA, tB))
          setRowPlanes(true)
          const on = fresh()
          const got = on.matmul(a, b, batch, m, k, n, tA, tB)
          expect({ shape: [batch, m, k, n, tA, tB], bits: bits(got) }).toEqual({ shape: [batch, m, k, n, tA, tB], bits: want })
          const threaded = (on as unknown as { threaded: Backend<'async'> }).threaded
          expect(bits(await threaded.matmul(a, b, batch, m, k, n, tA, tB))).toEqual(want)
          // once the threaded module is active, synchronous calls share it with tensorfold's threads
          expect(bits(on.matmul(a, b, batch, m, k, n, tA, tB))).toEqual(want)
          const ref = reference.matmul(a, b, batch, m, k, n, tA, tB)
          const bound = reference.matmul(a.map(Math.abs), b.map(Math.abs), batch, m, k, n, tA, tB)
          for (let i = 0; i < ref.length; i++) expect(Math.abs(got[i] - ref[i])).toBeLessThanOrEqual(1e-6 + 1e-5 * bound[i])
        }
  })
})
