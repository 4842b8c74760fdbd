/**
 * The `Sequential` namespace (functional surface): `make`, `add`, `pop`, `build`, `summary`, … return
 * `Either` and never throw (a value that is not a model is a tagged `Left`); dual where they take a model.
 *
 * @since 0.1.0
 */
import { totalE } from '../core/errors.js'
import * as S from './sequential.js'

export { isSequential, type Sequential, type SequentialOptions, type ParamsList, type StatesList, type SeqItem } from './sequential.js'
export const make = totalE(S.make)
export const add = totalE(S.add)
export const pop = totalE(S.pop)
export const build = totalE(S.build)
export const summary = totalE(S.summary)
export const countParams = totalE(S.countParams)
export const getWeights = totalE(S.getWeights)
export const getLayer = totalE(S.getLayer)
export const setWeights = totalE(S.setWeights)
export const predict = totalE(S.predict)
export const withTrainable = totalE(S.withTrainable)
