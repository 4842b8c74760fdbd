/**
 * @internal The machinery `fit`, `evaluate` and the batch functions share: building a trainer for its
 * data, one training step, one evaluation step, metric totals (a fold of monoids), and a dry run that
 * checks the model and the losses on one sample before any step.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { type Tensor, ones, item, dataSync, fromBuffer } from '../core/Tensor.js'
import { attemptOf, tfError, show } from '../core/errors.js'
import type { Trainer } from './Trainer.js'
import type { Logs } from './History.js'
import { stepFns, makeEvalFn, trainablePart, type StepOut, type EvalOut } from './step.js'
import { mul, reshape } from '../primitives/index.js'
import { resolveMetric, type MetricValue } from './registry.js'
import type { TensorBatch, DataSpec } from './data.js'
import { TRAIN_RUN_TAGS, asTrainError, type TrainError } from './errors.js'
import { runShapesOnly } from '../compile/record.js'

/** @internal The data checks' view of a trainer's model; `finiteInputs`: refuse NaN/±Infinity in x (not for predict). */
export const dataSpec = (t: Trainer, op: string, finiteInputs = true): DataSpec => ({
  op,
  finiteInputs,
  inputNames: t.model.inputNames,
  outputNames: t.model.outputNames,
  inputShapes: t.model.built ? t.model.inputShapes : [],
  targetsNeeded: t.model.outputNames.map((_, i) => t.config.losses[i] !== undefined || (t.config.metrics[i]?.length ?? 0) > 0),
  ...(t.config.sampleWeightMode === 'temporal' ? { temporal: true } : {})
})

/** @internal A trainer whose model is built (for these input shapes) and whose optimizer state exists. */
export const ready = (t: Trainer, xShapes: ReadonlyArray<ReadonlyArray<number>>, op: string): E.Either<TrainError, Trainer> => {
  if (t.optState !== undefined && t.fns !== undefined && t.model.built) return E.right(t)
  const built = t.model.built ? E.right(t.model) : t.model.ensureBuilt(xShapes.map((s) => Object.freeze([null, ...s.slice(1)])))
  if (E.isLeft(built)) {
    const e = asTrainError(built.left)
    return E.left(tfError(e._tag, `${op}: cannot build the model for the data: ${e.message}`, { ...e }))
  }
  const model = built.right
  const c = t.config
  return E.map((optState: NonNullable<Trainer['optState']>) =>
    t.with({
      model,
      optState,
      fns: t.fns ?? stepFns({ model, losses: c.losses, lossWeights: c.lossWeights, optimizer: c.optimizer }, c.runEagerly)
    })
  )(t.optState !== undefined ? E.right(t.optState) : attemptOf(TRAIN_RUN_TAGS)(() => c.optimizer.init(trainablePart(model, model.params))))
}

const onesCache = new Map<number, Tensor>()
/** @internal `[n]` ones (shared: tensors are immutable). */
export const onesOf = (n: number): Tensor => {
  let o = onesCache.get(n)
  if (o === undefined) {
    o = ones([n])
    if (onesCache.size < 64) onesCache.set(n, o)
  }
  return o
}

/**
 * @internal The targets as the step functions take them: an output whose targets were left out (it has
 * no loss and no metrics, so the step never reads them) gets a stand-in of ones.
 */
export const stepTargets = (b: TensorBatch): ReadonlyArray<Tensor> => b.ys.map((y) => y ?? onesOf(b.size))

/** @internal One training step on a checked batch of a ready trainer. */
export const stepCore = (t: Trainer, b: TensorBatch): readonly [Trainer, StepOut] => {
  const fns = t.fns as NonNullable<Trainer['fns']>
  const out = fns.train(
    { params: t.params, optState: t.optState as NonNullable<Trainer['optState']>, state: t.state, xs: b.xs, ys: stepTargets(b), sampleWeight: b.sw.map((w) => w ?? onesOf(b.size)) },
    t.stepKey()
  )
  return [t.stepped(out.params, out.state, out.optState, t.step + 1), out]
}

/** @internal The async twin of {@link stepCore}. */
export const stepCoreAsync = async (t: Trainer, b: TensorBatch): Promise<readonly [Trainer, StepOut]> => {
  const fns = t.fns as NonNullable<Trainer['fns']>
  const out = await fns.trainAsync(
    { params: t.params, optState: t.optState as NonNullable<Trainer['optState']>, state: t.state, xs: b.xs, ys: stepTargets(b), sampleWeight: b.sw.map((w) => w ?? onesOf(b.size)) },
    t.stepKey()
  )
  return [t.stepped(out.params, out.state, out.optState, t.step + 1), out]
}

/** @internal One evaluation step on a checked batch of a ready trainer. */
export const evalCore = (t: Trainer, b: TensorBatch): EvalOut => {
  const fns = t.fns as NonNullable<Trainer['fns']>
  return fns.evaluate({ params: t.params, state: t.state, xs: b.xs, ys: stepTargets(b), sampleWeight: b.sw.map((w) => w ?? onesOf(b.size)) }, t.inferenceKey())
}

/** @internal One resolved metric, at its place in `metricsNames`. */
export interface BoundMetric {
  readonly name: string
  readonly output: number
  readonly weighted: boolean
  readonly metric: MetricValue
}

/**
 * @internal Resolve the compiled metrics for the shapes of the data: `accuracy` and `crossentropy`
 * depend on the loss, the output shape and the target shape.
 */
export const bindMetrics = (t: Trainer, yPreds: ReadonlyArray<{ readonly shape: ReadonlyArray<number> }>, ys: ReadonlyArray<{ readonly shape: ReadonlyArray<number> } | undefined>): E.Either<TrainError, ReadonlyArray<BoundMetric>> => {
  const out: BoundMetric[] = []
  const names = t.config.metricsNames
  const multi = t.config.losses.length > 1
  let k = multi ? 1 + t.config.losses.filter((l) => l !== undefined).length : 1
  for (let i = 0; i < t.config.metrics.length; i++)
    for (const src of t.config.metrics[i]) {
      const m = resolveMetric(src.spec, { loss: t.config.lossNames[i], outputShape: yPreds[i].shape, targetShape: (ys[i] ?? yPreds[i]).shape, path: src.path })
      if (E.isLeft(m)) return m
      out.push({ name: names[k++], output: i, weighted: src.weighted, metric: m.right })
    }
  return E.right(out)
}

/**
 * @internal Running totals of an epoch (or an evaluation), as Keras 2.15's loss `Mean` metrics keep them:
 * each batch adds its logged loss times its weight `batch × n` and that weight, where `n` is how many
 * values the loss is the mean of (1, or the per-sample loss tensor's size for a `'none'` reduction); the
 * metric states are monoids.
 */
export interface Totals {
  readonly lossSum: number
  readonly lossCount: number
  readonly outSums: ReadonlyArray<number>
  readonly outCounts: ReadonlyArray<number>
  /** samples */
  readonly count: number
  readonly states: ReadonlyArray<unknown>
}

/** @internal Empty totals. */
export const emptyTotals = (metrics: ReadonlyArray<BoundMetric>, outputs: number): Totals => ({
  lossSum: 0,
  lossCount: 0,
  outSums: Array.from({ length: outputs }, () => 0),
  outCounts: Array.from({ length: outputs }, () => 0),
  count: 0,
  states: metrics.map((m) => m.metric.empty)
})

/** @internal What one step gives the totals (a training or an evaluation step's output). */
export type StepLogs = Pick<EvalOut, 'loss' | 'perOutputLosses' | 'yPreds' | 'masks'> & { readonly logCounts?: ReadonlyArray<Tensor> }

/** @internal Add one batch's losses and predictions to the totals (reads numbers: outside the step). */
export const addBatch = (tot: Totals, metrics: ReadonlyArray<BoundMetric>, b: TensorBatch, out: StepLogs): Totals => {
  const ns = out.perOutputLosses.map((_, i) => (out.logCounts === undefined ? 1 : item(out.logCounts[i])))
  // the total is the mean of the outputs' loss tensors added up (Keras adds them before its `Mean`)
  const nTotal = Math.max(1, ...ns)
  const multi = out.perOutputLosses.length > 1
  return {
    lossSum: tot.lossSum + item(out.loss) * b.size * nTotal,
    lossCount: tot.lossCount + b.size * nTotal,
    outSums: tot.outSums.map((s, i) => s + (multi ? item(out.perOutputLosses[i]) * b.size * ns[i] : 0)),
    outCounts: tot.outCounts.map((c, i) => c + b.size * ns[i]),
    count: tot.count + b.size,
    states: metrics.map((m, j) => m.metric.update(tot.states[j], b.ys[m.output] as Tensor, out.yPreds[m.output], metricWeights(m.weighted ? b.sw[m.output] : undefined, out.masks?.[String(m.output)])))
  }
}

/**
 * The weights a metric sees, as Keras 2.15's `MetricsContainer`: a masked output's mask (masked steps do
 * not count), times the sample weights for `weightedMetrics` (`[batch]` spread over the steps, or
 * `[batch, time]`); without a mask, the sample weights of weighted metrics only.
 */
export const metricWeights = (sw: Tensor | undefined, mask: Tensor | undefined): Tensor | undefined => {
  if (mask === undefined) return sw
  if (sw === undefined) return mask
  return mul(mask, sw.shape.length === 1 ? reshape(sw, [sw.shape[0], 1]) : sw)
}

/** @internal The totals of two runs of batches, one after the other (the monoid's `concat`). */
export const concatTotals = (metrics: ReadonlyArray<BoundMetric>, a: Totals, b: Totals): Totals => ({
  lossSum: a.lossSum + b.lossSum,
  lossCount: a.lossCount + b.lossCount,
  outSums: a.outSums.map((s, i) => s + b.outSums[i]),
  outCounts: a.outCounts.map((c, i) => c + b.outCounts[i]),
  count: a.count + b.count,
  states: metrics.map((m, j) => m.metric.concat(a.states[j], b.states[j]))
})

/** @internal The totals of one batch. */
export const batchTotals = (metrics: ReadonlyArray<BoundMetric>, outputs: number, b: TensorBatch, out: StepLogs): Totals => addBatch(emptyTotals(metrics, outputs), metrics, b, out)

/** @internal The logs of totals, in `metricsNames` order. */
export const logsOf = (t: Trainer, tot: Totals, metrics: ReadonlyArray<BoundMetric>): Logs => {
  const logs: Record<string, number> = { loss: tot.lossCount > 0 ? tot.lossSum / tot.lossCount : NaN }
  // an output without a loss (`loss: {out1: null, …}` or a record that leaves it out) has no `_loss` log
  if (t.config.losses.length > 1) {
    const outs = t.model.outputNames
    tot.outSums.forEach((s, i) => t.config.losses[i] !== undefined && (logs[`${outs[i]}_loss`] = tot.outCounts[i] > 0 ? s / tot.outCounts[i] : NaN))
  }
  metrics.forEach((m, j) => (logs[m.name] = m.metric.result(tot.states[j])))
  return Object.freeze(logs)
}

/** @internal Prefix every key (`val_`). */
export const prefixed = (prefix: string, logs: Logs): Logs => Object.freeze(Object.fromEntries(Object.entries(logs).map(([k, v]) => [prefix + k, v])))

/**
 * @internal Run the model and the losses once, in inference mode, on the first sample: any shape or
 * loss problem shows up here, as a clear error, before a single step. Returns the prediction shapes.
 */
export const dryRun = (t: Trainer, b: TensorBatch, op: string): E.Either<TrainError, ReadonlyArray<ReadonlyArray<number>>> => {
  const first = <T extends Tensor | undefined>(x: T): T => {
    if (x === undefined) return x
    const per = x.size / (x.shape[0] || 1)
    return fromBuffer(dataSync(x).slice(0, per), [1, ...x.shape.slice(1)]) as T
  }
  const one: TensorBatch = { xs: b.xs.map(first), ys: b.ys.map(first), sw: b.sw.map((w) => (w === undefined ? undefined : first(w))), size: 1 }
  const c = t.config
  const f = makeEvalFn({ model: t.model, losses: c.losses, lossWeights: c.lossWeights, optimizer: c.optimizer })
  const run = (): EvalOut => f({ params: t.params, state: t.state, xs: one.xs, ys: stepTargets(one), sampleWeight: one.sw.map((w) => w ?? onesOf(1)) }, t.inferenceKey())
  // shapes are all it needs: checked with shapes only, no kernel is built for the one-sample shapes; a run
  // that fails that way, or reads a value, runs again with values for the real answer or error
  const shaped = runShapesOnly(run)
  const r = shaped !== undefined ? E.right(shaped) : attemptOf(TRAIN_RUN_TAGS)(run)
  if (E.isLeft(r))
    return E.left(
      tfError(r.left._tag, `${op}: the model and its loss cannot run on this data (x ${show(b.xs.map((x) => x.shape))}, y ${show(b.ys.map((y) => y?.shape ?? null))}): ${r.left.message}`, {
        ...r.left,
        op
      })
    )
  const bad = r.right.perOutputLosses.findIndex((l) => l.size !== 1)
  if (bad >= 0) return E.left(tfError('InvalidLoss', `${op}: the loss of output '${t.model.outputNames[bad]}' must give one value per sample`, { op, output: bad }))
  return E.right(r.right.yPreds.map((y) => y.shape))
}

/** @internal Build the trainer for a batch, dry-run it, and bind the metrics. */
export const prepareRun = (t0: Trainer, b: TensorBatch, op: string): E.Either<TrainError, readonly [Trainer, ReadonlyArray<BoundMetric>]> => {
  const t = ready(t0, b.xs.map((x) => x.shape), op)
  if (E.isLeft(t)) return t
  const shapes = dryRun(t.right, b, op)
  if (E.isLeft(shapes)) return shapes
  const m = bindMetrics(t.right, shapes.right.map((s) => ({ shape: s })), b.ys)
  if (E.isLeft(m)) return m
  return E.right([t.right, m.right])
}

/** @internal Let the event loop run (a notebook stays responsive during long fits). */
export const yieldToEventLoop = (): Promise<void> =>
  new Promise((resolve) => (typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0)))

/**
 * @internal Run a trainer's custom training step on a checked batch, and check what it returns: a
 * trainer and logs of finite-or-not numbers (`InvalidTrainStep` otherwise, naming what came).
 */
export const runCustomStep = (t: Trainer, b: TensorBatch, op: string): E.Either<TrainError, readonly [Trainer, Logs]> => {
  const f = t.config.trainStep as NonNullable<Trainer['config']['trainStep']>
  const r = attemptOf(TRAIN_RUN_TAGS)(() => f(t, Object.freeze({ x: b.xs, y: b.ys, sampleWeight: b.sw, size: b.size })))
  if (E.isLeft(r)) return r
  const out = r.right as unknown
  const bad = (what: string) =>
    E.left(tfError('InvalidTrainStep', `${op}: the custom trainStep must return [trainer, logs] (logs: a record of numbers); ${what}`, { op, received: out }))
  if (!Array.isArray(out) || out.length !== 2) return bad(`it returned ${show(out)}`)
  const [t2, logs] = out as [unknown, unknown]
  if (typeof t2 !== 'object' || t2 === null || (t2 as Trainer)._tag !== 'Trainer') return bad(`its first element is ${show(t2)}`)
  if (typeof logs !== 'object' || logs === null || Array.isArray(logs) || Object.values(logs).some((v) => typeof v !== 'number')) return bad(`its logs are ${show(logs)}`)
  return E.right([t2 as Trainer, Object.freeze({ ...(logs as Logs) })] as const)
}

/** @internal Batch-size-weighted sums of a custom step's logs (a monoid: add per key). */
export interface LogSums {
  readonly sums: Readonly<Record<string, number>>
  readonly count: number
}
export const noLogs: LogSums = { sums: {}, count: 0 }
export const addLogs = (a: LogSums, logs: Logs, size: number): LogSums => {
  const sums: Record<string, number> = { ...a.sums }
  for (const [k, v] of Object.entries(logs)) sums[k] = (sums[k] ?? 0) + v * size
  return { sums, count: a.count + size }
}
export const meanLogs = (a: LogSums): Logs => Object.freeze(Object.fromEntries(Object.entries(a.sums).map(([k, v]) => [k, a.count > 0 ? v / a.count : NaN])))

/**
 * @internal Run a trainer's custom test step on a checked batch and check what it returns: a record of
 * numbers (`InvalidTestStep` otherwise, naming what came).
 */
export const runCustomTest = (t: Trainer, b: TensorBatch, op: string): E.Either<TrainError, Logs> => {
  const f = t.config.testStep as NonNullable<Trainer['config']['testStep']>
  const r = attemptOf(TRAIN_RUN_TAGS)(() => f(t, Object.freeze({ x: b.xs, y: b.ys, sampleWeight: b.sw, size: b.size })))
  if (E.isLeft(r)) return r
  const logs = r.right as unknown
  if (typeof logs !== 'object' || logs === null || Array.isArray(logs) || Object.values(logs).some((v) => typeof v !== 'number'))
    return E.left(tfError('InvalidTestStep', `${op}: the custom testStep must return logs (a record of numbers); it returned ${show(logs)}`, { op, received: logs }))
  return E.right(Object.freeze({ ...(logs as Logs) }))
}
