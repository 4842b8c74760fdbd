/**
 * @internal The WebGPU backend: gpu.js's WebGPU kernels for the work that dominates a training step —
 * matmul and elementwise ops (plain and fused) — and the synchronous webasm backend for everything
 * else (layout ops, reductions, small tensors).
 *
 * gpu.js's WebGPU kernels are asynchronous (every call resolves after a `mapAsync` readback), so this
 * backend is `async`: its GPU methods return Promises. tensorfold runs eager ops on `syncFallback`
 * (webasm) and runs compiled steps' replays (`jit(f).async`, used by `fit`) here, awaiting each step.
 * The same kernel sources as the webasm backend are used (gpu.js transpiles them to WGSL).
 *
 * @since 0.1.0
 */
import type { Backend, BinaryOp, Expr, UnaryOp, View } from '../Backend.js'
import type { Shape } from '../../core/Shape.js'
import type { Buffer, FloatBuffer } from '../../core/Tensor.js'
import { KernelCache } from './cache.js'
import { type GpuLike, type KernelFn, type Spec, copyRows, unarySrc, binarySrc, render, exprKey, matmulSpec, matmulKey } from './backend.js'
import { prod } from './layout.js'

/** Elementwise work below this many elements stays on webasm: a WebGPU call costs ~0.1–0.5 ms. */
const GPU_MIN_ELEMENTS = 1 << 14
/** Matmuls below this many multiply-adds stay on webasm. */
const GPU_MIN_MACS = 1 << 18

/** A flat Float32Array of `n` values from a WebGPU kernel result (1-D, or rows). */
const flatten = (r: unknown, n: number): Float32Array => (r instanceof Float32Array ? (r.length === n ? r : r.slice(0, n)) : copyRows(r, n))

/** The WebGPU backend over a gpu.js `GPU({mode: 'webgpu'})` and a synchronous fallback. */
export const createWebGpuBackend = (gpu: GpuLike, sync: Backend): Backend => {
  const cache = new KernelCache<KernelFn>(256, 512 * 1024 * 1024, (k) => k.destroy())
  const run = async (key: string, spec: () => Spec, args: unknown[], n: number): Promise<Float32Array> => {
    const k = cache.get(key, () => gpu.createKernel(spec().source, { output: spec().output, precision: 'single' }), n * 8)
    return flatten(await (k(...args) as Promise<unknown>), n)
  }
  const f32 = (b: Buffer): Float32Array => (b instanceof Float32Array ? b : Float32Array.from(b))
  // the Backend methods are typed synchronous; an async backend's GPU methods return Promises instead
  const later = (p: Promise<Float32Array>): FloatBuffer => p as unknown as FloatBuffer

  const unary = (op: UnaryOp, x: View): FloatBuffer => {
    const n = x.data.length
    if (n < GPU_MIN_ELEMENTS) return sync.unary(op, x)
    return later(run(`u|${op}|${n}`, () => ({ source: `function (x) {\nreturn ${unarySrc[op]('x[this.thread.x]')};\n}`, output: [n] }), [f32(x.data)], n))
  }
  const binary = (op: BinaryOp, a: View, b: View, out: Shape): FloatBuffer => {
    const n = prod(out)
    const na = a.data.length
    const nb = b.data.length
    if (n < GPU_MIN_ELEMENTS || !((na === n || na === 1) && (nb === n || nb === 1))) return sync.binary(op, a, b, out)
    const ia = na === n ? 'a[this.thread.x]' : 'a[0]'
    const ib = nb === n ? 'b[this.thread.x]' : 'b[0]'
    return later(
      run(`b|${op}|${na === n ? 'v' : 's'}${nb === n ? 'v' : 's'}|${n}`, () => ({ source: `function (a, b) {\nreturn ${binarySrc[op](ia, ib)};\n}`, output: [n] }), [f32(a.data), f32(b.data)], n)
    )
  }
  const fused = (expr: Expr, inputs: ReadonlyArray<View>, out: Shape): FloatBuffer => {
    const n = prod(out)
    if (n < GPU_MIN_ELEMENTS || n >= 1 << 24) return sync.fused(expr, inputs, out)
    const sizes = inputs.map((v) => v.data.length)
    const access = (k: number): string => (sizes[k] === n ? `x${k}[this.thread.x]` : sizes[k] === 1 ? `x${k}[0]` : `x${k}[this.thread.x % ${sizes[k]}]`)
    const key = `f|${n}|${sizes.map((s) => (s === n ? 'v' : s === 1 ? 's' : s)).join(',')}|${exprKey(expr)}`
    return later(
      run(key, () => ({ source: `function (${inputs.map((_, k) => `x${k}`).join(', ')}) {\nreturn ${render(expr, access)};\n}`, output: [n] }), inputs.map((v) => f32(v.data)), n)
    )
  }
  const matmul = (a: Buffer, b: Buffer, batch: number, m: number, k: number, n: number, transA: boolean, transB: boolean): FloatBuffer => {
    if (batch * m * n * k < GPU_MIN_MACS || k === 0) return sync.matmul(a, b, batch, m, k, n, transA, transB)
    return later(run(matmulKey(batch, m, k, n, transA, transB), () => matmulSpec(batch, m, k, n, transA, transB), [f32(a), f32(b)], batch * m * n))
  }
  return Object.freeze({
    ...sync,
    name: 'webgpu',
    precision: 'float32' as const,
    async: true,
    syncFallback: sync,
    unary,
    binary,
    fused,
    matmul,
    /** compiled WebGPU kernels in the cache (for tests and diagnostics) */
    kernelCount: () => cache.size,
    matmulAsync: (a: Buffer, b: Buffer, batch: number, m: number, k: number, n: number, transA: boolean, transB: boolean) =>
      Promise.resolve(matmul(a, b, batch, m, k, n, transA, transB))
  })
}
