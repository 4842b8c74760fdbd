/** Shared by the threaded-kernel tests (split-run, kernel-threads): gpu.js webasm instances and an `a·s + b` kernel. */
import { GPU } from 'gpu.js'
import type { Backend } from '../../src/backend/Backend.js'
import { setKernelThreads } from '../../src/backend/gpujs/kernel-threads.js'
import { requestFlatOutput } from '../../src/backend/gpujs/flat-outputs.js'
import { compileSpec, compileThreaded, type GpuLike, type KernelFn } from '../../src/backend/gpujs/runtime.js'
import { bits, rnd } from './kernel-cases.js'

/** gpu.js webasm instances made by `gpu()`, all destroyed by `destroyAll()` (a file's `afterAll`). */
export const gpuInstances = (): { readonly gpu: () => GpuLike; readonly destroyAll: () => void } => {
  const made: GPU[] = []
  return {
    gpu: () => {
      const g = new GPU({ mode: 'webasm' })
      made.push(g)
      return g as unknown as GpuLike
    },
    destroyAll: () => {
      for (const g of made.splice(0)) g.destroy()
    }
  }
}

/** `a·s + b` over `n` cells, read flat. */
export const axpbSync = (gpu: GpuLike, n: number): KernelFn =>
  compileSpec(gpu, { source: 'function (a, b, s) {\nreturn a[this.thread.x] * s + b[this.thread.x];\n}', output: [n] })

/**
 * `a·s + b` as a threaded kernel over `n` cells in rows `width` wide (packed results), called once through
 * gpu.js so that its module is active.
 */
export const axpbThreaded = async (gpu: GpuLike, n: number, width = n): Promise<{ k: KernelFn; run: (a: Float32Array, b: Float32Array, s: number) => unknown }> => {
  const output = width === n ? [n] : [width, n / width]
  const index = width === n ? 'this.thread.x' : `this.thread.y * ${width} + this.thread.x`
  const k = compileThreaded(gpu, { source: `function (a, b, s) {\nreturn a[${index}] * s + b[${index}];\n}`, output })
  if (width !== n) requestFlatOutput(k)
  await k(rnd(n), rnd(n), 1)
  return { k, run: (a, b, s) => k(a, b, s) }
}

/** Matmul forms `[m, k, n, transA, transB]`: blocked and one-output-per-thread kernels, transposed operands, rows not a multiple of 4 wide. */
export const MATMUL_FORMS: ReadonlyArray<readonly [number, number, number, boolean, boolean]> = [
  [128, 784, 128, false, false],
  [784, 128, 128, true, false],
  [128, 128, 784, false, true],
  [300, 120, 130, false, false],
  [257, 200, 90, true, true]
]

/** The bits of `be.matmul(...)` computed by the calling thread alone (tensorfold's kernel threads off for the call). */
export const aloneBits = (be: Backend, a: Float32Array, b: Float32Array, m: number, k: number, n: number, transA: boolean, transB: boolean): number[] => {
  setKernelThreads(false)
  try {
    return bits(be.matmul(a, b, 1, m, k, n, transA, transB) as Float32Array)
  } finally {
    setKernelThreads(true)
  }
}
