import { describe, it, expect, afterAll } from 'vitest'
import fc from 'fast-check'
import { GPU, WebAssemblyFunctionNode } from 'gpu.js'
import { gpujsBackend } from '../../src/backend/gpujs/index.js'
import { expF32, installNativeMath, nativeMathActive, nativeMathFns, setNativeMath, tanhF32, NATIVE_MATH_GPUJS_VERSION } from '../../src/backend/gpujs/native-math.js'
import { bits } from './kernel-cases.js'

gpujsBackend('webasm') // installs the extensions

afterAll(() => setNativeMath(true))

type Fn = 'exp' | 'tanh'
/** One webasm kernel `Math.<fn>(x[i])` over n cells (n not a multiple of 4: SIMD quads and a scalar tail). */
const run = (fn: Fn, x: Float32Array): Float32Array => {
  const gpu = new GPU({ mode: 'webasm' })
  const k = gpu.createKernel(`function (x) {\nreturn Math.${fn}(x[this.thread.x]);\n}`, { output: [x.length], precision: 'single' })
  const r = k(x) as Float32Array
  gpu.destroy()
  return Float32Array.from(r)
}
/** A float32's rank on the number line, so that two floats' distance in ulps is a difference. */
const ordinal = (v: number): number => {
  const i = new Int32Array(Float32Array.of(v).buffer)[0]
  return i < 0 ? -(i & 0x7fffffff) : i
}
const ulps = (a: number, b: number): number => (Number.isNaN(a) || Number.isNaN(b) ? (Number.isNaN(a) && Number.isNaN(b) ? 0 : Infinity) : Math.abs(ordinal(a) - ordinal(b)))
/** The largest distance in ulps from the correctly rounded float64 function. */
const worst = (fn: Fn, x: Float32Array, got: Float32Array): { ulps: number; at: number } => {
  let w = { ulps: 0, at: NaN }
  for (let i = 0; i < x.length; i++) {
    const d = ulps(got[i], Math.fround(Math[fn](x[i])))
    if (d > w.ulps) w = { ulps: d, at: x[i] }
  }
  return w
}
/** n evenly spaced float32s over [lo, hi] plus the special values, length 4q + 3. */
const sweep = (lo: number, hi: number, n: number): Float32Array => {
  const xs = Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1))
  const all = [...xs, 0, -0, Infinity, -Infinity, NaN, 1e-30, -1e-30, 88.72, 88.73, -87.33, -103.9, -104, 1e-8]
  while (all.length % 4 !== 3) all.push(0.5)
  return Float32Array.from(all)
}

describe('wasm-native exp and tanh (native-math.ts)', () => {
  it('is installed for gpu.js ' + NATIVE_MATH_GPUJS_VERSION + ', and refuses another version', () => {
    expect(nativeMathActive()).toBe(true)
    expect(installNativeMath(class {}, '2.99.0')).toEqual({ ok: false, reason: expect.stringContaining('2.99.0') })
    expect(installNativeMath(WebAssemblyFunctionNode, NATIVE_MATH_GPUJS_VERSION)).toEqual({ ok: true })
  })

  it('exp is within 2 ulps of the float64 function, over and past float32 range', () => {
    const x = sweep(-110, 90, 40001)
    const w = worst('exp', x, run('exp', x))
    expect(w.ulps, `at ${w.at}`).toBeLessThanOrEqual(2)
  })

  it('tanh is within 3 ulps of the float64 function', () => {
    const x = sweep(-12, 12, 40001)
    const w = worst('tanh', x, run('tanh', x))
    expect(w.ulps, `at ${w.at}`).toBeLessThanOrEqual(3)
    const small = sweep(-0.6, 0.6, 20001)
    expect(worst('tanh', small, run('tanh', small)).ulps).toBeLessThanOrEqual(3)
  })

  it('keeps the special values: exp(±∞), exp(NaN), tanh(±0), tanh(±∞), tanh(NaN)', () => {
    const x = Float32Array.from([Infinity, -Infinity, NaN, 0, -0, 200, -200])
    expect(Array.from(run('exp', x))).toEqual([Infinity, 0, NaN, 1, 1, Infinity, 0])
    const t = run('tanh', x)
    expect(Number.isNaN(t[2])).toBe(true)
    expect(bits([...t.slice(0, 2), ...t.slice(3)])).toEqual(bits([1, -1, 0, -0, 1, -1]))
  })

  it('SIMD lanes and the scalar tail agree bit for bit (any value, any lane)', () => {
    fc.assert(
      fc.property(fc.float({ noDefaultInfinity: false }), fc.integer({ min: 0, max: 6 }), (v, at) => {
        const x = new Float32Array(7).fill(0.25)
        x[at] = v
        const tail = Float32Array.of(v)
        for (const fn of ['exp', 'tanh'] as const) expect(bits([run(fn, x)[at]])).toEqual(bits(run(fn, tail)))
      }),
      { numRuns: 40 }
    )
  })

  it('expF32 and tanhF32 (the plain loops\' mirror) give the kernels\' bits over dense sweeps and the special values', () => {
    const xe = sweep(-110, 90, 40001)
    expect(bits(xe.map(expF32))).toEqual(bits(run('exp', xe)))
    const xt = sweep(-12, 12, 40001)
    expect(bits(xt.map(tanhF32))).toEqual(bits(run('tanh', xt)))
    const xs = sweep(-0.6, 0.6, 20001)
    expect(bits(xs.map(tanhF32))).toEqual(bits(run('tanh', xs)))
  })

  it('the mirror agrees with the kernels on any float32 (the CI counterexample 0.1466389 among them)', () => {
    fc.assert(
      fc.property(fc.array(fc.float({ noDefaultInfinity: false }), { minLength: 3, maxLength: 3 }), (vs) => {
        const x = Float32Array.from([0.146638922393322, ...vs])
        expect(bits(x.map(expF32))).toEqual(bits(run('exp', x)))
        expect(bits(x.map(tanhF32))).toEqual(bits(run('tanh', x)))
      }),
      { numRuns: 60 }
    )
  })

  it('nativeMathFns names the mirror while the extension is on, and nothing while it is off', () => {
    expect(nativeMathFns()).toEqual({ exp: expF32, tanh: tanhF32 })
    setNativeMath(false)
    expect(nativeMathFns()).toBeUndefined()
    setNativeMath(true)
  })

  it('off, kernels call Math.exp and Math.tanh as gpu.js ships them', () => {
    setNativeMath(false)
    const x = sweep(-20, 20, 401)
    const exp = run('exp', x)
    const tanh = run('tanh', x)
    setNativeMath(true)
    expect(bits(exp)).toEqual(bits(x.map((v) => Math.fround(Math.exp(v)))))
    expect(bits(tanh)).toEqual(bits(x.map((v) => Math.fround(Math.tanh(v)))))
  })
})
