/**
 * @internal Wasm-native `Math.exp` and `Math.tanh` for gpu.js's WebAssembly code generator — a small,
 * version-checked extension of `WebAssemblyFunctionNode` (gpu.js 2.24.1), installed once at start-up
 * beside `contiguous-loads.ts` and `integer-locals.ts`.
 *
 * gpu.js 2.24.1 has no wasm opcode for `exp` or `tanh`: it imports JavaScript's `Math.exp`/`Math.tanh`
 * and calls it once per element — in a SIMD quad, four lane extracts, four wasm→JS calls and four lane
 * inserts: 22–27 Melem/s. In the LSTM step (sigmoids and tanh over `[64, 64]` gates, 50 time steps,
 * forward and backward) the gates' sigmoid kernels alone took 37–49 ms of a 330–440 ms step (CPU time).
 *
 * This extension emits both inline, in f32 arithmetic, the same operation sequence in the scalar and the
 * SIMD paths (so a kernel's SIMD lanes and its scalar tail agree bit for bit, as gpu.js's own paths do):
 *
 * - `exp(x)`: x clamped to [-120, 120] (NaN stays NaN); n = nearest(x·log2 e); r = x − n·ln2_hi −
 *   n·ln2_lo (Cody–Waite: n·ln2_hi is exact); e^r by its Taylor polynomial to degree 7 (truncation
 *   below 6e-9 on |r| ≤ ln2/2); scaled by 2^n as two exact powers of two 2^⌊n/2⌋·2^(n−⌊n/2⌋), so
 *   overflow gives +∞ and the subnormal range rounds once.
 * - `tanh(x)`: of a = |x|, for a < 0.55 the odd Taylor polynomial to a^19 (truncation below 1e-9
 *   relative), otherwise 1 − 2/(exp(2a) + 1); then x's sign bit (±1 past 9, NaN stays NaN, −0 stays −0).
 *
 * Results are not bit-identical to `Math.fround(Math.exp(x))`: over 10^6 random arguments they were
 * within 1 ulp of the correctly rounded function (`test/backend/native-math.test.ts` bounds the error at
 * 2 ulps for exp and 3 for tanh over dense sweeps and the special values), well inside the backend's 1e-5
 * relative contract against the float64 reference. Every webasm kernel compiled with the extension on
 * computes them the same way — eager ops, fused kernels, scan bodies and threaded kernels alike — so
 * compiled and eager results stay identical. The backend's plain loops (elementwise ops on at most 16
 * elements, and layouts past 2^24) compute the same bits in JavaScript (`expF32`, `tanhF32`), so which
 * path an op takes never changes its result. `TENSORFOLD_GPUJS_NATIVE_MATH=0` turns it off.
 *
 * @since 0.3.0
 */
import type { WasmEmitter } from './wasm-emitter.js'

/** The gpu.js version this extension was written and tested for. */
export const NATIVE_MATH_GPUJS_VERSION = '2.24.1'

export type NativeMathInstall = { readonly ok: true } | { readonly ok: false; readonly reason: string }

/** gpu.js's wasm function emitter; the other instructions by name (`ops` below). */
type Em = WasmEmitter & { readonly [op: string]: unknown }

interface Node {
  em: Em
  getType(ast: unknown): string
  castValueToFloat(ast: unknown): void
  castLiteralToFloat(ast: unknown): void
  vCastValueToFloat(ast: unknown): void
  vCastLiteralToFloat(ast: unknown): void
  expression(ast: unknown): string
  vexpr(ast: unknown): string
  coerce(from: string, to: string): void
  vCoerce(from: string, to: string): void
}

let enabled = true
/** Turn the extension on or off for kernels compiled from now on (A/B measurement and tests). */
export const setNativeMath = (on: boolean): void => {
  enabled = on
}
let installed = false
/** Whether the extension is installed in gpu.js and on: kernels compiled now get inline exp/tanh. */
export const nativeMathActive = (): boolean => installed && enabled

const f = Math.fround
const LOG2E = f(Math.LOG2E)
/** ln 2 split: the high part has 15 significant bits, so n·LN2_HI is exact for |n| < 2^9. */
const LN2_HI = f(0.693145751953125)
const LN2_LO = f(Math.LN2 - 0.693145751953125)
/** e^r = 1 + r + r²/2 + … + r⁷/7!, highest first (Horner). */
const EXP_COEFFS = [5040, 720, 120, 24, 6, 2, 1, 1].map((d) => f(1 / d))
/** tanh(x) = x + x·x²·q(x²), q's coefficients highest first: the Taylor series' x^19 … x^3 terms. */
const TANH_COEFFS = [
  -0.00023912911424355248, 0.000590027440945586, -0.0014558343870513183, 0.003592128036572481, -0.008863235529902197, 0.021869488536155203,
  -0.05396825396825397, 0.13333333333333333, -0.3333333333333333
].map(f)
const TANH_SMALL = f(0.55)
const SIGN = -0x80000000

/**
 * The f32 or f32x4 form of the few operations the two functions need: `v` picks the SIMD opcodes.
 * Both forms run the same IEEE operations in the same order, so every lane equals the scalar result.
 */
const ops = (em: Em, v: boolean) => {
  const op = (name: string): void => void (em[name] as () => unknown).call(em)
  const fc = (x: number): void => void (v ? em.v128ConstF32x4(x, x, x, x) : em.f32Const(x))
  const ic = (x: number): void => void (v ? em.v128ConstI32x4(x, x, x, x) : em.i32Const(x))
  const fop = (s: string): void => op(v ? `f32x4${s}` : `f32${s}`)
  const iop = (s: string): void => op(v ? `i32x4${s}` : `i32${s}`)
  const local = (): number => em.addLocal(v ? 'v128' : 'f32')
  const ilocal = (): number => em.addLocal(v ? 'v128' : 'i32')
  /** f32 bits → i32 and back: free on v128. */
  const toBits = (): void => void (v || op('i32ReinterpretF32'))
  const fromBits = (): void => void (v || op('f32ReinterpretI32'))
  /** Shift by a literal: the SIMD shifts take an i32 scalar count. */
  const shift = (s: 'Shl' | 'ShrS', by: number): void => {
    em.i32Const(by)
    iop(s)
  }
  /** Horner's rule: the polynomial with coefficients `cs` (highest first) at the value of local `at`. */
  const horner = (cs: ReadonlyArray<number>, at: number): void => {
    fc(cs[0])
    for (const c of cs.slice(1)) {
      em.localGet(at)
      fop('Mul')
      fc(c)
      fop('Add')
    }
  }
  return { op, fc, ic, fop, iop, local, ilocal, toBits, fromBits, shift, horner }
}

/** exp of the f32 (or f32x4) value on the stack; leaves the result on the stack. */
const emitExp = (em: Em, v: boolean): void => {
  const o = ops(em, v)
  const x = o.local()
  const n = o.local()
  const r = o.local()
  const ni = o.ilocal()
  const h = o.ilocal()
  o.fc(f(-120))
  o.fop('Max')
  o.fc(f(120))
  o.fop('Min')
  em.localTee(x)
  o.fc(LOG2E)
  o.fop('Mul')
  o.fop('Nearest')
  em.localTee(n)
  o.op(v ? 'i32x4TruncSatF32x4S' : 'i32TruncSatF32S')
  em.localSet(ni)
  em.localGet(x)
  em.localGet(n)
  o.fc(LN2_HI)
  o.fop('Mul')
  o.fop('Sub')
  em.localGet(n)
  o.fc(LN2_LO)
  o.fop('Mul')
  o.fop('Sub')
  em.localSet(r)
  o.horner(EXP_COEFFS, r)
  // × 2^h × 2^(n−h), h = n >> 1: both powers normal for |n| ≤ 174
  em.localGet(ni)
  o.shift('ShrS', 1)
  em.localTee(h)
  o.ic(127)
  o.iop('Add')
  o.shift('Shl', 23)
  o.fromBits()
  o.fop('Mul')
  em.localGet(ni)
  em.localGet(h)
  o.iop('Sub')
  o.ic(127)
  o.iop('Add')
  o.shift('Shl', 23)
  o.fromBits()
  o.fop('Mul')
}

/** tanh of the f32 (or f32x4) value on the stack; leaves the result on the stack. */
const emitTanh = (em: Em, v: boolean): void => {
  const o = ops(em, v)
  const x = o.local()
  const a = o.local()
  const a2 = o.local()
  // tanh(|x|) ≥ 0, then x's sign bit or-ed in (odd, and −0 stays −0)
  em.localTee(x)
  o.fop('Abs')
  em.localTee(a)
  // small: a + a·a²·q(a²)
  em.localGet(a)
  em.localGet(a)
  em.localGet(a)
  o.fop('Mul')
  em.localTee(a2)
  o.fop('Mul')
  o.horner(TANH_COEFFS, a2)
  o.fop('Mul')
  o.fop('Add')
  // large: 1 − 2/(exp(2a) + 1)
  o.fc(1)
  o.fc(2)
  em.localGet(a)
  em.localGet(a)
  o.fop('Add')
  emitExp(em, v)
  o.fc(1)
  o.fop('Add')
  o.fop('Div')
  o.fop('Sub')
  // pick: a < 0.55 (false for NaN, whose large form is NaN)
  em.localGet(a)
  o.fc(TANH_SMALL)
  o.fop('Lt')
  o.op(v ? 'v128Bitselect' : 'select')
  o.toBits()
  em.localGet(x)
  o.toBits()
  o.ic(SIGN)
  o.op(v ? 'v128And' : 'i32And')
  o.op(v ? 'v128Or' : 'i32Or')
  o.fromBits()
}

/** wasm's `f32.nearest`: round to the nearest integer, ties to even. */
const nearestEven = (t: number): number => {
  const r = Math.round(t)
  return r - t === 0.5 && r % 2 !== 0 ? r - 1 : r
}

/**
 * The inline `exp` in JavaScript: the same f32 operations in the same order, each rounded with
 * `Math.fround` (exact for +, −, ×, ÷ of two float32s), so it gives the kernels' bits. The gpu.js
 * backend's plain-loop paths (elementwise ops on tiny tensors, and past 2^24 elements) use it while
 * the extension is active, so which path an op takes never changes its result.
 */
export const expF32 = (x0: number): number => {
  const x = f(Math.min(Math.max(f(x0), -120), 120))
  const n = nearestEven(f(x * LOG2E))
  const ni = Number.isNaN(n) ? 0 : n
  const r = f(f(x - f(n * LN2_HI)) - f(n * LN2_LO))
  let p = EXP_COEFFS[0]
  for (let i = 1; i < EXP_COEFFS.length; i++) p = f(f(p * r) + EXP_COEFFS[i])
  const h = ni >> 1
  return f(f(p * 2 ** h) * 2 ** (ni - h))
}

/** The inline `tanh` in JavaScript, bit for bit as the kernels compute it (see `expF32`). */
export const tanhF32 = (x0: number): number => {
  const x = f(x0)
  const a = Math.abs(x)
  const a2 = f(a * a)
  let q = TANH_COEFFS[0]
  for (let i = 1; i < TANH_COEFFS.length; i++) q = f(f(q * a2) + TANH_COEFFS[i])
  const t = a < TANH_SMALL ? f(a + f(f(a * a2) * q)) : f(1 - f(2 / f(expF32(f(a + a)) + 1)))
  return x < 0 || Object.is(x, -0) ? -t : t
}

/** The unary functions the plain loops should use to agree with webasm kernels compiled now. */
export const nativeMathFns = (): { readonly exp: (x: number) => number; readonly tanh: (x: number) => number } | undefined =>
  installed && enabled ? NATIVE_FNS : undefined
// one object, so that callers may cache what they build from it (loops.ts)
const NATIVE_FNS = Object.freeze({ exp: expF32, tanh: tanhF32 })

const EMIT: Record<string, (em: Em, v: boolean) => void> = { exp: emitExp, tanh: emitTanh }

type MathCall = (this: Node, functionName: string, ast: { arguments: unknown[] }) => string

/** Extend gpu.js's WebAssembly function node (the class, from `gpu.js`'s exports) with inline exp and tanh. */
export const installNativeMath = (FunctionNode: unknown, version: string | undefined): NativeMathInstall => {
  const proto = (FunctionNode as { prototype?: Record<string, unknown> } | undefined)?.prototype
  if (proto === undefined) return { ok: false, reason: 'gpu.js exports no WebAssemblyFunctionNode' }
  if (proto._tfNativeMath === true) {
    installed = true
    return { ok: true }
  }
  if (version !== undefined && version !== NATIVE_MATH_GPUJS_VERSION)
    return { ok: false, reason: `gpu.js ${version} is installed; the native-math extension is written for ${NATIVE_MATH_GPUJS_VERSION}` }
  const needed = ['emitMathCall', 'vMathCall', 'getType', 'castValueToFloat', 'castLiteralToFloat', 'vCastValueToFloat', 'vCastLiteralToFloat', 'expression', 'vexpr', 'coerce', 'vCoerce']
  const missing = needed.filter((k) => typeof proto[k] !== 'function')
  if (missing.length > 0) return { ok: false, reason: `gpu.js's WebAssemblyFunctionNode lacks ${missing.join(', ')}` }
  // The argument goes through gpu.js's own float ladder (as its emitMathCall/vMathCall do), then inline code.
  const inline = (original: MathCall, v: boolean): MathCall =>
    function (name, ast) {
      const emit = EMIT[name]
      if (!enabled || emit === undefined || ast.arguments.length < 1) return original.call(this, name, ast)
      const arg = ast.arguments[0]
      const t = this.getType(arg)
      if (t === 'Integer') (v ? this.vCastValueToFloat : this.castValueToFloat).call(this, arg)
      else if (t === 'LiteralInteger') (v ? this.vCastLiteralToFloat : this.castLiteralToFloat).call(this, arg)
      else if (v) this.vCoerce(this.vexpr(arg), 'vf32')
      else this.coerce(this.expression(arg), 'f32')
      emit(this.em, v)
      return v ? 'vf32' : 'f32'
    }
  const emitMathCall = inline(proto.emitMathCall as MathCall, false)
  const vMathCall = inline(proto.vMathCall as MathCall, true)
  proto.emitMathCall = emitMathCall
  proto.vMathCall = vMathCall
  proto._tfNativeMath = true
  installed = true
  return { ok: true }
}
