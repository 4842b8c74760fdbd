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

/** Elementwise unary kernels. */
export type UnaryOp = 'neg' | 'exp' | 'log' | 'tanh' | 'sqrt' | 'abs' | 'sign' | 'sin' | 'cos' | 'floor' | 'identity'
/** Elementwise binary kernels (numpy broadcasting). Comparisons return 1 or 0. */
export type BinaryOp = 'add' | 'sub' | 'mul' | 'div' | 'pow' | 'maximum' | 'minimum' | 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge'
/** Reductions. */
export type ReduceOp = 'sum' | 'max'

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

/** A buffer with its shape. */
export interface View {
  readonly data: Buffer
  readonly shape: Shape
}

/** The kernels a backend provides. Shapes are already checked by the primitives' shape rules. */
export interface Backend {
  /** `reference`, `cpu`, `webasm`, `gpu` (headless GL) or `webgpu`. */
  readonly name: string
  /** Float storage the backend computes in. */
  readonly precision: 'float32' | 'float64'
  /**
   * An asynchronous backend (WebGPU): some compute methods return Promises of buffers, so only
   * compiled async replays (`jit(f).async`, which `fit` uses) run on it; eager ops and the first,
   * recording call of a compiled step run on `syncFallback`.
   */
  readonly async?: boolean
  /** The synchronous backend eager ops use when this one is asynchronous. */
  readonly syncFallback?: Backend
  unary(op: UnaryOp, x: View): FloatBuffer
  binary(op: BinaryOp, a: View, b: View, out: Shape): FloatBuffer
  /** `cond ≠ 0 ? a : b`, all three broadcast to `out`. */
  where(cond: View, a: View, b: View, out: Shape): FloatBuffer
  /** Batched matmul: `a` is `[batch, m, k]` (or `[batch, k, m]` if transA), `b` is `[batch, k, n]` (or `[batch, n, k]`). */
  matmul(a: Buffer, b: Buffer, batch: number, m: number, k: number, n: number, transA: boolean, transB: boolean): FloatBuffer
  /**
   * The same product, possibly computed off the main thread (webasm: the shared worker pool). Backends
   * without threads resolve to `matmul`'s result.
   */
  matmulAsync?(a: Buffer, b: Buffer, batch: number, m: number, k: number, n: number, transA: boolean, transB: boolean): Promise<FloatBuffer>
  /** Reduce over sorted `axes`; the result has the shape without those axes. */
  reduce(op: ReduceOp, x: View, axes: ReadonlyArray<number>): FloatBuffer
  /** Index of the maximum along `axis` (first on ties); the axis is removed. */
  argmax(x: View, axis: number): Int32Array
  transpose(x: View, perm: ReadonlyArray<number>): Buffer
  broadcastTo(x: View, out: Shape): Buffer
  slice(x: View, begin: ReadonlyArray<number>, size: ReadonlyArray<number>): Buffer
  /** Take rows of `x` along `axis` at `indices` (int32, checked in range). */
  gather(x: View, indices: Int32Array, axis: number): Buffer
  /** Scatter-add: the adjoint of gather. `out` is the shape of the gathered-from tensor. */
  scatterAdd(updates: View, indices: Int32Array, axis: number, out: Shape): FloatBuffer
  concat(xs: ReadonlyArray<View>, axis: number): Buffer
  pad(x: View, paddings: ReadonlyArray<readonly [number, number]>, value: number): Buffer
  /** Cast to float storage (int32 -> float). */
  toFloat(x: Buffer): FloatBuffer
  /**
   * Evaluate a fused elementwise expression. Every input has the output's size, size 1, or the shape
   * of a suffix of the output shape (broadcast along leading axes).
   */
  fused(expr: Expr, inputs: ReadonlyArray<View>, out: Shape): FloatBuffer
}
