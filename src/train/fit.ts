/**
 * `fit`: a fold of the training step over batches and epochs.
 *
 * ```
 * fit(trainer, x, y, options) : TaskEither<TrainError, {trainer, history, stopped}>
 * ```
 *
 * Everything is checked before the first step (options, data, the model and loss on one sample); the
 * input trainer and its model are never changed. Each epoch: callbacks' `onEpochBegin`, the batches
 * (shuffled with `trainer.shuffleKey()` unless `shuffle: false`), validation when `validationFreq` says
 * so, then `onEpochEnd` and one row of history. Callbacks' decisions (stop, a replacement trainer, undo
 * the last batch) are applied between steps. An `AbortSignal` stops the run after the current step.
 * With `stepsPerExecution: n` (compile), the batches run `n` at a time as one compiled call
 * (`execution.ts`): the batch hooks, decisions and the abort check come once per execution.
 *
 * The shape of the code: `foldPass(epochs, state, fitEpoch)`, where `fitEpoch` is
 * `foldPass(batches, epochState, fitBatch)` (`pass.ts`); the state callbacks may change is a `Run`
 * value, changed only by `applyDecision` (`hooks.ts`); totals are a monoid (`concatTotals`).
 *
 * Laws: `fit` leaves its input unchanged; fitting on batches `xs` then `ys` equals fitting on `xs ++ ys`
 * (same order: `shuffle: false` or a batch iterable); the same seed gives the same weights.
 *
 * @since 0.1.0
 */
import { ready as backendReady } from '../backend/index.js'
import * as E from 'fp-ts/lib/Either.js'
import type * as TE from 'fp-ts/lib/TaskEither.js'
import { toTfError, tfError } from '../core/errors.js'
import { shuffleIndices } from '../core/random.js'
import type { Trainer } from './Trainer.js'
import { type Logs, type History, emptyHistory, appendEpoch } from './History.js'
import type { Callback, FitInfo } from './callbacks/Callback.js'
import { progbarLogger } from './callbacks/progbarLogger.js'
import { stdoutIsInteractive, stdoutWrite } from './progress.js'
import { decodeFitOptions, resolveVerbose, type FitOptions, type FitOptionsInput, type FitResult } from './options.js'
import { type TensorBatch, isBatchSource, prepareArrays } from './data.js'
import { splitTail, applyClassWeight, arrayBatch, giveRows, rowArrays, type RowArrays } from './batches.js'
import { dataError, asTrainError, type TrainError } from './errors.js'
import { jitUserRuns } from '../compile/jit.js'
import { dataSpec, prepareRun, emptyTotals, addBatch, concatTotals, logsOf, prefixed, type BoundMetric, type Totals } from './engine.js'
import { executionPass, executeSteps, customSteps } from './execution.js'
import { type Source, type AnyIterator, iteratorOf, knownSteps, arrayPass, streamPass, sourcePass, rangePass, foldPass } from './pass.js'
import { type Run, startRun, runHook } from './hooks.js'
import { noLogs, addLogs, meanLogs, type LogSums } from './engine.js'
import { checkTargets } from './checks.js'
import { donate, fitDonations, heldBuffers, recordStep, type FitDonations } from './donate.js'
import { evaluatePass } from './evaluate.js'

const isTrainerLike = (u: unknown): u is Trainer => typeof u === 'object' && u !== null && (u as Trainer)._tag === 'Trainer'

/** @internal Check `x`, `y` and the sample/class weights and split off validation data. */
const prepareTraining = (t: Trainer, x: unknown, y: unknown, o: FitOptions): E.Either<TrainError, readonly [Source, Source | undefined]> => {
  const spec = dataSpec(t, 'fit', o.checkFiniteInputs)
  let train: Source
  let val: Source | undefined
  if (isBatchSource(x)) {
    if (y !== undefined && y !== null)
      return E.left(dataError('InvalidData', 'fit: x is an iterable of batches, so y must be omitted (each batch carries its targets)', { op: 'fit', where: 'y' }))
    if (o.validationSplit > 0)
      return E.left(dataError('InvalidOption', 'fit: validationSplit needs in-memory data; with an iterable of batches pass validationData instead', { op: 'fit', path: 'validationSplit' }))
    if (o.sampleWeight !== undefined)
      return E.left(dataError('InvalidOption', 'fit: sampleWeight needs in-memory data; with an iterable of batches put the weights in each batch ([x, y, sampleWeight])', { op: 'fit', path: 'sampleWeight' }))
    train = { kind: 'stream', source: x, classWeight: o.classWeight }
  } else {
    const d0 = prepareArrays(x, y, o.sampleWeight, spec)
    if (E.isLeft(d0)) return d0
    let d = d0.right
    if (o.validationSplit > 0) {
      if (o.validationData !== undefined)
        return E.left(dataError('InvalidOption', 'fit: pass either validationSplit or validationData, not both (validationData would win in Keras; here it is an error)', { op: 'fit', path: 'validationSplit' }))
      const parts = splitTail(d, o.validationSplit, 'fit')
      if (E.isLeft(parts)) return parts
      d = parts.right[0]
      val = { kind: 'arrays', d: parts.right[1] }
    }
    if (o.classWeight !== undefined) {
      const w = applyClassWeight(d, o.classWeight, 'fit')
      if (E.isLeft(w)) return w
      d = w.right
    }
    train = { kind: 'arrays', d }
  }
  if (o.validationData !== undefined) {
    const v = o.validationData
    if (isBatchSource(v)) val = { kind: 'stream', source: v, classWeight: undefined }
    else {
      const [vx, vy, vw] = Array.isArray(v) ? (v as ReadonlyArray<unknown>) : [(v as { x: unknown }).x, (v as { y?: unknown }).y, (v as { sampleWeight?: unknown }).sampleWeight]
      const d = prepareArrays(vx, vy, vw, { ...spec, op: 'fit (validationData)' })
      if (E.isLeft(d)) return d
      val = { kind: 'arrays', d: d.right }
    }
  }
  return E.right([train, val])
}

const shouldValidate = (freq: number | ReadonlyArray<number>, epoch: number): boolean => (typeof freq === 'number' ? (epoch + 1) % freq === 0 : freq.includes(epoch + 1))

/**
 * Train: fold the step over the batches of `epochs - initialEpoch` epochs. Resolves to the trained
 * trainer and the history; the input trainer is unchanged.
 * @example const r = await fit(trainer, x, y, { epochs: 10, batchSize: 32 })() // Either
 */
export const fit = (trainer: Trainer, x: unknown, y?: unknown, options?: FitOptionsInput): TE.TaskEither<TrainError, FitResult> => () => runFit(trainer, x, y, options)

/** @internal What stays fixed during a run. */
interface FitEnv {
  readonly o: FitOptions
  readonly train: Source
  readonly val: Source | undefined
  readonly info: FitInfo
  readonly callbacks: ReadonlyArray<Callback>
  readonly write: (s: string) => void
  /** with `stepsPerEpoch`, a stream is read on across epochs from one iterator */
  readonly persistent: AnyIterator | undefined
  /** the trainer the run holds after the last completed step and its batch-end decisions (what an error in the middle of the run carries) */
  readonly last: { trainer: Trainer; steps: number }
  /** the trainers this run's compiled steps made, whose state may be given back once superseded */
  readonly donations: FitDonations
  /** spare arrays for the training batches' input rows (`batches.ts` `giveRows`) */
  readonly rows: RowArrays
}

/** @internal The fold's accumulator across epochs. */
interface FitState {
  readonly run: Run
  /** bound at the first batch */
  readonly metrics: ReadonlyArray<BoundMetric> | undefined
  readonly history: History
  readonly lastLogs: Logs
  /** the data ran out or the run was aborted: no further epoch */
  readonly end: boolean
}

/** @internal The fold's accumulator across one epoch's batches. */
interface EpochState {
  readonly run: Run
  readonly metrics: ReadonlyArray<BoundMetric> | undefined
  readonly tot: Totals | undefined
  /** batches pulled so far */
  readonly batch: number
  /** batches kept (not reverted) */
  readonly done: number
  /** totals of every batch run, undone ones included (the logs of an epoch whose every batch was undone; the default step only) */
  readonly all: Totals | undefined
  /** with a custom training step: size-weighted sums of its logs, of the kept batches and of all */
  readonly custom?: { readonly kept: LogSums; readonly all: LogSums }
}

const runFit = async (t0: Trainer, x: unknown, y: unknown, options: FitOptionsInput | undefined): Promise<E.Either<TrainError, FitResult>> => {
  if (!isTrainerLike(t0)) return E.left(tfError('NotAModel', 'fit: expected a Trainer (from compile) as the first argument', { op: 'fit', path: 'trainer', expected: 'a trainer', received: t0 }))
  // a page nobody configured trains on its WebGPU (a no-op in Node and once a backend is chosen)
  await backendReady()
  const od = decodeFitOptions(options)
  if (E.isLeft(od)) return od
  const o = od.right
  const prepared = prepareTraining(t0, x, y, o)
  if (E.isLeft(prepared)) return prepared
  const [train, val] = prepared.right
  // arrays: build, check and bind before the first hook (streams do it at their first batch)
  const p = train.kind === 'arrays' ? prepareRun(t0, arrayBatch(train.d, 0, Math.min(train.d.n, o.batchSize)), 'fit') : E.right([t0, undefined] as const)
  if (E.isLeft(p)) return p
  const [t, metrics] = p.right
  // in-memory targets against the built model, whole, before the first step (iterables: batch by batch)
  for (const [src, op] of [[train, 'fit'], [val, 'fit (validationData)']] as const)
    if (src?.kind === 'arrays') {
      const c = checkTargets(t, src.d.ys, op)
      if (E.isLeft(c)) return c
    }

  const write = o.write ?? stdoutWrite
  const interactive = o.write === undefined && stdoutIsInteractive()
  const verbose = resolveVerbose(o.verbose, interactive)
  const steps = train.kind === 'arrays' ? (o.stepsPerEpoch ?? Math.ceil(train.d.n / o.batchSize)) : (o.stepsPerEpoch ?? knownSteps(train.source))
  const info: FitInfo = Object.freeze({ epochs: o.epochs, initialEpoch: o.initialEpoch, steps, verbose, metricsNames: t.metricsNames, doValidation: val !== undefined, write })
  // as Keras's CallbackList: a ProgbarLogger among the user's callbacks replaces the default one
  const ownBar = o.callbacks.some((c) => c.name === 'ProgbarLogger')
  const callbacks: ReadonlyArray<Callback> = verbose > 0 && !ownBar ? [progbarLogger({ interactive }), ...o.callbacks] : o.callbacks

  // an error once the run has started (a callback that throws or answers nonsense, a batch source that
  // throws, a bad batch of an iterable) carries the trainer of the last completed step, as an abort does
  const last = { trainer: t, steps: 0 }
  const withLast = (e: TrainError): TrainError => ({ ...e, trainer: last.trainer, completedSteps: last.steps })
  try {
    const begin = await runHook(callbacks, startRun(t, callbacks, info), 'onTrainBegin', (tr) => ({ trainer: tr, info }))
    const persistent = train.kind === 'stream' && o.stepsPerEpoch !== undefined ? iteratorOf(train.source) : undefined
    const env: FitEnv = { o, train, val, info, callbacks, write, persistent, last, donations: fitDonations(), rows: rowArrays() }
    const init: FitState = { run: begin.run, metrics, history: emptyHistory({ verbose, epochs: o.epochs, steps }), lastLogs: {}, end: false }
    const r = await foldPass(rangePass(o.initialEpoch, o.epochs), init, (s, epoch: number) => fitEpoch(env, s, epoch), (s) => (s.run.stop || s.end ? s : undefined))
    if (E.isLeft(r)) return E.left(withLast(r.left))
    const s = r.right
    const end = await runHook(callbacks, s.run, 'onTrainEnd', (tr) => ({ trainer: tr, info, logs: s.lastLogs, history: s.history }))
    return E.right(Object.freeze({ trainer: end.run.trainer, history: s.history, stopped: end.run.stopped }))
  } catch (err) {
    return E.left(withLast(asTrainError(toTfError(err))))
  }
}

/** @internal One epoch: its hooks, the fold of the step over its batches, validation, one row of history. */
const fitEpoch = async (env: FitEnv, s: FitState, epoch: number): Promise<E.Either<TrainError, FitState>> => {
  const { o, info, callbacks, train, val } = env
  const begin = await runHook(callbacks, s.run, 'onEpochBegin', (tr) => ({ epoch, trainer: tr, info }))
  if (begin.run.stop) return E.right({ ...s, run: begin.run })
  const t0 = begin.run.trainer
  const pass =
    train.kind === 'arrays'
      ? arrayPass(train.d, o.batchSize, o.shuffle ? shuffleIndices(t0.shuffleKey(), train.d.n) : undefined, o.stepsPerEpoch, env.rows)
      : streamPass(env.persistent ?? iteratorOf(train.source, epoch), dataSpec(t0, 'fit', o.checkFiniteInputs), o.stepsPerEpoch, train.classWeight, true)
  const init: EpochState = { run: begin.run, metrics: s.metrics, tot: s.metrics && emptyTotals(s.metrics, t0.config.losses.length), batch: 0, done: 0, all: undefined }
  const halt = (a: EpochState): EpochState | undefined => (a.run.stop ? a : o.signal?.aborted ? { ...a, run: { ...a.run, stop: true, stopped: 'aborted' } } : undefined)
  const r = await foldPass(executionPass(pass, t0.config.stepsPerExecution), init, (a, bs) => fitExecution(env, a, bs, epoch), halt)
  if (E.isLeft(r)) return r
  const { metrics, tot, batch, done, all } = r.right
  let run = r.right.run
  // no batch ran: the data ran out, or a stop or an abort came before the first batch (a stop and its
  // reason are set together, so no stop means the data ran out)
  if (batch === 0 || metrics === undefined || tot === undefined) {
    const exhausted = !run.stop
    if (exhausted) env.write(`fit: the data ran out at epoch ${epoch + 1}; training stops (an iterable without stepsPerEpoch must be re-iterable)\n`)
    return E.right({ ...s, run: exhausted ? { ...run, stopped: 'exhausted' } : run, metrics, end: true })
  }
  const t = run.trainer
  const aborted = run.stopped === 'aborted'
  const custom = r.right.custom
  // the logs of the kept batches; when a callback undid every batch (TerminateOnNaN at the first one,
  // or a callback that undoes them all), the epoch still ran and Keras, which cannot undo, would log it:
  // it is logged with the batches it ran (a non-finite loss, say), and training goes on unless stopped
  const undone = done === 0
  let logs = custom !== undefined ? meanLogs(undone ? custom.all : custom.kept) : logsOf(t, undone ? (all as Totals) : tot, metrics)
  if (val !== undefined && !aborted && shouldValidate(o.validationFreq, epoch)) {
    const op = 'fit (validation)'
    // Keras runs the test hooks of fit's callbacks during validation; their states carry on
    const v = await evaluatePass(t, sourcePass(val, o.validationBatchSize ?? o.batchSize, o.validationSteps, dataSpec(t, op, o.checkFiniteInputs)), metrics, op, undefined, { callbacks, info, run })
    if (E.isLeft(v)) return v
    if (v.right.hooked !== undefined) run = { ...run, states: v.right.hooked.run.states }
    logs = { ...logs, ...prefixed('val_', v.right.logs) }
  }
  if (aborted) return E.right({ ...s, run, metrics, end: true })
  const end = await runHook(callbacks, run, 'onEpochEnd', (tr) => ({ epoch, trainer: tr, info, logs }))
  const epochLogs = { ...logs, ...end.logs }
  return E.right({ run: end.run, metrics, history: appendEpoch(s.history, epoch, epochLogs), lastLogs: epochLogs, end: false })
}

/**
 * @internal One execution (`stepsPerExecution` batches; one batch by default): `onTrainBatchBegin` with
 * its first batch index, its steps as one compiled call, `onTrainBatchEnd` with its last batch index,
 * the running logs and the execution's own (`batchLogs`). A `revert` decision undoes the whole execution
 * (Keras checks the loss only at the end of an execution, so it is the unit that is kept or undone).
 */
const fitExecution = async (env: FitEnv, a: EpochState, bs: ReadonlyArray<TensorBatch>, epoch: number): Promise<E.Either<TrainError, EpochState>> => {
  const { callbacks, info } = env
  // a stream: build, check and bind at its first batch
  const bound = a.metrics !== undefined ? E.right([a.run.trainer, a.metrics] as const) : prepareRun(a.run.trainer, bs[0], 'fit')
  if (E.isLeft(bound)) return bound
  const [t0, metrics] = bound.right
  const outputs = t0.config.losses.length
  const tot = a.tot ?? emptyTotals(metrics, outputs)
  const batch = a.batch
  const last = batch + bs.length - 1
  // an iterable's targets are checked batch by batch, each before its step (arrays were checked whole)
  if (env.train.kind === 'stream')
    for (let i = 0; i < bs.length; i++) {
      const c = checkTargets(t0, bs[i].ys, 'fit', batch + i)
      if (E.isLeft(c)) return c
    }
  const begin = await runHook(callbacks, { ...a.run, trainer: t0 }, 'onTrainBatchBegin', (tr) => ({ epoch, batch, trainer: tr, info }))
  const prev = begin.run.trainer
  if (prev.config.trainStep !== undefined) return customExecution(env, a, bs, epoch, begin.run, metrics, tot)
  // the async twin: same numbers as trainStep; a compiled replay runs large matmuls on the worker pool
  const userRuns = jitUserRuns()
  const [t, outs] = await executeSteps(prev, bs)
  // only kernels saw the batches: no recording, no eager run of a jitted step (nor of its model or losses)
  const replayed = !prev.runEagerly && jitUserRuns() === userRuns
  if (!prev.runEagerly) recordStep(env.donations, prev, t, outs)
  env.last.trainer = t
  env.last.steps += bs.length
  const execTot = outs.reduce((acc, out, i) => addBatch(acc, metrics, bs[i], out), emptyTotals(metrics, outputs))
  const sum = concatTotals(metrics, tot, execTot)
  const end = await runHook(callbacks, { ...begin.run, trainer: t }, 'onTrainBatchEnd', (tr) => ({
    epoch,
    batch: last,
    trainer: tr,
    info,
    logs: logsOf(tr, sum, metrics),
    batchLogs: logsOf(tr, execTot, metrics),
    previous: prev
  }))
  const all = a.all === undefined ? execTot : concatTotals(metrics, a.all, execTot)
  // what an error from here on carries: the trainer the run goes on with (a callback's replacement included)
  if (end.revert) env.last.trainer = prev
  else {
    env.last.trainer = end.run.trainer
    // the run has moved past `prev`: its state may serve the next step's results (donate.ts)
    donate(env.donations, prev, [end.run.trainer, t], outs)
    // and its batches' input rows may take the next batches' (unless a state or an output reaches them)
    if (replayed) giveRows(env.rows, bs, heldBuffers([end.run.trainer, t, prev], outs))
  }
  return E.right(
    end.revert
      ? { run: { ...end.run, trainer: prev }, metrics, tot, batch: batch + bs.length, done: a.done, all }
      : { run: end.run, metrics, tot: sum, batch: batch + bs.length, done: a.done + bs.length, all }
  )
}

/**
 * @internal One execution of the custom training step (Keras's overridden `train_step`): the same hooks
 * and revert as the default step; the batch logs are the batch-size-weighted means of the execution's
 * steps' logs, the running logs those of the epoch.
 */
const customExecution = async (
  env: FitEnv,
  a: EpochState,
  bs: ReadonlyArray<TensorBatch>,
  epoch: number,
  run: Run,
  metrics: ReadonlyArray<BoundMetric>,
  tot: Totals
): Promise<E.Either<TrainError, EpochState>> => {
  const { callbacks, info } = env
  const prev = run.trainer
  const r = customSteps(prev, bs, 'fit', (t) => {
    env.last.trainer = t
    env.last.steps++
  })
  if (E.isLeft(r)) return r
  const [t, stepLogs] = r.right
  const c = a.custom ?? { kept: noLogs, all: noLogs }
  const add = (s: LogSums): LogSums => stepLogs.reduce((acc, l, i) => addLogs(acc, l, bs[i].size), s)
  const kept = add(c.kept)
  const all = add(c.all)
  const batch = a.batch
  const end = await runHook(callbacks, { ...run, trainer: t }, 'onTrainBatchEnd', (tr) => ({
    epoch,
    batch: batch + bs.length - 1,
    trainer: tr,
    info,
    logs: meanLogs(kept),
    batchLogs: meanLogs(add(noLogs)),
    previous: prev
  }))
  if (end.revert) env.last.trainer = prev
  else env.last.trainer = end.run.trainer
  const next = batch + bs.length
  return E.right(
    end.revert
      ? { run: { ...end.run, trainer: prev }, metrics, tot, batch: next, done: a.done, all: a.all, custom: { kept: c.kept, all } }
      : { run: end.run, metrics, tot, batch: next, done: a.done + bs.length, all: a.all, custom: { kept, all } }
  )
}
