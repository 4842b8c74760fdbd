/**
 * The `Layer` namespace (functional surface): the layer contract, every layer constructor in its
 * `Either` form under its Keras name (`Layer.dense(8)` is `Either<LayerError, Layer>`, where the notebook's
 * `layers.dense(8)` throws), rebuilding from config, and applying layers to symbolic tensors.
 *
 * A new layer: add its throwing constructor to `layers.ts` and its `Either` constructor here, under the
 * same name (`held(itsE)`, or `layerK(constructor)` when it has no `…E` form).
 *
 * @since 0.1.0
 */
import type * as E from 'fp-ts/lib/Either.js'
import type { TfError } from '../core/errors.js'
import { type LayerError, layerSurface } from './errors.js'
import * as M_attention from './attention.js'
import * as M_attentionMultiHead from './attentionMultiHead.js'
import * as M_conv from './conv.js'
import * as M_embedding from './embedding.js'
import * as M_noise from './noise.js'
import * as M_normalization from './normalization.js'
import * as M_preprocessing from './preprocessing.js'
import * as M_recurrent from './recurrent.js'
import * as M_reshaping from './reshaping.js'
import * as M_separable from './separable.js'
import * as M_wrappers from './wrappers.js'
import * as C from './core.js'
import * as B from './builtin.js'
import * as Sym from './symbolic.js'
import * as M from './merge.js'
import * as V from './pooling.js'

import { setTrainable as setTrainableThrowing } from './Layer.js'

/** A throwing constructor as `Either<LayerError, …>` (a throw is a `Left`, held to the union). */
const layerK = <A extends ReadonlyArray<unknown>, R>(f: (...a: A) => R): ((...a: A) => E.Either<LayerError, R>) =>
  layerSurface((...a: A) => f(...a)) as unknown as (...a: A) => E.Either<LayerError, R>
/** An `Either` constructor held to `LayerError` (a tag outside the union is an `InternalError`; a throw is a `Left`). */
const held = <A extends ReadonlyArray<unknown>, R>(f: (...a: A) => E.Either<TfError, R>): ((...a: A) => E.Either<LayerError, R>) =>
  layerSurface(f) as unknown as (...a: A) => E.Either<LayerError, R>

export {
  isLayer,
  type Layer, type AnyLayer, type LayerIO, type ShapeOf, type Json, type Config, type Empty, type ParamsOf, type StateOf,
  type Built, type Applied, type ApplyFn, type BaseOptions, type BatchShape, type Ctx, type LayerExtras
} from './Layer.js'
export { builtinLayers, type LayerSpec, type LayerTable } from './builtin.js'
export { isSymbolic, type SymbolicTensor, type Sym, type InputOptions } from './symbolic.js'
export type { ActivationName, DenseOptions, DenseParams } from './core.js'
export type { MergeLayer } from './merge.js'
export type { ConvLayerOptions, ConvParams, ConvTransposeLayerOptions, DataFormat, KernelWeightOptions } from './conv.js'
export type { DepthwiseOptions, DepthwiseParams, SeparableOptions, SeparableParams } from './separable.js'
export type { GlobalPoolingOptions, PoolingOptions } from './pooling.js'
export type { Pairs2d, UpSampling2dOptions } from './reshaping.js'
export type { BatchNormState, BatchNormalizationOptions, LayerNormalizationOptions, NormParams } from './normalization.js'
export type { NormalizationOptions, NormalizationState } from './preprocessing.js'
export type { Constraint, ConstraintLike, Regularizer, RegularizerLike, WeightOptions } from './weights.js'

/** A layer from its `{kind, config}` (Keras's `layers.deserialize`), as `Either`. */
export const fromConfig = held(B.fromConfig)
/** Apply a layer to symbolic tensors, as `Either` (the output shape is inferred now). */
export const connect = layerSurface(Sym.connect)

/** The layer with its weights frozen or unfrozen (`trainable`), as `Either`. */
export const setTrainable = layerK(setTrainableThrowing)

// ---- the constructors, each returning Either<LayerError, Layer> ----
// core
export const dense = held(C.denseE)
export const activation = held(C.activationE)
export const dropout = held(C.dropoutE)
export const reshape = held(C.reshapeE)
export const relu = layerK(C.relu)
export const sigmoid = layerK(C.sigmoid)
export const tanh = layerK(C.tanh)
export const softmax = layerK(C.softmax)
export const linear = layerK(C.linear)
export const elu = layerK(C.elu)
export const selu = layerK(C.selu)
export const gelu = layerK(C.gelu)
export const softplus = layerK(C.softplus)
export const swish = layerK(C.swish)
export const silu = layerK(C.silu)
export const leakyRelu = layerK(C.leakyRelu)
export const flatten = layerK(C.flatten)
export const identity = layerK(C.identity)
// merge
export const concatenate = held(M.concatenateE)
export const add = layerK(M.add)
export const multiply = layerK(M.multiply)
export const average = layerK(M.average)
// convolution and pooling
export const conv1d = held(M_conv.conv1dE)
export const conv2d = held(M_conv.conv2dE)
export const conv3d = held(M_conv.conv3dE)
export const conv2dTranspose = held(M_conv.conv2dTransposeE)
export const depthwiseConv2d = held(M_separable.depthwiseConv2dE)
export const separableConv2d = held(M_separable.separableConv2dE)
export const maxPooling1d = layerK(V.maxPooling1d)
export const maxPooling2d = layerK(V.maxPooling2d)
export const maxPooling3d = layerK(V.maxPooling3d)
export const averagePooling1d = layerK(V.averagePooling1d)
export const averagePooling2d = layerK(V.averagePooling2d)
export const averagePooling3d = layerK(V.averagePooling3d)
export const globalMaxPooling1d = layerK(V.globalMaxPooling1d)
export const globalMaxPooling2d = layerK(V.globalMaxPooling2d)
export const globalMaxPooling3d = layerK(V.globalMaxPooling3d)
export const globalAveragePooling1d = layerK(V.globalAveragePooling1d)
export const globalAveragePooling2d = layerK(V.globalAveragePooling2d)
export const globalAveragePooling3d = layerK(V.globalAveragePooling3d)
// sequences
export const masking = held(M_embedding.maskingE)
export const embedding = held(M_embedding.embeddingE)
export const simpleRNN = held(M_recurrent.simpleRNNE)
export const lstm = held(M_recurrent.lstmE)
export const gru = held(M_recurrent.gruE)
export const bidirectional = held(M_wrappers.bidirectionalE)
export const timeDistributed = held(M_wrappers.timeDistributedE)
// attention
export const attention = held(M_attention.attentionE)
export const additiveAttention = held(M_attention.additiveAttentionE)
export const multiHeadAttention = held(M_attentionMultiHead.multiHeadAttentionE)
// shape, normalization, noise, preprocessing
export const upSampling2d = held(M_reshaping.upSampling2dE)
export const zeroPadding2d = held(M_reshaping.zeroPadding2dE)
export const cropping2d = held(M_reshaping.cropping2dE)
export const repeatVector = held(M_reshaping.repeatVectorE)
export const permute = held(M_reshaping.permuteE)
export const batchNormalization = held(M_normalization.batchNormalizationE)
export const layerNormalization = held(M_normalization.layerNormalizationE)
export const spatialDropout1d = held(M_noise.spatialDropout1dE)
export const spatialDropout2d = held(M_noise.spatialDropout2dE)
export const gaussianNoise = held(M_noise.gaussianNoiseE)
export const rescaling = held(M_preprocessing.rescalingE)
export const normalization = held(M_preprocessing.normalizationE)
export const adapt = held(M_preprocessing.adaptE)

// ---- deprecated: the E-suffixed names the docs used before the rule above ----
export {
  /** @deprecated since 0.2: `Layer.dense` is the Either constructor now. */
  denseE,
  /** @deprecated since 0.2: `Layer.activation` is the Either constructor now. */
  activationE,
  /** @deprecated since 0.2: `Layer.dropout` is the Either constructor now. */
  dropoutE
} from './core.js'
