/**
 * Layers and models: the public surface of `src/layers`.
 *
 * Namespaces (functional surface, `Either` everywhere): `Layer`, `Sequential`, `Model`, `Initializers`,
 * and `layers` (the constructors, like `tf.keras.layers`). Each of `Layer`, `Sequential`, `Model` is
 * both a namespace value and the type of its values (`const m: Sequential = sequential()`).
 *
 * Notebook surface: `sequential`, `model`, `input`, `call`, and the constructors that do not clash
 * with tensor ops (`dense`, `dropout`, `flatten`, `activation`, `identity`, `concatenate`, `multiply`,
 * `average`).
 *
 * @since 0.1.0
 */
import type { Tensor } from '../core/Tensor.js'
import type { Tree } from '../core/Tree.js'
import * as LayerNs from './LayerNs.js'
import * as SequentialNs from './SequentialNs.js'
import * as ModelNs from './ModelNs.js'

/**
 * The `Layer` namespace (contract, constructors in both forms, `fromConfig`, `connect`, `call`).
 * @namespace
 */
export const Layer = LayerNs
/** A layer: params `P`, state `S`, input `X`, output `Y`. */
export type Layer<P extends Tree = Tree, S extends Tree = LayerNs.Empty, X extends LayerNs.LayerIO = Tensor, Y extends LayerNs.LayerIO = Tensor> = LayerNs.Layer<P, S, X, Y>
/**
 * The `Sequential` namespace (`make`, `add`, `pop`, `build`, `summary`, … returning `Either`, dual).
 * @namespace
 */
export const Sequential = SequentialNs
/** A sequential model whose params are the tuple `P`. */
export type Sequential<P extends ReadonlyArray<Tree> = ReadonlyArray<Tree>, S extends ReadonlyArray<Tree> = ReadonlyArray<Tree>> = SequentialNs.Sequential<P, S>
/**
 * The `Model` namespace (functional models, and what every model answers, returning `Either`).
 * @namespace
 */
export const Model = ModelNs
/** A functional model. */
export type Model<O extends ModelNs.Ends = ModelNs.Ends, I extends ModelNs.Ends = ModelNs.Ends> = ModelNs.Model<O, I>

export * as layers from './layers.js'
export type { Initializer, InitializerName, InitializerLike } from './initializers.js'
export { dense, dropout, flatten, activation, identity, type DenseParams, type DenseOptions, type ActivationName } from './core.js'
export { concatenate, multiply, average, type MergeLayer } from './merge.js'
export { input, type SymbolicTensor, type InputOptions } from './symbolic.js'
export { sequential, type SequentialOptions, type ParamsList, type StatesList, type SeqItem } from './sequential.js'
export { model, type ModelOptions, type Ends, type Predicted } from './functional.js'
export { call, type CallOptions, type Called } from './call.js'
export { builtinLayers, fromConfig, type LayerSpec, type LayerTable } from './builtin.js'
export { isLayer, type AnyLayer, type LayerIO, type ShapeOf, type Json, type Config, type Empty, type ParamsOf, type StateOf, type Built, type Applied, type BaseOptions } from './Layer.js'
export type { ModelLike, BatchShape, Ctx } from './Model.js'
export type { Weight, PredictOptions, InputData, ArrayLikeData } from './common.js'
// norm family: regularizers and constraints (Keras's tf.keras.regularizers / constraints), freezing
export * as regularizers from './regularizers.js'
export * as constraints from './constraints.js'
export { type Regularizer, type RegularizerLike, type Constraint, type ConstraintLike } from './weights.js'
export { adapt } from './preprocessing.js'
export { withTrainableOrThrow as withTrainable } from './functional.js'
export type { LayerTarget } from './common.js'
export { setTrainable } from './Layer.js'
export type { ParamSpec } from './Model.js'
