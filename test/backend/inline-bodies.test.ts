import { describe, it, expect, afterEach } from 'vitest'
import { createRequire } from 'node:module'
import { GPU, WebAssemblyKernel } from 'gpu.js'
import { gpujsBackend } from '../../src/backend/gpujs/index.js'
import { createGpujsBackend, type GpuLike, type GpujsBackend } from '../../src/backend/gpujs/backend.js'
import {
  INLINE_BODIES_GPUJS_VERSION,
  inlineBodiesActive,
  inlineBodiesStats,
  inlineCall,
  installInlineBodies,
  rewriteBody,
  setInlineBodies,
  type ModuleBuilder
} from '../../src/backend/gpujs/inline-bodies.js'
import { requestFlatOutput } from '../../src/backend/gpujs/flat-outputs.js'
import { bits, cases, rnd } from './kernel-cases.js'

gpujsBackend('webasm') // installs the extensions

afterEach(() => setInlineBodies(true))

/** gpu.js's own module builder, which the extension rewrites (the hand-built modules below use it too). */
const { WasmModuleBuilder } = createRequire(import.meta.url)('gpu.js/src/backend/web-assembly/wasm-builder.js') as {
  WasmModuleBuilder: new () => ModuleBuilder & Record<string, (...a: unknown[]) => unknown>
}
// the emitter's chainable methods, loosely typed for the hand-built modules
type Em = Record<string, (...a: unknown[]) => Em>
/** The WebAssembly API as these tests use it (the test build has no DOM or wasm lib types). */
const Wasm = (
  globalThis as unknown as {
    WebAssembly: {
      validate(b: Uint8Array): boolean
      Memory: new (d: { initial: number; maximum: number }) => { readonly buffer: ArrayBuffer }
      Module: new (b: Uint8Array) => unknown
      Instance: new (m: unknown, imports: unknown) => { readonly exports: Record<string, unknown> }
    }
  }
).WebAssembly

/**
 * A module of the shape gpu.js emits: `run(start, end)` loops over cells, sets global 0 to the cell and
 * calls `kernel`, which stores one i32 at `4 · cell`. `body` emits the kernel; `helper` adds a function
 * `helper() → i32` it may call.
 */
const loopModule = (body: (k: Em) => void, locals: string[], inline: boolean): ((n: number) => number[]) => {
  const b = new WasmModuleBuilder()
  b.addMemoryImport(1, 1, false)
  b.addGlobal('i32', true, 0)
  const h = b.addFunction('helper', { params: [], results: ['i32'] }) as unknown as Em
  h.i32Const(40)
  const k = b.addFunction('kernel', { locals }) as unknown as Em
  body(k)
  const run = b.addFunction('run', { params: ['i32', 'i32'], locals: ['i32'] }) as unknown as Em
  run.localGet(0).localSet(2).block().loop()
  run.localGet(2).globalSet(0).call('kernel')
  run.localGet(2).i32Const(1).i32Add().localTee(2).localGet(1).i32LtS().brIf(0)
  run.end().end()
  b.exportFunction('run')
  if (inline) expect(inlineCall(b, 'run', 'kernel')).toBe(true)
  const bytes = (b as unknown as { toBytes(): Uint8Array }).toBytes()
  expect(Wasm.validate(bytes)).toBe(true)
  const memory = new Wasm.Memory({ initial: 1, maximum: 1 })
  const inst = new Wasm.Instance(new Wasm.Module(bytes), { env: { memory } })
  return (n) => {
    ;(inst.exports.run as (s: number, e: number) => void)(0, n)
    return Array.from(new Int32Array(memory.buffer, 0, n))
  }
}

/** Store `value` (on the stack) at the cell's slot. */
const storeAtCell = (k: Em, value: (k: Em) => void): void => {
  k.globalGet(0).i32Const(2).i32Shl()
  value(k)
  k.i32Store()
}

describe('kernel bodies inlined into the cell loops (gpu.js webasm code generator extension)', () => {
  it(`is installed for gpu.js ${INLINE_BODIES_GPUJS_VERSION}, and refuses another version or missing internals`, () => {
    expect(installInlineBodies(WebAssemblyKernel, INLINE_BODIES_GPUJS_VERSION)).toEqual({ ok: true })
    expect(inlineBodiesActive()).toBe(true)
    const r = installInlineBodies(class {}, '2.25.0')
    expect(!r.ok && r.reason).toMatch(/2\.25\.0.*2\.24\.1/)
    const m = installInlineBodies(class {}, undefined)
    expect(!m.ok && m.reason).toMatch(/_emitRunSimd/)
  })

  it('starts every inlined iteration with the callee locals at zero, as a call does', () => {
    // kernel: l0 += 1; store l0 — a call sees l0 = 0 every time
    const body = (k: Em): void => {
      k.localGet(0).i32Const(1).i32Add().localSet(0)
      k.localGet(1).f32Const(0.5).f32Add().localSet(1)
      storeAtCell(k, (e) => e.localGet(0).localGet(1).i32TruncF32S().i32Add())
    }
    expect(loopModule(body, ['i32', 'f32'], true)(9)).toEqual(loopModule(body, ['i32', 'f32'], false)(9))
    expect(loopModule(body, ['i32', 'f32'], true)(9)).toEqual(new Array(9).fill(1))
  })

  it('turns each return into a branch out of the body, at any depth', () => {
    // kernel: if cell odd → store 1 and return from inside a loop in a block; else fall through to store 2
    const body = (k: Em): void => {
      k.block().loop()
      k.globalGet(0).i32Const(1).i32And().if_()
      storeAtCell(k, (e) => e.i32Const(1))
      k.return_()
      k.end()
      k.end().end()
      storeAtCell(k, (e) => e.i32Const(2))
      k.return_()
    }
    expect(loopModule(body, [], true)(8)).toEqual([2, 1, 2, 1, 2, 1, 2, 1])
    expect(loopModule(body, [], false)(8)).toEqual([2, 1, 2, 1, 2, 1, 2, 1])
  })

  it('keeps the callee calls, with their targets, and empties the callee', () => {
    const body = (k: Em): void => storeAtCell(k, (e) => e.call('helper').i32Const(2).i32Add())
    expect(loopModule(body, [], true)(5)).toEqual([42, 42, 42, 42, 42])
    const b = new WasmModuleBuilder()
    b.addMemoryImport(1, 1, false)
    const k = b.addFunction('kernel', { locals: ['v128'] }) as unknown as Em
    k.nop()
    const run = b.addFunction('run', {}) as unknown as Em
    run.call('kernel')
    expect(inlineCall(b, 'run', 'kernel')).toBe(true)
    const fns = b.functions
    expect(fns.find((f) => f.name === 'kernel')?.emitter.bytes).toEqual([])
    expect(fns.find((f) => f.name === 'run')?.emitter.locals).toEqual(['v128'])
  })

  it('leaves the call where the callee holds an instruction it does not know, or is called twice', () => {
    // memory.fill (0xfc 0x0b): not among the rewritten opcodes
    expect(rewriteBody([0x41, 0x00, 0x41, 0x00, 0x41, 0x00, 0xfc, 0x0b, 0x00], [], 0)).toBeUndefined()
    // an `end` with no open block
    expect(rewriteBody([0x0b], [], 0)).toBeUndefined()
    // a call with no recorded target
    expect(rewriteBody([0x10, 0x80, 0x80, 0x80, 0x80, 0x00], [], 0)).toBeUndefined()
    const b = new WasmModuleBuilder()
    b.addMemoryImport(1, 1, false)
    const k = b.addFunction('kernel', {}) as unknown as Em
    k.nop()
    const run = b.addFunction('run', {}) as unknown as Em
    run.call('kernel').call('kernel')
    const before = [...(b.functions.find((f) => f.name === 'run')?.emitter.bytes ?? [])]
    expect(inlineCall(b, 'run', 'kernel')).toBe(false)
    expect(b.functions.find((f) => f.name === 'run')?.emitter.bytes).toEqual(before)
  })

  it('copies every immediate whole (bytes that look like return or local.get inside them stay as they are)', () => {
    const imm = [
      [0x41, 0x8f, 0x20], // i32.const, two LEB bytes
      [0x42, 0x0f], // i64.const
      [0x43, 0x0f, 0x20, 0x0f, 0x20], // f32.const
      [0x44, 0x0f, 0x20, 0x0f, 0x20, 0x0f, 0x20, 0x0f, 0x20], // f64.const
      [0xfd, 0x0c, ...new Array<number>(16).fill(0x0f)], // v128.const
      [0xfd, 0x0d, ...new Array<number>(16).fill(0x0f)], // i8x16.shuffle
      [0xfd, 0x15, 0x0f], // i8x16.extract_lane_s, lane 15
      [0xfd, 0x1f, 0x03], // f32x4.extract_lane
      [0xfd, 0x00, 0x04, 0x0f], // v128.load, memarg
      [0xfd, 0x54, 0x00, 0x0f, 0x0f], // v128.load8_lane: memarg, lane
      [0xfd, 0x5c, 0x02, 0x20], // v128.load32_zero
      [0x2a, 0x02, 0x0f], // f32.load
      [0x23, 0x0f], // global.get
      [0x0d, 0x0f], // br_if
      [0x0e, 0x01, 0x0f, 0x20], // br_table
      [0xfc, 0x01] // i32.trunc_sat_f32_u
    ].flat()
    expect(rewriteBody([...imm, 0x20, 0x00, 0x0f], [], 300)).toEqual({ bytes: [...imm, 0x20, 0xac, 0x02, 0x0c, 0x00], fixups: [] })
  })

  it('shifts local indices past 127 into two-byte immediates', () => {
    const locals = new Array<string>(130).fill('i32')
    const body = (k: Em): void => {
      k.i32Const(5).localSet(129)
      storeAtCell(k, (e) => e.localGet(129).localGet(3).i32Add())
    }
    expect(loopModule(body, locals, true)(4)).toEqual([5, 5, 5, 5])
  })

  it('gives bit-identical results on every kernel kind the backend makes, and inlines both loops', () => {
    const fresh = (): GpujsBackend => createGpujsBackend('webasm', new GPU({ mode: 'webasm' }) as unknown as GpuLike, {})
    const all = cases()
    setInlineBodies(false)
    const want = all.map(([, f]) => bits(f(fresh())))
    setInlineBodies(true)
    const before = { ...inlineBodiesStats }
    const on = fresh()
    all.forEach(([name, f], i) => {
      expect({ name, bits: bits(f(on)) }).toEqual({ name, bits: want[i] })
    })
    expect(inlineBodiesStats.inlined).toBeGreaterThan(before.inlined)
    expect(inlineBodiesStats.kept).toBe(before.kept)
  })

  it.each([
    ['lane-divergent early returns', 'function (a, b) { const x = this.thread.x; if (x % 3 === 0) { return a[x]; } if (a[x] > b[x]) { return b[x] * 2; } return a[x] - b[x]; }', [37, 3]],
    ['a loop that breaks, and a helper', 'function (a, b) { let s = 0; for (let k = 0; k < 16; k++) { if (a[(this.thread.x + k) % 111] > 1.5) { break; } s += twice(b[k]); } return s; }', [37, 3]],
    ['Math imports', 'function (a, b) { return Math.pow(Math.abs(a[this.thread.y * 37 + this.thread.x]), 1.5) + Math.sin(b[this.thread.x]) + Math.exp(a[this.thread.x] * 0.1); }', [37, 3]],
    ['Array(4) results', 'function (a, b) { const x = this.thread.x; return [a[x], b[x], a[x] + b[x], a[x] * b[x]]; }', [36, 3]]
  ])('gives bit-identical results on gpu.js kernels: %s', (_name, src, output) => {
    const a = rnd(111)
    const b = rnd(111)
    const run = (inline: boolean): number[] => {
      setInlineBodies(inline)
      const gpu = new GPU({ mode: 'webasm' })
      gpu.addFunction(function twice(v: number) {
        return v * 2
      })
      const settings: Record<string, unknown> = { output, ...(src.includes('return [') ? { returnType: 'Array(4)' } : {}) }
      const k = gpu.createKernel(src, { precision: 'single', ...settings })
      requestFlatOutput(k as unknown as { kernel?: unknown })
      const r = bits(k(a, b) as Float32Array)
      gpu.destroy()
      return r
    }
    const off = run(false)
    const before = inlineBodiesStats.inlined
    expect(run(true)).toEqual(off)
    expect(inlineBodiesStats.inlined - before).toBe(2)
  })
})
