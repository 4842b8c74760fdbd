/**
 * tensorfold: functional, immutable differentiable programming for TypeScript.
 *
 * Two surfaces over one set of values (docs/errors.md states the rule):
 * - the notebook surface: the top-level lowercase names (tensor ops, `sequential`, `model`, `input`,
 *   `save`, …), `layers.*` (the layer constructors) and the methods of the values they return; they
 *   throw a `TensorfoldError` on failure;
 * - the functional surface: the capitalised namespaces (`Layer`, `Sequential`, `Model`, `Trainer`,
 *   `Io`, `Data`, …), whose functions return `Either`/`TaskEither` and never throw.
 *
 * Layers live under `layers.*` only; top-level lowercase names are tensor ops (`relu(x)`).
 *
 * Every public name is listed here explicitly (test/public-api.test.ts pins the list): a new public name
 * is added to its group below (and to the pinned list), never through `export *`.
 *
 * @since 0.1.0
 * @module tensorfold
 */
// the notebook facade: gives models Keras's `model.compile` (layers cannot import training)
import './facade.js'

// ---- tensors, shapes, trees, random keys ----
export {
  Tensor, tensor, zeros, ones, fill, scalar, range, toArray, dataSync, shape, item, isTensor,
  type DType, type NestedArray
} from './core/Tensor.js'
export { type Shape, size, broadcastShapes } from './core/Shape.js'
export * as Tree from './api/Tree.js'
export { Key } from './api/Key.js'
export { key, split, foldIn } from './core/Key.js'
export { randomNormal, randomUniform, randomInt, shuffleIndices } from './core/random.js'

// ---- errors (closed unions per module, docs/errors.md) ----
export { type TfError, TensorfoldError, tfError, orThrow, attempt } from './core/errors.js'
export { ERROR_TAGS, isErrorOf, type TfErrorTag, type ValueError, type LayerError, type TrainError,
  type LossError, type MetricError, type OptimizerError, type PlotError, type DatasetError, type DataError } from './errors.js'

// ---- backends ----
export { getBackend, getSyncBackend, setBackend, withBackend, ready, resolveBackend, reference, type Backend, type BackendName } from './backend/index.js'
export { installWebGpu, availableModes, type WebGpuInstall, type InstallWebGpuOptions, type DawnBackend } from './backend/gpujs/index.js'

// ---- tensor ops (differentiable; they throw a TensorfoldError — `Ops.*` are their Either forms) ----
export {
  // primitives
  add, mul, div, neg, exp, log, sqrt, pow, abs, sign, sin, cos, maximum, minimum, compare, where, matmul, transpose,
  reshape, broadcastTo, sum, max, slice, gather, scatterAdd, concat, pad, cast, argmax, unbroadcast,
  // arithmetic, comparisons, reductions
  sub, square, reciprocal, expm1, log1p, clip, erf, nanToNum, isNaN, isFinite, equal, greater, greaterEqual, less, lessEqual,
  mean, min, variance, norm, sumSquares, logSumExp, perAxis,
  // activations
  relu, sigmoid, tanh, softmax, logSoftmax, elu, selu, gelu, softplus, swish, silu, leakyRelu, linear,
  // shape and linear algebra
  expandDims, squeeze, flatten2d, stack, splitTensor, oneHot, dot,
  // convolution and pooling
  conv, convTranspose, maxPool, avgPool, convTransposeLength, resolvePadding, samePadding,
  type Comparison, type MatmulParams, type TensorLike, type ConvOptions, type ConvPadding, type ConvTransposeOptions, type PoolOptions
} from './ops/index.js'
export { Ops } from './api/Ops.js'

// ---- automatic differentiation and compiled mode ----
export { vjp, stopGradient, isTraced, grad, valueAndGrad, hvp, jvp, customVjp, vdot, scan, scanE, type ScanOptions } from './ad/index.js'
export { type PrimitiveDef, type PrimitiveName } from './primitives/index.js'
export { jit, type Jitted, type JitStats } from './compile/jit.js'

// ---- layers and models (layer constructors: `layers.*`; Either forms: `Layer.*`) ----
export {
  Layer, Sequential, Model, layers, regularizers, constraints,
  sequential, model, input, call, fromConfig, builtinLayers, isLayer, adapt, withTrainable, setTrainable,
  type AnyLayer, type LayerIO, type ShapeOf, type Json, type Config, type Empty, type ParamsOf, type StateOf, type Built,
  type Applied, type BaseOptions, type ModelLike, type BatchShape, type Ctx, type Weight, type PredictOptions,
  type InputData, type ArrayLikeData, type LayerTarget, type ParamSpec, type SymbolicTensor, type InputOptions,
  type SequentialOptions, type ParamsList, type StatesList, type SeqItem, type ModelOptions, type Ends, type Predicted,
  type CallOptions, type Called, type LayerSpec, type LayerTable, type DenseParams, type DenseOptions,
  type ActivationName, type MergeLayer, type Regularizer, type RegularizerLike, type Constraint, type ConstraintLike
} from './layers/index.js'
export * as Initializers from './api/Initializers.js'
export type { Initializer, InitializerName, InitializerLike } from './layers/initializers.js'

// ---- optimizers, losses, metrics ----
export * as Optimizer from './api/Optimizer.js'
export { sgd, adam, adamw, rmsprop, adagrad, adadelta, adamax, nadam, type GradientTransformation } from './optimizers/index.js'
export * as Loss from './api/Loss.js'
export {
  meanSquaredError, meanAbsoluteError, meanAbsolutePercentageError, meanSquaredLogarithmicError, mse, mae, mape, msle,
  binaryCrossentropy, categoricalCrossentropy, sparseCategoricalCrossentropy, hinge, squaredHinge, categoricalHinge, huber,
  logCosh, klDivergence, kld, poisson, cosineSimilarity
} from './losses/index.js'
export * as Metric from './api/Metric.js'

// ---- training ----
export { Trainer } from './api/Trainer.js'
export { type FitResult, type History, type Logs, type CustomTrainStep, type CustomTestStep, type StepBatch } from './train/index.js'
export * as Callbacks from './callbacks.js'
export { earlyStopping, learningRateScheduler, reduceLROnPlateau, terminateOnNaN, lambdaCallback, progbarLogger, type Callback } from './train/callbacks/index.js'

// ---- saving and loading (functional: `Io.*` TaskEither; notebook: these Promises) ----
export * as Io from './api/Io.js'
export { modelCheckpoint, csvLogger, type IoError, type SavableModel, type CustomLayers } from './io/index.js'
export {
  /** Save a model or trainer to a directory (`model.json` + weights); rejects with a `TensorfoldError`. */
  notebookSave as save,
  /** Load a model from a directory; rejects with a `TensorfoldError`. */
  notebookLoad as load,
  notebookLoadTrainer as loadTrainer,
  notebookSaveWeights as saveWeights,
  notebookLoadWeights as loadWeights
} from './io/notebook.js'

// ---- plots ----
export { plotHistory, type PlotOptions } from './plot/history.js'
export { plotConfusionMatrix, confusionMatrix, type ConfusionPlotOptions } from './plot/confusion.js'
export { plotModel, type PlotModelOptions } from './plot/model.js'

// ---- datasets: lazy, typed, tf.data-style (src/data, files in src/io/datasets.ts) ----
export { Data, data, datasets, type Dataset } from './datasets.js'

// ---- deprecated for one release (the docs used them; each names its replacement) ----
export { safe, fromValues, compileOrThrow, dense, dropout, flatten, activation, identity, concatenate, multiply, average } from './api/deprecated.js'
