/**
 * The `Layer` namespace: the layer contract and its helpers, every constructor in its throwing and
 * `Either` forms (`dense` / `denseE`), rebuilding from config, and applying layers to symbolic tensors.
 *
 * @since 0.1.0
 */
export * from './Layer.js'
export * from './core.js'
export * from './merge.js'
export { bidirectionalE, timeDistributedE, bidirectional, timeDistributed } from './wrappers.js'
export { maskingE, masking, embeddingE, simpleRNNE, lstmE, gruE, embedding, simpleRNN, lstm, gru } from './recurrent.js'
export * from './conv.js'
export * from './builtin.js'
export { connect, input, inputE, isSymbolic, type SymbolicTensor, type Sym, type InputOptions } from './symbolic.js'
export { call, type CallOptions, type Called } from './call.js'
// norm family: shape, normalization, noise, preprocessing layers; weight options
export * from './reshaping.js'
export * from './normalization.js'
export * from './noise.js'
export * from './preprocessing.js'
export * from './weights.js'
// attention
export { attentionE, additiveAttentionE, attention, additiveAttention } from './attention.js'
