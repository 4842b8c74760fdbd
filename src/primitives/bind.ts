/**
 * Binding a primitive: the one place where tensors meet kernels and traces.
 *
 * `bind(def, inputs, params)` runs the primitive's kernel when every input is concrete. When some input
 * is a tracer, it peels off the *innermost* trace (the highest tag), binds again one level down, and
 * wraps the result in a tracer of that tag whose node remembers the VJP. Each `vjp` call (src/ad) opens
 * a fresh tag, so nested differentiation never mixes perturbations, and since every VJP is written in
 * differentiable ops, the backward sweep of an inner trace is itself traced by the outer ones.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { Tensor, isTensor, scalar, storageOf, allocating, placeholderBuffer, type DType, type Buffer } from '../core/Tensor.js'
import { type Shape, size } from '../core/Shape.js'
import { type TfError, TensorfoldError, tfError, show, fail } from '../core/errors.js'
import type { Backend, Later, Timing, View } from '../backend/Backend.js'
import { getSyncBackend } from '../backend/index.js'
import { activeRecorder } from '../core/recorder.js'

/** The names of all primitives. */
export type PrimitiveName =
  | 'add' | 'mul' | 'div' | 'neg' | 'exp' | 'log' | 'tanh' | 'sqrt' | 'pow' | 'abs' | 'sign' | 'sin' | 'cos'
  | 'maximum' | 'minimum' | 'compare' | 'where' | 'matmul' | 'transpose' | 'reshape' | 'broadcastTo'
  | 'sum' | 'max' | 'slice' | 'gather' | 'scatterAdd' | 'concat' | 'pad' | 'cast' | 'argmax'
  | 'scan'
  | 'conv' | 'convKernelGrad' | 'pool' | 'poolRoute'
  | 'softmaxXent' | 'softmaxXentGrad'

/** The result type of a shape rule. */
export interface OutSpec {
  readonly shape: Shape
  readonly dtype: DType
}

/**
 * A primitive: its shape rule (Either on bad shapes), its kernel binding, and its VJP written in
 * differentiable ops. The VJP returns one cotangent per input (`undefined` = zero / not differentiable).
 */
export interface PrimitiveDef<P> {
  readonly name: PrimitiveName
  readonly shapeRule: (inputs: ReadonlyArray<Tensor>, params: P) => E.Either<TfError, OutSpec>
  /**
   * The kernel, written once for a backend of either timing: on a synchronous backend it returns the
   * buffer, on an asynchronous one (compiled async replays) possibly a Promise of it.
   */
  readonly impl: <R extends Timing>(be: Backend<R>, inputs: ReadonlyArray<View>, params: P, out: OutSpec) => Later<R, Buffer>
  /**
   * `wanted[i]`: whether input i's cotangent is used (the input is traced at this level); a VJP may
   * return undefined for the others instead of computing what would be dropped.
   */
  readonly vjp: (ct: Tensor, inputs: ReadonlyArray<Tensor>, out: Tensor, params: P, wanted: ReadonlyArray<boolean>) => ReadonlyArray<Tensor | undefined>
}

/** @internal A node of a trace: its parents (nodes of the same trace) and its VJP. */
export interface Node {
  readonly id: number
  readonly parents: ReadonlyArray<Node | undefined>
  readonly vjp: ((ct: Tensor) => ReadonlyArray<Tensor | undefined>) | undefined
}

let traceTags = 0
/** @internal A fresh trace tag, greater than every tag in use (shared by `vjp` and `scan`'s body recorder). */
export const freshTag = (): number => ++traceTags

/**
 * @internal An observer of binds at one trace level: `scan` records its body by running it on tracers of
 * a fresh tag and watching every primitive bound at that tag (and every `customVjp` applied there).
 */
export interface TagObserver {
  onBind(def: PrimitiveDef<unknown>, inputs: ReadonlyArray<Tensor>, params: unknown, out: Tensor): void
  /** a `customVjp` function `g` is applied at this tag; `inline` runs its forward, bound at this tag */
  onCustom(g: (...xs: Tensor[]) => Tensor, inputs: ReadonlyArray<Tensor>, inline: () => Tensor): Tensor
}
const tagObservers = new Map<number, TagObserver>()
/** @internal Install (or, with undefined, remove) the observer of one tag. */
export const setTagObserver = (tag: number, o: TagObserver | undefined): void => {
  if (o === undefined) tagObservers.delete(tag)
  else tagObservers.set(tag, o)
}
/** @internal The observer of a tag, if any. */
export const tagObserver = (tag: number): TagObserver | undefined => (tagObservers.size === 0 ? undefined : tagObservers.get(tag))

let nodeIds = 0
/** @internal A fresh node id (ids grow in creation order, which is a topological order). */
export const nextNodeId = (): number => ++nodeIds

/** Something ops accept where a tensor is expected: a Tensor or a plain number. */
export type TensorLike = Tensor | number

/** @internal Lift numbers to scalars; reject anything else with a clear error naming the op. */
export const lift = (op: string, x: unknown, argIndex = 0): Tensor => {
  if (isTensor(x)) return x
  if (typeof x === 'number') return scalar(x)
  throw new TensorfoldError(
    tfError('InvalidArgument', `${op}: expected a Tensor or a number for argument ${argIndex + 1}, received ${show(x)}`, {
      op,
      path: `arguments[${argIndex}]`,
      expected: 'Tensor | number',
      received: x
    })
  )
}

const viewOf = (t: Tensor): View => ({ data: storageOf(t) as Buffer, shape: t.shape })

/**
 * A `ResourceLimit` (thrown) when one kernel call would hold more bytes, inputs and output together,
 * than the backend can address (webasm: one WebAssembly memory of 4 GiB), instead of the backend's own
 * failure (a wasm module that fails validation).
 */
const fitsKernel = (be: Backend, op: string, inputs: ReadonlyArray<Tensor>, out: Shape): void => {
  const limit = be.maxKernelBytes
  // a reshape runs no kernel: it shares its input's storage
  if (limit === undefined || op === 'reshape') return
  const elements = inputs.reduce((n, x) => n + x.size, size(out))
  const bytes = elements * 4
  if (bytes > limit)
    fail('ResourceLimit', `${op}: inputs ${inputs.map((x) => show(x.shape)).join(', ')} and output ${show(out)} need ${bytes} bytes in one ${be.name} kernel, more than its limit of ${limit} bytes`, {
      op,
      path: 'shape',
      expected: `at most ${limit} bytes of inputs and output`,
      received: out
    })
}

/** Bind a primitive to its inputs: run its kernel, or record it on the innermost trace. */
export const bind = <P>(def: PrimitiveDef<P>, inputs: ReadonlyArray<Tensor>, params: P): Tensor => {
  let tag = 0
  for (const x of inputs) if (x.trace !== undefined && x.trace.tag > tag) tag = x.trace.tag
  if (tag === 0) {
    const spec = def.shapeRule(inputs, params)
    if (E.isLeft(spec)) throw new TensorfoldError(spec.left)
    const be = getSyncBackend()
    const rec = activeRecorder()
    const data = allocating(def.name, spec.right.shape, () => {
      fitsKernel(be, def.name, inputs, spec.right.shape)
      // a shape-only recording (compiled mode's first call) runs no kernel: the replay computes it
      return rec?.shapesOnly === true ? placeholderBuffer(spec.right.dtype, size(spec.right.shape)) : def.impl(be, inputs.map(viewOf), params, spec.right)
    })
    const out = new Tensor(spec.right.shape, spec.right.dtype, data, undefined)
    rec?.exec?.(def, inputs, params, out)
    return out
  }
  const primals = inputs.map((x) => (x.trace !== undefined && x.trace.tag === tag ? x.trace.primal : x))
  const outPrimal = bind(def, primals, params)
  const parents = inputs.map((x) => (x.trace !== undefined && x.trace.tag === tag ? (x.trace.node as Node) : undefined))
  const wanted = parents.map((p) => p !== undefined)
  const node: Node = {
    id: nextNodeId(),
    parents,
    vjp: (ct) => def.vjp(ct, primals, outPrimal, params, wanted)
  }
  const out = new Tensor(outPrimal.shape, outPrimal.dtype, undefined, { tag, primal: outPrimal, node })
  if (tagObservers.size > 0) tagObservers.get(tag)?.onBind(def as PrimitiveDef<unknown>, inputs, params, out)
  return out
}

/** @internal Make a shape-rule error. */
export const shapeError = (op: string, message: string, expected: unknown, actual: unknown): E.Either<TfError, never> =>
  E.left(tfError('ShapeMismatch', `${op}: ${message}`, { op, expected, actual }))

/** @internal An OutSpec in Right. */
export const ok = (shape: Shape, dtype: DType = 'float32'): E.Either<TfError, OutSpec> => E.right({ shape, dtype })
