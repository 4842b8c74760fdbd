/**
 * `evaluate`, `predict`, and the one-batch functions: `trainStep` (pure, synchronous), its async twin,
 * `trainOnBatch`, `testOnBatch`, `predictOnBatch`. Data is checked as in `fit`.
 *
 * @since 0.1.0
 */
import { ready as backendReady } from '../backend/index.js'
import { notebookDisplay } from '#platform'
import * as E from 'fp-ts/lib/Either.js'
import type * as TE from 'fp-ts/lib/TaskEither.js'
import type * as T from 'fp-ts/lib/Task.js'
import { type Tensor, fromBuffer, dataSync } from '../core/Tensor.js'
import { toTfError, orThrow, attemptOf } from '../core/errors.js'
import type { Trainer } from './Trainer.js'
import type { Logs } from './History.js'
import { progbar, stdoutIsInteractive, stdoutWrite } from './progress.js'
import {
  decodeEvaluateOptions,
  decodePredictOptions,
  decodeBatchOptions,
  resolveVerbose,
  type EvaluateOptionsInput,
  type PredictOptionsInput,
  type BatchOptionsInput
} from './options.js'
import { type TensorBatch, type ArrayDataset, isBatchSource, prepareArrays } from './data.js'
import { prepareBatch, applyClassWeight, arrayBatch } from './batches.js'
import { runCustomStep, runCustomTest, noLogs, addLogs, meanLogs, emptyTotals, type LogSums, dataSpec, ready, prepareRun, stepCore, stepCoreAsync, evalCore, addBatch, batchTotals, logsOf, type BoundMetric, type Totals } from './engine.js'
import { executionPass, evaluateSteps, predictSteps } from './execution.js'
import { checkTargets } from './checks.js'
import { type Pass, type Source, iteratorOf, arrayPass, streamPass, sourcePass, foldPass } from './pass.js'
import { dataError, TRAIN_RUN_TAGS, asTrainError, type TrainError } from './errors.js'
import { type Hooked, observe, startRun } from './hooks.js'
import type { FitInfo } from './callbacks/Callback.js'
import { isModelCore, shapeOutputs } from '../layers/common.js'

/** @internal Totals of an evaluation, and the trainer and metrics it ran with. */
export interface Evaluated {
  readonly t: Trainer
  readonly metrics: ReadonlyArray<BoundMetric>
  readonly tot: Totals
  /** the running logs: of the totals, or with a custom test step the batch-size-weighted means of its logs */
  readonly logs: Logs
  /** batches seen */
  readonly n: number
  /** the callbacks and their states, when the pass ran with callbacks */
  readonly hooked?: Hooked
}

/**
 * @internal Loss and metric totals of a trainer over a pass, in inference mode. Without `metrics`, the
 * trainer is built, checked and its metrics bound at the first batch.
 */
export const evaluatePass = async (
  t0: Trainer,
  pass: Pass,
  metrics: ReadonlyArray<BoundMetric> | undefined,
  op: string,
  onBatch?: (e: Evaluated) => void,
  hooked?: Hooked
): Promise<E.Either<TrainError, Evaluated>> => {
  const info = hooked?.info
  const h0 = await observe(hooked, 'onTestBegin', (tr) => ({ trainer: tr, info }))
  type Acc = {
    readonly t: Trainer
    readonly metrics: ReadonlyArray<BoundMetric> | undefined
    readonly tot: Totals | undefined
    readonly logs: Logs
    readonly custom: LogSums
    readonly n: number
    readonly hooked?: Hooked
  }
  const init: Acc = { t: t0, metrics, tot: undefined, logs: {}, custom: noLogs, n: 0, hooked: h0 }
  // Keras 2.15: with stepsPerExecution the batches run in executions; the test hooks see the first and
  // the last batch index of each
  const r = await foldPass(executionPass(pass, t0.config.stepsPerExecution), init, async (a: Acc, bs): Promise<E.Either<TrainError, Acc>> => {
    const bound = a.metrics !== undefined ? E.right([a.t, a.metrics] as const) : prepareRun(a.t, bs[0], op)
    if (E.isLeft(bound)) return bound
    const [t, ms] = bound.right
    const batch = a.n
    for (let i = 0; i < bs.length; i++) {
      const targets = checkTargets(t, bs[i].ys, op, batch + i)
      if (E.isLeft(targets)) return targets
    }
    const h1 = await observe(a.hooked, 'onTestBatchBegin', () => ({ batch, trainer: t, info }))
    let tot: Totals = a.tot ?? emptyTotals(ms, t.config.losses.length)
    let custom = a.custom
    let logs: Logs
    if (t.config.testStep !== undefined) {
      // a custom test step (Keras's overridden test_step): its logs, averaged over the batches by size
      for (const b of bs) {
        const r = runCustomTest(t, b, op)
        if (E.isLeft(r)) return r
        custom = addLogs(custom, r.right, b.size)
      }
      logs = meanLogs(custom)
    } else {
      const outs = evaluateSteps(t, bs)
      tot = outs.reduce((acc, out, i) => addBatch(acc, ms, bs[i], out), tot)
      logs = logsOf(t, tot, ms)
    }
    const n = a.n + bs.length
    const h2 = await observe(h1, 'onTestBatchEnd', () => ({ batch: n - 1, trainer: t, info, logs }))
    const e: Evaluated = { t, metrics: ms, tot, logs, n, hooked: h2 }
    onBatch?.(e)
    return E.right({ ...e, custom })
  })
  if (E.isLeft(r)) return r
  const { t, metrics: ms, tot, n, logs } = r.right
  if (n === 0 || ms === undefined || tot === undefined) return E.left(dataError('EmptyData', `${op}: the data gave no batches`, { op }))
  const h3 = await observe(r.right.hooked, 'onTestEnd', () => ({ trainer: t, info, logs }))
  return E.right({ t, metrics: ms, tot, logs, n, hooked: h3 })
}

/** The callbacks of `evaluate` or `predict` with fresh states (their `info`: one epoch, no validation). */
const hookedFor = (t: Trainer, callbacks: ReadonlyArray<import('./callbacks/Callback.js').Callback>, steps: number | undefined, verbose: 0 | 1 | 2, write: (s: string) => void): Hooked | undefined => {
  if (callbacks.length === 0) return undefined
  const info: FitInfo = Object.freeze({ epochs: 1, initialEpoch: 0, steps, verbose, metricsNames: t.metricsNames, doValidation: false, write })
  return { callbacks, info, run: startRun(t, callbacks, info) }
}

/**
 * Keras 2.15 `flatten_metrics_in_order`: the values of `metricsNames` present in the logs, in that
 * order, then any other keys (a custom step's own) sorted; or the record with `returnDict`.
 */
const asResult = (t: Trainer, logs: Logs, returnDict: boolean): ReadonlyArray<number> | Logs => {
  if (returnDict) return logs
  const names = t.metricsNames
  const rest = Object.keys(logs).filter((k) => !names.includes(k)).sort()
  return Object.freeze([...names.filter((n) => n in logs), ...rest].map((n) => logs[n]))
}

/**
 * How `evaluate` and `predict` report: where they write, their verbosity (`'auto'` resolved), and the
 * progress bar over `steps` (none at verbose 0; in a tslab notebook an interactive bar draws into a
 * live display entry, see progress.ts).
 */
const reporting = (o: { readonly write?: (s: string) => void; readonly verbose: 0 | 1 | 2 | 'auto' }, steps: number | undefined) => {
  const write = o.write ?? stdoutWrite
  const interactive = o.write === undefined && stdoutIsInteractive()
  const verbose = resolveVerbose(o.verbose, interactive)
  if (verbose === 0) return { write, verbose, bar: undefined }
  const make = interactive ? notebookDisplay() : undefined
  return { write, verbose, bar: progbar({ target: steps, verbose, interactive, write, ...(make === undefined ? {} : { display: make() }) }) }
}

/**
 * Loss and metrics of the trainer's model on data: a list in `metricsNames` order, or a record with
 * `returnDict: true`.
 * @example const [loss, mae] = await trainer.evaluate(x, y)
 */
export const evaluate =
  (t0: Trainer, x: unknown, y?: unknown, options?: EvaluateOptionsInput): TE.TaskEither<TrainError, ReadonlyArray<number> | Logs> =>
  async () => {
    try {
      await backendReady()
      const od = decodeEvaluateOptions(options)
      if (E.isLeft(od)) return od
      const o = od.right
      const spec = dataSpec(t0, 'evaluate', o.checkFiniteInputs)
      let src: Source
      if (isBatchSource(x)) src = { kind: 'stream', source: x, classWeight: undefined }
      else {
        const d = prepareArrays(x, y, o.sampleWeight, spec)
        if (E.isLeft(d)) return d
        src = { kind: 'arrays', d: d.right }
      }
      const pass = sourcePass(src, o.batchSize, o.steps, spec)
      const { write, verbose, bar } = reporting(o, pass.steps)
      const r = await evaluatePass(t0, pass, undefined, 'evaluate', (e) => bar?.update(e.n, e.logs), hookedFor(t0, o.callbacks, pass.steps, verbose, write))
      if (E.isLeft(r)) return r
      const { t, n, logs } = r.right
      bar?.done(n, logs)
      return E.right(asResult(t, logs, o.returnDict))
    } catch (err) {
      return E.left(asTrainError(toTfError(err)))
    }
  }

const concatRows = (parts: ReadonlyArray<Tensor>): Tensor => {
  const n = parts.reduce((s, p) => s + p.shape[0], 0)
  const per = parts[0].size / (parts[0].shape[0] || 1)
  const out = new Float32Array(n * per)
  let off = 0
  for (const p of parts) {
    out.set(dataSync(p), off)
    off += p.size
  }
  return fromBuffer(out, [n, ...parts[0].shape.slice(1)])
}

/** Predictions as the model returns them: one tensor, a list, or a record by output name. */
export type Predictions = Tensor | ReadonlyArray<Tensor> | { readonly [output: string]: Tensor }

/**
 * Predictions in the structure of the model's outputs (Keras returns `predict`'s result in the structure
 * of `model.outputs`): a record for a model built with `outputs: {out: …}`, a list for a list, one tensor
 * for one. A hand-written `ModelLike` gives one tensor or a list.
 */
const shapeResult = (t: Trainer, outs: ReadonlyArray<Tensor>): Predictions =>
  isModelCore(t.model) ? shapeOutputs(t.model, outs) : t.model.outputNames.length === 1 && outs.length === 1 ? outs[0] : Object.freeze(outs)

/** @internal The fold's accumulator in `predict`: the trainer (built at the first batch), outputs per output. */
interface Predicted {
  readonly t: Trainer | undefined
  /** each batch's outputs, newest first */
  readonly batches: Stack<ReadonlyArray<Tensor>>
  readonly n: number
  readonly hooked: Hooked | undefined
}

/** A persistent stack (pushing is O(1)); `toArray` gives the oldest first. */
type Stack<A> = { readonly top: A; readonly rest: Stack<A> } | undefined
const toArray = <A>(s: Stack<A>): ReadonlyArray<A> => {
  const out: A[] = []
  for (let c = s; c !== undefined; c = c.rest) out.push(c.top)
  return out.reverse()
}

/**
 * Predictions: one tensor (a single output) or one per output, batch by batch in inference mode.
 * @example const yHat = await trainer.predict(xTest)
 */
export const predict =
  (t0: Trainer, x: unknown, options?: PredictOptionsInput): TE.TaskEither<TrainError, Predictions> =>
  async () => {
    try {
      await backendReady()
      const od = decodePredictOptions(options)
      if (E.isLeft(od)) return od
      const o = od.right
      const spec = dataSpec(t0, 'predict', false)
      let pass: Pass
      if (isBatchSource(x)) pass = streamPass(iteratorOf(x), spec, o.steps, undefined, false)
      else {
        const d = prepareArrays(x, undefined, undefined, spec, false)
        if (E.isLeft(d)) return d
        pass = arrayPass(d.right, o.batchSize, undefined, o.steps)
      }
      const { write, verbose, bar } = reporting(o, pass.steps)
      const h0 = hookedFor(t0, o.callbacks, pass.steps, verbose, write)
      const info = h0?.info
      const init: Predicted = { t: undefined, batches: undefined, n: 0, hooked: await observe(h0, 'onPredictBegin', (tr) => ({ trainer: tr, info })) }
      const r = await foldPass(executionPass(pass, t0.config.stepsPerExecution), init, async (a, bs): Promise<E.Either<TrainError, Predicted>> => {
        const ready_ = a.t !== undefined ? E.right(a.t) : ready(t0, bs[0].xs.map((xx) => xx.shape), 'predict')
        if (E.isLeft(ready_)) return ready_
        const t = ready_.right
        const batch = a.n
        const h1 = await observe(a.hooked, 'onPredictBatchBegin', () => ({ batch, trainer: t, info }))
        const outs = predictSteps(t, bs)
        const n = a.n + bs.length
        // Keras concatenates the outputs of an execution's steps for `on_predict_batch_end`
        const h2 = await observe(h1, 'onPredictBatchEnd', () => ({ batch: n - 1, trainer: t, info, outputs: outs.length === 1 ? outs[0] : outs[0].map((_, i) => concatRows(outs.map((o) => o[i]))) }))
        bar?.update(n, {})
        return E.right({ t, batches: outs.reduce<Stack<ReadonlyArray<Tensor>>>((st, o) => ({ top: o, rest: st }), a.batches), n, hooked: h2 })
      })
      if (E.isLeft(r)) return r
      const { t, batches, n } = r.right
      if (t === undefined) return E.left(dataError('EmptyData', 'predict: the data gave no batches', { op: 'predict' }))
      await observe(r.right.hooked, 'onPredictEnd', () => ({ trainer: t, info }))
      bar?.done(n, {})
      const perBatch = toArray(batches)
      return E.right(shapeResult(t, perBatch[0].map((_, i) => concatRows(perBatch.map((outs) => outs[i])))))
    } catch (err) {
      return E.left(asTrainError(toTfError(err)))
    }
  }

/** A batch for `trainStep`: `{x, y, sampleWeight?}` or `[x, y, sampleWeight?]` (Tensors, arrays or records per input/output). */
export type Batch = { readonly x: unknown; readonly y: unknown; readonly sampleWeight?: unknown } | readonly [unknown, unknown] | readonly [unknown, unknown, unknown]

/** The trainer built for a batch, its metrics bound, and the batch's targets checked against the model. */
const preparedAndChecked = (t0: Trainer, b: TensorBatch, op: string): ReturnType<typeof prepareRun> => {
  const p = prepareRun(t0, b, op)
  if (E.isLeft(p)) return p
  const c = checkTargets(p.right[0], b.ys, op, 0)
  return E.isLeft(c) ? c : p
}

const stepE = (t0: Trainer, batch: unknown, op: string): E.Either<TrainError, readonly [Trainer, Logs]> => {
  const b = prepareBatch(batch, dataSpec(t0, op), true)
  if (E.isLeft(b)) return b
  return stepOnChecked(t0, b.right, op)
}

const stepOnChecked = (t0: Trainer, b: TensorBatch, op: string): E.Either<TrainError, readonly [Trainer, Logs]> => {
  const p = preparedAndChecked(t0, b, op)
  if (E.isLeft(p)) return p
  const [t, metrics] = p.right
  return attemptOf(TRAIN_RUN_TAGS)(() => {
    const [t2, out] = stepCore(t, b)
    return [t2, logsOf(t2, batchTotals(metrics, t.config.losses.length, b, out), metrics)] as const
  })
}

/**
 * One training step: pure and synchronous. The logs are this batch's loss and metrics. Throws a
 * `TensorfoldError` on a bad batch (use `trainOnBatch` for an `Either`).
 * @example const [t2, logs] = trainStep(trainer, { x, y })
 */
export const trainStep = (trainer: Trainer, batch: Batch): readonly [Trainer, Logs] => orThrow(stepE(trainer, batch, 'trainStep'))

/**
 * The async twin of {@link trainStep} (a `Task`), for threaded pipelines and asynchronous backends: a
 * compiled step's replay runs its large matmuls on the backend's worker pool. Same results.
 */
export const trainStepAsync =
  (trainer: Trainer, batch: Batch): T.Task<readonly [Trainer, Logs]> =>
  async () => {
    const b = orThrow(prepareBatch(batch, dataSpec(trainer, 'trainStepAsync'), true))
    const [t, metrics] = orThrow(preparedAndChecked(trainer, b, 'trainStepAsync'))
    const [t2, out] = await stepCoreAsync(t, b)
    return [t2, logsOf(t2, batchTotals(metrics, t.config.losses.length, b, out), metrics)] as const
  }

const batchData = (op: string, t: Trainer, x: unknown, y: unknown, options: BatchOptionsInput | undefined): E.Either<TrainError, readonly [TensorBatch, boolean]> => {
  const od = decodeBatchOptions(op, options)
  if (E.isLeft(od)) return od
  const d0 = prepareArrays(x, y, od.right.sampleWeight, dataSpec(t, op, od.right.checkFiniteInputs))
  if (E.isLeft(d0)) return d0
  const d: E.Either<TrainError, ArrayDataset> = od.right.classWeight ? applyClassWeight(d0.right, od.right.classWeight, op) : d0
  if (E.isLeft(d)) return d
  return E.right([arrayBatch(d.right, 0, d.right.n), od.right.returnDict ?? false])
}

/**
 * One training step on one batch: `[newTrainer, values in metricsNames order]` (or a record).
 * @example const r = trainOnBatch(trainer, x, y) // Either
 */
export const trainOnBatch = (t: Trainer, x: unknown, y: unknown, options?: BatchOptionsInput): E.Either<TrainError, readonly [Trainer, ReadonlyArray<number> | Logs]> => {
  const b = batchData('trainOnBatch', t, x, y, options)
  if (E.isLeft(b)) return b
  // a custom training step runs here too (Keras's train_on_batch calls the overridden train_step); its logs are returned as a record
  if (t.config.trainStep !== undefined) {
    const p = preparedAndChecked(t, b.right[0], 'trainOnBatch')
    if (E.isLeft(p)) return p
    return runCustomStep(p.right[0], b.right[0], 'trainOnBatch')
  }
  return E.map(([t2, logs]: readonly [Trainer, Logs]) => [t2, asResult(t2, logs, b.right[1])] as const)(stepOnChecked(t, b.right[0], 'trainOnBatch'))
}

/**
 * Loss and metrics of one batch, without training.
 * @example testOnBatch(trainer, x, y) // Right([loss, mae])
 */
export const testOnBatch = (t0: Trainer, x: unknown, y: unknown, options?: BatchOptionsInput): E.Either<TrainError, ReadonlyArray<number> | Logs> => {
  const b = batchData('testOnBatch', t0, x, y, options)
  if (E.isLeft(b)) return b
  const p = preparedAndChecked(t0, b.right[0], 'testOnBatch')
  if (E.isLeft(p)) return p
  const [t, metrics] = p.right
  // a custom test step runs here too (Keras's test_on_batch calls the overridden test_step)
  if (t.config.testStep !== undefined) return E.map((logs: Logs) => asResult(t, logs, b.right[1]))(runCustomTest(t, b.right[0], 'testOnBatch'))
  return attemptOf(TRAIN_RUN_TAGS)(() => {
    return asResult(t, logsOf(t, batchTotals(metrics, t.config.losses.length, b.right[0], evalCore(t, b.right[0])), metrics), b.right[1])
  })
}

/**
 * Predictions for one batch.
 * @example predictOnBatch(trainer, x) // Right(Tensor)
 */
export const predictOnBatch = (t0: Trainer, x: unknown): E.Either<TrainError, Predictions> => {
  const d = prepareArrays(x, undefined, undefined, dataSpec(t0, 'predictOnBatch', false), false)
  if (E.isLeft(d)) return d
  const b = arrayBatch(d.right, 0, d.right.n)
  const r = ready(t0, b.xs.map((xx) => xx.shape), 'predictOnBatch')
  if (E.isLeft(r)) return r
  const t = r.right
  return attemptOf(TRAIN_RUN_TAGS)(() => shapeResult(t, (t.fns as NonNullable<Trainer['fns']>).predict({ params: t.params, state: t.state, xs: b.xs }, t.inferenceKey())))
}
