/**
 * The `Model` namespace (functional surface, `Either<LayerError, …>` everywhere): functional models
 * (`Model.make({inputs, outputs})`), symbolic inputs (`Model.input({shape})`) and `connect`, and the
 * functions every model (Sequential or functional) answers: `summary`, `countParams`, `getWeights`,
 * `setWeights`, `getLayer`, `predict`, `withTrainable`.
 *
 * @since 0.1.0
 */
import { layerSurface } from './errors.js'
import * as F from './functional.js'
import * as Sym from './symbolic.js'

export { isModel, weights, type Model, type ModelOptions, type Ends, type EndsIO, type Predicted } from './functional.js'
export { isSymbolic, type SymbolicTensor, type InputOptions } from './symbolic.js'
export type { ModelLike, BatchShape, Ctx } from './Model.js'
export type { Weight, PredictOptions, InputData, ArrayLikeData } from './common.js'
// each held to LayerError (see layers/errors.ts): a throw or a tag outside the union cannot escape
export const make = layerSurface(F.make)
export const summary = layerSurface(F.summary)
export const countParams = layerSurface(F.countParams)
export const getWeights = layerSurface(F.getWeights)
export const getLayer = layerSurface(F.getLayer)
export const setWeights = layerSurface(F.setWeights)
export const withTrainable = layerSurface(F.withTrainable)
/** Predictions of a model for data, as `Either` (dual). */
export const predict = layerSurface(F.predict)
export const input = layerSurface(Sym.inputE)
export const connect = layerSurface(Sym.connect)
