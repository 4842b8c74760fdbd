/**
 * `evaluate`, `predict`, and the one-batch functions: `trainStep` (pure, synchronous), its async twin,
 * `trainOnBatch`, `testOnBatch`, `predictOnBatch`. Data is checked as in `fit`.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import type * as TE from 'fp-ts/lib/TaskEither.js'
import type * as T from 'fp-ts/lib/Task.js'
import { type Tensor, fromBuffer, dataSync } from '../core/Tensor.js'
import { type TfError, toTfError, orThrow, attempt } from '../core/errors.js'
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
import { type TensorBatch, type ArrayDataset, type BatchLike, isBatchSource, prepareArrays, prepareBatch, applyClassWeight, arrayBatch } from './data.js'
import { dataSpec, ready, stepCore, stepCoreAsync, evalCore, emptyTotals, addBatch, logsOf, yieldToEventLoop } from './engine.js'
import { evaluateSource, prepareRun, arrayPass, streamPass, iteratorOf, type Source } from './fit.js'
import { dataError } from './errors.js'

/** An async iterable of `first` then the rest of `it`. */
const prepend = (first: unknown, it: Iterator<unknown> | AsyncIterator<unknown>): AsyncIterable<BatchLike> => ({
  async *[Symbol.asyncIterator]() {
    yield first as BatchLike
    for (;;) {
      const r = await it.next()
      if (r.done) return
      yield r.value as BatchLike
    }
  }
})

const asResult = (t: Trainer, logs: Logs, returnDict: boolean): ReadonlyArray<number> | Logs =>
  returnDict ? logs : Object.freeze(t.metricsNames.map((n) => logs[n]))

/**
 * Loss and metrics of the trainer's model on data: a list in `metricsNames` order, or a record with
 * `returnDict: true`.
 * @example const [loss, mae] = await trainer.evaluate(x, y)
 */
export const evaluate =
  (t0: Trainer, x: unknown, y?: unknown, options?: EvaluateOptionsInput): TE.TaskEither<TfError, ReadonlyArray<number> | Logs> =>
  async () => {
    try {
      const od = decodeEvaluateOptions(options)
      if (E.isLeft(od)) return od
      const o = od.right
      const spec = dataSpec(t0, 'evaluate')
      let src: Source
      let first: TensorBatch | undefined
      if (isBatchSource(x)) {
        // read the first batch (to build and check), then put it back in front of the rest
        const it = iteratorOf(x)
        const r = await it.next()
        if (r.done) return E.left(dataError('EmptyData', 'evaluate: the data gave no batches', { op: 'evaluate' }))
        const b = prepareBatch(r.value, spec, true, 0)
        if (E.isLeft(b)) return b
        first = b.right
        src = { kind: 'stream', source: prepend(r.value, it), classWeight: undefined }
      } else {
        const d = prepareArrays(x, y, o.sampleWeight, spec)
        if (E.isLeft(d)) return d
        src = { kind: 'arrays', d: d.right }
        first = arrayBatch(d.right, 0, Math.min(d.right.n, o.batchSize))
      }
      const p = prepareRun(t0, first, 'evaluate')
      if (E.isLeft(p)) return p
      const [t, metrics] = p.right
      const write = o.write ?? stdoutWrite
      const interactive = o.write === undefined && stdoutIsInteractive()
      const verbose = resolveVerbose(o.verbose, interactive)
      const steps = src.kind === 'arrays' ? (o.steps ?? Math.ceil(src.d.n / o.batchSize)) : o.steps
      const bar = verbose > 0 ? progbar({ target: steps, verbose: verbose as 1 | 2, interactive, write }) : undefined
      let seen = 0
      const tot = await evaluateSource(t, src, metrics, o.batchSize, o.steps, 'evaluate', (n, tt) => {
        seen = n
        bar?.update(n, logsOf(t, tt, metrics))
      })
      if (E.isLeft(tot)) return tot
      const logs = logsOf(t, tot.right, metrics)
      bar?.done(seen, logs)
      return E.right(asResult(t, logs, o.returnDict))
    } catch (err) {
      return E.left(toTfError(err))
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

const shapeResult = (t: Trainer, outs: ReadonlyArray<Tensor>): Tensor | ReadonlyArray<Tensor> => (t.model.outputNames.length === 1 && outs.length === 1 ? outs[0] : Object.freeze(outs))

/**
 * Predictions: one tensor (a single output) or one per output, batch by batch in inference mode.
 * @example const yHat = await trainer.predict(xTest)
 */
export const predict =
  (t0: Trainer, x: unknown, options?: PredictOptionsInput): TE.TaskEither<TfError, Tensor | ReadonlyArray<Tensor>> =>
  async () => {
    try {
      const od = decodePredictOptions(options)
      if (E.isLeft(od)) return od
      const o = od.right
      const spec = dataSpec(t0, 'predict')
      const write = o.write ?? stdoutWrite
      const interactive = o.write === undefined && stdoutIsInteractive()
      const verbose = resolveVerbose(o.verbose, interactive)
      let pass
      if (isBatchSource(x)) {
        pass = streamPass(iteratorOf(x), spec, o.steps, undefined, false)
      } else {
        const d = prepareArrays(x, undefined, undefined, spec, false)
        if (E.isLeft(d)) return d
        pass = arrayPass(d.right, o.batchSize, undefined, o.steps)
      }
      const bar = verbose > 0 ? progbar({ target: pass.steps, verbose: verbose as 1 | 2, interactive, write }) : undefined
      let t: Trainer | undefined
      const parts: Tensor[][] = []
      let n = 0
      let lastYield = performance.now()
      for (;;) {
        const nb = await pass.next()
        if (E.isLeft(nb)) return nb
        if (nb.right === undefined) break
        if (t === undefined) {
          const r = ready(t0, nb.right.xs.map((xx) => xx.shape), 'predict')
          if (E.isLeft(r)) return r
          t = r.right
        }
        const fns = t.fns as NonNullable<Trainer['fns']>
        const outs = fns.predict({ params: t.model.params, state: t.model.state, xs: nb.right.xs }, t.inferenceKey())
        outs.forEach((y, i) => (parts[i] ??= []).push(y))
        bar?.update(++n, {})
        if (performance.now() - lastYield > 30) {
          await yieldToEventLoop()
          lastYield = performance.now()
        }
      }
      if (t === undefined) return E.left(dataError('EmptyData', 'predict: the data gave no batches', { op: 'predict' }))
      bar?.done(n, {})
      return E.right(shapeResult(t, parts.map(concatRows)))
    } catch (err) {
      return E.left(toTfError(err))
    }
  }

/** A batch for `trainStep`: `{x, y, sampleWeight?}` or `[x, y, sampleWeight?]` (Tensors, arrays or records per input/output). */
export type Batch = { readonly x: unknown; readonly y: unknown; readonly sampleWeight?: unknown } | readonly [unknown, unknown] | readonly [unknown, unknown, unknown]

const stepE = (t0: Trainer, batch: unknown, op: string): E.Either<TfError, readonly [Trainer, Logs]> => {
  const b = prepareBatch(batch, dataSpec(t0, op), true)
  if (E.isLeft(b)) return b
  return stepOnChecked(t0, b.right, op)
}

const stepOnChecked = (t0: Trainer, b: TensorBatch, op: string): E.Either<TfError, readonly [Trainer, Logs]> => {
  const p = prepareRun(t0, b, op)
  if (E.isLeft(p)) return p
  const [t, metrics] = p.right
  return attempt(() => {
    const [t2, out] = stepCore(t, b)
    const tot = addBatch(emptyTotals(metrics, t.config.losses.length), metrics, b, out.loss, out.perOutputLosses, out.yPreds)
    return [t2, logsOf(t2, tot, metrics)] as const
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
    const [t, metrics] = orThrow(prepareRun(trainer, b, 'trainStepAsync'))
    const [t2, out] = await stepCoreAsync(t, b)
    return [t2, logsOf(t2, addBatch(emptyTotals(metrics, t.config.losses.length), metrics, b, out.loss, out.perOutputLosses, out.yPreds), metrics)] as const
  }

const batchData = (op: string, t: Trainer, x: unknown, y: unknown, options: BatchOptionsInput | undefined): E.Either<TfError, readonly [TensorBatch, boolean]> => {
  const od = decodeBatchOptions(op, options)
  if (E.isLeft(od)) return od
  const d0 = prepareArrays(x, y, od.right.sampleWeight, dataSpec(t, op))
  if (E.isLeft(d0)) return d0
  const d: E.Either<TfError, ArrayDataset> = od.right.classWeight ? applyClassWeight(d0.right, od.right.classWeight, op) : d0
  if (E.isLeft(d)) return d
  return E.right([arrayBatch(d.right, 0, d.right.n), od.right.returnDict ?? false])
}

/**
 * One training step on one batch: `[newTrainer, values in metricsNames order]` (or a record).
 * @example const r = trainOnBatch(trainer, x, y) // Either
 */
export const trainOnBatch = (t: Trainer, x: unknown, y: unknown, options?: BatchOptionsInput): E.Either<TfError, readonly [Trainer, ReadonlyArray<number> | Logs]> => {
  const b = batchData('trainOnBatch', t, x, y, options)
  if (E.isLeft(b)) return b
  return E.map(([t2, logs]: readonly [Trainer, Logs]) => [t2, asResult(t2, logs, b.right[1])] as const)(stepOnChecked(t, b.right[0], 'trainOnBatch'))
}

/**
 * Loss and metrics of one batch, without training.
 * @example testOnBatch(trainer, x, y) // Right([loss, mae])
 */
export const testOnBatch = (t0: Trainer, x: unknown, y: unknown, options?: BatchOptionsInput): E.Either<TfError, ReadonlyArray<number> | Logs> => {
  const b = batchData('testOnBatch', t0, x, y, options)
  if (E.isLeft(b)) return b
  const p = prepareRun(t0, b.right[0], 'testOnBatch')
  if (E.isLeft(p)) return p
  const [t, metrics] = p.right
  return attempt(() => {
    const r = evalCore(t, b.right[0])
    return asResult(t, logsOf(t, addBatch(emptyTotals(metrics, t.config.losses.length), metrics, b.right[0], r.loss, r.perOutputLosses, r.yPreds), metrics), b.right[1])
  })
}

/**
 * Predictions for one batch.
 * @example predictOnBatch(trainer, x) // Right(Tensor)
 */
export const predictOnBatch = (t0: Trainer, x: unknown): E.Either<TfError, Tensor | ReadonlyArray<Tensor>> => {
  const d = prepareArrays(x, undefined, undefined, dataSpec(t0, 'predictOnBatch'), false)
  if (E.isLeft(d)) return d
  const b = arrayBatch(d.right, 0, d.right.n)
  const r = ready(t0, b.xs.map((xx) => xx.shape), 'predictOnBatch')
  if (E.isLeft(r)) return r
  const t = r.right
  return attempt(() => shapeResult(t, (t.fns as NonNullable<Trainer['fns']>).predict({ params: t.model.params, state: t.model.state, xs: b.xs }, t.inferenceKey())))
}
