/**
 * @internal A threaded gpu.js WebAssembly kernel run with the main thread taking its share — a small,
 * version-checked reading of `WebAssemblyKernel`'s threaded internals (gpu.js 2.24.1). It patches nothing
 * in gpu.js.
 *
 * gpu.js runs a threaded (`asyncMode`) webasm kernel by splitting its cells over the worker pool, one
 * range per worker, while the main thread waits for the workers' acknowledgements. The pool is sized to
 * the cores, so on two cores one core's worth of the call is a thread that sleeps; and gpu.js gives a
 * worker no fewer than 4,096 cells, so the MLP's `[128,784]·[784,128]` (4,096 cells of four outputs) went
 * to one worker — the same work as a synchronous call, plus a round trip. Measured here, a compiled MLP
 * step ran faster with no threaded matmul at all (32.5k against 23–25k samples/s).
 *
 * {@link splitRun} does what gpu.js's `_runThreaded` does on its direct path — copy the arguments into
 * the module's shared memory, have the cells computed, copy the output region out — except that the main
 * thread computes a share, by the module instance gpu.js made over that same memory. In Node the cells
 * are shared with tensorfold's own threads (`kernel-threads.ts`): every thread claims chunks until none
 * are left, synchronously, and a late thread costs nothing. Elsewhere, or with those threads off,
 * contiguous, quad-aligned ranges go to gpu.js's pool and the first is run here after the pool's messages
 * have gone out, so two cores split a call in two: one worker and this thread. Each cell is computed by the same module code
 * as before (`run_simd` on quads, `run` where a row's width is not a multiple of 4, as gpu.js's workers
 * choose), so results are bit-identical to gpu.js's threaded and synchronous paths.
 *
 * It holds gpu.js's own bookkeeping for the kernel's shared memory: the call counts as in flight
 * (`_threadedBusy`) and becomes the kernel's tail (`_threadedTail`) until its output is copied out, so a
 * call through gpu.js meanwhile stages its arguments and waits its turn, exactly as it would behind one
 * of gpu.js's own runs. It answers undefined, and the call goes through gpu.js, whenever gpu.js would not
 * take its direct threaded path with the module already active: the kernel not built or not threaded, a
 * run already in flight, random numbers, a result that needs erecting, arguments not as laid out (see
 * `direct-run.ts`), a pool of one, or too few cells to give every thread a quad.
 *
 * @since 0.3.0
 */
import { argsFit, outputFits, resultOf, writeArgs, type Span, type WasmKernel } from './direct-run.js'
import { kernelThreadsAvailable, settleShared, startShared } from './kernel-threads.js'

/** The gpu.js version whose `WebAssemblyKernel._runThreaded` this path reproduces. */
export const SPLIT_RUN_GPUJS_VERSION = '2.24.1'

export type SplitRunInstall = { readonly ok: true } | { readonly ok: false; readonly reason: string }

interface Task {
  readonly start: number
  readonly end: number
  readonly seed: number
}

/** The slice of gpu.js's `WebAssemblyWorkerPool` this path uses. */
interface Pool {
  readonly size: number
  readonly destroyed?: boolean
  dispatch(entry: unknown, tasks: Task[]): Promise<void>
}

/** The threaded internals of a gpu.js WebAssemblyKernel this path reads and, like `_runThreaded`, keeps. */
interface ThreadedKernel extends Omit<WasmKernel, '_active'> {
  readonly _active?: (NonNullable<WasmKernel['_active']> & { readonly id?: number; readonly module?: unknown; readonly memory?: unknown; readonly mathImports?: ReadonlyArray<string> }) | null
  readonly _pool?: Pool | null
  _threadedBusy?: number
  readonly _threadedEpoch?: number
  _threadedTail?: Promise<unknown>
}

/** Calls split with the pool since start-up and how many cells the main thread ran in them, and calls shared with tensorfold's own threads (tests and diagnostics). */
export const splitRunStats = { calls: 0, mainCells: 0, cells: 0, shared: 0 }

let installed = false
let enabled = true
/** Turn the split path on or off (A/B measurement and tests); it is only taken once installed. */
export const setSplitRun = (on: boolean): void => {
  enabled = on
}
/** Whether threaded calls may take the split path. */
export const splitRunActive = (): boolean => installed && enabled

/** Check gpu.js's version and the internals this path reads (the class, from `gpu.js`'s exports). */
export const installSplitRun = (Kernel: unknown, version: string | undefined): SplitRunInstall => {
  if (version !== undefined && version !== SPLIT_RUN_GPUJS_VERSION)
    return { ok: false, reason: `gpu.js ${version} is installed; the split threaded path is written for ${SPLIT_RUN_GPUJS_VERSION}` }
  const proto = (Kernel as { prototype?: Record<string, unknown> } | undefined)?.prototype
  if (proto === undefined || typeof proto._runThreaded !== 'function' || typeof proto._instantiate !== 'function')
    return { ok: false, reason: "gpu.js's WebAssemblyKernel lacks _runThreaded or _instantiate" }
  installed = true
  return { ok: true }
}

/**
 * The ranges of `cells` for `threads` threads, the first for the main thread: contiguous, each start a
 * multiple of 4 (so a worker may enter `run_simd`), the last taking the tail. Undefined for one thread,
 * or when a share would be under one quad or leave the last thread nothing.
 */
export const splitRanges = (cells: number, threads: number): ReadonlyArray<readonly [number, number]> | undefined => {
  const chunk = Math.ceil(cells / threads) & ~3
  if (threads < 2 || chunk < 4 || chunk * (threads - 1) >= cells) return undefined
  const out: Array<readonly [number, number]> = []
  for (let i = 0; i < threads; i++) out.push([i * chunk, i === threads - 1 ? cells : (i + 1) * chunk])
  return out
}

type Entry = NonNullable<ThreadedKernel['_active']> & { readonly f32: Float32Array; readonly i32: Int32Array; readonly run: Span }

/**
 * The kernel and its active module, where gpu.js would take its direct threaded path with it: a built,
 * threaded kernel drawing no random numbers, no run in flight, a shared module active, and a result that
 * needs no erecting (packed, or a 1-D float output); else undefined.
 */
const activeThreaded = (kernelFn: { readonly kernel?: unknown }): { readonly k: ThreadedKernel; readonly e: Entry } | undefined => {
  const k = kernelFn.kernel as ThreadedKernel | undefined
  if (k === undefined || k === null || k.built !== true || k.asyncMode !== true || k.usesRandom !== false || k._threadedBusy !== 0) return undefined
  const e = k._active
  if (e === undefined || e === null || e.shared !== true || e.f32 === null || e.i32 === null || e.run === null) return undefined
  if (!outputFits(k.output, e.sizeX, e.cells)) return undefined
  const out = k.output as ReadonlyArray<number>
  if (!(k.tfFlatOutput === true || (k.componentCount === 1 && out.length === 1))) return undefined
  return { k, e: e as Entry }
}

/**
 * Build a threaded kernel (gpu.js's run shortcut with `asyncMode`) for `args` now, on this thread, so that
 * {@link sharedRun} can take its first call: gpu.js's `build` compiles the module and makes it active over
 * a shared memory, as the run shortcut's first call does before it runs anything (`build` is a no-op on a
 * built kernel). Nothing runs on gpu.js's pool. False where the kernel is not there to build, or
 * `build` threw (gpu.js then takes the call, and reports the error itself).
 */
export const buildThreaded = (kernelFn: { readonly kernel?: unknown }, args: ReadonlyArray<unknown>): boolean => {
  const k = kernelFn.kernel as { built?: boolean; asyncMode?: boolean; build?: (...a: unknown[]) => void } | undefined
  if (!installed || !enabled || k === undefined || k === null || k.asyncMode !== true || typeof k.build !== 'function') return false
  if (k.built === true) return true
  // gpu.js's build makes the module active: not over a memory a shared call is still computing in
  settleShared()
  try {
    k.build(...args)
  } catch {
    return false
  }
  // gpu.js sets it in build (read again: TypeScript narrowed it above)
  return (k as { built?: boolean }).built === true
}

/**
 * Run a compiled threaded webasm kernel (gpu.js's run shortcut with `asyncMode`, after its first call) on
 * `args` synchronously, its cells shared between this thread and tensorfold's own threads
 * (`kernel-threads.ts`, Node); or answer undefined when they cannot take it: no such threads, or gpu.js
 * would not take its direct threaded path with the module already active (see the module header).
 */
export const sharedRun = (kernelFn: { readonly kernel?: unknown }, args: ReadonlyArray<unknown>): Float32Array | undefined => {
  const end = sharedStart(kernelFn, args)
  return end === undefined ? undefined : end()
}

/**
 * {@link sharedRun}, started: the arguments copied in and the cells published to the threads, answering
 * the function that finishes the call on this thread and gives its result (`kernel-threads.ts`
 * `startShared`: until it is called, this thread may run other kernels while the threads compute). Any
 * other shared call finishes it first, and so does this one: its module may be the one in flight.
 */
export const sharedStart = (kernelFn: { readonly kernel?: unknown }, args: ReadonlyArray<unknown>): (() => Float32Array) | undefined => {
  if (!installed || !enabled) return undefined
  settleShared()
  const a = activeThreaded(kernelFn)
  if (a === undefined) return undefined
  const { k, e } = a
  if (typeof e.id !== 'number' || e.module === undefined || e.memory === undefined || e.cells < 8) return undefined
  if (!kernelThreadsAvailable() || !argsFit(e.layout, args)) return undefined
  writeArgs(e.layout, e.f32, e.i32, args)
  // what the result is read from, as it is now (a destroyed kernel's entry loses its fields; the memory stays)
  const { f32, layout } = e
  const n = e.cells * (k.componentCount ?? 1)
  // copied out as the call finishes, whoever finishes it: the next shared call may write this memory
  let result: Float32Array | undefined
  const end = startShared({ id: e.id, module: e.module, memory: e.memory, mathImports: e.mathImports ?? [], cells: e.cells, sizeX: e.sizeX, run: e.run, runSimd: e.runSimd }, () => {
    result = resultOf(f32, layout.outputOffset, n)
  })
  if (end === undefined) return undefined
  k._lastRunPath = 'threaded'
  splitRunStats.shared++
  return () => {
    end()
    return result as Float32Array
  }
}

/**
 * Run a compiled threaded webasm kernel (gpu.js's run shortcut with `asyncMode`, after its first call) on
 * `args`, the main thread computing the first range while the pool's workers compute the rest; or answer
 * undefined when the call must go through gpu.js (see the module header).
 */
export const splitRun = (kernelFn: { readonly kernel?: unknown }, args: ReadonlyArray<unknown>): Promise<Float32Array> | undefined => {
  if (!installed || !enabled) return undefined
  settleShared()
  // Node: tensorfold's own threads claim chunks with this one, synchronously (kernel-threads.ts)
  const shared = sharedRun(kernelFn, args)
  if (shared !== undefined) return Promise.resolve(shared)
  const a = activeThreaded(kernelFn)
  if (a === undefined) return undefined
  const { k, e } = a
  const pool = k._pool
  if (pool === undefined || pool === null || pool.destroyed === true || typeof pool.dispatch !== 'function' || typeof k._threadedEpoch !== 'number') return undefined
  const { run, runSimd, layout } = e
  const n = e.cells * (k.componentCount ?? 1)
  const ranges = splitRanges(e.cells, pool.size)
  if (ranges === undefined || !argsFit(e.layout, args)) return undefined
  writeArgs(e.layout, e.f32, e.i32, args)
  const simd = e.runSimd !== null && (e.sizeX & 3) === 0
  const [, mainEnd] = ranges[0]
  const tasks = ranges.slice(1).map(([start, end]) => ({ start, end, seed: 0 }))
  // the pool posts each task from a resolved-promise callback: queued now, it runs before this
  // function's first await resumes, so the workers start before the main thread computes its share
  const workers = pool.dispatch(e, tasks)
  const result = (async (): Promise<Float32Array> => {
    await undefined
    try {
      if (simd && runSimd !== null) runSimd(0, mainEnd, 0)
      else run(0, mainEnd, 0)
    } finally {
      // the workers write the same memory: whatever happened here, the call ends when they do
      await workers
    }
    if (e.f32 === null) throw new Error('WebAssembly kernel was destroyed')
    k._lastRunPath = 'threaded'
    return resultOf(e.f32, layout.outputOffset, n)
  })()
  const epoch = k._threadedEpoch
  k._threadedBusy = (k._threadedBusy ?? 0) + 1
  const settle = (): void => {
    if (k._threadedEpoch === epoch) k._threadedBusy = (k._threadedBusy ?? 1) - 1
  }
  k._threadedTail = result.then(settle, settle)
  splitRunStats.calls++
  splitRunStats.mainCells += mainEnd
  splitRunStats.cells += e.cells
  return result
}
