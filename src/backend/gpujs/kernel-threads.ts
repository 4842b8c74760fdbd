/**
 * @internal Threads of tensorfold's own that share a threaded gpu.js kernel's cells with the calling
 * thread, synchronously, through `Atomics` in shared memory (Node; `#platform` starts none in a browser,
 * whose main thread may not block).
 *
 * gpu.js's worker pool takes its tasks by `postMessage` and acknowledges them the same way, so a call
 * waits for a message in each direction and the event loop between them (48 µs median for the posting
 * alone inside a training step, against 11 µs in isolation); and it splits a call into fixed ranges, so
 * when V8's collector threads hold a core the whole call waits for the range on it (the ninth session's
 * slow epochs: 0.7–1.1 ms of waiting on a 0.5 ms share; `docs/performance.md`).
 *
 * Here one control block (an `Int32Array` over a `SharedArrayBuffer`) carries each call: which module
 * (by gpu.js's entry id), how many chunks of how many cells, and a claim word `generation << 16 | next
 * chunk`. The calling thread publishes the call and wakes the threads (`Atomics.notify`); every thread,
 * the caller included, claims chunks with a compare-and-swap on the claim word until none are left, runs
 * each through its own instance of the same compiled module over the same shared memory, and counts it
 * done. The caller then waits only for chunks another thread has claimed and not finished: it spins on
 * the done count for up to {@link SPIN_US} µs, then sleeps (`Atomics.wait`). A late or busy thread claims nothing and costs nothing; the caller computes what is left.
 * Each cell is computed by the same module code whichever thread runs it (`run_simd` on quads, `run` on
 * rows not a multiple of 4 wide, as gpu.js's own workers choose), so results are bit-identical to gpu.js's
 * synchronous and threaded paths.
 *
 * A thread learns of a module by a message on its port (the compiled `WebAssembly.Module`, the shared
 * memory, the Math imports), read synchronously when it wakes (`receiveMessageOnPort`); until it has
 * it, it claims nothing. A claim names its generation, so a thread that wakes after its call ended cannot
 * take a chunk of the next one with the last one's fields: opening a call first closes the claim word
 * under the new generation, then writes the fields, then opens it. A thread that has not finished a
 * claimed chunk after {@link STALL_MS} is taken for dead: the caller computes the unfinished chunks itself
 * (the same bits) and stops using the threads (`stallForTest` makes a thread sleep mid-claim to test it).
 *
 * @since 0.3.0
 */
import { hardwareThreads, startKernelThread, type KernelThread } from '#platform'

/** Control block layout (Int32 indices). */
const GEN = 0
const CLAIM = 1
const DONE = 2
const ENTRY = 3
const CHUNKS = 4
const SIZE = 5
const CELLS = 6
const SIMD = 7
const STOP = 8
/** First of the per-chunk done marks (the generation that finished the chunk). */
const MARKS = 16
/** Most chunks one call is cut into. */
export const MAX_CHUNKS = 64
/** Cells per chunk below which a call is cut into fewer chunks. */
const MIN_CHUNK_CELLS = 256
/**
 * How long (µs) the caller spins on the done count, once it has run every chunk it could claim, before it
 * sleeps in `Atomics.wait`. Waking from that wait took 30–100 µs here, more than what is left of the
 * threads' last chunks: the MLP's `[128,784]·[784,128]` product waited 83–128 µs a call after its own
 * chunks with no spin, 22–31 µs with it (and the `[784,128]` weight gradient 27–50 µs against 4–22).
 */
export const SPIN_US = 200
let spinUs = SPIN_US
/** How long the caller waits for a claimed chunk before it takes the thread for dead. */
export const STALL_MS = 5000
let stallMs = STALL_MS

/** The worker's source: CommonJS, evaluated; everything it needs comes in `workerData` and on its port. */
const SOURCE = `
const { workerData, receiveMessageOnPort } = require('node:worker_threads')
const c = new Int32Array(workerData.ctrl)
const port = workerData.port
const modules = new Map()
const nap = new Int32Array(new SharedArrayBuffer(4))
let seen = 0
let hang = 0
for (;;) {
  Atomics.wait(c, ${GEN}, seen)
  const g = Atomics.load(c, ${GEN})
  seen = g
  if (Atomics.load(c, ${STOP}) !== 0) break
  for (let m = receiveMessageOnPort(port); m !== undefined; m = receiveMessageOnPort(port)) {
    const d = m.message
    if (d.type === 'setup') {
      try {
        const env = { memory: d.memory }
        for (const name of d.math) env['math_' + name] = Math[name]
        modules.set(d.id, new WebAssembly.Instance(d.module, { env }).exports)
      } catch (e) {}
    } else if (d.type === 'release') modules.delete(d.id)
    else if (d.type === 'hang') hang = d.ms
  }
  const x = modules.get(Atomics.load(c, ${ENTRY}))
  if (x === undefined) continue
  const chunks = Atomics.load(c, ${CHUNKS})
  const size = Atomics.load(c, ${SIZE})
  const cells = Atomics.load(c, ${CELLS})
  const simd = Atomics.load(c, ${SIMD}) === 1 && typeof x.run_simd === 'function'
  for (;;) {
    const w = Atomics.load(c, ${CLAIM})
    if ((w >>> 16) !== g || (w & 0xffff) >= chunks) break
    if (Atomics.compareExchange(c, ${CLAIM}, w, w + 1) !== w) continue
    const k = w & 0xffff
    if (hang > 0) {
      Atomics.wait(nap, 0, 0, hang)
      hang = 0
    }
    const s = k * size
    const e = Math.min(cells, s + size)
    if (simd) {
      const q = e - ((e - s) & 3)
      if (q > s) x.run_simd(s, q, 0)
      if (q < e) x.run(q, e, 0)
    } else x.run(s, e, 0)
    Atomics.store(c, ${MARKS} + k, g)
    if (Atomics.add(c, ${DONE}, 1) + 1 === chunks) Atomics.notify(c, ${DONE})
  }
}
`

type Span = (start: number, end: number, seed: number) => void

/** What a call needs of gpu.js's active threaded entry. */
export interface SharedEntry {
  readonly id: number
  readonly module: unknown
  readonly memory: unknown
  readonly mathImports: ReadonlyArray<string>
  readonly cells: number
  readonly sizeX: number
  readonly run: Span
  readonly runSimd: Span | null
}

interface Threads {
  readonly ctrl: Int32Array
  readonly handles: ReadonlyArray<KernelThread>
  /** entry ids every thread has been sent */
  readonly sent: Set<number>
  gen: number
}

/**
 * Counters for tests and diagnostics: calls shared, chunks the caller ran, chunks in all, stalls, and the
 * times the caller went to sleep for chunks other threads had not finished (after spinning {@link SPIN_US}).
 */
export const kernelThreadStats = { calls: 0, callerChunks: 0, chunks: 0, stalls: 0, sleeps: 0 }

let threads: Threads | undefined
let started = false
let enabled = true

/** Turn sharing with the threads on or off (A/B measurements and tests). */
export const setKernelThreads = (on: boolean): void => {
  enabled = on
}

/** How long the caller spins before it sleeps, in µs (0: it sleeps at once); A/B measurements and tests. */
export const setKernelThreadSpin = (us: number): void => {
  spinUs = Math.max(0, us)
}

/** The threads (one fewer than the host runs at once, at most 7), started on first use; undefined where there are none. */
const getThreads = (): Threads | undefined => {
  if (!enabled) return undefined
  if (started) return threads
  started = true
  const n = Math.min(7, hardwareThreads() - 1)
  if (n < 1 || typeof SharedArrayBuffer === 'undefined') return undefined
  const ctrl = new Int32Array(new SharedArrayBuffer((MARKS + MAX_CHUNKS) * 4))
  const handles: KernelThread[] = []
  for (let i = 0; i < n; i++) {
    const h = startKernelThread(SOURCE, ctrl.buffer as SharedArrayBuffer)
    if (h !== undefined) handles.push(h)
  }
  if (handles.length === 0) return undefined
  threads = { ctrl, handles, sent: new Set(), gen: 0 }
  return threads
}

/** Whether calls may be shared with threads here (starting them if they are not yet). */
export const kernelThreadsAvailable = (): boolean => getThreads() !== undefined

/** The chunks a call of `cells` cells is cut into: [count, cells per chunk (a multiple of 4)]. */
export const chunking = (cells: number, threads: number): readonly [number, number] => {
  const want = Math.max(2 * threads, Math.min(MAX_CHUNKS, Math.ceil(cells / MIN_CHUNK_CELLS)))
  const size = Math.max(4, Math.ceil(cells / Math.min(MAX_CHUNKS, want) / 4) * 4)
  return [Math.ceil(cells / size), size]
}

const runChunk = (e: SharedEntry, simd: boolean, k: number, size: number): void => {
  const s = k * size
  const end = Math.min(e.cells, s + size)
  if (simd && e.runSimd !== null) {
    const q = end - ((end - s) & 3)
    if (q > s) e.runSimd(s, q, 0)
    if (q < end) e.run(q, end, 0)
  } else e.run(s, end, 0)
}

/** A call published to the threads and not yet finished by the caller (see {@link startShared}). */
interface Call {
  readonly t: Threads
  readonly e: SharedEntry
  readonly g: number
  readonly chunks: number
  readonly size: number
  readonly simd: boolean
}

/** The finishing of the call in flight, if one is: the next shared call, a release or a stop runs it first. */
let inFlight: (() => void) | undefined

/** Finish the shared call in flight, if any, on this thread (before anything touches the threads or its memory). */
export const settleShared = (): void => {
  if (inFlight !== undefined) inFlight()
}

/** Publish `e`'s cells to the threads and wake them; undefined where there are none or the call is too small. */
const publish = (e: SharedEntry): Call | undefined => {
  settleShared()
  const t = getThreads()
  if (t === undefined || e.cells < 8) return undefined
  const c = t.ctrl
  if (!t.sent.has(e.id)) {
    for (const h of t.handles) h.post({ type: 'setup', id: e.id, module: e.module, memory: e.memory, math: [...e.mathImports] })
    t.sent.add(e.id)
  }
  const [chunks, size] = chunking(e.cells, t.handles.length)
  const simd = e.runSimd !== null && (e.sizeX & 3) === 0
  const g = (t.gen % 0x7fff) + 1
  t.gen = g
  // close the claim word under the new generation before the fields change, then open it
  Atomics.store(c, CLAIM, (g << 16) | 0xffff)
  Atomics.store(c, ENTRY, e.id)
  Atomics.store(c, CHUNKS, chunks)
  Atomics.store(c, SIZE, size)
  Atomics.store(c, CELLS, e.cells)
  Atomics.store(c, SIMD, simd ? 1 : 0)
  Atomics.store(c, DONE, 0)
  Atomics.store(c, CLAIM, g << 16)
  Atomics.store(c, GEN, g)
  Atomics.notify(c, GEN)
  return { t, e, g, chunks, size, simd }
}

/** Claim and run the chunks still unclaimed, then wait for those the threads claimed (spinning first). */
const finish = (call: Call): void => {
  const { e, g, chunks, size, simd } = call
  const c = call.t.ctrl
  let mine = 0
  for (;;) {
    const w = Atomics.load(c, CLAIM)
    if (w >>> 16 !== g || (w & 0xffff) >= chunks) break
    if (Atomics.compareExchange(c, CLAIM, w, w + 1) !== w) continue
    const k = w & 0xffff
    runChunk(e, simd, k, size)
    Atomics.store(c, MARKS + k, g)
    Atomics.add(c, DONE, 1)
    mine++
  }
  const t0 = Date.now()
  if (spinUs > 0 && Atomics.load(c, DONE) < chunks) {
    const until = performance.now() + spinUs / 1000
    for (let i = 1; Atomics.load(c, DONE) < chunks; i++) if ((i & 127) === 0 && performance.now() > until) break
  }
  for (let d = Atomics.load(c, DONE); d < chunks; d = Atomics.load(c, DONE)) {
    kernelThreadStats.sleeps++
    if (Atomics.wait(c, DONE, d, 50) !== 'timed-out' || Date.now() - t0 < stallMs) continue
    // a claimed chunk did not finish: compute what is unfinished here, and stop sharing
    for (let k = 0; k < chunks; k++) if (Atomics.load(c, MARKS + k) !== g) runChunk(e, simd, k, size)
    kernelThreadStats.stalls++
    stopThreads()
    break
  }
  kernelThreadStats.calls++
  kernelThreadStats.callerChunks += mine
  kernelThreadStats.chunks += chunks
}

/**
 * Compute every cell of `e` (its arguments already in its memory), sharing chunks with the threads; false,
 * computing nothing, where there are no threads or the call is too small to share.
 */
export const runShared = (e: SharedEntry): boolean => {
  const call = publish(e)
  if (call === undefined) return false
  finish(call)
  return true
}

/**
 * {@link runShared}, started: publish `e`'s cells to the threads and answer the function that finishes
 * the call on this thread (it claims the chunks still unclaimed, waits for the threads', then runs
 * `after`, which reads the result out of the memory; calling it again does nothing). Until it is called this thread is free for other work while the threads compute.
 * Undefined where {@link runShared} is false. The next shared call, a module's release and a stop finish
 * it first, so at most one call is ever in flight and its memory is written by nothing else.
 */
export const startShared = (e: SharedEntry, after: () => void): (() => void) | undefined => {
  const call = publish(e)
  if (call === undefined) return undefined
  let done = false
  const end = (): void => {
    if (done) return
    done = true
    if (inFlight === end) inFlight = undefined
    finish(call)
    after()
  }
  inFlight = end
  return end
}

/**
 * Tests only: make each thread sleep `ms` after its next claim, before it runs the chunk, and take a
 * thread for dead after `stallAfterMs` (the stall path, with the real protocol).
 */
export const stallForTest = (ms: number, stallAfterMs: number): void => {
  stallMs = stallAfterMs
  for (const h of threads?.handles ?? []) h.post({ type: 'hang', ms })
}

/** Let the threads drop their instance of a module whose kernel is being destroyed. */
export const releaseShared = (id: number): void => {
  settleShared()
  const t = threads
  if (t === undefined || !t.sent.delete(id)) return
  for (const h of t.handles) h.post({ type: 'release', id })
}

/** Stop the threads for good (calls then run on the calling thread's paths). */
export const stopThreads = (): void => {
  settleShared()
  const t = threads
  threads = undefined
  started = true
  if (t === undefined) return
  Atomics.store(t.ctrl, STOP, 1)
  Atomics.store(t.ctrl, GEN, -1)
  Atomics.notify(t.ctrl, GEN)
  for (const h of t.handles) h.terminate()
}
