/**
 * The `Model` namespace (functional surface, `Either` everywhere): functional models
 * (`Model.make({inputs, outputs})`), symbolic inputs (`Model.input({shape})`) and `connect`, and the
 * functions every model (Sequential or functional) answers: `summary`, `countParams`, `getWeights`,
 * `setWeights`, `getLayer`, `predict`, `withTrainable`.
 *
 * @since 0.1.0
 */
import { totalE } from '../core/errors.js'
import { predict as predictThrowing } from './functional.js'

export {
  make, isModel, summary, countParams, getWeights, weights, getLayer, setWeights, withTrainable,
  type Model, type ModelOptions, type Ends, type EndsIO, type Predicted
} from './functional.js'
export { inputE as input, connect, isSymbolic, type SymbolicTensor, type InputOptions } from './symbolic.js'
export type { ModelLike, BatchShape, Ctx } from './Model.js'
export type { Weight, PredictOptions, InputData, ArrayLikeData } from './common.js'
/** Predictions of a model for data, as `Either` (dual). */
export const predict = totalE(predictThrowing)
