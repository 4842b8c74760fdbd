/**
 * @internal Row-plane outputs for gpu.js's WebAssembly kernels that return `Array(n)` — a small,
 * version-checked extension of `WebAssemblyFunctionNode` and `WebAssemblyKernel` (gpu.js 2.24.1),
 * installed once at start-up beside `contiguous-loads.ts`.
 *
 * gpu.js stores an `Array(n)` kernel's results cell by cell, `[cell][component]`. Its SIMD path
 * computes four adjacent cells of a row at once, so each component is one vector of four adjacent
 * cells, yet it stores them as 4·n extracted lanes, one scalar store each. And a register-blocked
 * matmul (`kernels/matmul.ts`: thread (column, row block), component = row within the block) then
 * needs its result reordered into row order on the main thread: 0.23 ms of a 3.4 ms MLP training step
 * for the `[784, 128]` gradient alone, 0.37 ms for all its blocked products (measured here).
 *
 * A kernel flagged with `tfRowPlanes = true` before its first call ({@link requestRowPlanes}) stores
 * instead each row of cells as `n` planes, one per component: component `c` of cell `(x, row)` (row =
 * the cell's y and z together) at `(row · n + c) · width + x`, where width is the output's x size. For
 * the blocked matmul that is C in row order. The SIMD path stores each component with one `v128.store`
 * (a load, blend and store where a lane mask is live, as gpu.js does for one-component results); the
 * scalar path computes the same address. gpu.js runs its SIMD path only on quads of cells in one row
 * (`dispatchSpans`), so the four lanes are always adjacent in a plane. Only the store addresses change:
 * every value is computed as before, so the results are the same floats in another order. Unflagged
 * kernels, and kernels whose width is not a multiple of 4 (the flag is then refused), are untouched.
 *
 * @since 0.3.0
 */
import type { WasmEmitter } from './wasm-emitter.js'

/** The gpu.js version this extension was written and tested for. */
export const ROW_PLANES_GPUJS_VERSION = '2.24.1'

/** What installing the extension did. */
export type RowPlanesInstall = { readonly ok: true } | { readonly ok: false; readonly reason: string }

type Emitter = WasmEmitter

interface Node {
  em: Emitter
  output: ReadonlyArray<number>
  assembler?: {
    readonly globals: { readonly dataIndex: number; readonly threadX: number }
    readonly layout: { readonly outputOffset: number; readonly arrays?: Record<string, { readonly index: number; readonly offset: number; readonly flatLength: number }> }
  }
  vMaskDepth: number
  vCur: number
  vRetMask: number
}

type ComponentAddress = (this: Node, dataIndexGlobal: number, componentCount: number, component: number) => void
type StoreOutput = (this: Node, comps: ReadonlyArray<number>) => void
type Assemble = (this: { tfRowPlanes?: boolean; tfPlaneArgs?: ReadonlyArray<number> }, ...args: unknown[]) => unknown

let installed = false
let enabled = true
/** Whether the kernel being assembled now asked for row planes (set around gpu.js's `_assembleModule`). */
let assembling = false
/** Its planes' argument regions, where it asked for them ({@link requestRowPlanes}'s `inPlace`). */
let assemblingArgs: ReadonlyArray<number> | undefined

/** Turn the extension on or off for kernels flagged from now on (A/B measurement and tests). */
export const setRowPlanes = (on: boolean): void => {
  enabled = on
}
/** Whether kernels flagged now get row-plane outputs. */
export const rowPlanesActive = (): boolean => installed && enabled

/**
 * Ask a kernel (gpu.js's run shortcut, not yet called) whose output is `width` cells wide for row-plane
 * results; true when it will have them, false (nothing changed) where the extension is off or not
 * installed, or the width is not a multiple of 4.
 */
export const requestRowPlanes = (kernelFn: { readonly kernel?: unknown }, width: number, inPlace?: ReadonlyArray<number>): boolean => {
  const k = kernelFn.kernel as { tfRowPlanes?: boolean; tfPlaneArgs?: ReadonlyArray<number>; built?: boolean } | undefined
  if (!rowPlanesActive() || width % 4 !== 0 || k === undefined || k === null || k.built === true) return false
  k.tfRowPlanes = true
  if (inPlace !== undefined) k.tfPlaneArgs = inPlace
  return true
}

/**
 * The byte offset the SIMD path stores plane `c` at: the region of argument `inPlace[c]` where that is a
 * flat array of one plane's floats (`planeFloats`), else plane `c` of the output region.
 */
export const planeOffset = (
  layout: { readonly outputOffset: number; readonly arrays?: Record<string, { readonly index: number; readonly offset: number; readonly flatLength: number }> },
  inPlace: ReadonlyArray<number> | undefined,
  c: number,
  planeFloats: number
): number => {
  const j = inPlace?.[c] ?? -1
  if (j >= 0 && layout.arrays !== undefined)
    for (const name in layout.arrays) {
      const r = layout.arrays[name]
      if (r.index === j && r.flatLength === planeFloats) return r.offset
    }
  return layout.outputOffset + c * planeFloats * 4
}

/** Whether a kernel stores row-plane results (it was flagged by {@link requestRowPlanes}). */
export const hasRowPlanes = (kernelFn: { readonly kernel?: unknown }): boolean => (kernelFn.kernel as { tfRowPlanes?: boolean } | undefined)?.tfRowPlanes === true

/** `(dataIndex − x) · n + x`: the cell's row times n planes, plus its column (the plane-0 index). */
const emitPlaneBase = (node: Node, n: number): void => {
  const g = node.assembler!.globals
  node.em.globalGet(g.dataIndex).globalGet(g.threadX).i32Sub().i32Const(n).i32Mul().globalGet(g.threadX).i32Add()
}

/** Extend gpu.js's WebAssembly function node and kernel (the classes, from `gpu.js`'s exports) with row-plane outputs. */
export const installRowPlanes = (FunctionNode: unknown, Kernel: unknown, version: string | undefined): RowPlanesInstall => {
  const node = (FunctionNode as { prototype?: Record<string, unknown> } | undefined)?.prototype
  const kernel = (Kernel as { prototype?: Record<string, unknown> } | undefined)?.prototype
  if (node === undefined || kernel === undefined) return { ok: false, reason: 'gpu.js exports no WebAssemblyFunctionNode or WebAssemblyKernel' }
  if (node._tfRowPlanes === true) {
    installed = true
    return { ok: true }
  }
  if (version !== undefined && version !== ROW_PLANES_GPUJS_VERSION)
    return { ok: false, reason: `gpu.js ${version} is installed; the row-plane extension is written for ${ROW_PLANES_GPUJS_VERSION}` }
  const missing = [
    ...['emitComponentAddress', 'vStoreOutput'].filter((k) => typeof node[k] !== 'function'),
    ...['_assembleModule'].filter((k) => typeof kernel[k] !== 'function')
  ]
  if (missing.length > 0) return { ok: false, reason: `gpu.js's WebAssembly classes lack ${missing.join(', ')}` }

  const assemble = kernel._assembleModule as Assemble
  kernel._assembleModule = function (this: { tfRowPlanes?: boolean; tfPlaneArgs?: ReadonlyArray<number> }, ...args: unknown[]) {
    const outer = assembling
    const outerArgs = assemblingArgs
    assembling = this.tfRowPlanes === true
    assemblingArgs = assembling ? this.tfPlaneArgs : undefined
    try {
      return assemble.apply(this, args)
    } finally {
      assembling = outer
      assemblingArgs = outerArgs
    }
  } as Assemble

  const componentAddress = node.emitComponentAddress as ComponentAddress
  node.emitComponentAddress = function (this: Node, dataIndexGlobal: number, componentCount: number, component: number) {
    if (!assembling || componentCount === 1 || this.assembler === undefined || this.assembler.globals.dataIndex !== dataIndexGlobal)
      return componentAddress.call(this, dataIndexGlobal, componentCount, component)
    emitPlaneBase(this, componentCount)
    if (component !== 0) this.em.i32Const(component * this.output[0]).i32Add()
    this.em.i32Const(2).i32Shl()
  } as ComponentAddress

  const storeOutput = node.vStoreOutput as StoreOutput
  node.vStoreOutput = function (this: Node, comps: ReadonlyArray<number>) {
    if (!assembling || comps.length === 1 || this.assembler === undefined) return storeOutput.call(this, comps)
    const em = this.em
    // the live lanes, as gpu.js's own store finds them
    let mask = -1
    if (this.vMaskDepth > 0) mask = this.vCur
    else if (this.vRetMask !== -1) {
      mask = em.addLocal('v128')
      em.localGet(this.vRetMask).v128Not().localSet(mask)
    }
    const addr = em.addLocal('i32')
    emitPlaneBase(this, comps.length)
    em.i32Const(2).i32Shl().localSet(addr)
    for (let c = 0; c < comps.length; c++) {
      const offset = planeOffset(this.assembler.layout, assemblingArgs, c, this.output[0])
      em.localGet(addr).localGet(comps[c])
      if (mask !== -1) em.localGet(addr).v128Load(offset, 2).localGet(mask).v128Bitselect()
      em.v128Store(offset, 2)
    }
  } as StoreOutput

  node._tfRowPlanes = true
  installed = true
  return { ok: true }
}
