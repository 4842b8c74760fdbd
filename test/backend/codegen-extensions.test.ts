import { describe, it, expect, afterAll } from 'vitest'
import { GPU, WebAssemblyFunctionNode, WebAssemblyKernel } from 'gpu.js'
import { parse } from 'acorn'
import { gpujsBackend } from '../../src/backend/gpujs/index.js'
import { createGpujsBackend, type GpuLike, type GpujsBackend } from '../../src/backend/gpujs/backend.js'
import {
  installIntegerLocals,
  integerLocalPlan,
  integerLocalStats,
  integerLocalsActive,
  setIntegerLocals,
  INTEGER_LOCALS_GPUJS_VERSION
} from '../../src/backend/gpujs/integer-locals.js'
import { installFlatOutputs, packedResult, requestFlatOutput, flatOutputsActive, FLAT_OUTPUTS_GPUJS_VERSION } from '../../src/backend/gpujs/flat-outputs.js'
import { matmulBlockedSpec, unblockRows } from '../../src/backend/gpujs/kernels/matmul.js'
import { reference } from '../../src/backend/reference.js'
import type { Backend } from '../../src/backend/Backend.js'
import { bits, cases, rnd } from './kernel-cases.js'

gpujsBackend('webasm') // installs the extensions

const fresh = (options: Parameters<typeof createGpujsBackend>[2] = {}): GpujsBackend => createGpujsBackend('webasm', new GPU({ mode: 'webasm' }) as unknown as GpuLike, options)

afterAll(() => setIntegerLocals(true))

/** The names integerLocalPlan keeps as i32 in a kernel source. */
const plan = (src: string, args: string[] = ['a', 'b'], types: string[] = ['Array', 'Array']): string[] => {
  const prog = parse(`(${src})`, { ecmaVersion: 2020 }) as unknown as { body: Array<{ expression: Record<string, unknown> }> }
  return [...integerLocalPlan(prog.body[0].expression as never, args, types)].sort()
}

describe('integer locals (gpu.js webasm code generator extension)', () => {
  it(`is installed for gpu.js ${INTEGER_LOCALS_GPUJS_VERSION}, and refuses another version or missing internals`, () => {
    expect(installIntegerLocals(WebAssemblyFunctionNode, INTEGER_LOCALS_GPUJS_VERSION)).toEqual({ ok: true })
    expect(integerLocalsActive()).toBe(true)
    const r = installIntegerLocals(class {}, '2.25.0')
    expect(!r.ok && r.reason).toMatch(/2\.25\.0.*2\.24\.1/)
    const m = installIntegerLocals(class {}, undefined)
    expect(!m.ok && m.reason).toMatch(/stmtVariableDeclaration/)
  })

  it('keeps as i32 only the locals whose every read is part of an index', () => {
    const mm = matmulBlockedSpec(2, 8, 9, 6, false, false, true).source
    expect(plan(mm)).toEqual(['ab', 'bb', 'k', 't'])
    // a counter stepped by ++ (gpu.js's own analysis types it Integer, its emission decays it to f32)
    expect(plan('function (a) { let s = 0; for (let k = 0; k < 8; k++) { s += a[k * 8]; } return s; }')).toEqual(['k'])
    // read as a value: stays f32
    expect(plan('function (a) { let s = 0; for (let k = 0; k < 8; k++) { s += a[k] * k; } return s; }')).toEqual([])
    expect(plan('function (a) { const r = this.thread.y * 4; return r + 0.5; }')).toEqual([])
    // lane-varying, assigned, or declared under a branch or in a loop that can leave early: stays f32
    expect(plan('function (a) { const c = this.thread.x * 4; return a[c]; }')).toEqual([])
    expect(plan('function (a) { let r = 4; r = 8; return a[r]; }')).toEqual([])
    expect(plan('function (a) { let s = 0; if (a[0] > 0) { const r = 4; s = a[r]; } return s; }')).toEqual([])
    expect(plan('function (a) { let s = 0; for (let k = 0; k < 8; k++) { if (a[k] > 1) break; s += a[k]; } return s; }')).toEqual([])
    // declared twice (two loops' counters of one name): stays f32
    expect(plan('function (a) { let s = 0; for (let k = 0; k < 4; k++) { s += a[k]; } for (let k = 4; k < 8; k++) { s += a[k]; } return s; }')).toEqual([])
    // an Integer argument may feed an integer local; a Float one may not
    expect(plan('function (a, o) { const r = o * 2; return a[r]; }', ['a', 'o'], ['Array', 'Integer'])).toEqual(['r'])
    expect(plan('function (a, o) { const r = o * 2; return a[r]; }', ['a', 'o'], ['Array', 'Float'])).toEqual([])
  })

  it('gives bit-identical results on every kernel kind, and declares i32 locals', () => {
    const all = cases()
    setIntegerLocals(false)
    const want = all.map(([, f]) => bits(f(fresh())))
    setIntegerLocals(true)
    const before = integerLocalStats.declared
    const on = fresh()
    all.forEach(([name, f], i) => {
      expect({ name, bits: bits(f(on)) }).toEqual({ name, bits: want[i] })
    })
    expect(integerLocalStats.declared).toBeGreaterThan(before)
  })

  it('makes a ++ loop counter an i32, bit-identically (the counter gpu.js decays to f32)', () => {
    const src = 'function (a, b) {\nlet s = 0;\nfor (let kb = 0; kb < 8; kb++) {\ns += a[this.thread.y * 64 + kb * 8] * b[this.thread.x + kb * 512];\n}\nreturn s;\n}'
    const a = rnd(64 * 64)
    const b = rnd(64 * 64)
    const run = (on: boolean): number[] => {
      setIntegerLocals(on)
      const gpu = new GPU({ mode: 'webasm' })
      const r = (gpu.createKernel(src, { output: [64, 64], precision: 'single' })(a, b) as Float32Array[]).flatMap((row) => bits(row))
      gpu.destroy()
      return r
    }
    const want = run(false)
    const before = integerLocalStats.declared
    expect(run(true)).toEqual(want)
    expect(integerLocalStats.declared).toBeGreaterThan(before)
  })
})

describe('register-blocked matmul and packed Array(4) results', () => {
  it(`flat outputs are installed for gpu.js ${FLAT_OUTPUTS_GPUJS_VERSION}, and refuse another version`, () => {
    expect(installFlatOutputs(WebAssemblyKernel, FLAT_OUTPUTS_GPUJS_VERSION)).toEqual({ ok: true })
    expect(flatOutputsActive()).toBe(true)
    const r = installFlatOutputs(class {}, '2.25.0')
    expect(!r.ok && r.reason).toMatch(/2\.25\.0.*2\.24\.1/)
    expect(installFlatOutputs(class {}, undefined).ok).toBe(false)
  })

  it('a flagged kernel returns the packed values gpu.js would erect, in the same order', () => {
    const gpu = new GPU({ mode: 'webasm' })
    const src = 'function (a) {\nconst i = (this.thread.y * 6 + this.thread.x) * 4;\nreturn [a[i], a[i + 1], a[i + 2], a[i + 3]];\n}'
    const a = rnd(5 * 6 * 4)
    const settings = { output: [6, 5], precision: 'single', returnType: 'Array(4)' } as Record<string, unknown>
    const erected = gpu.createKernel(src, settings)(a)
    const k = gpu.createKernel(src, settings)
    requestFlatOutput(k)
    const flat = k(a)
    expect(flat).toBeInstanceOf(Float32Array)
    expect(bits(flat as Float32Array)).toEqual(bits(a))
    expect(bits(packedResult(erected, a.length))).toEqual(bits(a))
    gpu.destroy()
  })

  it('a flagged plain float kernel with a 2-D output returns its rows as one flat array, in order', () => {
    const gpu = new GPU({ mode: 'webasm' })
    const src = 'function (a, r) {\nreturn a[this.thread.y * 10 + this.thread.x] - r[this.thread.y];\n}'
    const a = rnd(7 * 10)
    const r = rnd(7)
    const settings = { output: [10, 7], precision: 'single' } as Record<string, unknown>
    const erected = gpu.createKernel(src, settings)(a, r) as Float32Array[]
    const k = gpu.createKernel(src, settings)
    requestFlatOutput(k)
    const flat = k(a, r)
    expect(flat).toBeInstanceOf(Float32Array)
    expect(bits(flat as Float32Array)).toEqual(erected.flatMap((row) => bits(row)))
    gpu.destroy()
  })

  it('unblockRows puts [batch][m/4][n][4] back in row order, in place', () => {
    const batch = 2
    const m = 8
    const n = 3
    const packed = new Float32Array(batch * m * n)
    for (let z = 0; z < batch; z++)
      for (let y = 0; y < m / 4; y++) for (let x = 0; x < n; x++) for (let r = 0; r < 4; r++) packed[((z * (m / 4) + y) * n + x) * 4 + r] = z * 1000 + (y * 4 + r) * 10 + x
    const rows = unblockRows(packed, batch, m, n)
    expect(Array.from(rows)).toEqual(Array.from({ length: batch * m * n }, (_, i) => Math.floor(i / (m * n)) * 1000 + Math.floor((i % (m * n)) / n) * 10 + (i % n)))
    expect(rows).toBe(packed) // in place: no second array of C
  })

  const shapes: Array<[number, number, number, number]> = [
    [1, 36, 41, 40],
    [3, 8, 9, 6],
    [1, 128, 64, 10],
    [2, 4, 1, 5]
  ]
  it('agrees with the float64 reference (error bounded by |A||B|), with and without integer locals bit-identically, sync and threaded', async () => {
    const on = fresh()
    for (const [batch, m, k, n] of shapes)
      for (const tA of [false, true])
        for (const tB of [false, true]) {
          const a = Float32Array.from(rnd(batch * m * k), (x) => (Number.isFinite(x) ? x : 0.25))
          const b = Float32Array.from(rnd(batch * k * n), (x) => (Number.isFinite(x) ? x : -0.5))
          const got = on.matmul(a, b, batch, m, k, n, tA, tB)
          const want = reference.matmul(a, b, batch, m, k, n, tA, tB)
          const bound = reference.matmul(a.map(Math.abs), b.map(Math.abs), batch, m, k, n, tA, tB)
          for (let i = 0; i < want.length; i++) expect(Math.abs(got[i] - want[i])).toBeLessThanOrEqual(1e-6 + 1e-5 * bound[i])
          setIntegerLocals(false)
          const inline = fresh().matmul(a, b, batch, m, k, n, tA, tB)
          setIntegerLocals(true)
          expect(bits(inline)).toEqual(bits(got))
          const threaded = (on as unknown as { threaded: Backend<'async'> }).threaded
          expect(bits(await threaded.matmul(a, b, batch, m, k, n, tA, tB))).toEqual(bits(got))
        }
  })

  it('the threaded blocked kernel (2^22+ multiply-adds, on the shared pool) equals the synchronous one bit for bit', async () => {
    const on = fresh()
    const [m, k, n] = [128, 264, 132]
    const a = rnd(m * k).map((x) => (Number.isFinite(x) ? x : 1))
    const b = rnd(k * n).map((x) => (Number.isFinite(x) ? x : 1))
    const sync = on.matmul(a, b, 1, m, k, n, false, false)
    const threaded = (on as unknown as { threaded: Backend<'async'> }).threaded
    const pending = threaded.matmul(a, b, 1, m, k, n, false, false)
    expect(pending).toBeInstanceOf(Promise) // went to the pool
    expect(bits(await pending)).toEqual(bits(sync))
    const want = reference.matmul(a, b, 1, m, k, n, false, false)
    const bound = reference.matmul(a.map(Math.abs), b.map(Math.abs), 1, m, k, n, false, false)
    for (let i = 0; i < want.length; i++) expect(Math.abs(sync[i] - want[i])).toBeLessThanOrEqual(1e-6 + 1e-5 * bound[i])
  })

  it('small products stay on the main thread: the LSTM step’s [64,64]·[64,256] (16,384 cells, 1.05M multiply-adds), and blocked kernels of under 4,096 cells', () => {
    const threaded = (fresh() as unknown as { threaded: Backend<'async'> }).threaded
    const [m, k, n] = [64, 64, 256]
    const r = threaded.matmul(rnd(m * k), rnd(k * n), 1, m, k, n, false, false)
    expect(r).toBeInstanceOf(Float32Array)
    expect(threaded.matmul(rnd(m * k * 4), rnd(k * 4 * n), 1, m, k * 4, n, false, false)).toBeInstanceOf(Promise)
    // 6.4M multiply-adds but 2,048 blocked cells (a cell per 4 outputs): gpu.js would not thread the kernel
    expect(threaded.matmul(rnd(64 * 784), rnd(784 * 128), 1, 64, 784, 128, false, false)).toBeInstanceOf(Float32Array)
  })
})
