/**
 * Op benchmarks for one library per process: square matmul GFLOP/s, elementwise add / exp on 1e6
 * floats, and the per-call cost of a tiny op (add of two 4-element tensors). Every timed matmul and
 * elementwise run includes reading the result back into a host Float32Array.
 *
 *   node --import tsx bench/ops.ts <lib> [--quick] [--sizes 128,256,512,1024]
 *   lib: tensorfold-webasm | tensorfold-webasm-1t | tensorfold-cpu | tfjs-cpu | tfjs-wasm | jax-wasm
 *   (tensorfold-webasm-1t: webasm on the calling thread alone, TENSORFOLD_GPUJS_THREADS=0 and no jit.async)
 *
 * Prints one line `BENCH_JSON {...}` (see bench/common.ts#emit).
 */
import { argValue, hasFlag, median, perCallUs, quietly, r, randomFloats, runChild, timeRuns } from './common.js'
import { OPS_LIBS, type OpsLib } from './config.js'


/** A prepared benchmark case: `run` does the work and reads the result back. */
interface Case {
  run(): unknown // may return a Promise (awaited inside the timed region)
  free(): void
}
/** Tiny-op variants: name → one call. */
type TinyCases = Record<string, () => unknown>

interface Adapter {
  readonly name: string
  matmul(n: number): Case
  add(n: number): Case
  exp(n: number): Case
  tiny(): TinyCases
  /** tensorfold only: matmul through `jit(f).async`, whose replays run large matmuls on the shared worker pool */
  matmulThreaded?(n: number): Case | undefined
}

async function tensorfoldAdapter(mode: 'webasm' | 'cpu', oneThread = false): Promise<Adapter> {
  const tf = await import('../src/index.js')
  const be = tf.setBackend(mode)
  const t = (n: number, seed: number, shape: number[]) => tf.tensor(randomFloats(n, seed), shape)
  type T = import('../src/index.js').Tensor
  const jadd = tf.jit((p: { a: T; b: T }) => tf.add(p.a, p.b))
  const jmm = tf.jit((p: { a: T; b: T }) => tf.matmul(p.a, p.b))
  // `jit(f).async` replays large matmuls on the shared worker pool
  const jmmAsync = jmm.async
  const k0 = tf.key(0)
  return {
    name: `tensorfold ${be.name} (gpu.js)${oneThread ? ', one thread' : ''}`,
    matmul(n) {
      const a = t(n * n, 1, [n, n])
      const b = t(n * n, 2, [n, n])
      return { run: () => tf.dataSync(tf.matmul(a, b)), free() {} }
    },
    matmulThreaded(n) {
      if (jmmAsync === undefined || mode !== 'webasm' || oneThread) return undefined
      const ab = { a: t(n * n, 1, [n, n]), b: t(n * n, 2, [n, n]) }
      jmm(ab, k0) // record the plan (first call runs eagerly)
      return { run: async () => tf.dataSync(await jmmAsync(ab, k0)), free() {} }
    },
    add(n) {
      const a = t(n, 3, [n])
      const b = t(n, 4, [n])
      return { run: () => tf.dataSync(tf.add(a, b)), free() {} }
    },
    exp(n) {
      const a = t(n, 5, [n])
      return { run: () => tf.dataSync(tf.exp(a)), free() {} }
    },
    tiny() {
      const a = tf.tensor([1, 2, 3, 4])
      const b = tf.tensor([5, 6, 7, 8])
      const ab = { a, b }
      return {
        // eager: the kernel runs inside add(); the result is a concrete tensor
        op: () => tf.add(a, b),
        opRead: () => tf.dataSync(tf.add(a, b)),
        // compiled: jit replays the recorded plan (one kernel call)
        jitOpRead: () => tf.dataSync(jadd(ab, k0))
      }
    }
  }
}

async function tfjsAdapter(backend: 'cpu' | 'wasm'): Promise<Adapter> {
  const tf = await quietly(async () => {
    const tf = await import('@tensorflow/tfjs')
    if (backend === 'wasm') await import('@tensorflow/tfjs-backend-wasm')
    if (!(await tf.setBackend(backend))) throw new Error(`tfjs: setBackend('${backend}') failed`)
    await tf.ready()
    return tf
  })
  const read = (x: import('@tensorflow/tfjs').Tensor) => {
    const d = x.dataSync()
    x.dispose()
    return d
  }
  return {
    name: `tfjs ${tf.version.tfjs} ${tf.getBackend()}`,
    matmul(n) {
      const a = tf.tensor2d(randomFloats(n * n, 1), [n, n])
      const b = tf.tensor2d(randomFloats(n * n, 2), [n, n])
      return { run: () => read(tf.matMul(a, b)), free: () => tf.dispose([a, b]) }
    },
    add(n) {
      const a = tf.tensor1d(randomFloats(n, 3))
      const b = tf.tensor1d(randomFloats(n, 4))
      return { run: () => read(tf.add(a, b)), free: () => tf.dispose([a, b]) }
    },
    exp(n) {
      const a = tf.tensor1d(randomFloats(n, 5))
      return { run: () => read(tf.exp(a)), free: () => a.dispose() }
    },
    tiny() {
      const a = tf.tensor1d([1, 2, 3, 4])
      const b = tf.tensor1d([5, 6, 7, 8])
      return {
        // cpu and wasm kernels run synchronously inside tf.add
        op: () => tf.add(a, b).dispose(),
        opRead: () => read(tf.add(a, b))
      }
    }
  }
}

async function jaxAdapter(): Promise<Adapter> {
  const jax = await import('@jax-js/jax')
  const { numpy: np, init, defaultDevice, jit } = jax
  await init('wasm') // init() without arguments touches `navigator` and throws in Node 20
  defaultDevice('wasm')
  type JArray = import('@jax-js/jax').Array
  const jadd = jit((x: JArray, y: JArray) => x.add(y))
  // jax-js arrays are reference-counted: every op consumes its arguments, so pass `.ref`.
  return {
    name: 'jax-js 0.1.25 wasm',
    matmul(n) {
      const a = np.array(randomFloats(n * n, 1)).reshape([n, n])
      const b = np.array(randomFloats(n * n, 2)).reshape([n, n])
      return { run: () => np.dot(a.ref, b.ref).dataSync(), free: () => (a.dispose(), b.dispose()) }
    },
    add(n) {
      const a = np.array(randomFloats(n, 3))
      const b = np.array(randomFloats(n, 4))
      return { run: () => np.add(a.ref, b.ref).dataSync(), free: () => (a.dispose(), b.dispose()) }
    },
    exp(n) {
      const a = np.array(randomFloats(n, 5))
      return { run: () => np.exp(a.ref).dataSync(), free: () => a.dispose() }
    },
    tiny() {
      const a = np.array([1, 2, 3, 4])
      const b = np.array([5, 6, 7, 8])
      return {
        // jax-js is lazy: `op` only builds the expression; opRead forces execution
        op: () => a.ref.add(b.ref).dispose(),
        opRead: () => a.ref.add(b.ref).dataSync(),
        jitOpRead: () => jadd(a.ref, b.ref).dataSync()
      }
    }
  }
}

const makeAdapter = (lib: OpsLib): Promise<Adapter> => {
  switch (lib) {
    case 'tensorfold-webasm':
      return tensorfoldAdapter('webasm')
    case 'tensorfold-webasm-1t':
      // issue 12's single-threaded target: no kernel threads, so an eager product runs on this thread alone
      process.env.TENSORFOLD_GPUJS_THREADS = '0'
      return tensorfoldAdapter('webasm', true)
    case 'tensorfold-cpu':
      return tensorfoldAdapter('cpu')
    case 'tfjs-cpu':
      return tfjsAdapter('cpu')
    case 'tfjs-wasm':
      return tfjsAdapter('wasm')
    case 'jax-wasm':
      return jaxAdapter()
  }
}

export interface MatmulResult {
  readonly ms?: number
  readonly minMs?: number
  readonly runs?: number
  readonly gflops?: number
  /** the fastest run's GFLOP/s (from minMs) */
  readonly bestGflops?: number
  /** 512 only: the median of more runs after up to {@link STEADY_WARM} more calls (3 s at most) */
  readonly steadyGflops?: number
  readonly steadyCalls?: number
  readonly skipped?: string
}
/** Calls of an elementwise op between its first timed runs and its steady ones (`EwResult.steadyMs`). */
export const STEADY_WARM = 30

export interface EwResult {
  readonly ms: number
  /** the median of 21 more runs, after {@link STEADY_WARM} more calls (from the 55th call on) */
  readonly steadyMs: number
  readonly steadyMelemPerS: number
  readonly steadyGbPerS: number
  readonly minMs: number
  readonly melemPerS: number
  readonly gbPerS: number
  /** the fastest run's figures (from minMs) */
  readonly bestMelemPerS: number
  readonly bestGbPerS: number
  readonly runs: number
}
export interface OpsResult {
  readonly lib: OpsLib
  readonly name: string
  readonly ok: boolean
  readonly error?: string
  readonly matmul: Record<string, MatmulResult>
  readonly elementwise: { readonly add?: EwResult; readonly exp?: EwResult }
  readonly tinyUs: Record<string, { us: number; min: number; max: number }>
}

const main = async (lib: OpsLib, quick: boolean, sizes: ReadonlyArray<number>): Promise<Record<string, unknown>> => {
  const ad = await makeAdapter(lib)
  const measureMatmul = async (c: Case, n: number): Promise<MatmulResult> => {
    const t0 = performance.now()
    await c.run() // first call: compiles the kernel for this shape
    const firstS = (performance.now() - t0) / 1000
    if (firstS > 20) return { skipped: `one run took ${firstS.toFixed(1)} s` }
    // the first call was the warm-up for slow cases; quick mode takes 2–3 runs, the full run 3–7
    const warm = firstS > 1 ? 0 : quick ? 1 : 2
    const ts = await timeRuns(() => c.run(), { reps: quick ? 3 : 7, warm, capS: quick ? 3 : 8, minReps: quick ? 2 : 3 })
    // 512: the same product again once the process is past its first calls' fresh result memory
    // (as for add below), after up to STEADY_WARM more calls or 3 s of them
    let steady: { steadyGflops: number; steadyCalls: number } | undefined
    if (n === 512) {
      let calls = 1 + warm + ts.length
      const t1 = performance.now()
      for (let i = 0; i < STEADY_WARM && performance.now() - t1 < 3000; i++, calls++) await c.run()
      const st = await timeRuns(() => c.run(), { reps: quick ? 3 : 7, warm: 0, capS: quick ? 2 : 4, minReps: 2 })
      steady = { steadyGflops: r((2 * n ** 3) / median(st) / 1e6), steadyCalls: calls }
    }
    c.free()
    const ms = median(ts)
    const minMs = Math.min(...ts)
    return { ms: r(ms), minMs: r(minMs), runs: ts.length, gflops: r((2 * n ** 3) / ms / 1e6), bestGflops: r((2 * n ** 3) / minMs / 1e6), ...steady }
  }
  const matmul: Record<string, MatmulResult> = {}
  const matmulThreaded: Record<string, MatmulResult> = {}
  for (const n of sizes) {
    matmul[n] = await measureMatmul(ad.matmul(n), n)
    const th = ad.matmulThreaded?.(n)
    if (th !== undefined) matmulThreaded[n] = await measureMatmul(th, n)
  }
  const N = 1_000_000
  const ew = (c: Case, bytesPerElem: number) => async (): Promise<EwResult> => {
    const ts = await timeRuns(() => c.run(), { reps: quick ? 7 : 21, warm: 3, capS: quick ? 3 : 8, minReps: 5 })
    // the same op again after STEADY_WARM more calls: the first calls of a process also pay for the
    // fresh memory of their results (page faults) until the allocator's heap stops growing
    const steady = await timeRuns(() => c.run(), { reps: quick ? 7 : 21, warm: STEADY_WARM, capS: quick ? 3 : 8, minReps: 5 })
    c.free()
    const ms = median(ts)
    const minMs = Math.min(...ts)
    const steadyMs = median(steady)
    return {
      steadyMs: r(steadyMs),
      steadyMelemPerS: r(N / steadyMs / 1e3, 1),
      steadyGbPerS: r((bytesPerElem * N) / steadyMs / 1e6, 2),
      ms: r(ms),
      minMs: r(minMs),
      melemPerS: r(N / ms / 1e3, 1),
      gbPerS: r((bytesPerElem * N) / ms / 1e6, 2),
      bestMelemPerS: r(N / minMs / 1e3, 1),
      bestGbPerS: r((bytesPerElem * N) / minMs / 1e6, 2),
      runs: ts.length
    }
  }
  // add reads 2 floats and writes 1 (12 B per element); exp reads 1 and writes 1 (8 B)
  const elementwise = { add: await ew(ad.add(N), 12)(), exp: await ew(ad.exp(N), 8)() }
  const tinyUs: Record<string, { us: number; min: number; max: number }> = {}
  for (const [k, f] of Object.entries(ad.tiny())) tinyUs[k] = perCallUs(f, { batches: quick ? 3 : 7, batchMs: quick ? 150 : 300, warmCalls: 300 })
  return { name: ad.name, matmul, ...(Object.keys(matmulThreaded).length > 0 ? { matmulThreaded } : {}), elementwise, tinyUs }
}

const argv = process.argv.slice(2)
const lib = argv[0] as OpsLib
if (!OPS_LIBS.includes(lib)) {
  console.error(`usage: bench/ops.ts <${OPS_LIBS.join('|')}> [--quick] [--sizes 128,256]`)
  process.exit(2)
}
const quick = hasFlag(argv, 'quick')
const sizes = (argValue(argv, 'sizes') ?? '128,256,512,1024').split(',').map(Number)
runChild({ bench: 'ops', lib, quick }, () => main(lib, quick, sizes))
