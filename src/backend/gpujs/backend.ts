/**
 * @internal The gpu.js implementation of `Backend`: every compute method is a gpu.js kernel whose source
 * comes from a builder in `kernels/` (one module per op family, shared with the WebGPU backend), with
 * every dimension baked in as a literal, compiled once and kept in an LRU {@link KernelCache}. This file
 * only chooses, per call, which kernel (or loop fallback) runs. See `layout.ts` for the index-math rules
 * that keep the kernels exact beyond 2^24 elements, and `index.ts` for the public entry points.
 *
 * The layout ops and the strided elementwise kernel live in `movement-ops.ts`, the window ops in
 * `window-ops.ts`. Loop fallbacks (`makeLoops(Float32Array)` from `loops.ts`), all for tensors of
 * >= 2^24 elements only: layout-style ops (transpose, general broadcasting in binary/where/broadcastTo, slice, pad, gather,
 * scatterAdd, concat) whose collapsed iteration space needs f32 index division (rank > 3, or a narrow
 * innermost dimension), argmax along an axis of >= 2^24, and int32 tensors holding values beyond ±2^24
 * (kernels move values as f32). Same-shape elementwise ops, scalar broadcasting, matmul, reductions and
 * toFloat are kernels at every size.
 *
 * @since 0.1.0
 */
import { fusedRead, type Backend, type BinaryOp, type Expr, type FusedRead, type ReduceOp, type UnaryOp, type View, type XentWrt } from '../Backend.js'
import type { Shape } from '../../core/Shape.js'
import type { Buffer, FloatBuffer } from '../../core/Tensor.js'
import { makeLoops } from '../loops.js'
import { nativeMathFns } from './native-math.js'
import { KernelCache, type CacheStats } from './cache.js'
import { F32_EXACT, ND_MIN_INNER, bcastStrides, prod } from './layout.js'
import { compileSpec, f32Exact, detachSharedPool, flattenResult, nonEmpty, type GpuLike, type GpujsMode, type KernelFn } from './runtime.js'
import { copyKey, copySpec, type Spec } from './kernels/spec.js'
import { gpujsMovementOps } from './movement-ops.js'
import { THREADED_MIN_MACS, gpujsMatmulOps } from './matmul-ops.js'
import { integerLocalsActive } from './integer-locals.js'
import { flatOutputsActive, requestFlatOutput } from './flat-outputs.js'
import { directRun } from './direct-run.js'
import { gpujsFusedMany } from './fused-many.js'
import { ownArray, recycleArrays } from './recycle.js'
import { gpujsWindowOps } from './window-ops.js'
import {
  binaryKey,
  binarySpec,
  binarySrc,
  fused2D,
  fusedKey,
  fusedSpec,
  unaryKey,
  unarySpec,
  whereKey,
  whereSpec
} from './kernels/elementwise.js'
import { argmaxKey, argmaxSpec, combinePartials, reduceChunks, reduceKey, reduceSpec } from './kernels/reduce.js'
import { xentGradKey, xentGradSpec, xentKey, xentSpec, xentStatsKey, xentStatsSpec } from './kernels/xent.js'

export type { GpuLike, GpujsMode, KernelFn } from './runtime.js'
export type { Spec } from './kernels/spec.js'

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
  /**
   * Register-blocked matmul kernels (4 rows of C per thread) where they fit. Default: on for webasm
   * when the flat-output extension is installed (`flat-outputs.ts`).
   */
  readonly blockedMatmul?: boolean
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

/**
 * The most bytes of inputs and output one webasm kernel call may hold: a wasm32 memory has at most
 * 65536 pages of 64 KiB (4 GiB), and gpu.js adds 16 pages and its own layout on top; 64 MiB is kept free.
 */
export const WASM_KERNEL_BYTES = 2 ** 32 - 2 ** 26

export const createGpujsBackend = (name: GpujsMode, gpu: GpuLike, options: BackendOptions = {}): GpujsBackend => {
  // on webasm, the loops compute exp and tanh as the kernels' inline code does (native-math.ts), bit for bit
  const loops = makeLoops(Float32Array, name === 'webasm' ? nativeMathFns : undefined)
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

  /**
   * Run the kernel cached under `key` (built from `spec()` on a miss) and flatten its `n` outputs. On
   * webasm a plain float kernel is asked for the flat result of a multi-dim output instead of one
   * erected subarray per row (`flat-outputs.ts`; the same buffer `flattenResult` would view).
   */
  const run = (key: string, spec: () => Spec, args: unknown[], n: number, inBytes: number): Float32Array => {
    const build = (): KernelFn => {
      const s = spec()
      const kf = compileSpec(gpu, s)
      if (name === 'webasm' && s.returnType === undefined) requestFlatOutput(kf)
      return kf
    }
    const k = cache.get(key, build, (n + inBytes) * 4 + (name === 'webasm' ? 1 << 20 : 0))
    // webasm: straight into the active module when gpu.js would take its plain path (direct-run.ts)
    // every result is a fresh array no one else holds: the backend's own to take back (recycle.ts)
    return ownArray(flattenResult((name === 'webasm' ? directRun(k, args) : undefined) ?? k(...args), n, sharedRows, name))
  }

  const { matmul, matmulThreaded } = gpujsMatmulOps(name, gpu, cache, run, {
    blocked: options.blockedMatmul ?? (name === 'webasm' && flatOutputsActive()),
    intLocals: () => name === 'webasm' && integerLocalsActive(),
    sharedRows
  })
  const { strided, transpose, broadcastTo, slice, gather, scatterAdd, concat, pad } = gpujsMovementOps(run, loops, LIM, MIN_INNER)

  // ---------------------------------------------------------------- the Backend methods

  const forward = options.forwardBelow ?? 0
  const unary = (op: UnaryOp, x: View): FloatBuffer => {
    const n = x.data.length
    if (n === 0) return new Float32Array(0)
    if (n <= forward) return loops.unary(op, x)
    return run(unaryKey(op, n), () => unarySpec(op, n), [x.data], n, n)
  }

  const binary = (op: BinaryOp, a: View, b: View, out: Shape): FloatBuffer => {
    const n = prod(out)
    if (n === 0) return new Float32Array(0)
    if (n <= forward || !f32Exact(a.data) || !f32Exact(b.data)) return loops.binary(op, a, b, out)
    return binaryF32(op, { data: toFloat(a.data), shape: a.shape }, { data: toFloat(b.data), shape: b.shape }, out, n)
  }
  const binaryF32 = (op: BinaryOp, a: View, b: View, out: Shape, n: number): FloatBuffer => {
    const na = a.data.length
    const nb = b.data.length
    const f = binarySrc[op]
    // Fast paths (no collapse work): same size, or a scalar side. Exact at any size (i32 indices).
    if ((na === n || na === 1) && (nb === n || nb === 1)) return run(binaryKey(op, na, nb, n), () => binarySpec(op, na, nb, n), [a.data, b.data], n, na + nb)
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

  /** One kernel for a whole elementwise expression; inputs are full-size, scalar, suffix- or row-broadcast. */
  const fused = (expr: Expr, inputs: ReadonlyArray<View>, out: Shape): FloatBuffer => {
    const n = prod(out)
    if (n === 0) return new Float32Array(0)
    if (n <= forward || !inputs.every((v) => f32Exact(v.data))) return loops.fused(expr, inputs, out)
    const reads = inputs.map((v) => fusedRead(v.shape, out))
    if (!reads.every((r): r is FusedRead => r !== undefined)) return loops.fused(expr, inputs, out)
    // the 1-D form's i % inner and floor(i / inner) are float math in the kernel: exact below 2^24
    // only; beyond, interpret in JS (the 2-D form's indices are i32, exact at any size)
    if (n >= LIM && reads.some((r) => r.k === 'suffix' || r.k === 'row') && fused2D(reads, n) === undefined) return loops.fused(expr, inputs, out)
    return run(
      fusedKey(expr, reads, n),
      () => fusedSpec(expr, reads, n),
      inputs.map((v) => nonEmpty(v.data instanceof Float32Array ? v.data : Float32Array.from(v.data))),
      n,
      inputs.reduce((a, v) => a + v.data.length, 0)
    )
  }

  // several fused expressions in one kernel where webasm can (fused-many.ts)
  const fusedMany = gpujsFusedMany(gpu, cache, fused, { webasm: name === 'webasm', forward })

  const where = (cond: View, a: View, b: View, out: Shape): FloatBuffer => {
    const n = prod(out)
    if (n === 0) return new Float32Array(0)
    if (n <= forward) return loops.where(cond, a, b, out)
    const views = [cond, a, b]
    const sizes = views.map((v) => v.data.length)
    if (sizes.every((s) => s === n || s === 1))
      return run(
        whereKey(sizes, n),
        () => whereSpec(sizes, n),
        views.map((v) => v.data),
        n,
        3 * n
      )
    const r = strided(
      'w',
      out,
      [cond, a, b].map((v) => ({ data: v.data, strides: bcastStrides(v.shape, out), offset: 0 })),
      ([c, x, y]) => `(${c} != 0 ? ${x} : ${y})`
    )
    return r ?? loops.where(cond, a, b, out)
  }

  /**
   * The reduction kernel over `[A, R, B]` (reduce the middle): thread (b, p, a) folds chunk p of the R
   * axis (length C, the last one shorter) in float32; partials are then combined in JS in float64.
   * Every index is i32 (thread ids, literal strides, `(j|0)`): exact at any size.
   */
  const reduceABR = (op: ReduceOp, data: ArrayLike<number>, A: number, R: number, B: number): Float32Array => {
    const { P } = reduceChunks(R)
    const part = run(reduceKey(op, A, R, B), () => reduceSpec(op, A, R, B), [data], A * B * P, data.length)
    return P === 1 ? part : combinePartials(op, part, A, P, B)
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
    if (first < 0) return run(copyKey(n), () => copySpec(n), [x.data], n, n)
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
    const r = run(argmaxKey(A, R, B), () => argmaxSpec(A, R, B), [x.data], cells, x.data.length)
    return Int32Array.from(r)
  }

  /** Rows and classes of softmax cross-entropy's logits (rank ≥ 1: the primitive's shape rule). */
  const rowsOf = (x: View): readonly [number, number] => [prod(x.shape.slice(0, -1)), x.shape[x.shape.length - 1]]
  const softmaxXent = (x: View, t: View): FloatBuffer => {
    const [R, C] = rowsOf(x)
    if (R === 0 || C === 0) return new Float32Array(R)
    return run(xentKey(R, C), () => xentSpec(R, C), [x.data, t.data], R, 2 * R * C)
  }
  const softmaxXentGrad = (wrt: XentWrt, x: View, t: View, c: View): FloatBuffer => {
    const [R, C] = rowsOf(x)
    const n = R * C
    if (n === 0) return new Float32Array(n)
    const st = run(xentStatsKey(R, C), () => xentStatsSpec(R, C), [x.data, t.data], 3 * R, 2 * n)
    const args = wrt === 'logits' ? [x.data, t.data, c.data, st] : [x.data, c.data, st]
    return run(xentGradKey(wrt, R, C), () => xentGradSpec(wrt, R, C), args, n, 2 * n + 4 * R)
  }

  const toFloat = (x: Buffer): FloatBuffer => {
    // buffers are never written after creation, so float32 storage is already what every kernel reads
    if (x instanceof Float32Array) return x
    const n = x.length
    if (n === 0) return new Float32Array(0)
    return run(copyKey(n), () => copySpec(n), [x], n, n)
  }

  const backend: GpujsBackend & { threaded?: Backend<'async'> } = {
    name,
    precision: 'float32',
    ...(name === 'webasm' ? { maxKernelBytes: WASM_KERNEL_BYTES, recycle: recycleArrays, fusedMany } : {}),
    unary,
    fused,
    binary,
    where,
    matmul,
    reduce,
    argmax,
    transpose,
    broadcastTo,
    slice,
    gather,
    scatterAdd,
    concat,
    pad,
    softmaxXent,
    softmaxXentGrad,
    toFloat,
    ...gpujsWindowOps<'sync'>(run, { limit: LIM, matmul }),
    kernelCount: () => cache.size,
    cacheStats: () => cache.stats(),
    clearKernels: () => cache.clear()
  }
  if (name === 'webasm') {
    // the asynchronous twin compiled async replays use: large matmuls on the shared worker pool
    const twin: Backend<'async'> = { ...backend, async: true, syncFallback: backend, threaded: undefined, matmul: matmulThreaded, defersMatmulsFrom: THREADED_MIN_MACS }
    backend.threaded = Object.freeze(twin)
  }
  return Object.freeze(backend)
}
