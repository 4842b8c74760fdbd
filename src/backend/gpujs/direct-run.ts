/**
 * @internal A direct call path into compiled gpu.js WebAssembly kernels — a small, version-checked
 * reading of `WebAssemblyKernel`'s internals (gpu.js 2.24.1), switched on once at start-up beside the
 * code-generator extensions.
 *
 * A call through gpu.js's run shortcut pays about 2 µs of fixed JavaScript before and after the wasm
 * runs: `build` and argument-type checks, then in `run` the argument dimensions (`getDimensions` per
 * array: an array, a reverse, an Int32Array, `Array.from`) joined into a size-signature string compared
 * with the active module's, and the output shape copied twice. On the small kernels of a training step
 * (64 to 1,280 cells: Adam's bias updates, the loss over `[128, 10]`) that is as much as the work.
 *
 * {@link directRun} does what `run` does on its synchronous path — copy each argument into the active
 * module's wasm memory (`TypedArray.set`, as gpu.js's `flattenTo` does for a flat typed array), write the
 * scalars, run the same `dispatchSpans`, copy the output region out (into an array a compiled replay
 * gave back, when one of that length is kept: `recycle.ts`) — after checking that it would take
 * that path with the module already active: the kernel is built and not threaded, uses no random, each
 * array argument is a flat Float32Array or Int32Array of the length the module was laid out for, each
 * scalar has its declared type, and the result needs no erecting (packed, or a 1-D float output). Any
 * other call answers undefined and goes through gpu.js as before. The result is the same values from the
 * same module; only the bookkeeping is skipped.
 *
 * An argument whose contents the module's memory already holds is not copied again: each module
 * remembers, per array argument, the stamp (`core/frozen.ts`) of the frozen array last copied there
 * ({@link writeArgs}), and an argument with that same stamp is skipped. Frozen arrays are the ones no
 * one will write (`tensor()`'s copies, kernel results) until they are given back for reuse, which
 * takes their stamp; so a kernel called again on the same weights (inference, a recurrent layer's
 * steps, the same inputs in a loop) reads them where they are. The one thing besides this path that
 * writes a module's argument region is gpu.js's own `run`; installing this path wraps it (the only
 * change it makes to gpu.js) to forget what the module remembers, before and after.
 *
 * @since 0.3.0
 */

import { ownArray, takeArray } from './recycle.js'
import { unfilledFloats } from '#platform'
import { stampOf } from '../../core/frozen.js'
import { planeOffset } from './row-planes.js'

/** The gpu.js version whose `WebAssemblyKernel.run` this path reproduces. */
export const DIRECT_RUN_GPUJS_VERSION = '2.24.1'

export type DirectRunInstall = { readonly ok: true } | { readonly ok: false; readonly reason: string }

export type Span = (start: number, end: number, seed: number) => void

/** The internals of a built gpu.js WebAssemblyKernel this path (and `split-run.ts`) reads. */
export interface WasmKernel {
  readonly built?: boolean
  readonly asyncMode?: boolean
  readonly usesRandom?: boolean
  readonly componentCount?: number
  readonly output?: ReadonlyArray<number>
  readonly tfFlatOutput?: boolean
  _lastRunPath?: unknown
  readonly _active?: {
    /** per array argument (layout order), the stamp of the frozen array last copied there (`writeArgs`) */
    tfStamps?: Array<number | undefined>
    readonly shared?: boolean
    readonly cells: number
    readonly sizeX: number
    readonly f32: Float32Array | null
    readonly i32: Int32Array | null
    readonly run: Span | null
    readonly runSimd: Span | null
    readonly layout: ArgLayout
  } | null
  readonly constructor: { readonly dispatchSpans?: (run: Span, runSimd: Span | null, cells: number, sizeX: number, seed: number) => unknown }
}

/** Calls that took the direct path since start-up (tests and diagnostics). */
export const directRunStats = { calls: 0 }

let installed = false
let enabled = true
/** Turn the direct path on or off (A/B measurement and tests); it is only taken once installed. */
export const setDirectRun = (on: boolean): void => {
  enabled = on
}
/** Whether calls may take the direct path. */
export const directRunActive = (): boolean => installed && enabled

let resident = true
/** Let direct calls skip copying frozen arguments the module already holds, or not (A/B and tests). */
export const setResidentArgs = (on: boolean): void => {
  resident = on
}
/** Copies skipped since start-up because the module held the argument (tests and diagnostics). */
export const residentArgStats = { skipped: 0 }

/** Check gpu.js's version and the internals this path reads (the class, from `gpu.js`'s exports). */
export const installDirectRun = (Kernel: unknown, version: string | undefined): DirectRunInstall => {
  if (version !== undefined && version !== DIRECT_RUN_GPUJS_VERSION)
    return { ok: false, reason: `gpu.js ${version} is installed; the direct call path is written for ${DIRECT_RUN_GPUJS_VERSION}` }
  const k = Kernel as { prototype?: Record<string, unknown>; dispatchSpans?: unknown } | undefined
  if (k?.prototype === undefined || typeof k.prototype._instantiate !== 'function' || typeof k.prototype.run !== 'function' || typeof k.dispatchSpans !== 'function')
    return { ok: false, reason: "gpu.js's WebAssemblyKernel lacks _instantiate, run or dispatchSpans" }
  if (k.prototype._tfForgetsArgs !== true) {
    // gpu.js's run writes the arguments into its active module (maybe another one it switches to): the
    // stamps that module remembers no longer say what its memory holds
    const run = k.prototype.run as (this: WasmKernel, ...args: unknown[]) => unknown
    k.prototype.run = function (this: WasmKernel, ...args: unknown[]): unknown {
      forgetArgs(this)
      try {
        return run.apply(this, args)
      } finally {
        forgetArgs(this)
      }
    }
    k.prototype._tfForgetsArgs = true
  }
  installed = true
  return { ok: true }
}

/** Whether a kernel's output is the active module's cells, x first (a loop, not a `reduce` closure per call). */
export const outputFits = (out: ReadonlyArray<number> | undefined, sizeX: number, cells: number): boolean => {
  if (out === undefined || out[0] !== sizeX) return false
  let n = 1
  for (let i = 0; i < out.length; i++) n *= out[i]
  return n === cells
}

/** A module's argument layout, as gpu.js lays it out (the records this path reads). */
export interface ArgLayout {
  readonly arrays: Record<string, { readonly index: number; readonly offset: number; readonly flatLength: number; readonly dims: ReadonlyArray<number> }>
  readonly scalars: Record<string, { readonly index: number; readonly offset: number; readonly type: string }>
  readonly outputOffset: number
}

/** One array argument of a layout, as the calls read it: where its floats go, and what it must be. */
interface ArraySlot {
  readonly index: number
  /** its first float in the module's memory */
  readonly at: number
  readonly length: number
  /** laid out 1-D (gpu.js flattens anything else itself) */
  readonly flat: boolean
}
/** One scalar argument: where it goes, and as what (0 float, 1 integer, 2 boolean). */
interface ScalarSlot {
  readonly index: number
  readonly at: number
  readonly kind: 0 | 1 | 2
}
/** A layout's arguments as two arrays of same-shaped records (layout order), read by every call. */
interface ArgPlan {
  readonly arrays: ReadonlyArray<ArraySlot>
  readonly scalars: ReadonlyArray<ScalarSlot>
}

const plans = new WeakMap<ArgLayout, ArgPlan>()
/**
 * The arguments of `layout` as plain arrays, made once per layout (gpu.js makes a layout per module and
 * never changes it). Walking gpu.js's records by name in every call met a different object shape in every
 * kernel, and V8 dropped the optimised calls when new kernels came (a training run's last, partial batch).
 */
const planOf = (layout: ArgLayout): ArgPlan => {
  const known = plans.get(layout)
  if (known !== undefined) return known
  const arrays: ArraySlot[] = []
  for (const name in layout.arrays) {
    const r = layout.arrays[name]
    arrays.push({ index: r.index, at: r.offset / 4, length: r.flatLength, flat: r.dims[1] === 1 && r.dims[2] === 1 })
  }
  const scalars: ScalarSlot[] = []
  for (const name in layout.scalars) {
    const r = layout.scalars[name]
    scalars.push({ index: r.index, at: r.offset / 4, kind: r.type === 'Integer' ? 1 : r.type === 'Boolean' ? 2 : 0 })
  }
  const plan = { arrays, scalars }
  plans.set(layout, plan)
  return plan
}

/**
 * Whether `args` are what the module was laid out for, so copying them in is all gpu.js would do: each
 * array a flat Float32Array or Int32Array of its record's length (1-D), each scalar of its declared type,
 * and nothing else.
 */
export const argsFit = (layout: ArgLayout, args: ReadonlyArray<unknown>): boolean => {
  const { arrays, scalars } = planOf(layout)
  if (arrays.length + scalars.length !== args.length) return false
  for (let j = 0; j < arrays.length; j++) {
    const r = arrays[j]
    const v = args[r.index]
    if (!(v instanceof Float32Array || v instanceof Int32Array) || v.length !== r.length || !r.flat) return false
  }
  for (let j = 0; j < scalars.length; j++) {
    const r = scalars[j]
    const v = args[r.index]
    if (r.kind === 2 ? typeof v !== 'boolean' : typeof v !== 'number') return false
  }
  return true
}

/** Drop what a kernel's active module remembers of the arrays copied into it. */
const forgetArgs = (k: WasmKernel): void => {
  const e = k._active
  if (e !== undefined && e !== null) e.tfStamps = undefined
}

/**
 * Copy arguments that {@link argsFit} into the module's memory, as gpu.js's `run` does. With `held` (the
 * module's record of what its memory holds), a frozen array whose stamp the record has for its
 * argument is already there and is not copied; the record is brought up to date.
 */
export const writeArgs = (layout: ArgLayout, f32: Float32Array, i32: Int32Array, args: ReadonlyArray<unknown>, held?: Array<number | undefined>): void => {
  const { arrays, scalars } = planOf(layout)
  for (let j = 0; j < arrays.length; j++) {
    const r = arrays[j]
    const a = args[r.index] as Float32Array | Int32Array
    if (held !== undefined) {
      const s = stampOf(a)
      if (s !== undefined && held[j] === s) {
        residentArgStats.skipped++
        continue
      }
      held[j] = s
    }
    f32.set(a, r.at)
  }
  for (let j = 0; j < scalars.length; j++) {
    const r = scalars[j]
    const v = args[r.index]
    if (r.kind === 1) i32[r.at] = (v as number) | 0
    else if (r.kind === 2) i32[r.at] = v === true ? 1 : 0
    else f32[r.at] = v as number
  }
}

/** A module's empty record of the stamps its argument regions hold: one slot per array argument. */
const noStamps = (layout: ArgLayout): Array<number | undefined> => new Array<number | undefined>(planOf(layout).arrays.length).fill(undefined)

/** The `n` output floats at `outputOffset`, copied out of the module's memory into an array now ours alone. */
export const resultOf = (f32: Float32Array, outputOffset: number, n: number): Float32Array => {
  const base = outputOffset / 4
  // an array a compiled replay gave back (recycle.ts), or a fresh one left unzeroed, since `set` writes
  // all of it (`slice` would zero it first; over shared memory, a threaded module's, V8 also slices
  // element by element, ~30 times slower than `set` copies)
  const out = takeArray(n) ?? unfilledFloats(n)
  out.set(f32.subarray(base, base + n))
  return ownArray(out)
}

/**
 * Copy `args` into a compiled webasm kernel's module (gpu.js's run shortcut, after its first call) and
 * compute its cells without gpu.js's per-call bookkeeping; the module whose output region then holds the
 * result, or undefined when the call must go through gpu.js (see the module header).
 */
const directCall = (kernelFn: { readonly kernel?: unknown }, args: ReadonlyArray<unknown>): { readonly e: NonNullable<WasmKernel['_active']> & { readonly f32: Float32Array }; readonly count: number } | undefined => {
  if (!installed || !enabled) return undefined
  const k = kernelFn.kernel as WasmKernel | undefined
  if (k === undefined || k === null || k.built !== true || k.asyncMode === true || k.usesRandom !== false) return undefined
  const e = k._active
  if (e === undefined || e === null || e.shared === true || e.f32 === null || e.i32 === null || e.run === null) return undefined
  if (!outputFits(k.output, e.sizeX, e.cells)) return undefined
  const out = k.output as ReadonlyArray<number>
  const flat = k.tfFlatOutput === true || (k.componentCount === 1 && out.length === 1)
  const dispatch = k.constructor.dispatchSpans
  if (!flat || dispatch === undefined) return undefined
  if (!argsFit(e.layout, args)) return undefined
  // switched off, every argument is copied and the module's record forgotten (it no longer says what is there)
  writeArgs(e.layout, e.f32, e.i32, args, resident ? (e.tfStamps ??= noStamps(e.layout)) : (e.tfStamps = undefined))
  k._lastRunPath = dispatch(e.run, e.runSimd, e.cells, e.sizeX, 0)
  directRunStats.calls++
  return { e: e as NonNullable<WasmKernel['_active']> & { readonly f32: Float32Array }, count: e.cells * (k.componentCount ?? 1) }
}

/**
 * Run a compiled webasm kernel (gpu.js's run shortcut, after its first call) on `args` without gpu.js's
 * per-call bookkeeping, or answer undefined when the call must go through gpu.js (see the module header).
 */
export const directRun = (kernelFn: { readonly kernel?: unknown }, args: ReadonlyArray<unknown>): Float32Array | undefined => {
  const c = directCall(kernelFn, args)
  return c === undefined ? undefined : resultOf(c.e.f32, c.e.layout.outputOffset, c.count)
}

/**
 * {@link directRun} for a kernel whose flat result is `planes` planes of `n` floats (an `Array(planes)`
 * kernel with row planes, `row-planes.ts`): each plane copied out of the module's memory into an array of
 * its own; undefined when the call must go through gpu.js, or the result is not `planes · n` floats.
 *
 * With `inPlace` (the kernel was built with it: `requestRowPlanes`), its SIMD path stored plane `c` in the
 * region of argument `inPlace[c]`: the plane is read there, and the module's record of what its argument
 * regions hold says so (the result's stamp), so that the next call skips copying that result back in
 * when it comes as that argument. Where the scalar path ran instead, every plane is in the output region.
 */
export const directRunPlanes = (kernelFn: { readonly kernel?: unknown }, args: ReadonlyArray<unknown>, planes: number, n: number, inPlace?: ReadonlyArray<number>): Float32Array[] | undefined => {
  const k = kernelFn.kernel as WasmKernel | undefined
  if (k === undefined || k === null || k._active?.cells === undefined || k._active.cells * (k.componentCount ?? 1) !== planes * n) return undefined
  const c = directCall(kernelFn, args)
  if (c === undefined) return undefined
  const e = c.e
  const simd = inPlace !== undefined && e.runSimd !== null && (e.sizeX & 3) === 0
  const out: Float32Array[] = []
  for (let p = 0; p < planes; p++) out.push(resultOf(e.f32, simd ? planeOffset(e.layout, inPlace, p, n) : e.layout.outputOffset + p * n * 4, n))
  const held = e.tfStamps
  if (simd && held !== undefined) {
    const slots = planOf(e.layout).arrays
    for (let p = 0; p < planes; p++) {
      const j = (inPlace as ReadonlyArray<number>)[p]
      const at = j >= 0 ? slots.findIndex((r) => r.index === j && r.length === n) : -1
      // that region now holds this result (copied out just now, frozen with a stamp of its own)
      if (at >= 0) held[at] = stampOf(out[p])
    }
  }
  return out
}
