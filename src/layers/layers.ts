/**
 * The layer constructors, as Keras's `tf.keras.layers`: `layers.dense(8)`, `layers.relu()`,
 * `layers.add()`, … (the names that would clash with tensor ops at the top level live only here).
 *
 * @since 0.1.0
 */
export {
  dense, activation, relu, sigmoid, tanh, softmax, linear, elu, selu, gelu, softplus, swish, silu, leakyRelu,
  dropout, flatten, reshape, identity
} from './core.js'
export { add, multiply, average, concatenate } from './merge.js'
// convolution and pooling
export { conv1d, conv2d, conv3d, conv2dTranspose } from './conv.js'
export { depthwiseConv2d, separableConv2d } from './separable.js'
export {
  maxPooling1d, maxPooling2d, maxPooling3d, averagePooling1d, averagePooling2d, averagePooling3d,
  globalAveragePooling1d, globalAveragePooling2d, globalAveragePooling3d, globalMaxPooling1d, globalMaxPooling2d, globalMaxPooling3d
} from './pooling.js'
export { embedding, masking, type EmbeddingParams, type EmbeddingOptions } from './embedding.js'
export { simpleRNN, lstm, gru, type RecurrentOptions, type LstmOptions, type GruOptions, type RecurrentParams } from './recurrent.js'
export { bidirectional, timeDistributed, type BidirectionalOptions, type MergeMode } from './wrappers.js'
// shape layers
export { upSampling2d, zeroPadding2d, cropping2d, repeatVector, permute } from './reshaping.js'
// normalization
export { batchNormalization, layerNormalization } from './normalization.js'
// regularization layers
export { spatialDropout1d, spatialDropout2d, gaussianNoise } from './noise.js'
// preprocessing
export { rescaling, normalization, adapt } from './preprocessing.js'
// attention
export {
  attention, additiveAttention, type AttentionOptions, type AdditiveAttentionOptions, type AttentionParams, type AdditiveAttentionParams, type AttentionLayer, type AttentionOutput
} from './attention.js'
export { multiHeadAttention, type MultiHeadAttentionOptions, type MultiHeadAttentionParams, type MultiHeadAttentionLayer, type Projection } from './attentionMultiHead.js'
