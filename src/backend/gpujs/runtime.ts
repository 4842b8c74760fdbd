/**
 * @internal Running gpu.js kernels: the slices of gpu.js's API the backends use, compiling a
 * {@link Spec}, flattening kernel results, and the one shared webasm worker pool.
 *
 * @since 0.1.0
 */
import { loadWorkerPool } from '#platform'
import { releaseShared } from './kernel-threads.js'
import type { Spec } from './kernels/spec.js'

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

/** gpu.js kernel settings for a spec (`extra`: e.g. `asyncMode`). */
export const settingsOf = (spec: Spec, extra: Record<string, unknown> = {}): Record<string, unknown> => {
  const s: Record<string, unknown> = { output: spec.output, precision: 'single', ...extra }
  if (spec.argumentTypes !== undefined) s.argumentTypes = spec.argumentTypes
  if (spec.loopMaxIterations !== undefined) s.loopMaxIterations = spec.loopMaxIterations
  if (spec.returnType !== undefined) s.returnType = spec.returnType
  return s
}

/** Compile a spec on a gpu.js instance. */
export const compileSpec = (gpu: GpuLike, spec: Spec, extra?: Record<string, unknown>): KernelFn => gpu.createKernel(spec.source, settingsOf(spec, extra))

const ONE = new Float32Array(1)
/** gpu.js cannot take a zero-length array: substitute one element that is never read. */
export const nonEmpty = (b: ArrayLike<number>): ArrayLike<number> => (b.length === 0 ? ONE : b)

const INT_LIMIT = 1 << 24
/** Whether every int32 value survives a trip through float32. */
export const intExact = (x: Int32Array): boolean => {
  for (let i = 0; i < x.length; i++) {
    const v = x[i]
    if (v > INT_LIMIT || v < -INT_LIMIT) return false
  }
  return true
}
/**
 * Whether a buffer reaches a kernel unchanged as float32: floats, and int32 buffers whose every value
 * does (elementwise kernels read int32 inputs as f32; past ±2^24 only the loops compare them exactly).
 */
export const f32Exact = (b: ArrayLike<number>): boolean => !(b instanceof Int32Array) || intExact(b)

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

/**
 * A flat Float32Array of `n` values from a kernel result (1-D, or nested rows). With `sharedRows`
 * (webasm, WebGPU) a multi-dim result is one buffer of subarray views, returned without a copy when the
 * rows tile it in order.
 */
export const flattenResult = (r: unknown, n: number, sharedRows: boolean, who: string): Float32Array => {
  if (r instanceof Float32Array) return r.length === n ? r : r.slice(0, n)
  let first: unknown = r
  while (Array.isArray(first)) first = first[0]
  if (!(first instanceof Float32Array)) throw new Error(`gpu.js backend (${who}): unexpected kernel result`)
  if (sharedRows && first.byteOffset === 0 && first.buffer.byteLength >= n * 4) {
    let lastRow: unknown = r
    while (Array.isArray(lastRow)) lastRow = lastRow[lastRow.length - 1]
    // The rows must tile one buffer in order: the last row ends at n floats into the buffer.
    if (lastRow instanceof Float32Array && lastRow.buffer === first.buffer && lastRow.byteOffset + lastRow.byteLength === n * 4)
      return new Float32Array(first.buffer, 0, n)
  }
  return copyRows(r, n)
}

/** Internals of a threaded gpu.js WebAssemblyKernel that the shared pool needs. */
interface ThreadedKernel {
  _pool: unknown
  _moduleCache?: Map<string, { readonly shared?: boolean; readonly id: number }>
}
interface WorkerPool {
  release(id: number): void
}

let pool: WorkerPool | undefined
let poolLoaded = false
/**
 * The one worker pool every threaded kernel shares (gpu.js's own class, sized to the cores), or
 * undefined where the host has none to give (the browser build: matmuls then run synchronously).
 */
export const sharedPool = (): WorkerPool | undefined => {
  if (!poolLoaded) {
    poolLoaded = true
    const Pool = loadWorkerPool() as (new () => WorkerPool) | undefined
    pool = Pool === undefined ? undefined : new Pool()
  }
  return pool
}

/** Compile a spec as a threaded (asyncMode) webasm kernel on the shared pool (field notes G4); the pool must exist. */
export const compileThreaded = (gpu: GpuLike, spec: Spec): KernelFn => {
  const p = sharedPool()
  if (p === undefined) throw new Error('internal: no worker pool on this host')
  const kf = compileSpec(gpu, spec, { asyncMode: true })
  const inner = kf.kernel as ThreadedKernel | undefined
  if (inner !== undefined) inner._pool = p
  return kf
}

/** Before destroying a threaded kernel: release its modules from the shared pool (and tensorfold's threads) and keep the pool alive. */
export const detachSharedPool = (k: KernelFn): void => {
  const inner = k.kernel as ThreadedKernel | undefined
  if (inner === undefined || pool === undefined || inner._pool !== pool) return
  for (const e of inner._moduleCache?.values() ?? [])
    if (e.shared === true) {
      pool.release(e.id)
      // and tensorfold's own threads (kernel-threads.ts) drop their instances of its modules
      releaseShared(e.id)
    }
  inner._pool = null
}
