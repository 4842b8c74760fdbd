/**
 * @internal Which matmul kernel runs: the register-blocked one (`matmulBlockedSpec`: 4 rows of C per
 * thread, `Array(4)` results stored as rows of C where `row-planes.ts` allows) where it fits and the
 * backend allows it, else one output per thread (`matmulSpec`); synchronously, or on the shared worker
 * pool for large outputs (the async twin's `matmul`). Split out of `backend.ts`, which only dispatches.
 *
 * @since 0.3.0
 */
import type { Buffer, FloatBuffer } from '../../core/Tensor.js'
import { compileSpec, compileThreaded, flattenResult, sharedPool, type GpuLike, type KernelFn } from './runtime.js'
import { zerosKey, zerosSpec, type Spec } from './kernels/spec.js'
import { MATMUL_ROWS, blockedMatmulFits, matmulBlockedKey, matmulBlockedSpec, matmulKey, matmulSpec, unblockRows } from './kernels/matmul.js'
import { packedResult, requestFlatOutput } from './flat-outputs.js'
import { hasRowPlanes, requestRowPlanes, rowPlanesActive } from './row-planes.js'
import { directRun } from './direct-run.js'
import { buildThreaded, sharedRun, sharedStart, splitRun } from './split-run.js'
import { deferred } from '../deferred.js'
import { kernelThreadsAvailable } from './kernel-threads.js'
import { ownArray } from './recycle.js'
import type { KernelCache } from './cache.js'

/** `[batch][rows][cols]` → `[batch][cols][rows]`, as float32. */
const transposeLast = (x: Buffer, batch: number, rows: number, cols: number): Float32Array => {
  const out = new Float32Array(batch * rows * cols)
  for (let z = 0; z < batch; z++) {
    const base = z * rows * cols
    for (let r = 0; r < rows; r++) {
      const src = base + r * cols
      for (let c = 0, d = base + r; c < cols; c++, d += rows) out[d] = x[src + c]
    }
  }
  return out
}

/**
 * A matmul goes to the threads from this many multiply-adds (and at least gpu.js's 4,096 kernel cells,
 * below which gpu.js makes a kernel synchronous; a blocked kernel's cell is 4 outputs): a dispatch to the workers and back costs tens of µs, as much as a
 * 1M-multiply-add product on one core. The LSTM's per-time-step `[64,64]·[64,256]` (1.05M) stays on the
 * main thread; the MLP's `[128,784]·[784,128]` (12.8M) and larger products are split.
 */
export const THREADED_MIN_MACS = 1 << 22

let deferMatmuls = true
/** Start threaded blocked products and let their callers finish them (on), or compute them at once (off): A/B measurements and tests. */
export const setDeferredMatmuls = (on: boolean): void => {
  deferMatmuls = on
}
const THREADED_MIN_CELLS = 4096

export interface MatmulOptions {
  /** Use the register-blocked kernel where it fits (webasm only: it returns `Array(4)` per thread). */
  readonly blocked: boolean
  /** Whether the integer-local extension is active now, so a blocked kernel built now may keep its indices in i32 locals. */
  readonly intLocals: () => boolean
  /** Results of multi-dim kernels are subarray views of one buffer (webasm, WebGPU). */
  readonly sharedRows: boolean
}

type Matmul = (a: Buffer, b: Buffer, batch: number, m: number, k: number, n: number, transA: boolean, transB: boolean) => FloatBuffer
type MatmulAsync = (a: Buffer, b: Buffer, batch: number, m: number, k: number, n: number, transA: boolean, transB: boolean) => FloatBuffer | Promise<FloatBuffer>

/** The sync and threaded matmuls of a gpu.js backend over its kernel cache. */
export const gpujsMatmulOps = (
  name: string,
  gpu: GpuLike,
  cache: KernelCache<KernelFn>,
  run: (key: string, spec: () => Spec, args: unknown[], n: number, inBytes: number) => Float32Array,
  opts: MatmulOptions
): { matmul: Matmul; matmulThreaded: MatmulAsync } => {
  const bytes = (batch: number, m: number, k: number, n: number): number => (batch * m * n + batch * k * (m + n)) * 4 + (1 << 20)
  /** Compile (or reuse) a blocked kernel; `threaded` puts it on the shared pool. */
  const blockedKernel = (batch: number, m: number, k: number, n: number, transA: boolean, transB: boolean, threaded: boolean): KernelFn => {
    const il = opts.intLocals()
    const planes = rowPlanesActive() && n % 4 === 0
    return cache.get(
      `${threaded ? 'T' : ''}${planes ? 'P' : ''}${matmulBlockedKey(batch, m, k, n, transA, transB, il)}`,
      () => {
        const spec = matmulBlockedSpec(batch, m, k, n, transA, transB, il)
        const kf = threaded ? compileThreaded(gpu, spec) : compileSpec(gpu, spec)
        requestFlatOutput(kf)
        // C comes out in row order (row-planes.ts); without the extension it is put in order here
        if (planes) requestRowPlanes(kf, n)
        return kf
      },
      bytes(batch, m, k, n)
    )
  }
  const blocked = (m: number, k: number, n: number): boolean => opts.blocked && blockedMatmulFits(m, k, n)
  /**
   * The blocked kernel's operands: B read transposed would be gathered lane by lane (its lanes are
   * columns, k apart), so a transposed B is first transposed here (O(k·n), against the kernel's
   * O(m·k·n)); the kernel then reads the same products in the same order, so the result is bit-identical.
   */
  const blockedRun = (kf: KernelFn, a: Buffer, b: Buffer, batch: number, k: number, n: number, transB: boolean, threaded: boolean): unknown => {
    const args = [a, transB ? transposeLast(b, batch, n, k) : b]
    // a threaded kernel is split between this thread and the pool (split-run.ts), a sync one goes
    // straight into its module (direct-run.ts); either answers undefined where gpu.js must take the call.
    // With tensorfold's own threads a threaded kernel is built here, so gpu.js's pool never runs it.
    if (threaded && kernelThreadsAvailable()) buildThreaded(kf, args)
    return (threaded ? splitRun(kf, args) : directRun(kf, args)) ?? kf(...args)
  }
  /** The blocked kernel's packed result in row order (reordered here unless the kernel stores row planes). */
  const inRowOrder = (kf: KernelFn, packed: Float32Array, batch: number, m: number, n: number): Float32Array =>
    ownArray(hasRowPlanes(kf) ? packed : unblockRows(packed, batch, m, n))

  /**
   * Whether a product is large enough for threads (and this backend has them): gpu.js makes a kernel of
   * fewer than 4,096 cells synchronous, and the blocked kernel has a cell per 4 outputs.
   */
  const threadable = (m: number, k: number, n: number, batch: number): boolean => {
    const total = batch * m * n
    const cells = blocked(m, k, n) ? total / MATMUL_ROWS : total
    return name === 'webasm' && total * k >= THREADED_MIN_MACS && cells >= THREADED_MIN_CELLS && k >= 8 && sharedPool() !== undefined
  }
  /**
   * Node: a large blocked product computed synchronously by this thread and tensorfold's own threads
   * (split-run.ts `sharedRun`, kernel-threads.ts), or undefined. The threaded kernel is built on its first
   * call, here (`buildThreaded`): gpu.js's pool takes no part. Where the call cannot be shared (one of
   * gpu.js's own runs of the kernel in flight, say) it answers undefined and the synchronous kernel runs.
   */
  const sharedMatmul = (a: Buffer, b: Buffer, batch: number, m: number, k: number, n: number, transA: boolean, transB: boolean): Float32Array | undefined => {
    if (!threadable(m, k, n, batch) || !kernelThreadsAvailable()) return undefined
    const kf = blockedKernel(batch, m, k, n, transA, false, true)
    const args = [a, transB ? transposeLast(b, batch, n, k) : b]
    const r = buildThreaded(kf, args) ? sharedRun(kf, args) : undefined
    return r === undefined ? undefined : inRowOrder(kf, r, batch, m, n)
  }

  const matmul: Matmul = (a, b, batch, m, k, n, transA, transB) => {
    const total = batch * m * n
    if (total === 0) return new Float32Array(0)
    if (k === 0) return run(zerosKey(total), () => zerosSpec(total), [], total, 0)
    if (blocked(m, k, n)) {
      const shared = sharedMatmul(a, b, batch, m, k, n, transA, transB)
      if (shared !== undefined) return shared
      const kf = blockedKernel(batch, m, k, n, transA, false, false)
      return inRowOrder(kf, packedResult(blockedRun(kf, a, b, batch, k, n, transB, false), total), batch, m, n)
    }
    return run(matmulKey(batch, m, k, n, transA, transB), () => matmulSpec(batch, m, k, n, transA, transB), [a, b], total, batch * k * (m + n))
  }

  /**
   * A threaded blocked product started on tensorfold's own threads (`sharedStart`), as a deferred result
   * whose `join` claims what the threads left and puts C in row order; undefined where it cannot start.
   */
  const startBlocked = (kf: KernelFn, a: Buffer, b: Buffer, batch: number, m: number, k: number, n: number, transB: boolean): Promise<FloatBuffer> | undefined => {
    const args = [a, transB ? transposeLast(b, batch, n, k) : b]
    const end = buildThreaded(kf, args) ? sharedStart(kf, args) : undefined
    return end === undefined ? undefined : deferred(() => inRowOrder(kf, end(), batch, m, n))
  }

  /**
   * The same matmul split over the process-wide worker pool (webasm threads), for products of at least
   * `THREADED_MIN_MACS` multiply-adds; smaller ones, and other modes, run synchronously. Every threaded kernel uses
   * the one shared pool (field notes G4: by default each would spawn its own).
   */
  const matmulThreaded: MatmulAsync = (a, b, batch, m, k, n, transA, transB) => {
    const total = batch * m * n
    if (!threadable(m, k, n, batch)) return matmul(a, b, batch, m, k, n, transA, transB)
    if (blocked(m, k, n)) {
      const kf = blockedKernel(batch, m, k, n, transA, false, true)
      // Node: started on tensorfold's threads, finished here when the result is needed (deferred.ts)
      const started = deferMatmuls && kernelThreadsAvailable() ? startBlocked(kf, a, b, batch, m, k, n, transB) : undefined
      if (started !== undefined) return started
      return (blockedRun(kf, a, b, batch, k, n, transB, true) as Promise<unknown>).then((r) => inRowOrder(kf, packedResult(r, total), batch, m, n))
    }
    const kern = cache.get(
      `T${matmulKey(batch, m, k, n, transA, transB)}`,
      () => {
        const kf = compileThreaded(gpu, matmulSpec(batch, m, k, n, transA, transB))
        requestFlatOutput(kf) // one packed array, which the split path needs (split-run.ts); flattenResult takes either
        return kf
      },
      bytes(batch, m, k, n)
    )
    if (kernelThreadsAvailable()) buildThreaded(kern, [a, b])
    // a fresh (or given-back) array either way, the backend's own (recycle.ts)
    return ((splitRun(kern, [a, b]) ?? kern(a, b)) as Promise<unknown>).then((r) => ownArray(flattenResult(r, total, opts.sharedRows, name)))
  }
  return { matmul, matmulThreaded }
}
