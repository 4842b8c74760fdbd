/**
 * `fit`: a fold of the training step over batches and epochs.
 *
 * ```
 * fit(trainer, x, y, options) : TaskEither<TfError, {trainer, history, stopped}>
 * ```
 *
 * Everything is checked before the first step (options, data, the model and loss on one sample); the
 * input trainer and its model are never changed. Each epoch: callbacks' `onEpochBegin`, the batches
 * (shuffled with `trainer.shuffleKey()` unless `shuffle: false`), validation when `validationFreq` says
 * so, then `onEpochEnd` and one row of history. Callbacks' decisions (stop, a replacement trainer, undo
 * the last batch) are applied between steps. An `AbortSignal` stops the run after the current step.
 *
 * Laws: `fit` leaves its input unchanged; fitting on batches `xs` then `ys` equals fitting on `xs ++ ys`
 * (same order: `shuffle: false` or a batch iterable); the same seed gives the same weights.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import type * as TE from 'fp-ts/lib/TaskEither.js'
import { type TfError, toTfError, tfError } from '../core/errors.js'
import { shuffleIndices } from '../core/random.js'
import type { Trainer } from './Trainer.js'
import { type Logs, type History, emptyHistory, appendEpoch } from './History.js'
import type { Callback, Decision, FitInfo, HookResult } from './callbacks/Callback.js'
import { progbarLogger } from './callbacks/progbarLogger.js'
import { stdoutIsInteractive, stdoutWrite } from './progress.js'
import { decodeFitOptions, resolveVerbose, type FitOptions, type FitOptionsInput, type FitResult } from './options.js'
import {
  type ArrayDataset,
  type TensorBatch,
  type BatchSource,
  type DataSpec,
  isBatchSource,
  prepareArrays,
  prepareBatch,
  splitTail,
  applyClassWeight,
  arrayBatch
} from './data.js'
import { dataError } from './errors.js'
import { dataSpec, ready, stepCoreAsync, evalCore, bindMetrics, emptyTotals, addBatch, logsOf, prefixed, dryRun, yieldToEventLoop, type BoundMetric, type Totals } from './engine.js'

/** @internal Training or validation data, checked. */
export type Source =
  | { readonly kind: 'arrays'; readonly d: ArrayDataset }
  | { readonly kind: 'stream'; readonly source: BatchSource; readonly classWeight: Readonly<Record<string, number>> | undefined }

type AnyIterator = Iterator<unknown> | AsyncIterator<unknown>
/** @internal A fresh iterator of a batch source. */
export const iteratorOf = (s: BatchSource): AnyIterator =>
  typeof (s as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function'
    ? (s as AsyncIterable<unknown>)[Symbol.asyncIterator]()
    : (s as Iterable<unknown>)[Symbol.iterator]()

/** @internal Batches of one pass: a pull function (undefined when the pass is over). */
export interface Pass {
  next(): Promise<E.Either<TfError, TensorBatch | undefined>>
  /** the number of batches, when known */
  readonly steps: number | undefined
}

/** @internal One pass over array data, in `order` (undefined: as is), cycling when `steps` exceeds the data. */
export const arrayPass = (d: ArrayDataset, batchSize: number, order: Int32Array | undefined, steps: number | undefined): Pass => {
  const perPass = Math.ceil(d.n / batchSize)
  const total = steps ?? perPass
  let b = 0
  return {
    steps: total,
    next: async () => {
      if (b >= total) return E.right(undefined)
      const k = b++ % perPass
      return E.right(arrayBatch(d, k * batchSize, Math.min(d.n, (k + 1) * batchSize), order))
    }
  }
}

/** @internal Batches from an iterator, checked one by one. */
export const streamPass = (it: AnyIterator, spec: DataSpec, steps: number | undefined, classWeight: Readonly<Record<string, number>> | undefined, requireTargets: boolean): Pass => {
  let b = 0
  return {
    steps,
    next: async () => {
      if (steps !== undefined && b >= steps) return E.right(undefined)
      const r = await it.next()
      if (r.done) return E.right(undefined)
      const index = b++
      const batch = prepareBatch(r.value, spec, requireTargets, index)
      if (E.isLeft(batch) || classWeight === undefined) return batch
      return E.map((d: ArrayDataset) => arrayBatch(d, 0, d.n))(
        applyClassWeight(
          {
            xs: batch.right.xs.map((x) => ({ data: x.dataSync(), shape: x.shape })),
            ys: batch.right.ys.map((y) => ({ data: y.dataSync(), shape: y.shape })),
            sw: batch.right.sw.map((w) => (w === undefined ? undefined : { data: w.dataSync(), shape: w.shape })),
            n: batch.right.size
          },
          classWeight,
          spec.op
        )
      )
    }
  }
}

const isTrainerLike = (u: unknown): u is Trainer => typeof u === 'object' && u !== null && (u as Trainer)._tag === 'Trainer'

/** @internal Check `x`, `y` and the sample/class weights and split off validation data. */
const prepareTraining = (t: Trainer, x: unknown, y: unknown, o: FitOptions): E.Either<TfError, readonly [Source, Source | undefined]> => {
  const spec = dataSpec(t, 'fit')
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

/** @internal Evaluate a ready trainer over a source: totals of losses and metrics. */
export const evaluateSource = async (
  t: Trainer,
  src: Source,
  metrics: ReadonlyArray<BoundMetric>,
  batchSize: number,
  steps: number | undefined,
  op: string,
  onBatch?: (done: number, tot: Totals) => void
): Promise<E.Either<TfError, Totals>> => {
  const pass = src.kind === 'arrays' ? arrayPass(src.d, batchSize, undefined, steps) : streamPass(iteratorOf(src.source), dataSpec(t, op), steps, undefined, true)
  let tot = emptyTotals(metrics, t.config.losses.length)
  let n = 0
  let lastYield = performance.now()
  for (;;) {
    const b = await pass.next()
    if (E.isLeft(b)) return b
    if (b.right === undefined) break
    const r = evalCore(t, b.right)
    tot = addBatch(tot, metrics, b.right, r.loss, r.perOutputLosses, r.yPreds)
    n++
    onBatch?.(n, tot)
    if (performance.now() - lastYield > 30) {
      await yieldToEventLoop()
      lastYield = performance.now()
    }
  }
  if (n === 0) return E.left(dataError('EmptyData', `${op}: the data gave no batches`, { op }))
  return E.right(tot)
}

/** @internal The first batch of a source, to build the model, dry-run it and resolve metrics (arrays only; streams do it at their first batch). */
const firstArrayBatch = (d: ArrayDataset, batchSize: number): TensorBatch => arrayBatch(d, 0, Math.min(d.n, batchSize))

/** @internal Build the trainer for a batch, dry-run it, and bind the metrics. */
export const prepareRun = (t0: Trainer, b: TensorBatch, op: string): E.Either<TfError, readonly [Trainer, ReadonlyArray<BoundMetric>]> => {
  const t = ready(t0, b.xs.map((x) => x.shape), op)
  if (E.isLeft(t)) return t
  const shapes = dryRun(t.right, b, op)
  if (E.isLeft(shapes)) return shapes
  const m = bindMetrics(t.right, shapes.right.map((s) => ({ shape: s })), b.ys)
  if (E.isLeft(m)) return m
  return E.right([t.right, m.right])
}

const shouldValidate = (freq: number | ReadonlyArray<number>, epoch: number): boolean => (typeof freq === 'number' ? (epoch + 1) % freq === 0 : freq.includes(epoch + 1))

/**
 * Train: fold the step over the batches of `epochs - initialEpoch` epochs. Resolves to the trained
 * trainer and the history; the input trainer is unchanged.
 * @example const r = await fit(trainer, x, y, { epochs: 10, batchSize: 32 })() // Either
 */
export const fit = (trainer: Trainer, x: unknown, y?: unknown, options?: FitOptionsInput): TE.TaskEither<TfError, FitResult> => () => runFit(trainer, x, y, options)

const runFit = async (t0: Trainer, x: unknown, y: unknown, options: FitOptionsInput | undefined): Promise<E.Either<TfError, FitResult>> => {
  if (!isTrainerLike(t0)) return E.left(tfError('InvalidArgument', 'fit: expected a Trainer (from compile) as the first argument', { op: 'fit', received: t0 }))
  const od = decodeFitOptions(options)
  if (E.isLeft(od)) return od
  const o = od.right
  const prepared = prepareTraining(t0, x, y, o)
  if (E.isLeft(prepared)) return prepared
  const [train, val] = prepared.right

  let t = t0
  let metrics: ReadonlyArray<BoundMetric> | undefined
  if (train.kind === 'arrays') {
    const p = prepareRun(t0, firstArrayBatch(train.d, o.batchSize), 'fit')
    if (E.isLeft(p)) return p
    ;[t, metrics] = p.right
  }

  const write = o.write ?? stdoutWrite
  const interactive = o.write === undefined && stdoutIsInteractive()
  const verbose = resolveVerbose(o.verbose, interactive)
  const steps = train.kind === 'arrays' ? (o.stepsPerEpoch ?? Math.ceil(train.d.n / o.batchSize)) : o.stepsPerEpoch
  const info: FitInfo = Object.freeze({
    epochs: o.epochs,
    initialEpoch: o.initialEpoch,
    steps,
    verbose,
    metricsNames: t.metricsNames,
    doValidation: val !== undefined,
    write
  })
  const callbacks: ReadonlyArray<Callback> = verbose > 0 ? [progbarLogger({ interactive }), ...o.callbacks] : o.callbacks
  const states: unknown[] = callbacks.map((c) => c.init(info))

  let history: History = emptyHistory({ verbose, epochs: o.epochs, steps })
  let stop = false
  let stopped: FitResult['stopped']

  try {
    // Run one hook of every callback in order, applying each decision before the next callback runs.
    const hook = async <Ev>(
      name: 'onTrainBegin' | 'onEpochBegin' | 'onTrainBatchBegin' | 'onTrainBatchEnd' | 'onEpochEnd' | 'onTrainEnd',
      ev: (t: Trainer) => Ev
    ): Promise<{ revert: boolean; logs: Logs }> => {
      let revert = false
      let logs: Logs = {}
      for (let i = 0; i < callbacks.length; i++) {
        const f = callbacks[i][name] as ((s: unknown, e: Ev) => HookResult<unknown>) | undefined
        if (f === undefined) continue
        const d = (await f.call(callbacks[i], states[i], ev(t))) as Decision<unknown> | void
        if (d === undefined || d === null) continue
        if ('state' in d) states[i] = d.state
        if (d.trainer !== undefined) t = d.trainer
        if (d.stop === true && !stop) {
          stop = true
          stopped = 'callback'
        }
        if (d.revert === true) revert = true
        if (d.logs !== undefined) logs = { ...logs, ...d.logs }
      }
      return { revert, logs }
    }

    await hook('onTrainBegin', (tr) => ({ trainer: tr, info }))
    const persistent = train.kind === 'stream' && o.stepsPerEpoch !== undefined ? iteratorOf(train.source) : undefined
    let lastYield = performance.now()
    let lastLogs: Logs = {}

    for (let epoch = o.initialEpoch; epoch < o.epochs && !stop; epoch++) {
      await hook('onEpochBegin', (tr) => ({ epoch, trainer: tr, info }))
      if (stop) break
      const pass =
        train.kind === 'arrays'
          ? arrayPass(train.d, o.batchSize, o.shuffle ? shuffleIndices(t.shuffleKey(), train.d.n) : undefined, o.stepsPerEpoch)
          : streamPass(persistent ?? iteratorOf(train.source), dataSpec(t, 'fit'), o.stepsPerEpoch, train.classWeight, true)
      let tot: Totals | undefined = metrics === undefined ? undefined : emptyTotals(metrics, t.config.losses.length)
      let done = 0
      for (let batch = 0; !stop; batch++) {
        if (o.signal?.aborted) {
          stop = true
          stopped = 'aborted'
          break
        }
        const nb = await pass.next()
        if (E.isLeft(nb)) return nb
        const b = nb.right
        if (b === undefined) break
        if (metrics === undefined) {
          // a stream: build, check and bind at its first batch
          const p = prepareRun(t, b, 'fit')
          if (E.isLeft(p)) return p
          ;[t, metrics] = p.right
          tot = emptyTotals(metrics, t.config.losses.length)
        }
        await hook('onTrainBatchBegin', (tr) => ({ epoch, batch, trainer: tr, info }))
        const prev = t
        const prevTot = tot as Totals
        // the async twin: same numbers as trainStep; a compiled replay runs large matmuls on the worker pool
        const [t2, out] = await stepCoreAsync(t, b)
        t = t2
        const batchTot = addBatch(emptyTotals(metrics, t.config.losses.length), metrics, b, out.loss, out.perOutputLosses, out.yPreds)
        tot = {
          lossSum: prevTot.lossSum + batchTot.lossSum,
          outSums: prevTot.outSums.map((s, i) => s + batchTot.outSums[i]),
          count: prevTot.count + batchTot.count,
          states: metrics.map((m, j) => m.metric.concat(prevTot.states[j], batchTot.states[j]))
        }
        const r = await hook('onTrainBatchEnd', (tr) => ({ epoch, batch, trainer: tr, info, logs: logsOf(tr, tot as Totals, metrics as ReadonlyArray<BoundMetric>), batchLogs: logsOf(tr, batchTot, metrics as ReadonlyArray<BoundMetric>), previous: prev }))
        if (r.revert) {
          t = prev
          tot = prevTot
        } else done++
        if (performance.now() - lastYield > 30) {
          await yieldToEventLoop()
          lastYield = performance.now()
        }
      }
      if (done === 0 || metrics === undefined || tot === undefined) {
        if (stopped === undefined && !stop) {
          write(`fit: the data ran out at epoch ${epoch + 1}; training stops (an iterable without stepsPerEpoch must be re-iterable)\n`)
          stopped = 'exhausted'
        }
        break
      }
      let logs = logsOf(t, tot, metrics)
      if (val !== undefined && stopped !== 'aborted' && shouldValidate(o.validationFreq, epoch)) {
        const v = await evaluateSource(t, val, metrics, o.validationBatchSize ?? o.batchSize, o.validationSteps, 'fit (validation)')
        if (E.isLeft(v)) return v
        logs = { ...logs, ...prefixed('val_', logsOf(t, v.right, metrics)) }
      }
      if (stopped === 'aborted') break
      const r = await hook('onEpochEnd', (tr) => ({ epoch, trainer: tr, info, logs }))
      logs = { ...logs, ...r.logs }
      history = appendEpoch(history, epoch, logs)
      lastLogs = logs
    }
    await hook('onTrainEnd', (tr) => ({ trainer: tr, info, logs: lastLogs, history }))
  } catch (err) {
    return E.left(toTfError(err))
  }
  return E.right(Object.freeze({ trainer: t, history, stopped }))
}
