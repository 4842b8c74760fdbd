/**
 * Errors are closed unions checked by the compiler (docs/errors.md): a `switch` over a module's union
 * with every case compiles, one with a case missing does not, and the functional surface declares its
 * module's union.
 */
import { describe, it, expectTypeOf } from 'vitest'
import type * as E from 'fp-ts/lib/Either.js'
import type * as TE from 'fp-ts/lib/TaskEither.js'
import { tfError, type TfError } from '../src/core/errors.js'
import type { TfErrorTag, OptimizerError, LossError, MetricError, PlotError, TrainError, IoError, DatasetError, LayerError, DataError } from '../src/errors.js'
import { Layer, Sequential, Model, Data, Trainer as TrainerNs, tensor } from '../src/index.js'
import type { Trainer } from '../src/train/Trainer.js'
import type { ModelLike } from '../src/layers/Model.js'
import type { FitResult } from '../src/train/options.js'
import * as Tr from '../src/train/index.js'
import { lossFromName } from '../src/losses/index.js'
import { metricFromName } from '../src/metrics/index.js'
import { optimizerFromName, setLearningRate } from '../src/optimizers/alias.js'

const absurd = (x: never): never => x

declare const model: ModelLike
declare const trainer: Trainer

/** Every case of OptimizerError, the compiler checks it. */
const optimizerMessage = (e: OptimizerError): string => {
  switch (e._tag) {
    case 'UnknownOptimizer':
      return `no such optimizer: ${String(e.received)}`
    case 'NoLearningRate':
      return 'this optimizer has no learning rate'
    case 'InvalidOption':
      return `bad option ${String(e.path)}`
    case 'InvalidArgument':
    case 'ShapeMismatch':
    case 'InvalidShape':
    case 'InvalidAxis':
    case 'RaggedArray':
    case 'StructureMismatch':
    case 'NotATree':
    case 'NotAScalar':
    case 'IndexOutOfRange':
    case 'BackendUnavailable':
    case 'ResourceLimit':
    case 'InternalError':
      return e.message
    default:
      return absurd(e._tag)
  }
}

/** A case missing ('NoLearningRate'): the default branch no longer receives `never`. */
const incomplete = (e: OptimizerError): string => {
  switch (e._tag) {
    case 'UnknownOptimizer':
    case 'InvalidOption':
    case 'InvalidArgument':
    case 'ShapeMismatch':
    case 'InvalidShape':
    case 'InvalidAxis':
    case 'RaggedArray':
    case 'StructureMismatch':
    case 'NotATree':
    case 'NotAScalar':
    case 'IndexOutOfRange':
    case 'BackendUnavailable':
    case 'ResourceLimit':
    case 'InternalError':
      return e.message
    default:
      // @ts-expect-error 'NoLearningRate' is not handled, so e._tag is not never here
      return absurd(e._tag)
  }
}

/** A match on a big union as a total record: a missing key is a compile error. */
type Handlers<U extends TfError> = { readonly [K in U['_tag']]: (e: Extract<U, { _tag: K }>) => string }

describe('error unions are closed and checked by the compiler', () => {
  it('an exhaustive switch compiles; one with a missing case does not', () => {
    expectTypeOf(optimizerMessage).returns.toEqualTypeOf<string>()
    expectTypeOf(incomplete).returns.toEqualTypeOf<string>()
  })

  it('a tag is not any string: raising an unknown tag is a compile error', () => {
    expectTypeOf<string>().not.toExtend<TfError['_tag']>()
    expectTypeOf<TfError['_tag']>().toEqualTypeOf<TfErrorTag>()
    // @ts-expect-error 'Boom' is in no module's list
    tfError('Boom', 'it broke')
    expectTypeOf(tfError('ShapeMismatch', 'x')._tag).toEqualTypeOf<'ShapeMismatch'>()
  })

  it('TrainError: a total match over every tag training can return; one tag missing fails', () => {
    expectTypeOf<'CompileError' | 'UnknownLoss' | 'UnknownOptimizer' | 'IncompatibleInputShape' | 'CsvError' | 'InvalidFilepath'>().toExtend<TrainError['_tag']>()
    // io's own file errors are not training errors
    expectTypeOf<'FileReadError'>().not.toExtend<TrainError['_tag']>()
    type Missing = Omit<Handlers<TrainError>, 'InvalidLabels'>
    const partial = {} as Missing
    // @ts-expect-error 'InvalidLabels' has no handler
    const all: Handlers<TrainError> = partial
    expectTypeOf(all).toEqualTypeOf<Handlers<TrainError>>()
  })

  it('the functional surface declares its module union', () => {
    expectTypeOf(Tr.compile(model, { optimizer: 'sgd', loss: 'mse' })).toEqualTypeOf<E.Either<TrainError, Trainer>>()
    expectTypeOf(Tr.fit(trainer, [[1]], [[1]])).toEqualTypeOf<TE.TaskEither<TrainError, FitResult>>()
    expectTypeOf(Tr.trainOnBatch(trainer, [[1]], [[1]])).toExtend<E.Either<TrainError, unknown>>()
    expectTypeOf(Tr.evaluate(trainer, [[1]], [[1]])).toExtend<TE.TaskEither<TrainError, unknown>>()
    expectTypeOf(Tr.predict(trainer, [[1]])).toExtend<TE.TaskEither<TrainError, unknown>>()
    expectTypeOf(lossFromName).returns.toExtend<E.Either<LossError, unknown>>()
    expectTypeOf(metricFromName).returns.toExtend<E.Either<MetricError, unknown>>()
    expectTypeOf(optimizerFromName).returns.toExtend<E.Either<OptimizerError, unknown>>()
    expectTypeOf(setLearningRate).returns.toExtend<E.Either<OptimizerError, unknown>>()
    expectTypeOf<IoError['_tag']>().toExtend<TfErrorTag>()
    expectTypeOf<DatasetError['_tag']>().toExtend<TfErrorTag>()
  })

  it('losses, metrics, optimizers and plot: a bad option is InvalidOption, in each closed union; one tag missing fails', () => {
    expectTypeOf<'UnknownLoss' | 'InvalidOption'>().toExtend<LossError['_tag']>()
    expectTypeOf<'UnknownMetric' | 'InvalidOption'>().toExtend<MetricError['_tag']>()
    expectTypeOf<'UnknownOptimizer' | 'NoLearningRate' | 'InvalidOption'>().toExtend<OptimizerError['_tag']>()
    expectTypeOf<'NotBuilt' | 'NotAModel' | 'InvalidData' | 'InvalidOption'>().toExtend<PlotError['_tag']>()
    expectTypeOf<'UnknownLoss'>().not.toExtend<MetricError['_tag']>()
    expectTypeOf<'CompileError'>().not.toExtend<PlotError['_tag']>()
    const loss = {} as Omit<Handlers<LossError>, 'InvalidOption'>
    // @ts-expect-error 'InvalidOption' has no handler
    const allLoss: Handlers<LossError> = loss
    const metric = {} as Omit<Handlers<MetricError>, 'InvalidOption'>
    // @ts-expect-error 'InvalidOption' has no handler
    const allMetric: Handlers<MetricError> = metric
    const plot = {} as Omit<Handlers<PlotError>, 'NotAModel'>
    // @ts-expect-error 'NotAModel' has no handler
    const allPlot: Handlers<PlotError> = plot
    expectTypeOf(allLoss).toEqualTypeOf<Handlers<LossError>>()
    expectTypeOf(allMetric).toEqualTypeOf<Handlers<MetricError>>()
    expectTypeOf(allPlot).toEqualTypeOf<Handlers<PlotError>>()
  })

  it('Layer, Sequential and Model declare LayerError; a total match over it compiles, one tag missing fails', () => {
    expectTypeOf(Layer.dense(2)).toExtend<E.Either<LayerError, unknown>>()
    expectTypeOf(Layer.relu()).toExtend<E.Either<LayerError, unknown>>()
    expectTypeOf(Layer.fromConfig).returns.toExtend<E.Either<LayerError, unknown>>()
    expectTypeOf(Sequential.make([])).toExtend<E.Either<LayerError, unknown>>()
    expectTypeOf(Model.input({ shape: [3] })).toExtend<E.Either<LayerError, unknown>>()
    expectTypeOf(Model.make).returns.toExtend<E.Either<LayerError, unknown>>()
    expectTypeOf(Model.summary).returns.toExtend<E.Either<LayerError, unknown>>()
    expectTypeOf<E.Either<TfError, unknown>>().not.toExtend<ReturnType<typeof Model.summary>>()
    expectTypeOf<'InvalidOption' | 'InvalidData' | 'NotALayer' | 'ShapeMismatch'>().toExtend<LayerError['_tag']>()
    expectTypeOf<'CompileError'>().not.toExtend<LayerError['_tag']>()
    const partial = {} as Omit<Handlers<LayerError>, 'InvalidOption'>
    // @ts-expect-error 'InvalidOption' has no handler
    const all: Handlers<LayerError> = partial
    expectTypeOf(all).toEqualTypeOf<Handlers<LayerError>>()
  })

  it('Data declares DataError (its own tags and the tensor stack), Trainer TrainError', () => {
    expectTypeOf(Data.collect(Data.fromElements([1]))).toEqualTypeOf<TE.TaskEither<DataError, ReadonlyArray<number>>>()
    expectTypeOf(Data.fromCsvText('a\n1')).toExtend<TE.TaskEither<DataError, unknown>>()
    expectTypeOf<DatasetError['_tag'] | 'ShapeMismatch' | 'InternalError'>().toExtend<DataError['_tag']>()
    expectTypeOf<'NotADataset'>().toExtend<DataError['_tag']>()
    expectTypeOf<'NotALayer'>().not.toExtend<DataError['_tag']>()
    const partial = {} as Omit<Handlers<DataError>, 'NotADataset'>
    // @ts-expect-error 'NotADataset' has no handler
    const all: Handlers<DataError> = partial
    expectTypeOf(all).toEqualTypeOf<Handlers<DataError>>()
    expectTypeOf(TrainerNs.trainStep(trainer, { x: tensor([[1]]), y: tensor([[1]]) })).toExtend<E.Either<TrainError, unknown>>()
    expectTypeOf<E.Either<TfError, unknown>>().not.toExtend<ReturnType<typeof TrainerNs.metricsNames>>()
    expectTypeOf(TrainerNs.metricsNames).returns.toEqualTypeOf<E.Either<TrainError, ReadonlyArray<string>>>()
    expectTypeOf(TrainerNs.learningRate).returns.toEqualTypeOf<E.Either<TrainError, number | undefined>>()
  })
})
