/**
 * The `Backend` interface: the kernels every primitive binds to. A backend works on flat row-major
 * buffers and shapes; it never sees tracers. Every method returns a fresh buffer and never writes its
 * inputs.
 *
 * Implementations: `reference` (float64, plain loops: the oracle of the laws) and `gpujs` (gpu.js
 * kernels: webasm, cpu, headless GL or WebGPU).
 *
 * @since 0.1.0
 */
import type { Shape } from '../core/Shape.js'
import type { FloatBuffer, Buffer } from '../core/Tensor.js'
import type { ConvGeometry, PoolGeometry, PoolOp, RouteDir } from './window.js'

/** Elementwise unary kernels. */
export type UnaryOp = 'neg' | 'exp' | 'log' | 'tanh' | 'sqrt' | 'abs' | 'sign' | 'sin' | 'cos' | 'floor' | 'identity'
/** Elementwise binary kernels (numpy broadcasting). Comparisons return 1 or 0. */
export type BinaryOp = 'add' | 'sub' | 'mul' | 'div' | 'pow' | 'maximum' | 'minimum' | 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge'
/** Reductions. */
export type ReduceOp = 'sum' | 'max'
/** Which cotangent {@link Backend.softmaxXentGrad} gives: with respect to the logits or to the labels. */
export type XentWrt = 'logits' | 'labels'

/**
 * An elementwise expression over inputs, for fused kernels: compiled mode merges chains of
 * elementwise primitives into one such expression, evaluated in one pass with no intermediates.
 */
export type Expr =
  | { readonly k: 'in'; readonly i: number }
  | { readonly k: 'const'; readonly v: number }
  | { readonly k: 'un'; readonly op: UnaryOp; readonly x: Expr }
  | { readonly k: 'bin'; readonly op: BinaryOp; readonly a: Expr; readonly b: Expr }
  | { readonly k: 'where'; readonly c: Expr; readonly a: Expr; readonly b: Expr }

/**
 * How a fused kernel reads an input over its output of `n` cells (numpy broadcasting, flat row-major
 * index `i`): `full` (element `i`), `scalar` (element 0), `suffix` (an input spanning the output's
 * trailing dims, `inner` cells: element `i % inner`) or `row` (an input spanning the output's leading
 * dims, constant over each run of `inner` cells: element `floor(i / inner)`).
 */
export type FusedRead =
  | { readonly k: 'full' }
  | { readonly k: 'scalar' }
  | { readonly k: 'suffix'; readonly inner: number }
  | { readonly k: 'row'; readonly inner: number }

const FULL: FusedRead = { k: 'full' }
const SCALAR: FusedRead = { k: 'scalar' }

/**
 * How a fused kernel over `out` reads an input of shape `s`, or undefined when none of the four ways:
 * one cell (`scalar`); as many cells as `out` (`full`, read flat); else, `s` right-aligned and padded
 * with leading 1s, 1s then equal to `out` (`suffix`), or equal to `out` then 1s (`row`). Below the
 * full size the shape decides, not the size alone: over `[4, 4]`, `[4]` is a suffix and `[4, 1]` a row.
 * @example fusedRead([128, 1], [128, 10]) // { k: 'row', inner: 10 }
 */
export const fusedRead = (s: Shape, out: Shape): FusedRead | undefined => {
  // indexed loops: this runs for every input of every fused call, and for-of iterators were garbage
  let n = 1
  for (let i = 0; i < out.length; i++) n *= out[i]
  let m = 1
  for (let i = 0; i < s.length; i++) m *= s[i]
  if (m === 1) return SCALAR
  // every cell present: read flat, whatever the shape (as fused kernels always have)
  if (m === n) return FULL
  const extra = s.length - out.length
  if (extra > 0 && s.slice(0, extra).some((d) => d !== 1)) return undefined
  const p = extra >= 0 ? s.slice(extra) : [...new Array<number>(-extra).fill(1), ...s]
  let lead = 0
  while (p[lead] === 1) lead++
  if (p.every((d, i) => i < lead || d === out[i])) return { k: 'suffix', inner: m }
  let tail = p.length
  while (p[tail - 1] === 1) tail--
  if (p.every((d, i) => i >= tail || d === out[i])) return { k: 'row', inner: n / m }
  return undefined
}

/** A buffer with its shape. */
export interface View {
  readonly data: Buffer
  readonly shape: Shape
}

/** When a backend's kernels deliver: `sync` (the buffer now) or `async` (now or as a Promise). */
export type Timing = 'sync' | 'async'

/**
 * What a kernel call of a backend of timing `R` returns for a value `T`: `T` itself (`sync`), or `T` or a
 * Promise of `T` (`async`: WebGPU, or webasm's threaded twin).
 */
export type Later<R extends Timing, T> = { readonly sync: T; readonly async: T | Promise<T> }[R]

/**
 * The kernels a backend provides, typed by when they deliver (`Backend` is the synchronous kind,
 * `Backend<'async'>` the asynchronous one). Shapes are already checked by the primitives' shape rules.
 *
 * Primitive kernels are written once against `Backend<R>` for any `R`, and compiled mode's replay is
 * written once over `Later<R, Buffer>` (see `compile/replay.ts`).
 */
export interface Backend<R extends Timing = 'sync'> {
  /** `reference`, `cpu`, `webasm`, `gpu` (headless GL) or `webgpu`. */
  readonly name: string
  /** Float storage the backend computes in. */
  readonly precision: 'float32' | 'float64'
  /**
   * `true` on an asynchronous backend (WebGPU): some compute methods return Promises of buffers, so only
   * compiled async replays (`jit(f).async`, which `fit` uses) run on it; eager ops and the first,
   * recording call of a compiled step run on `syncFallback`.
   */
  readonly async?: R extends 'async' ? true : false
  /** The synchronous backend eager ops use when this one is asynchronous. */
  readonly syncFallback?: Backend
  /**
   * Optional: an asynchronous twin of a synchronous backend whose large kernels run off the main
   * thread (webasm: matmuls on the shared worker pool). Compiled async replays (`jit(f).async`) use it.
   */
  readonly threaded?: Backend<'async'>
  /**
   * Optional: this backend's matmuls of at least this many multiply-adds may answer a deferred result
   * (`deferred.ts`: computed on other threads until a caller joins it), so a compiled plan runs the steps
   * that do not need such a product before those that do (`sinkDependents` in `compile/fuse.ts`).
   */
  readonly defersMatmulsFrom?: number
  /**
   * Optional: the most bytes (float32 inputs and output together) one kernel call may hold; a primitive
   * past it is a `ResourceLimit` before any kernel runs (webasm: one WebAssembly memory of 4 GiB).
   */
  readonly maxKernelBytes?: number
  unary(op: UnaryOp, x: View): Later<R, FloatBuffer>
  /** Inputs may be int32: compared or combined exactly (no trip through float32 for values past ±2^24). */
  binary(op: BinaryOp, a: View, b: View, out: Shape): Later<R, FloatBuffer>
  /** `cond ≠ 0 ? a : b`, all three broadcast to `out`. */
  where(cond: View, a: View, b: View, out: Shape): Later<R, FloatBuffer>
  /** Batched matmul: `a` is `[batch, m, k]` (or `[batch, k, m]` if transA), `b` is `[batch, k, n]` (or `[batch, n, k]`). */
  matmul(a: Buffer, b: Buffer, batch: number, m: number, k: number, n: number, transA: boolean, transB: boolean): Later<R, FloatBuffer>
  /** Reduce over sorted `axes`; the result has the shape without those axes. */
  reduce(op: ReduceOp, x: View, axes: ReadonlyArray<number>): Later<R, FloatBuffer>
  /** Index of the maximum along `axis` (first on ties); the axis is removed. */
  argmax(x: View, axis: number): Later<R, Int32Array>
  transpose(x: View, perm: ReadonlyArray<number>): Later<R, Buffer>
  broadcastTo(x: View, out: Shape): Later<R, Buffer>
  slice(x: View, begin: ReadonlyArray<number>, size: ReadonlyArray<number>): Later<R, Buffer>
  /** Take rows of `x` along `axis` at `indices` (int32, checked in range). */
  gather(x: View, indices: Int32Array, axis: number): Later<R, Buffer>
  /** Scatter-add: the adjoint of gather. `out` is the shape of the gathered-from tensor. */
  scatterAdd(updates: View, indices: Int32Array, axis: number, out: Shape): Later<R, FloatBuffer>
  concat(xs: ReadonlyArray<View>, axis: number): Later<R, Buffer>
  pad(x: View, paddings: ReadonlyArray<readonly [number, number]>, value: number): Later<R, Buffer>
  /** Convolution, channels-last: `x` `[N, S..., Cin]`, `w` `[K..., Cin / groups, Cout]`, result shaped `out` (see `window.ts`). */
  conv(x: View, w: View, g: ConvGeometry, out: Shape): Later<R, FloatBuffer>
  /** The kernel cotangent of `conv(x, w, g)` given the output cotangent `ct`; the result is shaped `kernel`. */
  convKernelGrad(x: View, ct: View, g: ConvGeometry, kernel: Shape): Later<R, FloatBuffer>
  /** Max or average pooling over windows, channels-last, padding never counted; the result is shaped `out`. */
  pool(op: PoolOp, x: View, g: PoolGeometry, out: Shape): Later<R, FloatBuffer>
  /** A pooling VJP's routing between the shapes of `x` and `y = pool(op, x)` (see `window.ts`). */
  poolRoute(op: PoolOp, dir: RouteDir, x: View, y: View, t: View, g: PoolGeometry): Later<R, FloatBuffer>
  /**
   * Softmax cross-entropy along the last axis, one value per row: for logits `x` and labels `t` of one
   * shape, `Σ_j t_j (log Σ_k e^{x_k − m} − (x_j − m))`, `m` the row's maximum (0 where that is not finite).
   * The result is shaped like `x` without its last axis.
   */
  softmaxXent(x: View, t: View): Later<R, FloatBuffer>
  /**
   * A cotangent of {@link softmaxXent} given the row cotangents `c` (shaped like its result), shaped like
   * `x`: `logits`: `c (softmax(x) Σt − t)`; `labels`: `−c · logSoftmax(x)` (`t` is not read).
   */
  softmaxXentGrad(wrt: XentWrt, x: View, t: View, c: View): Later<R, FloatBuffer>
  /** Cast to float storage (int32 -> float). Always synchronous: kernels read its result directly. */
  toFloat(x: Buffer): FloatBuffer
  /**
   * Evaluate a fused elementwise expression. Every input is read as {@link fusedRead} says: the
   * output's size, size 1, a suffix of the output shape (broadcast along leading axes: `[c]` over
   * `[r, c]`) or a row broadcast (the output's leading dims, then 1s: `[r, 1]` over `[r, c]`).
   */
  fused(expr: Expr, inputs: ReadonlyArray<View>, out: Shape): Later<R, FloatBuffer>
  /**
   * Optional: evaluate several fused expressions over the same inputs and output shape, each into its own
   * buffer, as one kernel where the backend can (an expression may contain the very objects of the ones
   * before it: a kernel computes such a shared part once). Each result is what {@link fused} gives for
   * its expression, bit for bit.
   */
  fusedMany?(exprs: ReadonlyArray<Expr>, inputs: ReadonlyArray<View>, out: Shape): Later<R, ReadonlyArray<FloatBuffer>>
  /**
   * Optional: take back result buffers that are unreachable (a compiled replay's intermediates, once its
   * plan has run; a compiled `fit`'s superseded state), to reuse their memory for later results. The
   * backend keeps only buffers it made itself and ignores the rest; the caller guarantees nothing reads or
   * holds any of them afterwards. With `add`, they join what the backend kept before rather than replace it.
   */
  recycle?(buffers: ReadonlyArray<Buffer>, add?: boolean): void
}

/** A backend of either timing (what `getBackend` returns). */
export type AnyBackend = Backend | Backend<'async'>

/**
 * The synchronous side of a backend of either timing: itself, or its `syncFallback`. Kernels whose
 * result another kernel of the same primitive reads at once (a broadcast before a matmul) run there.
 */
export const syncSide = <R extends Timing>(be: Backend<R>): Backend => {
  if (be.async !== true) return be as Backend
  if (be.syncFallback === undefined) throw new Error(`backend ${be.name} is asynchronous and has no synchronous fallback`)
  return be.syncFallback
}
