/**
 * The `Sequential` namespace (functional surface): `make`, `add`, `pop`, `build`, `summary`, … return
 * `Either<LayerError, …>` and never throw (a value that is not a model is a tagged `Left`); dual where they take a model.
 *
 * @since 0.1.0
 */
import { layerSurface } from './errors.js'
import * as S from './sequential.js'

export { isSequential, type Sequential, type SequentialOptions, type ParamsList, type StatesList, type SeqItem } from './sequential.js'
export const make = layerSurface(S.make)
export const add = layerSurface(S.add)
export const pop = layerSurface(S.pop)
export const build = layerSurface(S.build)
export const summary = layerSurface(S.summary)
export const countParams = layerSurface(S.countParams)
export const getWeights = layerSurface(S.getWeights)
export const getLayer = layerSurface(S.getLayer)
export const setWeights = layerSurface(S.setWeights)
export const predict = layerSurface(S.predict)
export const withTrainable = layerSurface(S.withTrainable)
