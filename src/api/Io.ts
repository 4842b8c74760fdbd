/**
 * The public `Io` namespace (functional surface): saving and loading as `TaskEither<IoError, …>`, model
 * configs, and the TensorFlow.js/Keras form. The notebook surface is the top-level `save`, `load`,
 * `loadTrainer`, `saveWeights`, `loadWeights` (Promises that reject with a `TensorfoldError`).
 * @since 0.1.0
 */
export {
  save, load, loadTrainer, saveWeights, loadWeights, getConfig, fromConfig, isSavableModel, toKeras, fromKeras,
  isIoError,
  type IoError, type IoErrorTag, type SavableModel, type KerasForm, type CustomLayers, type LayerFromConfig,
  type SaveOptions, type LoadOptions, type LoadTrainerOptions, type LockOptions
} from '../io/index.js'
