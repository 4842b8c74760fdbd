/**
 * The `Trainer` module: compile a model into an immutable trainer, then fold training steps over data.
 *
 * Functional surface (this module, `import { Trainer } from 'tensorfold'`): total functions returning
 * `Either` (synchronous) or `TaskEither` (asynchronous), each callable data-first or data-last:
 *
 * ```ts
 * const t = Trainer.compile(model, { optimizer: 'sgd', loss: 'mse' })            // Either<TrainError, Trainer>
 * const r = await pipe(t, TE.fromEither, TE.flatMap(Trainer.fit(x, y, { epochs: 10 })))()
 * ```
 *
 * Notebook surface: the trainer's methods (`await trainer.fit(x, y, opts)`, `trainer.evaluate(…)`),
 * which throw, and {@link withTraining} / {@link compileOrThrow} for `model.compile(opts)`.
 *
 * Laws (test/train): `fit` leaves its input unchanged; fitting on batches `xs` then `ys` equals fitting
 * on `xs ++ ys`; the same seed gives the same weights.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import * as TE from 'fp-ts/lib/TaskEither.js'
import type { Predictions } from './evaluate.js'
import { orThrow, tfError, show, attemptOf, toTfError } from '../core/errors.js'
import { dual } from '../core/function.js'
import type { ModelLike } from '../layers/Model.js'
import { Trainer as TrainerClass, isTrainer } from './Trainer.js'
import { compile as compileE } from './compile.js'
import { fit as fitTE } from './fit.js'
import * as Ev from './evaluate.js'
import type { FitOptionsInput, EvaluateOptionsInput, PredictOptionsInput, BatchOptionsInput, CompileOptionsInput, FitResult } from './options.js'
import type { Logs } from './History.js'

export { isTrainer }

/**
 * The Either-returning functions below given something that is not a trainer (`Trainer.fit({}, x, y, o)`)
 * answer a tagged `Left`, never a function or a throw.
 */
const trainerFirst =
  <A extends ReadonlyArray<unknown>, R>(op: string, f: (t: TrainerClass, ...args: A) => R, kind: 'te' | 'e') =>
  (t: unknown, ...args: A): R => {
    if (isTrainer(t)) return f(t, ...args)
    const e = tfError('NotAModel', `Trainer.${op}: expected a trainer (from compile), received ${show(t)}`, { op, path: 'trainer', expected: 'a trainer', received: t })
    return (kind === 'te' ? TE.left(e) : E.left(e)) as unknown as R
  }
/** The trainer value (a class: `instanceof Trainer.Trainer` works). */
export type Trainer = TrainerClass
export const Trainer = TrainerClass
export type { Batch, Predictions } from './evaluate.js'
export type {
  FitOptionsInput as FitOptions,
  EvaluateOptionsInput as EvaluateOptions,
  PredictOptionsInput as PredictOptions,
  BatchOptionsInput as BatchOptions,
  CompileOptionsInput as CompileOptions,
  FitResult,
  MetricSpec,
  MetricsInput,
  LossSpec,
  ValidationDataInput,
  CustomTrainStep,
  CustomTestStep,
  StepBatch
} from './options.js'
export type { History, HistoryParams, Logs } from './History.js'
export type { CompileError, OptionError, TrainError } from './errors.js'
import { type TrainError, TRAIN_RUN_TAGS, asTrainError } from './errors.js'
export type { Data, ArrayData, ShapedArray, BatchLike, BatchSource, TypedArray } from './data.js'
export { metricsNamesOf } from './compile.js'
export { makeStepFn, makeEvalFn, makePredictFn, type StepIn, type StepOut, type StepSpec, type LossFn } from './step.js'

/**
 * Compile a model: `Either<TrainError, Trainer>`. Data-first or data-last.
 * @example Trainer.compile(model, { optimizer: 'adam', loss: 'mse', metrics: ['mae'] })
 */
export const compile: {
  (options: CompileOptionsInput): (model: ModelLike) => E.Either<TrainError, TrainerClass>
  (model: ModelLike, options: CompileOptionsInput): E.Either<TrainError, TrainerClass>
} = dual(2, compileE)

/**
 * Train; resolves to `{trainer, history, stopped}`. The input trainer is unchanged.
 * @example await Trainer.fit(trainer, x, y, { epochs: 10, batchSize: 32 })()
 */
export const fit: {
  (x: unknown, y?: unknown, options?: FitOptionsInput): (trainer: TrainerClass) => TE.TaskEither<TrainError, FitResult>
  (trainer: TrainerClass, x: unknown, y?: unknown, options?: FitOptionsInput): TE.TaskEither<TrainError, FitResult>
} = dual((args) => isTrainer(args[0]) || args.length >= 4, trainerFirst('fit', fitTE, 'te'))

/**
 * Loss and metrics on data, in `metricsNames` order (or a record with `returnDict`).
 * @example await Trainer.evaluate(trainer, xTest, yTest)()
 */
export const evaluate: {
  (x: unknown, y?: unknown, options?: EvaluateOptionsInput): (trainer: TrainerClass) => TE.TaskEither<TrainError, ReadonlyArray<number> | Logs>
  (trainer: TrainerClass, x: unknown, y?: unknown, options?: EvaluateOptionsInput): TE.TaskEither<TrainError, ReadonlyArray<number> | Logs>
} = dual((args) => isTrainer(args[0]) || args.length >= 4, trainerFirst('evaluate', Ev.evaluate, 'te'))

/**
 * Predictions: a tensor for one output, one per output otherwise.
 * @example await Trainer.predict(trainer, xTest)()
 */
export const predict: {
  (x: unknown, options?: PredictOptionsInput): (trainer: TrainerClass) => TE.TaskEither<TrainError, Predictions>
  (trainer: TrainerClass, x: unknown, options?: PredictOptionsInput): TE.TaskEither<TrainError, Predictions>
} = dual((args) => isTrainer(args[0]) || args.length >= 3, trainerFirst('predict', Ev.predict, 'te'))

/**
 * One pure, synchronous training step: `Right([newTrainer, logs])`, or a tagged `Left` on a bad batch.
 * @example const r = Trainer.trainStep(trainer, { x, y }) // Either<TrainError, [Trainer, Logs]>
 */
export const trainStep: {
  (batch: Ev.Batch): (trainer: TrainerClass) => E.Either<TrainError, readonly [TrainerClass, Logs]>
  (trainer: TrainerClass, batch: Ev.Batch): E.Either<TrainError, readonly [TrainerClass, Logs]>
} = dual((args) => isTrainer(args[0]) || args.length >= 2, trainerFirst('trainStep', (t: TrainerClass, b: Ev.Batch) => attemptOf(TRAIN_RUN_TAGS)(() => Ev.trainStep(t, b)), 'e'))

/** The async twin of {@link trainStep}: a `TaskEither` (threaded pipelines, asynchronous backends). */
export const trainStepAsync: {
  (batch: Ev.Batch): (trainer: TrainerClass) => TE.TaskEither<TrainError, readonly [TrainerClass, Logs]>
  (trainer: TrainerClass, batch: Ev.Batch): TE.TaskEither<TrainError, readonly [TrainerClass, Logs]>
} = dual(
  (args) => isTrainer(args[0]) || args.length >= 2,
  trainerFirst('trainStepAsync', (t: TrainerClass, b: Ev.Batch): TE.TaskEither<TrainError, readonly [TrainerClass, Logs]> => async () => {
    try {
      return E.right(await Ev.trainStepAsync(t, b)())
    } catch (err) {
      return E.left(asTrainError(toTfError(err)))
    }
  }, 'te')
)

/** One training step on one batch, as `Either<TrainError, [trainer, values]>`. */
export const trainOnBatch: {
  (x: unknown, y: unknown, options?: BatchOptionsInput): (trainer: TrainerClass) => E.Either<TrainError, readonly [TrainerClass, ReadonlyArray<number> | Logs]>
  (trainer: TrainerClass, x: unknown, y: unknown, options?: BatchOptionsInput): E.Either<TrainError, readonly [TrainerClass, ReadonlyArray<number> | Logs]>
} = dual((args) => isTrainer(args[0]) || args.length >= 4, trainerFirst('trainOnBatch', Ev.trainOnBatch, 'e'))

/** Loss and metrics of one batch, as `Either`. */
export const testOnBatch: {
  (x: unknown, y: unknown, options?: BatchOptionsInput): (trainer: TrainerClass) => E.Either<TrainError, ReadonlyArray<number> | Logs>
  (trainer: TrainerClass, x: unknown, y: unknown, options?: BatchOptionsInput): E.Either<TrainError, ReadonlyArray<number> | Logs>
} = dual((args) => isTrainer(args[0]) || args.length >= 4, trainerFirst('testOnBatch', Ev.testOnBatch, 'e'))

/** Predictions for one batch, as `Either`. */
export const predictOnBatch: {
  (x: unknown): (trainer: TrainerClass) => E.Either<TrainError, Predictions>
  (trainer: TrainerClass, x: unknown): E.Either<TrainError, Predictions>
} = dual((args) => isTrainer(args[0]) || args.length >= 2, trainerFirst('predictOnBatch', Ev.predictOnBatch, 'e'))

/** Keras's `metrics_names` of a trainer. */
export const metricsNames = (t: TrainerClass): E.Either<TrainError, ReadonlyArray<string>> => trainerFirst('metricsNames', (x: TrainerClass) => E.right(x.metricsNames), 'e')(t)

/** The learning rate of the next step (named optimizers), or undefined. */
export const learningRate = (t: TrainerClass): E.Either<TrainError, number | undefined> => trainerFirst('learningRate', (x: TrainerClass) => E.right(x.learningRate), 'e')(t)

/** A trainer whose next steps use learning rate `lr`. */
export const withLearningRate: {
  (lr: number): (trainer: TrainerClass) => E.Either<TrainError, TrainerClass>
  (trainer: TrainerClass, lr: number): E.Either<TrainError, TrainerClass>
} = dual((args) => isTrainer(args[0]) || args.length >= 2, trainerFirst('withLearningRate', (t: TrainerClass, lr: number) => t.withLearningRate(lr), 'e'))

/**
 * The notebook form of compile: the trainer, or a thrown `TensorfoldError`.
 * @example const trainer = compileOrThrow(model, { optimizer: 'sgd', loss: 'mse' })
 */
export const compileOrThrow = (model: ModelLike, options: CompileOptionsInput): TrainerClass => orThrow(compileE(model, options))

/** A model with Keras's `compile` method (which throws on bad options). */
export type Trainable<M extends ModelLike> = M & { compile(options: CompileOptionsInput): TrainerClass }

/**
 * Give a model the notebook method `model.compile(opts)`. The result has every property of the model
 * (it is a frozen object whose prototype is the model) plus `compile`.
 * @example const trainer = withTraining(sequential([dense(1, { inputShape: [3] })])).compile({ optimizer: 'sgd', loss: 'mse' })
 */
export const withTraining = <M extends ModelLike>(model: M): Trainable<M> => {
  if (typeof (model as unknown as { readonly compile?: unknown }).compile === 'function') return model as Trainable<M>
  return Object.freeze(Object.create(model, { compile: { value: (options: CompileOptionsInput) => compileOrThrow(model, options), enumerable: false } })) as Trainable<M>
}

export * as Callbacks from './callbacks/index.js'
