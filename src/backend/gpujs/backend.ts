/**
 * @internal The gpu.js implementation of `Backend`: every compute method is a gpu.js kernel, generated
 * as source text per (op, shapes, parameters) with every dimension baked in as a literal, compiled once
 * and kept in an LRU {@link KernelCache}. See `layout.ts` for the index-math rules that keep the kernels
 * exact beyond 2^24 elements, and `index.ts` for the public entry points.
 *
 * Loop fallbacks (`makeLoops(Float32Array)` from `loops.ts`), all for tensors of >= 2^24 elements only:
 * layout-style ops (transpose, general broadcasting in binary/where/broadcastTo, slice, pad, gather,
 * scatterAdd, concat) whose collapsed iteration space needs f32 index division (rank > 3, or a narrow
 * innermost dimension), argmax along an axis of >= 2^24, and int32 tensors holding values beyond ±2^24
 * (kernels move values as f32). Same-shape elementwise ops, scalar broadcasting, matmul, reductions and
 * toFloat are kernels at every size.
 *
 * @since 0.1.0
 */
import { loadWorkerPool } from '#platform'
import type { Backend, BinaryOp, Expr, ReduceOp, UnaryOp, View } from '../Backend.js'
import type { Shape } from '../../core/Shape.js'
import type { Buffer, FloatBuffer } from '../../core/Tensor.js'
import { makeLoops } from '../loops.js'
import { KernelCache, type CacheStats } from './cache.js'
import {
  F32_EXACT,
  ND_MIN_INNER,
  bcastStrides,
  chooseAddressing,
  collapse,
  coords,
  indexExpr,
  prod,
  rowStrides,
  sumTerms,
  threadAxes,
  type Addressing
} from './layout.js'

/** The slice of a gpu.js kernel run shortcut this module uses. */
export interface KernelFn {
  (...args: unknown[]): unknown
  destroy(removeCanvasReferences?: boolean): void
  readonly kernel?: unknown
}

/** The slice of a gpu.js `GPU` instance this module uses. */
export interface GpuLike {
  createKernel(source: string, settings: Record<string, unknown>): KernelFn
  destroy(): unknown
  readonly kernels?: unknown[]
}

export type GpujsMode = 'webasm' | 'cpu' | 'gpu' | 'webgpu'

export interface BackendOptions {
  /**
   * Elementwise ops (unary, binary, where, fused) on at most this many elements run as plain loops
   * instead of a kernel (default 0: always kernels). A gpu.js call has ~3 µs of fixed cost (erecting
   * the output, checking argument sizes), far more than the work on a handful of numbers.
   */
  readonly forwardBelow?: number
  /** Most kernels kept compiled (default 512). */
  readonly cacheLimit?: number
  /** Most bytes (estimated) the cached kernels may pin (default 512 MiB). */
  readonly byteBudget?: number
  /**
   * For tests: element count from which f32 index math counts as inexact (default 2^24). Lower it to
   * exercise the `nd` kernels and the loop fallbacks on small tensors.
   */
  readonly flatLimit?: number
  /** For tests: narrowest innermost dimension an `nd` kernel accepts (default 32). */
  readonly ndMinInner?: number
}

/** The backend plus internals the tests and diagnostics read. */
export interface GpujsBackend extends Backend {
  readonly name: GpujsMode
  readonly precision: 'float32'
  /** Compiled kernels in the cache now. */
  kernelCount(): number
  /** Cache counters. */
  cacheStats(): CacheStats
  /** Destroy every cached kernel. */
  clearKernels(): void
}

export const unarySrc: Record<UnaryOp, (x: string) => string> = {
  neg: (x) => `-${x}`,
  exp: (x) => `Math.exp(${x})`,
  log: (x) => `Math.log(${x})`,
  tanh: (x) => `Math.tanh(${x})`,
  sqrt: (x) => `Math.sqrt(${x})`,
  abs: (x) => `Math.abs(${x})`,
  // written out (not Math.sign) so that sign(NaN) = 0 like loops.ts
  sign: (x) => `(${x} > 0 ? 1 : (${x} < 0 ? -1 : 0))`,
  sin: (x) => `Math.sin(${x})`,
  cos: (x) => `Math.cos(${x})`,
  floor: (x) => `Math.floor(${x})`,
  identity: (x) => x
}

// Math.max/min propagate NaN from either side on webasm (f32.max) and cpu (JS), like loops.ts.
export const binarySrc: Record<BinaryOp, (a: string, b: string) => string> = {
  add: (a, b) => `${a} + ${b}`,
  sub: (a, b) => `${a} - ${b}`,
  mul: (a, b) => `${a} * ${b}`,
  div: (a, b) => `${a} / ${b}`,
  pow: (a, b) => `Math.pow(${a}, ${b})`,
  maximum: (a, b) => `Math.max(${a}, ${b})`,
  minimum: (a, b) => `Math.min(${a}, ${b})`,
  eq: (a, b) => `(${a} == ${b} ? 1 : 0)`,
  ne: (a, b) => `(${a} != ${b} ? 1 : 0)`,
  lt: (a, b) => `(${a} < ${b} ? 1 : 0)`,
  le: (a, b) => `(${a} <= ${b} ? 1 : 0)`,
  gt: (a, b) => `(${a} > ${b} ? 1 : 0)`,
  ge: (a, b) => `(${a} >= ${b} ? 1 : 0)`
}

const ONE = new Float32Array(1)
/** gpu.js cannot take a zero-length array: substitute one element that is never read. */
const nonEmpty = (b: ArrayLike<number>): ArrayLike<number> => (b.length === 0 ? ONE : b)

const INT_LIMIT = 1 << 24
/** Whether every int32 value survives a trip through float32. */
const intExact = (x: Int32Array): boolean => {
  for (let i = 0; i < x.length; i++) {
    const v = x[i]
    if (v > INT_LIMIT || v < -INT_LIMIT) return false
  }
  return true
}

/** Internals of a threaded gpu.js WebAssemblyKernel that the shared pool needs. */
interface ThreadedKernel {
  _pool: unknown
  _moduleCache?: Map<string, { readonly shared?: boolean; readonly id: number }>
}
interface WorkerPool {
  release(id: number): void
}

/** Outputs from this many cells are worth splitting across threads (gpu.js's own threshold is 4096). */
const THREADED_MIN = 16384

let pool: WorkerPool | undefined
let poolLoaded = false
/**
 * The one worker pool every threaded kernel shares (gpu.js's own class, sized to the cores), or
 * undefined where the host has none to give (the browser build: matmuls then run synchronously).
 */
const sharedPool = (): WorkerPool | undefined => {
  if (!poolLoaded) {
    poolLoaded = true
    const Pool = loadWorkerPool() as (new () => WorkerPool) | undefined
    pool = Pool === undefined ? undefined : new Pool()
  }
  return pool
}
/** Before destroying a threaded kernel: release its modules from the shared pool and keep the pool alive. */
const detachSharedPool = (k: KernelFn): void => {
  const inner = k.kernel as ThreadedKernel | undefined
  if (inner === undefined || pool === undefined || inner._pool !== pool) return
  for (const e of inner._moduleCache?.values() ?? []) if (e.shared === true) pool.release(e.id)
  inner._pool = null
}

export interface Spec {
  readonly source: string
  readonly output: number[]
  readonly argumentTypes?: Record<string, string>
  readonly loopMaxIterations?: number
}

/** A float literal gpu.js parses as a float. */
export const literal = (v: number): string => {
  if (v === Infinity) return 'Infinity'
  if (v === -Infinity) return '(-Infinity)'
  const t = String(Math.fround(v))
  const f = /[.e]/.test(t) ? t : `${t}.0`
  return v < 0 ? `(${f})` : f
}
export const render = (e: Expr, leaf: (i: number) => string): string => {
  switch (e.k) {
    case 'in':
      return leaf(e.i)
    case 'const':
      return literal(e.v)
    case 'un':
      return `(${unarySrc[e.op](render(e.x, leaf))})`
    case 'bin':
      return `(${binarySrc[e.op](render(e.a, leaf), render(e.b, leaf))})`
    case 'where':
      return `(${render(e.c, leaf)} != 0 ? ${render(e.a, leaf)} : ${render(e.b, leaf)})`
  }
}
export const exprKey = (e: Expr): string =>
  e.k === 'in' ? `i${e.i}` : e.k === 'const' ? `c${e.v}` : e.k === 'un' ? `${e.op}(${exprKey(e.x)})` : e.k === 'bin' ? `${e.op}(${exprKey(e.a)},${exprKey(e.b)})` : `w(${exprKey(e.c)},${exprKey(e.a)},${exprKey(e.b)})`

/** The matmul kernel source: A as [batch, m, k], B pre-transposed as [batch, n, k]. */
/**
 * The matmul kernel source. Each operand is read in the layout it comes in — A as [batch, m, k] (or
 * [batch, k, m] when transposed), B as [batch, k, n] (or [batch, n, k]) — so no operand is transposed in
 * JavaScript first; measured here, reading B as [k, n] was 5–10% faster than pre-transposing it, and
 * reading A transposed cost nothing.
 */
export const matmulSpec = (batch: number, m: number, k: number, n: number, transA: boolean, transB: boolean): Spec => {
  const { t, output } = threadAxes([n, m, batch])
  const [tx, ty, tz] = t
  const aBase = transA ? sumTerms([[tz, m * k], [ty, 1]]) : sumTerms([[tz, m * k], [ty, k]])
  const bBase = transB ? sumTerms([[tz, n * k], [tx, k]]) : sumTerms([[tz, n * k], [tx, 1]])
  // `(k|0)` keeps the whole index i32 (exact past 2^24) and was also the fastest form measured
  const kk = (o: string): string => `(k|0)${o}`
  const aAt = (o: string): string => (transA ? `a[${aBase} + (${kk(o)}) * ${m}]` : `a[${aBase} + ${kk(o)}]`)
  const bAt = (o: string): string => (transB ? `b[${bBase} + ${kk(o)}]` : `b[${bBase} + (${kk(o)}) * ${n}]`)
  // 8 accumulators over k (faster than 4 here, and more accurate), then a tail
  const U = 8
  const ku = k - (k % U)
  const acc = Array.from({ length: ku > 0 ? U : 1 }, (_, u) => `s${u}`)
  let src = `function (a, b) {\n${acc.map((s) => `let ${s} = 0;`).join(' ')}\n`
  if (ku > 0) {
    src += `for (let k = 0; k < ${ku}; k += ${U}) {\n`
    for (let u = 0; u < U; u++) {
      const o = u === 0 ? '' : ` + ${u}`
      src += `s${u} += ${aAt(o)} * ${bAt(o)};\n`
    }
    src += '}\n'
  }
  if (ku < k) src += `for (let k = ${ku}; k < ${k}; k++) {\ns0 += ${aAt('')} * ${bAt('')};\n}\n`
  const sum = acc.length === 1 ? 's0' : '((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))'
  src += `return ${sum};\n}`
  return { source: src, output }
}
/** The cache key of a matmul kernel. */
export const matmulKey = (batch: number, m: number, k: number, n: number, transA: boolean, transB: boolean): string =>
  `mm|${batch}|${m}|${k}|${n}|${transA ? 't' : 'n'}${transB ? 't' : 'n'}`

/** Copy a kernel result of nested rows into one flat Float32Array of `n` values. */
export const copyRows = (r: unknown, n: number): Float32Array => {
  const out = new Float32Array(n)
  let off = 0
  const walk = (x: unknown): void => {
    if (x instanceof Float32Array) {
      out.set(x, off)
      off += x.length
    } else for (const y of x as unknown[]) walk(y)
  }
  walk(r)
  return out
}

export const createGpujsBackend = (name: GpujsMode, gpu: GpuLike, options: BackendOptions = {}): GpujsBackend => {
  const loops = makeLoops(Float32Array)
  const LIM = Math.min(options.flatLimit ?? F32_EXACT, F32_EXACT)
  const MIN_INNER = options.ndMinInner ?? ND_MIN_INNER
  /** On webasm a multi-dim result is one buffer of subarray views; elsewhere rows are separate. */
  const sharedRows = name === 'webasm' || name === 'webgpu'
  const cache = new KernelCache<KernelFn>(options.cacheLimit ?? 512, options.byteBudget ?? 512 * 1024 * 1024, (k) => {
    detachSharedPool(k)
    k.destroy()
    // CPUKernel.destroy() leaves the kernel in gpu.kernels (field notes G7): drop it there too.
    const list = gpu.kernels
    if (list !== undefined && k.kernel !== undefined) {
      const i = list.indexOf(k.kernel)
      if (i >= 0) list.splice(i, 1)
    }
  })

  const compile = (spec: Spec): KernelFn => {
    const settings: Record<string, unknown> = { output: spec.output, precision: 'single' }
    if (spec.argumentTypes !== undefined) settings.argumentTypes = spec.argumentTypes
    if (spec.loopMaxIterations !== undefined) settings.loopMaxIterations = spec.loopMaxIterations
    return gpu.createKernel(spec.source, settings)
  }

  /** A flat Float32Array of `n` values from a kernel result (1-D, or nested rows). */
  const flatten = (r: unknown, n: number): Float32Array => {
    if (r instanceof Float32Array) return r.length === n ? r : r.slice(0, n)
    let first: unknown = r
    while (Array.isArray(first)) first = first[0]
    if (!(first instanceof Float32Array)) throw new Error(`gpu.js backend (${name}): unexpected kernel result`)
    if (sharedRows && first.byteOffset === 0 && first.buffer.byteLength >= n * 4) {
      let lastRow: unknown = r
      while (Array.isArray(lastRow)) lastRow = lastRow[lastRow.length - 1]
      // The rows must tile one buffer in order: the last row ends at n floats into the buffer.
      if (lastRow instanceof Float32Array && lastRow.buffer === first.buffer && lastRow.byteOffset + lastRow.byteLength === n * 4)
        return new Float32Array(first.buffer, 0, n)
    }
    return copyRows(r, n)
  }

  /** Run the kernel cached under `key` (built from `spec()` on a miss) and flatten its `n` outputs. */
  const run = (key: string, spec: () => Spec, args: unknown[], n: number, inBytes: number): Float32Array => {
    const k = cache.get(key, () => compile(spec()), (n + inBytes) * 4 + (name === 'webasm' ? 1 << 20 : 0))
    return flatten(k(...args), n)
  }

  // ---------------------------------------------------------------- elementwise with strided inputs

  /**
   * One kernel over a collapsed output: `body(idx)` gets each input's index expression and returns
   * the value expression. Returns null when only the loops are exact.
   */
  const strided = (
    tag: string,
    dims: ReadonlyArray<number>,
    inputs: ReadonlyArray<{ data: ArrayLike<number>; strides: number[]; offset: number }>,
    body: (idx: string[]) => string
  ): Float32Array | null => {
    const n = prod(dims)
    const col = collapse(dims, inputs.map((i) => i.strides))
    const maxIn = inputs.reduce((m, i) => Math.max(m, i.data.length), 0)
    const mode = chooseAddressing(col.dims, maxIn, LIM, MIN_INNER)
    if (mode === null) return null
    const key = `${tag}|${mode}|${col.dims.join(',')}|${col.strides.map((s) => s.join(',')).join(';')}|${inputs.map((i) => `${i.offset}:${i.data.length}`).join(',')}`
    const args = inputs.map((i) => nonEmpty(i.data))
    return run(
      key,
      () => {
        const c = coords(col.dims, mode)
        const names = inputs.map((_, k) => `x${k}`)
        const idx = inputs.map((inp, k) => `${names[k]}[${indexExpr(c.c, col.strides[k], inp.offset)}]`)
        return { source: `function (${names.join(', ')}) {\n${c.decl}return ${body(idx)};\n}`, output: c.output }
      },
      args,
      n,
      maxIn * inputs.length
    )
  }

  /** Int32 in, Int32 out through a float kernel, when every value survives float32. */
  const layout = (x: Buffer, viaKernel: (xf: Buffer) => Float32Array | null, viaLoops: () => Buffer): Buffer => {
    if (x instanceof Int32Array) {
      if (!intExact(x)) return viaLoops()
      const r = viaKernel(x)
      return r === null ? viaLoops() : Int32Array.from(r)
    }
    const r = viaKernel(x)
    if (r !== null) return r
    const l = viaLoops()
    return l instanceof Float64Array ? Float32Array.from(l) : l
  }

  // ---------------------------------------------------------------- the Backend methods

  const forward = options.forwardBelow ?? 0
  const unary = (op: UnaryOp, x: View): FloatBuffer => {
    const n = x.data.length
    if (n === 0) return new Float32Array(0)
    if (n <= forward) return loops.unary(op, x)
    return run(`u|${op}|${n}`, () => ({ source: `function (x) {\nreturn ${unarySrc[op]('x[this.thread.x]')};\n}`, output: [n] }), [x.data], n, n)
  }

  const binary = (op: BinaryOp, a: View, b: View, out: Shape): FloatBuffer => {
    const n = prod(out)
    if (n === 0) return new Float32Array(0)
    if (n <= forward) return loops.binary(op, a, b, out)
    const na = a.data.length
    const nb = b.data.length
    const f = binarySrc[op]
    // Fast paths (no collapse work): same size, or a scalar side. Exact at any size (i32 indices).
    if ((na === n || na === 1) && (nb === n || nb === 1)) {
      const ia = na === n ? 'a[this.thread.x]' : 'a[0]'
      const ib = nb === n ? 'b[this.thread.x]' : 'b[0]'
      return run(`b|${op}|${na === n ? 'v' : 's'}${nb === n ? 'v' : 's'}|${n}`, () => ({ source: `function (a, b) {\nreturn ${f(ia, ib)};\n}`, output: [n] }), [a.data, b.data], n, na + nb)
    }
    const r = strided(
      `b|${op}`,
      out,
      [
        { data: a.data, strides: bcastStrides(a.shape, out), offset: 0 },
        { data: b.data, strides: bcastStrides(b.shape, out), offset: 0 }
      ],
      ([ia, ib]) => f(ia, ib)
    )
    return r ?? loops.binary(op, a, b, out)
  }

  /** One kernel for a whole elementwise expression; inputs are full-size, scalar or suffix-broadcast. */
  const fused = (expr: Expr, inputs: ReadonlyArray<View>, out: Shape): FloatBuffer => {
    const n = prod(out)
    if (n === 0) return new Float32Array(0)
    if (n <= forward) return loops.fused(expr, inputs, out)
    const sizes = inputs.map((v) => v.data.length)
    // i % s is float math in the kernel: exact below 2^24 only; beyond, interpret in JS
    if (n >= F32_EXACT && sizes.some((s) => s !== n && s !== 1)) return loops.fused(expr, inputs, out)
    const access = (k: number): string => (sizes[k] === n ? `x${k}[this.thread.x]` : sizes[k] === 1 ? `x${k}[0]` : `x${k}[this.thread.x % ${sizes[k]}]`)
    const key = `f|${n}|${sizes.map((s) => (s === n ? 'v' : s === 1 ? 's' : s)).join(',')}|${exprKey(expr)}`
    return run(
      key,
      () => ({ source: `function (${inputs.map((_, k) => `x${k}`).join(', ')}) {\nreturn ${render(expr, access)};\n}`, output: [n] }),
      inputs.map((v) => nonEmpty(v.data instanceof Float32Array ? v.data : Float32Array.from(v.data))),
      n,
      sizes.reduce((a, b) => a + b, 0)
    )
  }

  const where = (cond: View, a: View, b: View, out: Shape): FloatBuffer => {
    const n = prod(out)
    if (n === 0) return new Float32Array(0)
    if (n <= forward) return loops.where(cond, a, b, out)
    const views = [cond, a, b]
    if (views.every((v) => v.data.length === n || v.data.length === 1)) {
      const [ic, ia, ib] = views.map((v, k) => `${'cab'[k]}[${v.data.length === n ? 'this.thread.x' : '0'}]`)
      return run(
        `w|${views.map((v) => (v.data.length === n ? 'v' : 's')).join('')}|${n}`,
        () => ({ source: `function (c, a, b) {\nreturn (${ic} != 0 ? ${ia} : ${ib});\n}`, output: [n] }),
        views.map((v) => v.data),
        n,
        3 * n
      )
    }
    const r = strided(
      'w',
      out,
      [cond, a, b].map((v) => ({ data: v.data, strides: bcastStrides(v.shape, out), offset: 0 })),
      ([c, x, y]) => `(${c} != 0 ? ${x} : ${y})`
    )
    return r ?? loops.where(cond, a, b, out)
  }

  const matmul = (a: Buffer, b: Buffer, batch: number, m: number, k: number, n: number, transA: boolean, transB: boolean): FloatBuffer => {
    const total = batch * m * n
    if (total === 0) return new Float32Array(0)
    if (k === 0) return run(`z|${total}`, () => ({ source: 'function () {\nreturn 0;\n}', output: [total] }), [], total, 0)
    return run(matmulKey(batch, m, k, n, transA, transB), () => matmulSpec(batch, m, k, n, transA, transB), [a, b], total, batch * k * (m + n))
  }

  /**
   * The same matmul split over the process-wide worker pool (webasm threads), for outputs of at least
   * `THREADED_MIN` cells; smaller ones, and other modes, run synchronously. Every threaded kernel uses
   * the one shared pool (field notes G4: by default each would spawn its own).
   */
  const matmulAsync = async (a: Buffer, b: Buffer, batch: number, m: number, k: number, n: number, transA: boolean, transB: boolean): Promise<FloatBuffer> => {
    const total = batch * m * n
    const pool = name === 'webasm' && total >= THREADED_MIN && k >= 8 ? sharedPool() : undefined
    if (pool === undefined) return matmul(a, b, batch, m, k, n, transA, transB)
    const kern = cache.get(
      `T${matmulKey(batch, m, k, n, transA, transB)}`,
      () => {
        const spec = matmulSpec(batch, m, k, n, transA, transB)
        const kf = gpu.createKernel(spec.source, { output: spec.output, precision: 'single', asyncMode: true })
        const inner = kf.kernel as ThreadedKernel | undefined
        if (inner !== undefined) inner._pool = pool
        return kf
      },
      (total + batch * k * (m + n)) * 4 + (1 << 20)
    )
    return flatten(await (kern(a, b) as Promise<unknown>), total)
  }


  /**
   * The reduction kernel over `[A, R, B]` (reduce the middle): thread (b, p, a) folds chunk p of the R
   * axis (length C, the last one shorter) in float32; partials are then combined in JS in float64.
   * Every index is i32 (thread ids, literal strides, `(j|0)`): exact at any size.
   */
  const reduceABR = (op: ReduceOp, data: ArrayLike<number>, A: number, R: number, B: number): Float32Array => {
    const C = R <= 256 ? R : Math.ceil(Math.sqrt(R))
    const P = Math.ceil(R / C)
    const cells = A * B * P
    const part = run(
      `r|${op}|${A}|${R}|${B}`,
      () => {
        // x fastest: b (contiguous reads across lanes), then p, then a. With B = 1, p goes on x.
        const { t, output } = threadAxes([B, P, A])
        const [tb, tp, ta] = t
        const idx = `${sumTerms([
          [ta, R * B],
          [tp, C * B],
          ['(j|0)', B],
          [tb, 1]
        ])}`
        const acc = op === 'sum' ? `s += x[${idx}];` : `s = Math.max(s, x[${idx}]);`
        const guarded = P * C === R ? acc : `if (${sumTerms([[tp, C]])} + (j|0) < ${R}) {\n${acc}\n}`
        return {
          source: `function (x) {\nlet s = ${op === 'sum' ? '0' : '-Infinity'};\nfor (let j = 0; j < ${C}; j++) {\n${guarded}\n}\nreturn s;\n}`,
          output
        }
      },
      [data],
      cells,
      data.length
    )
    if (P === 1) return part
    const out = new Float32Array(A * B)
    for (let a = 0; a < A; a++)
      for (let b = 0; b < B; b++) {
        let base = a * P * B + b
        if (op === 'sum') {
          let s = 0
          for (let p = 0; p < P; p++, base += B) s += part[base]
          out[a * B + b] = s
        } else {
          let s = -Infinity
          for (let p = 0; p < P; p++, base += B) {
            const v = part[base]
            if (v > s || v !== v) s = v
          }
          out[a * B + b] = s
        }
      }
    return out
  }

  const reduce = (op: ReduceOp, x: View, axes: ReadonlyArray<number>): FloatBuffer => {
    const shape = x.shape
    const outN = prod(shape.filter((_, i) => !axes.includes(i)))
    if (outN === 0) return new Float32Array(0)
    const n = x.data.length
    if (n === 0) return new Float32Array(outN).fill(op === 'sum' ? 0 : -Infinity)
    // Squeeze size-1 dims; the reduced dims must then form one contiguous run: [A, R, B].
    const live = shape.map((d, i) => ({ d, red: axes.includes(i) })).filter((e) => e.d !== 1)
    const first = live.findIndex((e) => e.red)
    let last = -1
    live.forEach((e, i) => {
      if (e.red) last = i
    })
    if (first < 0) return run(`u|identity|${n}`, () => ({ source: 'function (x) {\nreturn x[this.thread.x];\n}', output: [n] }), [x.data], n, n)
    const contiguous = live.slice(first, last + 1).every((e) => e.red)
    if (contiguous) {
      const A = prod(live.slice(0, first).map((e) => e.d))
      const R = prod(live.slice(first, last + 1).map((e) => e.d))
      const B = prod(live.slice(last + 1).map((e) => e.d))
      return reduceABR(op, x.data, A, R, B)
    }
    // Move the reduced axes last, then reduce [outN, R, 1].
    const keep = shape.map((_, i) => i).filter((i) => !axes.includes(i))
    const moved = transpose(x, [...keep, ...axes])
    return reduceABR(op, moved, outN, n / outN, 1)
  }

  const argmax = (x: View, axis: number): Int32Array => {
    const A = prod(x.shape.slice(0, axis))
    const R = x.shape[axis]
    const B = prod(x.shape.slice(axis + 1))
    const cells = A * B
    if (cells === 0) return new Int32Array(0)
    if (R === 0) return new Int32Array(cells)
    // The winning index travels as f32: exact below 2^24.
    if (R >= Math.min(F32_EXACT, LIM)) return loops.argmax(x, axis)
    const r = run(
      `am|${A}|${R}|${B}`,
      () => {
        const { t, output } = threadAxes([B, A])
        const [tb, ta] = t
        const idx = sumTerms([
          [ta, R * B],
          ['(j|0)', B],
          [tb, 1]
        ])
        return {
          source: `function (x) {\nlet bv = -Infinity;\nlet bi = 0;\nfor (let j = 0; j < ${R}; j++) {\nconst v = x[${idx}];\nif (v > bv) {\nbv = v;\nbi = j;\n}\n}\nreturn bi;\n}`,
          output
        }
      },
      [x.data],
      cells,
      x.data.length
    )
    return Int32Array.from(r)
  }

  const transpose = (x: View, perm: ReadonlyArray<number>): Buffer => {
    const inSt = rowStrides(x.shape)
    const outShape = perm.map((p) => x.shape[p])
    const n = prod(outShape)
    if (n === 0) return x.data instanceof Int32Array ? new Int32Array(0) : new Float32Array(0)
    return layout(
      x.data,
      (d) =>
        strided(
          't',
          outShape,
          [{ data: d, strides: perm.map((p) => inSt[p]), offset: 0 }],
          ([i]) => i
        ),
      () => loops.transpose(x, perm)
    )
  }

  const broadcastTo = (x: View, out: Shape): Buffer => {
    const n = prod(out)
    if (n === 0) return x.data instanceof Int32Array ? new Int32Array(0) : new Float32Array(0)
    return layout(
      x.data,
      (d) => strided('bc', out, [{ data: d, strides: bcastStrides(x.shape, out), offset: 0 }], ([i]) => i),
      () => loops.broadcastTo(x, out)
    )
  }

  const slice = (x: View, begin: ReadonlyArray<number>, sz: ReadonlyArray<number>): Buffer => {
    const n = prod(sz)
    if (n === 0) return x.data instanceof Int32Array ? new Int32Array(0) : new Float32Array(0)
    const st = rowStrides(x.shape)
    const off = begin.reduce((acc, b, i) => acc + b * st[i], 0)
    return layout(
      x.data,
      (d) => strided('sl', sz, [{ data: d, strides: st, offset: off }], ([i]) => i),
      () => loops.slice(x, begin, sz)
    )
  }

  const gather = (x: View, indices: Int32Array, axis: number): Buffer => {
    const outer = prod(x.shape.slice(0, axis))
    const len = x.shape[axis]
    const inner = prod(x.shape.slice(axis + 1))
    const J = indices.length
    const n = outer * J * inner
    if (n === 0) return x.data instanceof Int32Array ? new Int32Array(0) : new Float32Array(0)
    const viaKernel = (d: Buffer): Float32Array | null => {
      // Indices travel as f32: exact below 2^24 (they index an axis of len < 2^24 when x is that small).
      const mode: Addressing | null =
        n < LIM && x.data.length < LIM ? 'flat' : len < F32_EXACT && inner >= MIN_INNER ? 'nd' : null
      if (mode === null) return null
      return run(
        `ga|${mode}|${outer}|${len}|${inner}|${J}`,
        () => {
          const dims = [outer, J, inner]
          if (mode === 'nd') {
            const { t, output } = threadAxes([inner, J, outer])
            const [ti, tj, to] = t
            const idx = sumTerms([
              [to, len * inner],
              [tj === '' ? '(ind[0]|0)' : `(ind[${tj}]|0)`, inner],
              [ti, 1]
            ])
            return { source: `function (x, ind) {\nreturn x[${idx}];\n}`, output }
          }
          const full = flatCoords(dims)
          const idx = indexExpr([full.o, `ind[${full.j}]`, full.i], [len * inner, inner, 1])
          return { source: `function (x, ind) {\n${full.decl}return x[${idx}];\n}`, output: [n] }
        },
        [nonEmpty(d), indices],
        n,
        d.length + J
      )
    }
    return layout(x.data, viaKernel, () => loops.gather(x, indices, axis))
  }

  /**
   * Flat coordinates of `[outer, J, inner]` written so that dims of extent 1 cost nothing. Returns the
   * expressions for o, j, i ('0' when the extent is 1).
   */
  const flatCoords = (dims: number[]): { decl: string; o: string; j: string; i: string } => {
    const live = dims.map((d, k) => ({ d, k })).filter((e) => e.d !== 1)
    const names = ['0', '0', '0']
    if (live.length === 0) return { decl: '', o: '0', j: '0', i: '0' }
    const c = coords(
      live.map((e) => e.d),
      'flat'
    )
    live.forEach((e, q) => {
      names[e.k] = c.c[q]
    })
    return { decl: c.decl, o: names[0], j: names[1], i: names[2] }
  }

  const scatterAdd = (u: View, indices: Int32Array, axis: number, out: Shape): FloatBuffer => {
    const outer = prod(out.slice(0, axis))
    const len = out[axis]
    const inner = prod(out.slice(axis + 1))
    const J = indices.length
    const n = outer * len * inner
    if (n === 0) return new Float32Array(0)
    if (J === 0 || u.data.length === 0) return new Float32Array(n)
    const mode: Addressing | null =
      n < LIM && u.data.length < LIM ? 'flat' : J < F32_EXACT && inner >= MIN_INNER ? 'nd' : null
    if (mode === null) return loops.scatterAdd(u, indices, axis, out)
    // CSR of the indices: for output row r, the update rows order[start[r] .. start[r+1]) in ascending
    // j order (the order loops.ts adds them in).
    const start = new Int32Array(len + 1)
    for (let j = 0; j < J; j++) start[indices[j] + 1]++
    let maxRun = 0
    for (let r = 0; r < len; r++) {
      maxRun = Math.max(maxRun, start[r + 1])
      start[r + 1] += start[r]
    }
    const order = new Int32Array(J)
    const fillPos = start.slice(0, len)
    for (let j = 0; j < J; j++) order[fillPos[indices[j]]++] = j
    // The loop bound comes from data, so gpu.js caps it at loopMaxIterations (G1): make that J + 1, a
    // bound fixed by the shapes so the kernel stays cacheable.
    return run(
      `sa|${mode}|${outer}|${len}|${inner}|${J}`,
      () => {
        if (mode === 'nd') {
          const { t, output } = threadAxes([inner, len, outer])
          const [ti, tr, to] = t
          const r = tr === '' ? '0' : tr
          const idx = sumTerms([
            [to, J * inner],
            ['(order[k]|0)', inner],
            [ti, 1]
          ])
          return {
            source: `function (x, start, order) {\nlet s = 0;\nfor (let k = start[${r}]; k < start[${r} + 1]; k++) {\ns += x[${idx}];\n}\nreturn s;\n}`,
            output,
            loopMaxIterations: J + 1
          }
        }
        const full = flatCoords([outer, len, inner])
        const idx = indexExpr([full.o, 'order[k]', full.i], [J * inner, inner, 1])
        return {
          source: `function (x, start, order) {\n${full.decl}let s = 0;\nfor (let k = start[${full.j}]; k < start[${full.j} + 1]; k++) {\ns += x[${idx}];\n}\nreturn s;\n}`,
          output: [n],
          loopMaxIterations: J + 1
        }
      },
      [u.data, start, order],
      n,
      u.data.length + len + J
    )
  }

  const concat = (xs: ReadonlyArray<View>, axis: number): Buffer => {
    const isInt = xs[0].data instanceof Int32Array
    const outer = prod(xs[0].shape.slice(0, axis))
    const parts = xs.map((x) => ({ x, block: prod(x.shape.slice(axis)) })).filter((p) => p.block > 0)
    const total = parts.reduce((s, p) => s + p.block, 0)
    const n = outer * total
    if (n === 0) return isInt ? new Int32Array(0) : new Float32Array(0)
    if (isInt && !xs.every((x) => (x.data instanceof Int32Array ? intExact(x.data) : true))) return loops.concat(xs, axis)
    const GROUP = 16
    if (parts.length > GROUP) {
      // Concatenate in groups so each kernel has at most GROUP arguments.
      const head = concat(
        parts.slice(0, GROUP).map((p) => p.x),
        axis
      )
      const headShape = xs[0].shape.map((d, i) => (i === axis ? parts.slice(0, GROUP).reduce((s, p) => s + p.x.shape[axis], 0) : d))
      return concat([{ data: head, shape: headShape }, ...parts.slice(GROUP).map((p) => p.x)], axis)
    }
    const mode: Addressing | null = outer === 1 || n < LIM ? 'flat' : total >= MIN_INNER ? 'nd' : null
    const fallback = (): Buffer => {
      const l = loops.concat(xs, axis)
      return l instanceof Float64Array ? Float32Array.from(l) : l
    }
    if (mode === null) return fallback()
    const blocks = parts.map((p) => p.block)
    const r = run(
      `cc|${mode}|${outer}|${blocks.join(',')}`,
      () => {
        let decl = ''
        let o: string
        let c: string
        if (outer === 1) {
          o = '0'
          c = 'this.thread.x'
        } else if (mode === 'nd') {
          o = 'this.thread.y'
          c = 'this.thread.x'
        } else {
          decl = `const o = Math.floor(this.thread.x / ${total});\nconst c = this.thread.x % ${total};\n`
          o = 'o'
          c = 'c'
        }
        const names = blocks.map((_, k) => `x${k}`)
        let body = ''
        let end = 0
        blocks.forEach((bl, k) => {
          const start = end
          end += bl
          const idx = sumTerms([
            [o === '0' ? '' : o, bl],
            [c, 1]
          ])
          const read = `${names[k]}[${idx}${start === 0 ? '' : ` - ${start}`}]`
          body += k === blocks.length - 1 ? `return ${read};\n` : `if (${c} < ${end}) {\nreturn ${read};\n}\n`
        })
        return { source: `function (${names.join(', ')}) {\n${decl}${body}}`, output: mode === 'nd' ? [total, outer] : [n] }
      },
      parts.map((p) => p.x.data),
      n,
      n
    )
    return isInt ? Int32Array.from(r) : r
  }

  const pad = (x: View, paddings: ReadonlyArray<readonly [number, number]>, value: number): Buffer => {
    const outShape = x.shape.map((d, i) => d + paddings[i][0] + paddings[i][1])
    const n = prod(outShape)
    const isInt = x.data instanceof Int32Array
    if (n === 0) return isInt ? new Int32Array(0) : new Float32Array(0)
    if (x.data.length === 0) {
      const r = run(`fill|${n}`, () => ({ source: 'function (v) {\nreturn v;\n}', output: [n], argumentTypes: { v: 'Float' } }), [value], n, 0)
      return isInt ? Int32Array.from(r) : r
    }
    // Keep the dims that are padded or longer than 1.
    const inSt = rowStrides(x.shape)
    const live = x.shape.map((d, i) => ({ d, lo: paddings[i][0], hi: paddings[i][1], st: inSt[i], o: outShape[i] })).filter((e) => e.o !== 1)
    const dims = live.length === 0 ? [1] : live.map((e) => e.o)
    const maxAll = Math.max(n, x.data.length)
    const mode: Addressing | null =
      dims.length === 1 || maxAll < LIM ? 'flat' : dims.length <= 3 && dims[dims.length - 1] >= MIN_INNER ? 'nd' : null
    const viaKernel = (d: Buffer): Float32Array | null => {
      if (mode === null) return null
      return run(
        `pd|${mode}|${live.map((e) => `${e.d}:${e.lo}:${e.hi}`).join(',')}`,
        () => {
          const c = coords(dims, mode)
          const conds: string[] = []
          const terms: Array<readonly [string, number]> = []
          let off = 0
          live.forEach((e, k) => {
            if (e.lo > 0) conds.push(`${c.c[k]} >= ${e.lo}`)
            if (e.hi > 0) conds.push(`${c.c[k]} < ${e.lo + e.d}`)
            terms.push([c.c[k], e.st])
            off += e.lo * e.st
          })
          // index = Σ (c - lo) * st = Σ c * st - Σ lo * st; only read where every cond holds.
          const idx = `${sumTerms(terms)}${off === 0 ? '' : ` - ${off}`}`
          const body = conds.length === 0 ? `x[${idx}]` : `((${conds.join(' && ')}) ? x[${idx}] : v)`
          return { source: `function (x, v) {\n${c.decl}return ${body};\n}`, output: c.output, argumentTypes: { x: 'Array', v: 'Float' } }
        },
        [d, value],
        n,
        d.length
      )
    }
    return layout(x.data, viaKernel, () => loops.pad(x, paddings, value))
  }

  const toFloat = (x: Buffer): FloatBuffer => {
    // buffers are never written after creation, so float32 storage is already what every kernel reads
    if (x instanceof Float32Array) return x
    const n = x.length
    if (n === 0) return new Float32Array(0)
    return run(`u|identity|${n}`, () => ({ source: 'function (x) {\nreturn x[this.thread.x];\n}', output: [n] }), [x], n, n)
  }

  const backend: GpujsBackend = {
    name,
    precision: 'float32',
    unary,
    fused,
    binary,
    where,
    matmul,
    matmulAsync,
    reduce,
    argmax,
    transpose,
    broadcastTo,
    slice,
    gather,
    scatterAdd,
    concat,
    pad,
    toFloat,
    kernelCount: () => cache.size,
    cacheStats: () => cache.stats(),
    clearKernels: () => cache.clear()
  }
  return Object.freeze(backend)
}
