/**
 * The `Layer` namespace (functional surface): the layer contract, every layer constructor in its
 * `Either` form under its Keras name (`Layer.dense(8)` is `Either<TfError, Layer>`, where the notebook's
 * `layers.dense(8)` throws), rebuilding from config, and applying layers to symbolic tensors.
 *
 * A new layer: add its throwing constructor to `layers.ts` and its `Either` constructor here, under the
 * same name (its `…E` function, or `attemptK(constructor)` when it has none).
 *
 * @since 0.1.0
 */
import { attemptK } from '../core/errors.js'
import * as C from './core.js'
import * as M from './merge.js'
import * as V from './pooling.js'

import { setTrainable as setTrainableThrowing } from './Layer.js'

export {
  isLayer,
  type Layer, type AnyLayer, type LayerIO, type ShapeOf, type Json, type Config, type Empty, type ParamsOf, type StateOf,
  type Built, type Applied, type ApplyFn, type BaseOptions, type BatchShape, type Ctx, type LayerExtras
} from './Layer.js'
export { builtinLayers, fromConfig, type LayerSpec, type LayerTable } from './builtin.js'
export { connect, isSymbolic, type SymbolicTensor, type Sym, type InputOptions } from './symbolic.js'
export type { ActivationName, DenseOptions, DenseParams } from './core.js'
export type { MergeLayer } from './merge.js'
export type { ConvLayerOptions, ConvParams, ConvTransposeLayerOptions, DataFormat, KernelWeightOptions } from './conv.js'
export type { DepthwiseOptions, DepthwiseParams, SeparableOptions, SeparableParams } from './separable.js'
export type { GlobalPoolingOptions, PoolingOptions } from './pooling.js'
export type { Pairs2d, UpSampling2dOptions } from './reshaping.js'
export type { BatchNormState, BatchNormalizationOptions, LayerNormalizationOptions, NormParams } from './normalization.js'
export type { NormalizationOptions, NormalizationState } from './preprocessing.js'
export type { Constraint, ConstraintLike, Regularizer, RegularizerLike, WeightOptions } from './weights.js'

/** The layer with its weights frozen or unfrozen (`trainable`), as `Either`. */
export const setTrainable = attemptK(setTrainableThrowing)

// ---- the constructors, each returning Either<TfError, Layer> ----
// core
export { denseE as dense, activationE as activation, dropoutE as dropout, reshapeE as reshape } from './core.js'
export const relu = attemptK(C.relu)
export const sigmoid = attemptK(C.sigmoid)
export const tanh = attemptK(C.tanh)
export const softmax = attemptK(C.softmax)
export const linear = attemptK(C.linear)
export const elu = attemptK(C.elu)
export const selu = attemptK(C.selu)
export const gelu = attemptK(C.gelu)
export const softplus = attemptK(C.softplus)
export const swish = attemptK(C.swish)
export const silu = attemptK(C.silu)
export const leakyRelu = attemptK(C.leakyRelu)
export const flatten = attemptK(C.flatten)
export const identity = attemptK(C.identity)
// merge
export { concatenateE as concatenate } from './merge.js'
export const add = attemptK(M.add)
export const multiply = attemptK(M.multiply)
export const average = attemptK(M.average)
// convolution and pooling
export { conv1dE as conv1d, conv2dE as conv2d, conv3dE as conv3d, conv2dTransposeE as conv2dTranspose } from './conv.js'
export { depthwiseConv2dE as depthwiseConv2d, separableConv2dE as separableConv2d } from './separable.js'
export const maxPooling1d = attemptK(V.maxPooling1d)
export const maxPooling2d = attemptK(V.maxPooling2d)
export const maxPooling3d = attemptK(V.maxPooling3d)
export const averagePooling1d = attemptK(V.averagePooling1d)
export const averagePooling2d = attemptK(V.averagePooling2d)
export const averagePooling3d = attemptK(V.averagePooling3d)
export const globalMaxPooling1d = attemptK(V.globalMaxPooling1d)
export const globalMaxPooling2d = attemptK(V.globalMaxPooling2d)
export const globalMaxPooling3d = attemptK(V.globalMaxPooling3d)
export const globalAveragePooling1d = attemptK(V.globalAveragePooling1d)
export const globalAveragePooling2d = attemptK(V.globalAveragePooling2d)
export const globalAveragePooling3d = attemptK(V.globalAveragePooling3d)
// sequences
export { maskingE as masking, embeddingE as embedding } from './embedding.js'
export { simpleRNNE as simpleRNN, lstmE as lstm, gruE as gru } from './recurrent.js'
export { bidirectionalE as bidirectional, timeDistributedE as timeDistributed } from './wrappers.js'
// attention
export { attentionE as attention, additiveAttentionE as additiveAttention } from './attention.js'
export { multiHeadAttentionE as multiHeadAttention } from './attentionMultiHead.js'
// shape, normalization, noise, preprocessing
export {
  upSampling2dE as upSampling2d, zeroPadding2dE as zeroPadding2d, cropping2dE as cropping2d,
  repeatVectorE as repeatVector, permuteE as permute
} from './reshaping.js'
export { batchNormalizationE as batchNormalization, layerNormalizationE as layerNormalization } from './normalization.js'
export { spatialDropout1dE as spatialDropout1d, spatialDropout2dE as spatialDropout2d, gaussianNoiseE as gaussianNoise } from './noise.js'
export { rescalingE as rescaling, normalizationE as normalization, adaptE as adapt } from './preprocessing.js'

// ---- deprecated: the E-suffixed names the docs used before the rule above ----
export {
  /** @deprecated since 0.2: `Layer.dense` is the Either constructor now. */
  denseE,
  /** @deprecated since 0.2: `Layer.activation` is the Either constructor now. */
  activationE,
  /** @deprecated since 0.2: `Layer.dropout` is the Either constructor now. */
  dropoutE
} from './core.js'
