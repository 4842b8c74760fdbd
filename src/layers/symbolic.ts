/**
 * Symbolic tensors: the graph the functional API builds before any data exists.
 *
 * `input({shape})` starts a graph; `call(layer, x)` (or `call(layer)(x)`, which reads like Keras's
 * `Dense(2)(inputs)`) applies a layer to symbolic tensors and returns new ones, inferring their shapes
 * at once (a shape error names both shapes and the layer). Applying the *same layer value* twice shares
 * its weights. A symbolic tensor is a frozen value: nothing is mutated, the graph is the chain of
 * `node`s behind the outputs.
 *
 * @since 0.1.0
 */
import type { LayerError } from './errors.js'
import * as E from 'fp-ts/lib/Either.js'
import type { Tensor } from '../core/Tensor.js'
import type { Tree } from '../core/Tree.js'
import { key } from '../core/Key.js'
import { tfError, show, orThrow } from '../core/errors.js'
import { isShape } from '../core/Shape.js'
import { type Layer, type AnyLayer, type BatchShape, type LayerIO, type Empty, isLayer, errors, shapeFits, isShapeList } from './Layer.js'

/** The node behind an input. */
export interface InputNode {
  readonly _tag: 'InputNode'
  readonly name: string
  readonly autoName: boolean
  readonly shape: BatchShape
}
/** The node of a layer applied to symbolic tensors. */
export interface LayerNode {
  readonly _tag: 'LayerNode'
  readonly layer: AnyLayer
  readonly inputs: ReadonlyArray<SymbolicTensor>
  readonly outputShape: BatchShape | ReadonlyArray<BatchShape>
}
/** A symbolic tensor: a shape (batch axis `null`) and the node that makes it (`index`: which output). */
export interface SymbolicTensor {
  readonly _tag: 'SymbolicTensor'
  readonly shape: BatchShape
  readonly node: InputNode | LayerNode
  readonly index: number | null
}

/** The symbolic counterpart of a layer input/output type. */
export type Sym<X> = X extends Tensor ? SymbolicTensor : ReadonlyArray<SymbolicTensor>

/** Whether a value is a symbolic tensor. */
export const isSymbolic = (u: unknown): u is SymbolicTensor => typeof u === 'object' && u !== null && (u as SymbolicTensor)._tag === 'SymbolicTensor'

/** Options of {@link input}: Keras's `Input(shape, name, batch_size)`. */
export interface InputOptions {
  /** the shape without the batch axis, e.g. `[16]`; `null` for an axis of any length (`[null]`: sequences of any length) */
  readonly shape: ReadonlyArray<number | null>
  readonly name?: string
  readonly batchSize?: number
}

/** `input` as `Either`. */
export const inputE = (opts: InputOptions): E.Either<LayerError, SymbolicTensor> => {
  if (typeof opts !== 'object' || opts === null || !Array.isArray(opts.shape) || !isShape(opts.shape.map((d) => (d === null ? 0 : d))))
    return E.left(
      tfError('InvalidShape', `input: expected {shape} with a shape of non-negative integers or null (any length), without the batch axis, received ${show(opts)}`, {
        path: 'shape',
        expected: 'shape',
        received: opts
      })
    )
  const shape: BatchShape = Object.freeze([opts.batchSize ?? null, ...opts.shape])
  const node: InputNode = Object.freeze({ _tag: 'InputNode', name: opts.name ?? 'input', autoName: opts.name === undefined, shape })
  return E.right(Object.freeze({ _tag: 'SymbolicTensor', shape, node, index: null }))
}

/**
 * A symbolic input of a functional model (Keras's `tf.keras.Input`); also addable to a sequential model
 * to give it its input shape. @example const inputs = input({ shape: [3] })
 */
export const input = (opts: InputOptions): SymbolicTensor => orThrow(inputE(opts))

/**
 * Apply a layer to symbolic tensors, as `Either`: the output shape is inferred now (a failure is
 * `IncompatibleInputShape`, naming the layer and both shapes).
 * @example connect(dense(2), input({ shape: [3] })) // Right(SymbolicTensor (None, 2))
 */
export const connect = <X extends LayerIO, Y extends LayerIO>(layer: Layer<Tree, Tree, X, Y>, x: Sym<X>): E.Either<LayerError, Sym<Y>> => {
  if (!isLayer(layer)) return E.left(errors.notALayer('call', layer))
  const l = layer as AnyLayer
  const multi = l.multiInput === true
  const xs: ReadonlyArray<unknown> = Array.isArray(x) ? x : [x]
  if (!xs.every(isSymbolic) || (!multi && xs.length !== 1))
    return E.left(
      tfError('InvalidOption', `call: layer "${l.name}" expects ${multi ? 'an array of symbolic tensors' : 'one symbolic tensor (from input(...) or another call)'}, received ${show(x)}`, {
        layer: l.name,
        path: 'inputs',
        expected: multi ? 'SymbolicTensor[]' : 'SymbolicTensor',
        received: x
      })
    )
  const syms = xs as ReadonlyArray<SymbolicTensor>
  const inShape = multi ? syms.map((s) => s.shape) : syms[0].shape
  if (!multi && l.inputShape !== undefined && !shapeFits(l.inputShape, syms[0].shape)) return E.left(errors.incompatible(l.name, l.inputShape, syms[0].shape))
  const b = l.init(key(0), inShape)
  if (E.isLeft(b)) return E.left(errors.incompatible(l.name, l.inputShape, inShape, b.left))
  const outputShape = b.right.outputShape
  const node: LayerNode = Object.freeze({ _tag: 'LayerNode', layer: l, inputs: Object.freeze(syms.slice()), outputShape })
  if (l.multiOutput === true && isShapeList(outputShape))
    return E.right(Object.freeze(outputShape.map((s, i) => Object.freeze({ _tag: 'SymbolicTensor', shape: s, node, index: i }))) as Sym<Y>)
  return E.right(Object.freeze({ _tag: 'SymbolicTensor', shape: outputShape as BatchShape, node, index: null }) as Sym<Y>)
}

const none: Empty = Object.freeze({})

/** The layer standing for an input in a functional model's `layers` (Keras's `InputLayer`). */
export const inputLayer = (name: string, shape: BatchShape): Layer<Empty> =>
  Object.freeze({
    name,
    kind: 'InputLayer',
    config: Object.freeze({ name, batchInputShape: shape.slice() }),
    inputShape: shape,
    autoName: false,
    init: (_k: unknown, s: BatchShape) => E.right({ params: none, state: none, outputShape: s }),
    apply: () => (x: Tensor) => ({ y: x, state: none })
  })
