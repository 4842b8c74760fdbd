/**
 * @internal Flat results for gpu.js WebAssembly kernels that return `Array(n)` or have a 2-D or 3-D output — a small, version-checked
 * extension of `WebAssemblyKernel` (gpu.js 2.24.1), installed once at start-up.
 *
 * A webasm kernel with `returnType: 'Array(4)'` writes its cells into one packed Float32Array
 * (`[cell][component]`), then gpu.js "erects" it: one `subarray` per output cell, in nested row arrays.
 * For a register-blocked matmul that is tens of thousands of small objects per call — measured here, as
 * much as the arithmetic at the MLP's shapes. A plain float kernel with a 2-D or 3-D output is erected
 * the same way, one `subarray` per row (128 of them for a `[128, 10]` fused kernel: about 5 µs a call).
 * A kernel instance flagged with `tfFlatOutput = true` returns the packed Float32Array itself instead
 * (the same values, the same order). Unflagged kernels
 * are untouched; callers must accept both forms (see `packedResult`), so the extension is only a
 * speed-up and a version mismatch costs nothing but the erection.
 *
 * @since 0.3.0
 */

/** The gpu.js version this extension was written and tested for. */
export const FLAT_OUTPUTS_GPUJS_VERSION = '2.24.1'

export type FlatOutputsInstall = { readonly ok: true } | { readonly ok: false; readonly reason: string }

let installed = false
/** Whether the extension is installed in gpu.js (flagged kernels return packed results). */
export const flatOutputsActive = (): boolean => installed

type ShapeOutput = (this: { tfFlatOutput?: boolean }, data: Float32Array, output: number[], componentCount: number) => unknown

/** Let flagged gpu.js WebAssembly kernels (the class, from `gpu.js`'s exports) return packed results. */
export const installFlatOutputs = (Kernel: unknown, version: string | undefined): FlatOutputsInstall => {
  const proto = (Kernel as { prototype?: Record<string, unknown> } | undefined)?.prototype
  if (proto === undefined) return { ok: false, reason: 'gpu.js exports no WebAssemblyKernel' }
  if (proto._tfFlatOutputs === true) {
    installed = true
    return { ok: true }
  }
  if (version !== undefined && version !== FLAT_OUTPUTS_GPUJS_VERSION)
    return { ok: false, reason: `gpu.js ${version} is installed; the flat-output extension is written for ${FLAT_OUTPUTS_GPUJS_VERSION}` }
  if (typeof proto._shapeOutput !== 'function') return { ok: false, reason: "gpu.js's WebAssemblyKernel lacks _shapeOutput" }
  const original = proto._shapeOutput as ShapeOutput
  const shapeOutput: ShapeOutput = function (data, output, componentCount) {
    return this.tfFlatOutput === true ? data : original.call(this, data, output, componentCount)
  }
  proto._shapeOutput = shapeOutput
  proto._tfFlatOutputs = true
  installed = true
  return { ok: true }
}

/** Ask a compiled kernel (gpu.js's run shortcut) for packed results; harmless where unsupported. */
export const requestFlatOutput = (kernelFn: { readonly kernel?: unknown }): void => {
  const k = kernelFn.kernel as { tfFlatOutput?: boolean } | undefined
  if (k !== undefined && k !== null) k.tfFlatOutput = true
}

/**
 * The packed `[cell][component]` Float32Array of `n` floats behind an `Array(n)` kernel result: the
 * result itself when it is flat, else the buffer gpu.js erected its per-cell subarrays over (webasm
 * slices one fresh buffer per call, so the first cell's view starts at its offset 0).
 */
export const packedResult = (r: unknown, n: number): Float32Array => {
  if (r instanceof Float32Array) return r.length === n ? r : r.subarray(0, n)
  let first: unknown = r
  while (Array.isArray(first)) first = first[0]
  if (first instanceof Float32Array && first.byteOffset === 0 && first.buffer.byteLength >= n * 4) return new Float32Array(first.buffer, 0, n)
  throw new Error('gpu.js backend: unexpected Array(n) kernel result')
}
