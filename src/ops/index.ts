/** All differentiable ops: the primitives and the ops derived from them. @since 0.1.0 */
export {
  add, mul, div, neg, exp, log, sqrt, pow, abs, sign, sin, cos, maximum, minimum, compare, where, matmul, transpose,
  reshape, broadcastTo, sum, max, slice, gather, scatterAdd, concat, pad, cast, argmax, unbroadcast,
  type Comparison, type MatmulParams, type TensorLike
} from '../primitives/index.js'
export * from './arithmetic.js'
export * from './reductions.js'
export * from './activations.js'
export * from './shape.js'
export * from './linalg.js'
export * from './conv.js'
