/**
 * @internal The WebGPU backend: gpu.js's WebGPU kernels for the work that dominates a training step —
 * matmul, elementwise ops (plain and fused), convolutions (forward, and both VJPs: the input cotangent
 * is a convolution, the kernel cotangent `convKernelGrad`) and pooling with its VJP routing — and the
 * synchronous webasm backend for everything else (layout ops, reductions, small tensors).
 *
 * gpu.js's WebGPU kernels are asynchronous (every call resolves after a `mapAsync` readback), so this
 * backend is `async`: its GPU methods return Promises. tensorfold runs eager ops on `syncFallback`
 * (webasm) and runs compiled steps' replays (`jit(f).async`, used by `fit`) here, awaiting each step.
 * The same kernel sources as the webasm backend are used (gpu.js transpiles them to WGSL).
 *
 * @since 0.1.0
 */
import { fusedRead, type Backend, type BinaryOp, type Expr, type FusedRead, type UnaryOp, type View } from '../Backend.js'
import type { Shape } from '../../core/Shape.js'
import type { Buffer, FloatBuffer } from '../../core/Tensor.js'
import { KernelCache } from './cache.js'
import { compileSpec, copyRows, f32Exact, type GpuLike, type KernelFn } from './runtime.js'
import type { Spec } from './kernels/spec.js'
import { binaryKey, binarySpec, fusedKey, fusedSpec, unaryKey, unarySpec } from './kernels/elementwise.js'
import { matmulKey, matmulSpec } from './kernels/matmul.js'
import { prod } from './layout.js'
import { gpujsWindowOps } from './window-ops.js'

/** Elementwise work below this many elements stays on webasm: a WebGPU call costs ~0.1–0.5 ms. */
const GPU_MIN_ELEMENTS = 1 << 14
/** Matmuls and convolutions below this many multiply-adds stay on webasm. */
const GPU_MIN_MACS = 1 << 18

/** A flat Float32Array of `n` values from a WebGPU kernel result (1-D, or rows). */
const flatten = (r: unknown, n: number): Float32Array => (r instanceof Float32Array ? (r.length === n ? r : r.slice(0, n)) : copyRows(r, n))

/** The WebGPU backend over a gpu.js `GPU({mode: 'webgpu'})` and a synchronous fallback. */
export const createWebGpuBackend = (gpu: GpuLike, sync: Backend): Backend<'async'> & { kernelCount(): number; kernelFamilies(): Record<string, number> } => {
  const cache = new KernelCache<KernelFn>(256, 512 * 1024 * 1024, (k) => k.destroy())
  /** kernels compiled so far, by family (the cache key's first field: `mm`, `conv`, `convkg`, `poolmax`, …) */
  const compiled = new Map<string, number>()
  const run = async (key: string, spec: () => Spec, args: unknown[], n: number): Promise<Float32Array> => {
    const k = cache.get(
      key,
      () => {
        const family = key.slice(0, key.indexOf('|'))
        compiled.set(family, (compiled.get(family) ?? 0) + 1)
        return compileSpec(gpu, spec())
      },
      n * 8
    )
    return flatten(await (k(...args) as Promise<unknown>), n)
  }
  const f32 = (b: Buffer): Float32Array => (b instanceof Float32Array ? b : Float32Array.from(b))

  const unary = (op: UnaryOp, x: View): FloatBuffer | Promise<FloatBuffer> => {
    const n = x.data.length
    if (n < GPU_MIN_ELEMENTS) return sync.unary(op, x)
    return run(unaryKey(op, n), () => unarySpec(op, n), [f32(x.data)], n)
  }
  const binary = (op: BinaryOp, a: View, b: View, out: Shape): FloatBuffer | Promise<FloatBuffer> => {
    const n = prod(out)
    const na = a.data.length
    const nb = b.data.length
    if (n < GPU_MIN_ELEMENTS || !((na === n || na === 1) && (nb === n || nb === 1)) || !f32Exact(a.data) || !f32Exact(b.data)) return sync.binary(op, a, b, out)
    return run(binaryKey(op, na, nb, n), () => binarySpec(op, na, nb, n), [f32(a.data), f32(b.data)], n)
  }
  const fused = (expr: Expr, inputs: ReadonlyArray<View>, out: Shape): FloatBuffer | Promise<FloatBuffer> => {
    const n = prod(out)
    if (n < GPU_MIN_ELEMENTS || n >= 1 << 24 || !inputs.every((v) => f32Exact(v.data))) return sync.fused(expr, inputs, out)
    const reads = inputs.map((v) => fusedRead(v.shape, out))
    if (!reads.every((r): r is FusedRead => r !== undefined)) return sync.fused(expr, inputs, out)
    return run(fusedKey(expr, reads, n), () => fusedSpec(expr, reads, n), inputs.map((v) => f32(v.data)), n)
  }
  const matmul = (a: Buffer, b: Buffer, batch: number, m: number, k: number, n: number, transA: boolean, transB: boolean): FloatBuffer | Promise<FloatBuffer> => {
    if (batch * m * n * k < GPU_MIN_MACS || k === 0) return sync.matmul(a, b, batch, m, k, n, transA, transB)
    return run(matmulKey(batch, m, k, n, transA, transB), () => matmulSpec(batch, m, k, n, transA, transB), [f32(a), f32(b)], batch * m * n)
  }
  // Convolutions as the direct kernels (kernels/conv.ts), not im2col + the matmul above: on Dawn/llvmpipe
  // here they ran about as fast forward and ~1.8× faster for the kernel cotangent on the largest case,
  // and they upload the input once instead of its T-times larger patch matrix (docs/performance.md).
  const win = gpujsWindowOps<'async'>(run, { conv: 'direct' })
  const conv: Backend<'async'>['conv'] = (x, w, g, out) =>
    prod(out) * prod(w.shape.slice(0, -1)) < GPU_MIN_MACS ? sync.conv(x, w, g, out) : win.conv(x, w, g, out)
  const convKernelGrad: Backend<'async'>['convKernelGrad'] = (x, ct, g, kernel) =>
    prod(kernel) * (ct.data.length / kernel[kernel.length - 1]) < GPU_MIN_MACS ? sync.convKernelGrad(x, ct, g, kernel) : win.convKernelGrad(x, ct, g, kernel)
  const pool: Backend<'async'>['pool'] = (op, x, g, out) => (x.data.length < GPU_MIN_ELEMENTS ? sync.pool(op, x, g, out) : win.pool(op, x, g, out))
  const poolRoute: Backend<'async'>['poolRoute'] = (op, dir, x, y, t, g) =>
    x.data.length < GPU_MIN_ELEMENTS ? sync.poolRoute(op, dir, x, y, t, g) : win.poolRoute(op, dir, x, y, t, g)
  return Object.freeze({
    ...sync,
    name: 'webgpu',
    precision: 'float32' as const,
    async: true as const,
    syncFallback: sync,
    threaded: undefined,
    unary,
    binary,
    fused,
    matmul,
    conv,
    convKernelGrad,
    pool,
    poolRoute,
    /** compiled WebGPU kernels in the cache (for tests and diagnostics) */
    kernelCount: () => cache.size,
    /** kernels compiled so far, by family (for tests and diagnostics) */
    kernelFamilies: (): Record<string, number> => Object.fromEntries(compiled)
  })
}
