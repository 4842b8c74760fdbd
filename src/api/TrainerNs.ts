/**
 * The members of the public `Trainer` namespace (functional surface: `Either`/`TaskEither`, dual forms).
 * `src/api/Trainer.ts` makes it both a namespace and the type of trainer values.
 * @since 0.1.0
 */
export {
  compile, fit, evaluate, predict, trainStep, trainStepAsync, trainOnBatch, testOnBatch, predictOnBatch,
  metricsNames, learningRate, withLearningRate, isTrainer,
  type FitOptions, type EvaluateOptions, type PredictOptions, type BatchOptions, type CompileOptions, type FitResult,
  type MetricsInput, type MetricSpec, type LossSpec, type ValidationDataInput, type CustomTrainStep, type CustomTestStep, type StepBatch,
  type History, type HistoryParams, type Logs, type CompileError, type OptionError, type Batch, type Predictions,
  type Data, type ArrayData, type ShapedArray, type BatchLike, type BatchSource, type TypedArray
} from '../train/index.js'
