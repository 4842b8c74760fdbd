/**
 * The public `Io` namespace (functional surface): saving and loading as `TaskEither<IoError, …>`, model
 * configs, and the TensorFlow.js/Keras form; nothing here throws. The notebook surface is the top-level
 * `save`, `load`, `loadTrainer`, `saveWeights`, `loadWeights` (Promises that reject with a
 * `TensorfoldError` carrying the same tagged error) — one name per surface.
 * @since 0.1.0
 */
import { totalE, totalTE } from '../core/errors.js'
import * as Io from '../io/index.js'

export {
  getConfig, isSavableModel, toKeras, isIoError,
  type IoError, type IoErrorTag, type SavableModel, type KerasForm, type CustomLayers, type LayerFromConfig,
  type SaveOptions, type LoadOptions, type LoadTrainerOptions, type LockOptions
} from '../io/index.js'
/** Save a model or trainer to a directory (`model.json` + weights). @example await Io.save(model, 'tmp/m')() */
export const save = totalTE(Io.save)
/** Load a model from a directory. @example await Io.load('tmp/m')() */
export const load = totalTE(Io.load)
/** Load a trainer (model, optimizer state, step) from a directory. */
export const loadTrainer = totalTE(Io.loadTrainer)
/** Save only the weights. */
export const saveWeights = totalTE(Io.saveWeights)
/** Load weights into a model of the same architecture. */
export const loadWeights = totalTE(Io.loadWeights)
/** A model from its config (`{kind, config}`), as `Either`. */
export const fromConfig = totalE(Io.fromConfig)
/** A model config from the TensorFlow.js/Keras `model.json` topology, as `Either`. */
export const fromKeras = totalE(Io.fromKeras)
