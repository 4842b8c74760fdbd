/**
 * `call`: applying a layer, the spelling of Keras's `Dense(2)(inputs)`.
 *
 * - on symbolic tensors it adds a node to the graph: `call(dense(2), inputs)` or, curried,
 *   `call(dense(2))(inputs)` and `pipe(inputs, call(dense(8)), call(dense(2)))`;
 * - on data it runs the layer: a model uses its own weights (a deferred model is built for the data),
 *   a lone layer is initialised from `key(0)`.
 *
 * Throws a `TensorfoldError` (the notebook surface); `Model.connect` is the `Either` form for symbolic
 * tensors.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import type { Tensor } from '../core/Tensor.js'
import type { Tree } from '../core/Tree.js'
import { key } from '../core/Key.js'
import { orThrow, type TfError } from '../core/errors.js'
import { type Layer, type LayerIO, type AnyLayer, type BatchShape, isLayer, errors } from './Layer.js'
import { type Sym, isSymbolic, connect } from './symbolic.js'
import * as C from './common.js'

/** Options of a call on data. */
export interface CallOptions {
  readonly training?: boolean
}

const onData = (layer: AnyLayer, x: unknown, opts: CallOptions): E.Either<TfError, unknown> => {
  if (!isLayer(layer)) return E.left(errors.notALayer('call', layer))
  if (C.isModelCore(layer)) return C.callOnData(layer, x, opts)
  const xs = layer.multiInput === true && Array.isArray(x) ? E.sequenceArray((x as unknown[]).map(C.toTensor)) : E.map((t: Tensor) => [t])(C.toTensor(x))
  if (E.isLeft(xs)) return xs
  const shapes: ReadonlyArray<BatchShape> = xs.right.map((t) => t.shape)
  const inShape = layer.multiInput === true ? shapes : shapes[0]
  const b = layer.init(key(0), inShape)
  if (E.isLeft(b)) return E.left(errors.incompatible(layer.name, layer.inputShape, inShape, b.left))
  const input: LayerIO = layer.multiInput === true ? xs.right : xs.right[0]
  return E.right(layer.apply(b.right.params, b.right.state)(input, { training: opts.training ?? false, key: key(0) }).y)
}

const callImpl = (layer: AnyLayer, x: unknown, opts: CallOptions = {}): unknown =>
  isSymbolic(x) || (Array.isArray(x) && x.length > 0 && x.every(isSymbolic)) ? orThrow(connect(layer, x as never)) : orThrow(onData(layer, x, opts))

/** A layer curried for `pipe`: symbolic tensors in, symbolic tensors out (or data in, data out). */
export interface Called<X extends LayerIO, Y extends LayerIO> {
  (x: X, opts?: CallOptions): Y
  // last, so that `pipe` (which sees the last overload) reads symbolic tensors
  (x: Sym<X>): Sym<Y>
}

/**
 * Apply a layer (Keras's `layer(x)`). @example
 * const inputs = input({ shape: [3] })
 * const h = call(dense(8, { activation: 'relu' }), inputs)
 * const y = call(dense(2))(h)
 */
export const call: {
  <X extends LayerIO, Y extends LayerIO>(layer: Layer<Tree, Tree, X, Y>): Called<X, Y>
  <X extends LayerIO, Y extends LayerIO>(layer: Layer<Tree, Tree, X, Y>, x: Sym<X>): Sym<Y>
  <X extends LayerIO, Y extends LayerIO>(layer: Layer<Tree, Tree, X, Y>, x: X, opts?: CallOptions): Y
} = ((layer: AnyLayer, ...rest: unknown[]) =>
  rest.length === 0 ? (x: unknown, opts?: CallOptions) => callImpl(layer, x, opts) : callImpl(layer, rest[0], rest[1] as CallOptions | undefined)) as never
