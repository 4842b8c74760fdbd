/**
 * The `Model` namespace: functional models (`Model.make({inputs, outputs})`), symbolic inputs and
 * `connect`, and the functions every model (Sequential or functional) answers: `summary`,
 * `countParams`, `getWeights`, `setWeights`, `getLayer`, `predict`.
 *
 * @since 0.1.0
 */
export * from './functional.js'
export { input, inputE, connect, isSymbolic, type SymbolicTensor, type InputOptions } from './symbolic.js'
export type { ModelLike, BatchShape, Ctx } from './Model.js'
export type { Weight, PredictOptions, InputData, ArrayLikeData } from './common.js'
