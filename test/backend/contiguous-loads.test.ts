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
import type { Backend, View } from '../../src/backend/Backend.js'
import { convOutShape, poolOutShape, type ConvGeometry, type PoolGeometry } from '../../src/backend/window.js'

gpujsBackend('webasm') // installs the extension

/** A fresh webasm backend whose kernels compile with the extension on or off. */
const fresh = (options: Parameters<typeof createGpujsBackend>[2] = {}): GpujsBackend => createGpujsBackend('webasm', new GPU({ mode: 'webasm' }) as unknown as GpuLike, options)

let seed = 12345
const rnd = (n: number): Float32Array => {
  const out = new Float32Array(n)
  for (let i = 0; i < n; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0
    out[i] = (seed / 2 ** 32) * 4 - 2
  }
  // some exact ties, zeros, infinities and NaNs: the bit patterns must travel unchanged
  if (n > 8) {
    out[1] = out[0]
    out[3] = 0
    out[5] = Number.NaN
    out[7] = -Infinity
  }
  return out
}
const v = (shape: ReadonlyArray<number>): View => ({ data: rnd(shape.reduce((a, b) => a * b, 1)), shape })

/** Every kernel kind the backend makes, on shapes that hit both SIMD quads and scalar tails. */
const cases = (): Array<[string, (be: Backend) => ArrayLike<number>]> => {
  const a = v([6, 37])
  const b = v([6, 37])
  const row = v([37])
  const s = v([1])
  const big = v([3, 41, 64])
  const cg: ConvGeometry = { strides: [1, 2], padding: [[1, 1], [0, 1]], lhsDilation: [1, 1], rhsDilation: [1, 1], groups: 1 }
  const cx = v([2, 9, 10, 3])
  const cw = v([3, 3, 3, 8])
  const cout = convOutShape(cx.shape, cw.shape, cg)
  const pg: PoolGeometry = { window: [2, 3], strides: [2, 2], padding: [[0, 1], [1, 1]] }
  const pout = poolOutShape(cx.shape, pg)
  const pct = v(pout)
  const upd = v([3, 4, 64])
  const c5 = v([6, 5])
  const cct = v(cout)
  const xct = v(cx.shape)
  const mm = (m: number, k: number, n: number, ta: boolean, tb: boolean, batch = 1): [string, (be: Backend) => ArrayLike<number>] => {
    const A = rnd(batch * m * k)
    const B = rnd(batch * k * n)
    return [`matmul ${batch}x${m}x${k}x${n} ${ta ? 't' : 'n'}${tb ? 't' : 'n'}`, (be) => be.matmul(A, B, batch, m, k, n, ta, tb)]
  }
  return [
    ['unary exp', (be) => be.unary('exp', a)],
    ['binary vv', (be) => be.binary('sub', a, b, [6, 37])],
    ['binary vs', (be) => be.binary('mul', a, s, [6, 37])],
    ['binary broadcast row', (be) => be.binary('add', a, row, [6, 37])],
    ['where', (be) => be.where(a, b, s, [6, 37])],
    ['fused suffix', (be) => be.fused({ k: 'bin', op: 'add', a: { k: 'un', op: 'tanh', x: { k: 'in', i: 0 } }, b: { k: 'in', i: 1 } }, [a, row], [6, 37])],
    mm(33, 40, 36, false, false),
    mm(33, 40, 36, true, false),
    mm(33, 40, 36, false, true),
    mm(33, 40, 36, true, true),
    mm(7, 13, 64, false, false, 3),
    mm(64, 64, 64, false, false),
    ['reduce sum middle', (be) => be.reduce('sum', big, [1])],
    ['reduce max last', (be) => be.reduce('max', big, [2])],
    ['reduce sum long', (be) => be.reduce('sum', { data: rnd(3000), shape: [3000] }, [0])],
    ['argmax', (be) => be.argmax(big, 1)],
    ['transpose', (be) => be.transpose(big, [2, 0, 1])],
    ['broadcastTo', (be) => be.broadcastTo(row, [5, 37])],
    ['slice', (be) => be.slice(big, [1, 3, 4], [2, 30, 53])],
    ['gather', (be) => be.gather(big, Int32Array.from([2, 0, 40, 7]), 1)],
    ['scatterAdd', (be) => be.scatterAdd(upd, Int32Array.from([2, 0, 2, 7]), 1, [3, 41, 64])],
    ['concat', (be) => be.concat([a, b, c5], 1)],
    ['pad', (be) => be.pad(big, [[0, 1], [2, 0], [3, 5]], 0.5)],
    ['toFloat', (be) => be.toFloat(Int32Array.from({ length: 77 }, (_, i) => i * 3 - 50))],
    ['conv', (be) => be.conv(cx, cw, cg, cout)],
    ['convKernelGrad', (be) => be.convKernelGrad(cx, cct, cg, cw.shape)],
    ['pool max', (be) => be.pool('max', cx, pg, pout)],
    ['pool avg', (be) => be.pool('avg', cx, pg, pout)],
    ['poolRoute scatter', (be) => be.poolRoute('max', 'scatter', cx, { data: be.pool('max', cx, pg, pout) as Float32Array, shape: pout }, pct, pg)],
    ['poolRoute gather', (be) => be.poolRoute('avg', 'gather', cx, { data: be.pool('avg', cx, pg, pout) as Float32Array, shape: pout }, xct, pg)]
  ]
}

const bits = (x: ArrayLike<number>): number[] => Array.from(new Uint32Array(Float32Array.from(x).buffer))

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
