/**
 * @internal What every kernel-source builder returns, and the small helpers they share.
 *
 * A kernel family lives in its own module under `kernels/` as module-level functions
 * `xxxSpec(...shape parameters): Spec` (the gpu.js source and output size, with every dimension baked in
 * as a literal) and `xxxKey(...)` (its cache key). Both gpu.js backends (webasm/cpu in `backend.ts`,
 * WebGPU in `webgpu.ts`) build their kernels from the same specs.
 *
 * @since 0.1.0
 */

/** A kernel to compile: gpu.js source, output size and the optional settings it needs. */
export interface Spec {
  readonly source: string
  readonly output: number[]
  readonly argumentTypes?: Record<string, string>
  readonly loopMaxIterations?: number
  /** gpu.js `returnType` (e.g. `'Array(4)'` for kernels that write four outputs per thread). */
  readonly returnType?: string
}

/** A float literal gpu.js parses as a float. */
export const literal = (v: number): string => {
  if (v === Infinity) return 'Infinity'
  if (v === -Infinity) return '(-Infinity)'
  const t = String(Math.fround(v))
  const f = /[.e]/.test(t) ? t : `${t}.0`
  return v < 0 ? `(${f})` : f
}

/** The one-line kernel `return x[this.thread.x]` over `n` cells (copies; int -> float). */
export const copySpec = (n: number): Spec => ({ source: 'function (x) {\nreturn x[this.thread.x];\n}', output: [n] })
export const copyKey = (n: number): string => `u|identity|${n}`

/** `n` cells of one value passed as a `Float` argument. */
export const fillSpec = (n: number): Spec => ({ source: 'function (v) {\nreturn v;\n}', output: [n], argumentTypes: { v: 'Float' } })
export const fillKey = (n: number): string => `fill|${n}`

/** `n` zeros (a matmul over k = 0). */
export const zerosSpec = (n: number): Spec => ({ source: 'function () {\nreturn 0;\n}', output: [n] })
export const zerosKey = (n: number): string => `z|${n}`

/**
 * A backend's kernel runner: compile (or reuse) the kernel cached under `key`, built from `spec()` on a
 * miss, run it on `args` and flatten its `n` outputs; `inBytes` sizes its cache entry. `T` is
 * `Float32Array` on the synchronous backends, `Float32Array | Promise<Float32Array>` on WebGPU.
 */
export type RunKernel<T = Float32Array> = (key: string, spec: () => Spec, args: unknown[], n: number, inBytes: number) => T
