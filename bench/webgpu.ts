/**
 * WebGPU through gpu.js, op by op, where an adapter answers (run by `npm run bench -- --webgpu`; see
 * docs/performance.md "WebGPU / GPU"). It checks that `setBackend('webgpu')` answers, times tensorfold's
 * own WebGPU matmul kernel (`getBackend().matmul` on the webgpu backend: the kernel `fit` runs) at
 * 1024–4096, then the op benchmark's matmul, elementwise and tiny-op cases as plain gpu.js WebGPU
 * kernels (awaiting each result). It names the adapter and says whether it is a software renderer
 * (llvmpipe, SwiftShader, lavapipe): those figures are the CPU's, not a GPU's. The training benchmarks'
 * WebGPU rows are the MLP, CNN and LSTM children with `--webgpu`.
 *
 *   EGL_PLATFORM=surfaceless node --import tsx bench/webgpu.ts [--sizes 128,256,512] [--big 1024,2048,4096]
 *
 * Needs the `webgpu` npm package (0.6.2, Dawn; tensorfold's package.json overrides gpu.js's 0.2.9 to it).
 * On a machine without a GPU the adapter is Mesa llvmpipe on the CPU (field notes §1), so expect numbers
 * below the webasm backend's.
 */
import { GPU } from 'gpu.js'
import * as tf from '../src/index.js'
import { installWebGpu } from '../src/backend/gpujs/index.js'
import { argValue, median, r, randomFloats, runChild, timeRuns } from './common.js'

type AsyncKernel = ((...args: unknown[]) => Promise<unknown>) & { destroy(): void }

const flat = (res: unknown, n: number): Float32Array => {
  if (res instanceof Float32Array) return res
  // 2-D results: rows of Float32Array views (one buffer on webgpu), copy to be safe
  const rows = res as ArrayLike<Float32Array>
  const out = new Float32Array(n)
  let o = 0
  for (let i = 0; i < rows.length; i++) {
    out.set(rows[i], o)
    o += rows[i].length
  }
  return out
}

/** What the adapter says it is (vendor, architecture, device, description). */
const adapterInfo = async (): Promise<Record<string, string>> => {
  const nav = (globalThis as unknown as { navigator?: { gpu?: { requestAdapter(): Promise<{ info?: Record<string, unknown> } | null> } } }).navigator
  const a = await nav?.gpu?.requestAdapter()
  const i = a?.info ?? {}
  return Object.fromEntries(['vendor', 'architecture', 'device', 'description'].map((k) => [k, String(i[k] ?? '')]))
}

const main = async (): Promise<Record<string, unknown>> => {
  const sizes = (argValue(process.argv.slice(2), 'sizes') ?? '128,256,512').split(',').map(Number)
  const t0 = performance.now()
  const adapter = await installWebGpu()
  const adapterMs = r(performance.now() - t0, 1)
  if (!adapter.ok) throw new Error(`no WebGPU adapter answered: ${adapter.reason}`)
  const info = await adapterInfo()
  const software = /llvmpipe|swiftshader|lavapipe|softpipe|software/i.test(`${info.vendor} ${info.architecture} ${info.device} ${info.description}`)
  let tensorfoldBackend: string
  try {
    const prev = tf.getBackend()
    tf.setBackend('webgpu')
    tf.setBackend(prev)
    tensorfoldBackend = 'ok'
  } catch (e) {
    tensorfoldBackend = (e as Error).message
  }
  // tensorfold's WebGPU matmul (kernels/matmul.ts's matmulSpec, as fit runs it), large sizes
  const big = (argValue(process.argv.slice(2), 'big') ?? '1024,2048,4096').split(',').map(Number)
  const tfMatmul: Record<string, unknown> = {}
  const prevBe = tf.getBackend()
  tf.setBackend('webgpu')
  const wbe = tf.getBackend() as unknown as { matmul(a: Float32Array, b: Float32Array, batch: number, m: number, k: number, n: number, ta: boolean, tb: boolean): Float32Array | Promise<Float32Array> }
  for (const n of big) {
    const a = randomFloats(n * n, 5)
    const b = randomFloats(n * n, 6)
    const t1 = performance.now()
    await wbe.matmul(a, b, 1, n, n, n, false, false) // compile + first call
    const firstMs = performance.now() - t1
    // at most ~60 s of timed calls per size (one call at 4096 takes minutes on a software adapter)
    const ts = firstMs > 20000 ? [firstMs] : await timeRuns(() => wbe.matmul(a, b, 1, n, n, n, false, false), { reps: 5, warm: 0, capS: 60, minReps: 1 })
    tfMatmul[n] = { ms: r(median(ts)), gflops: r((2 * n ** 3) / median(ts) / 1e6), firstCallMs: r(firstMs), timed: ts.length }
    process.stderr.write(`webgpu matmul ${n}: ${JSON.stringify(tfMatmul[n])}\n`)
  }
  tf.setBackend(prevBe)
  const gpu = new GPU({ mode: 'webgpu' }) as unknown as { createKernel(src: string, o: Record<string, unknown>): AsyncKernel; destroy(): unknown }
  const matmul: Record<string, unknown> = {}
  for (const n of sizes) {
    // the field notes' fastest pattern: B pre-transposed, 4 accumulators, 2-D output
    const k = gpu.createKernel(
      `function (a, bt) { const r = this.thread.y * ${n}; const c = this.thread.x * ${n};
        let s0 = 0; let s1 = 0; let s2 = 0; let s3 = 0;
        for (let i = 0; i < ${n}; i += 4) { s0 += a[r + i] * bt[c + i]; s1 += a[r + i + 1] * bt[c + i + 1]; s2 += a[r + i + 2] * bt[c + i + 2]; s3 += a[r + i + 3] * bt[c + i + 3]; }
        return s0 + s1 + s2 + s3; }`,
      { output: [n, n], loopMaxIterations: n }
    )
    const a = randomFloats(n * n, 1)
    const bt = randomFloats(n * n, 2)
    const ts = await timeRuns(async () => flat(await k(a, bt), n * n), { reps: 5, warm: 1, capS: 10 })
    matmul[n] = { ms: r(median(ts)), gflops: r((2 * n ** 3) / median(ts) / 1e6) }
    k.destroy()
  }
  const N = 1_000_000
  const add = gpu.createKernel('function (a, b) { return a[this.thread.x] + b[this.thread.x]; }', { output: [N] })
  const exp = gpu.createKernel('function (a) { return Math.exp(a[this.thread.x]); }', { output: [N] })
  const x = randomFloats(N, 3)
  const y = randomFloats(N, 4)
  const addMs = median(await timeRuns(async () => flat(await add(x, y), N), { reps: 7, warm: 2, capS: 10 }))
  const expMs = median(await timeRuns(async () => flat(await exp(x), N), { reps: 7, warm: 2, capS: 10 }))
  const tiny = gpu.createKernel('function (a, b) { return a[this.thread.x] + b[this.thread.x]; }', { output: [4] })
  const ta = new Float32Array([1, 2, 3, 4])
  const tb = new Float32Array([5, 6, 7, 8])
  const tinyTs = await timeRuns(async () => flat(await tiny(ta, tb), 4), { reps: 200, warm: 20, capS: 5, minReps: 20 })
  gpu.destroy()
  return {
    adapter: `Dawn (webgpu@0.6.2), backend=${adapter.backend ?? adapter.source}, featureLevel ${adapter.featureLevel ?? 'n/a'}`,
    adapterInfo: info,
    softwareRendered: software,
    tensorfoldMatmul: tfMatmul,
    adapterMs,
    tensorfoldSetBackendWebgpu: tensorfoldBackend,
    matmul,
    elementwise: { add: { ms: r(addMs), gbPerS: r((12 * N) / addMs / 1e6, 2) }, exp: { ms: r(expMs), melemPerS: r(N / expMs / 1e3, 1) } },
    tinyAddReadUs: r(median(tinyTs) * 1000, 1)
  }
}

runChild({ bench: 'webgpu', lib: 'gpu.js webgpu' }, main)
