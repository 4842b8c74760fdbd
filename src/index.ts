/**
 * tensorfold: functional, immutable differentiable programming for TypeScript.
 *
 * The notebook surface is the lowercase functions exported here; the functional surface adds the
 * namespaced modules (`Tree`, `Key`, …) and `Either`-returning variants.
 *
 * @since 0.1.0
 * @module tensorfold
 */
// the notebook facade: gives models Keras's `model.compile` (layers cannot import training)
import './facade.js'
export {
  Tensor, tensor, fromValues, zeros, ones, fill, scalar, range, toArray, dataSync, shape, item, isTensor,
  type DType, type NestedArray
} from './core/Tensor.js'
export { type Shape, size, broadcastShapes } from './core/Shape.js'
export * as Tree from './core/Tree.js'
export * as Key from './core/Key.js'
export { key, split, foldIn, type Key as RandomKey } from './core/Key.js'
export { randomNormal, randomUniform, randomInt, shuffleIndices } from './core/random.js'
export { type TfError, TensorfoldError, tfError, orThrow, attempt } from './core/errors.js'
// errors as closed unions per module (docs/errors.md)
export { ERROR_TAGS, isErrorOf, type TfErrorTag, type ValueError, type LayerError, type TrainError } from './errors.js'
export { getBackend, getSyncBackend, setBackend, withBackend, ready, resolveBackend, reference, type Backend, type BackendName } from './backend/index.js'
export { installWebGpu, availableModes, type WebGpuInstall, type InstallWebGpuOptions, type DawnBackend } from './backend/gpujs/index.js'
export * from './ops/index.js'
export * from './ad/index.js'
export { primitives, type PrimitiveDef, type PrimitiveName } from './primitives/index.js'
export { safe } from './safe.js'
export { jit, type Jitted, type JitStats } from './compile/jit.js'
export * from './layers/index.js'
export * as Optimizer from './optimizers/index.js'
export { sgd, adam, adamw, rmsprop, adagrad, adadelta, adamax, nadam, type GradientTransformation } from './optimizers/index.js'
export * as Loss from './losses/index.js'
export {
  meanSquaredError, meanAbsoluteError, meanAbsolutePercentageError, meanSquaredLogarithmicError, mse, mae, mape, msle,
  binaryCrossentropy, categoricalCrossentropy, sparseCategoricalCrossentropy, hinge, squaredHinge, categoricalHinge, huber,
  logCosh, klDivergence, kld, poisson, cosineSimilarity
} from './losses/index.js'
export * as Metric from './metrics/index.js'
export { nearest, levenshtein } from './core/nearest.js'
export { Trainer } from './train/public.js'
export { withTraining, compileOrThrow, type Trainable, type FitResult, type History, type Logs, type CustomTrainStep, type StepBatch } from './train/index.js'
export * as Callbacks from './callbacks.js'
export { earlyStopping, learningRateScheduler, reduceLROnPlateau, terminateOnNaN, lambdaCallback, progbarLogger, type Callback } from './train/callbacks/index.js'
export * as Io from './io/index.js'
export { modelCheckpoint, csvLogger, type IoError, type SavableModel, type CustomLayers } from './io/index.js'
export {
  /** Save a model or trainer to a directory (`model.json` + `weights.bin`); rejects with a `TensorfoldError`. */
  notebookSave as save,
  /** Load a model from a directory; rejects with a `TensorfoldError`. */
  notebookLoad as load,
  notebookLoadTrainer as loadTrainer,
  notebookSaveWeights as saveWeights,
  notebookLoadWeights as loadWeights
} from './io/notebook.js'
export { plotHistory, type PlotOptions } from './plot/history.js'
export { plotConfusionMatrix, confusionMatrix, type ConfusionPlotOptions } from './plot/confusion.js'
export { plotModel, type PlotModelOptions } from './plot/model.js'
// datasets: lazy, typed, tf.data-style (src/data, files in src/io/datasets.ts)
export { Data, data, datasets, type Dataset } from './datasets.js'
