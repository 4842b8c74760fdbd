/**
 * `compile(model, options)`: the only way to get a `Trainer`, so "fit before compile" cannot be
 * written. Options are decoded with io-ts and every name is checked now: a bad option is a
 * `CompileError` naming its path, the allowed values and the nearest one
 * ("optimizer: unknown 'adamm' — did you mean 'adam'?").
 *
 * Per-output options follow Keras: one loss (or list of metrics) applies to every output; a list of
 * losses (or a list of metric lists) goes by output position; a record goes by output name.
 * `metricsNames` is Keras's `metrics_names`: `['loss', 'mae']` for one output; for outputs `out` and
 * `out_1`, `['loss', 'out_loss', 'out_1_loss', 'out_mae', 'out_acc', 'out_1_mae', 'out_1_acc']`.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { key } from '../core/Key.js'
import { tfError, attemptOf, show } from '../core/errors.js'
import { isRecord } from '../core/Tree.js'
import type { ModelLike } from '../layers/Model.js'
import { resolveLosses, resolveLossWeights } from '../losses/index.js'
import { Trainer, type TrainConfig } from './Trainer.js'
import { decodeCompileOptions, type CompileOptionsInput, type MetricsInput, type MetricSpec } from './options.js'
import { resolveOptimizer, resolveLoss, checkMetric, metricDisplay, type MetricSource } from './registry.js'
import { stepFns, trainablePart, type LossFn } from './step.js'
import { compileError, unknownName, TRAIN_RUN_TAGS, type TrainError } from './errors.js'

const isModelLike = (u: unknown): u is ModelLike =>
  typeof u === 'object' &&
  u !== null &&
  typeof (u as ModelLike).forward === 'function' &&
  typeof (u as ModelLike).withWeights === 'function' &&
  typeof (u as ModelLike).ensureBuilt === 'function' &&
  Array.isArray((u as ModelLike).outputNames)


/** Metric sources per output, from a list, a list of lists or a record by output name. */
const metricSources = (spec: MetricsInput | undefined, outputs: ReadonlyArray<string>, weighted: boolean, field: string): E.Either<TrainError, MetricSource[][]> => {
  const per: MetricSource[][] = outputs.map(() => [])
  if (spec === undefined) return E.right(per)
  const add = (i: number, s: MetricSpec, path: string): E.Either<TrainError, void> => {
    const ok = checkMetric(s, path)
    if (E.isLeft(ok)) return ok
    per[i].push({ spec: s, display: metricDisplay(s), weighted, path })
    return E.right(undefined)
  }
  if (Array.isArray(spec)) {
    const nested = spec.length > 0 && spec.every((e) => Array.isArray(e))
    if (nested) {
      if (spec.length !== outputs.length)
        return E.left(compileError(field, `one list of metrics per output (${outputs.length}: ${outputs.join(', ')})`, spec))
      for (let i = 0; i < spec.length; i++)
        for (let j = 0; j < (spec[i] as ReadonlyArray<MetricSpec>).length; j++) {
          const r = add(i, (spec[i] as ReadonlyArray<MetricSpec>)[j], `${field}[${i}][${j}]`)
          if (E.isLeft(r)) return r
        }
    } else
      for (let i = 0; i < outputs.length; i++)
        for (let j = 0; j < spec.length; j++) {
          const r = add(i, spec[j] as MetricSpec, `${field}[${j}]`)
          if (E.isLeft(r)) return r
        }
    return E.right(per)
  }
  if (isRecord(spec)) {
    for (const k of Object.keys(spec)) {
      const i = outputs.indexOf(k)
      if (i < 0) return E.left(unknownName(`${field}.${k}`, k, outputs))
      const v = spec[k] as MetricSpec | ReadonlyArray<MetricSpec>
      const list: ReadonlyArray<MetricSpec> = Array.isArray(v) ? (v as ReadonlyArray<MetricSpec>) : [v as MetricSpec]
      for (let j = 0; j < list.length; j++) {
        const r = add(i, list[j], Array.isArray(v) ? `${field}.${k}[${j}]` : `${field}.${k}`)
        if (E.isLeft(r)) return r
      }
    }
    return E.right(per)
  }
  return E.left(compileError(field, 'a list of metrics, a list of lists or a record by output name', spec))
}

/** Keras's metric names: `loss`, per-output losses (several outputs), then each output's metrics. */
export const metricsNamesOf = (
  outputs: ReadonlyArray<string>,
  metrics: ReadonlyArray<ReadonlyArray<MetricSource>>,
  hasLoss: ReadonlyArray<boolean> = outputs.map(() => true)
): ReadonlyArray<string> => {
  const multi = outputs.length > 1
  // Keras 2.15 LossesContainer._create_metrics: a per-output `<name>_loss` only for outputs with a loss
  const names = ['loss', ...(multi ? outputs.filter((_, i) => hasLoss[i]).map((o) => `${o}_loss`) : [])]
  metrics.forEach((ms, i) => {
    const seen = new Set<string>()
    for (const m of ms) {
      // a weighted metric that repeats an unweighted one is logged as weighted_<name> (Keras)
      const base = m.weighted && seen.has(m.display) ? `weighted_${m.display}` : m.display
      seen.add(m.display)
      names.push(multi ? `${outputs[i]}_${base}` : base)
    }
  })
  return Object.freeze(names)
}

/**
 * Compile a model into a trainer.
 * @example
 * const t = compile(model, { optimizer: 'sgd', loss: 'mse', metrics: ['mae'] }) // Either<TrainError, Trainer>
 */
export const compile = (model: ModelLike, options: CompileOptionsInput): E.Either<TrainError, Trainer> => {
  if (!isModelLike(model))
    return E.left(tfError('NotAModel', `compile: expected a model (sequential(…) or model({inputs, outputs})), received ${show(model)}`, { op: 'compile', received: model }))
  const od = decodeCompileOptions(options)
  if (E.isLeft(od)) return od
  const o = od.right
  const outputs = model.outputNames.length > 0 ? model.outputNames : ['output']

  const opt = resolveOptimizer(o.optimizer)
  if (E.isLeft(opt)) return opt

  // losses: names are checked here with paths; the per-output rules are the losses module's
  const lossSpec = o.loss
  const lossPaths: Array<readonly [unknown, string]> =
    typeof lossSpec === 'string' || typeof lossSpec === 'function'
      ? [[lossSpec, 'loss']]
      : Array.isArray(lossSpec)
        ? lossSpec.map((s, i) => [s, `loss[${i}]`] as const)
        : Object.entries(lossSpec as Record<string, unknown>).map(([k, s]) => [s, `loss.${k}`] as const)
  for (const [s, path] of lossPaths) {
    if (s === null || s === undefined) continue
    const r = resolveLoss(s, path)
    if (E.isLeft(r)) return r
  }
  if (isRecord(lossSpec))
    for (const k of Object.keys(lossSpec)) if (!outputs.includes(k)) return E.left(unknownName(`loss.${k}`, k, outputs))
  const losses = resolveLosses(lossSpec as Parameters<typeof resolveLosses>[0], outputs)
  if (E.isLeft(losses)) return E.left(tfError('CompileError', losses.left.message, { ...losses.left, allowed: [], nearest: undefined }))
  if (losses.right.every((l) => l === undefined))
    return E.left(compileError('loss', `a loss for at least one output (${outputs.join(', ')}); every one is null or left out`, lossSpec))
  const lossNames = outputs.map((n, i): string | undefined => {
    const s = typeof lossSpec === 'string' ? lossSpec : Array.isArray(lossSpec) ? lossSpec[i] : isRecord(lossSpec) ? lossSpec[n] : undefined
    return typeof s === 'string' ? s : undefined
  })
  const lw = resolveLossWeights(o.lossWeights, outputs)
  if (E.isLeft(lw)) return E.left(tfError('CompileError', `lossWeights: ${lw.left.message}`, { ...lw.left, path: 'lossWeights', allowed: [], nearest: undefined }))

  const m = metricSources(o.metrics, outputs, false, 'metrics')
  if (E.isLeft(m)) return m
  const wm = metricSources(o.weightedMetrics, outputs, true, 'weightedMetrics')
  if (E.isLeft(wm)) return wm
  const metrics = outputs.map((_, i) => Object.freeze([...m.right[i], ...wm.right[i]]))

  const config: TrainConfig = Object.freeze({
    optimizer: opt.right[0],
    optimizerName: opt.right[1],
    losses: Object.freeze(losses.right.slice() as Array<LossFn | undefined>),
    lossNames: Object.freeze(lossNames),
    lossWeights: Object.freeze(lw.right.slice()),
    metrics: Object.freeze(metrics),
    metricsNames: metricsNamesOf(outputs, metrics, losses.right.map((l) => l !== undefined)),
    runEagerly: o.runEagerly ?? false,
    stepsPerExecution: o.stepsPerExecution ?? 1,
    ...(o.sampleWeightMode === 'temporal' ? { sampleWeightMode: 'temporal' as const } : {}),
    seed: o.seed ?? 0,
    trainStep: o.trainStep,
    testStep: o.testStep
  })
  const base = { model, step: 0, key: key(config.seed), config }
  if (!model.built) return E.right(new Trainer({ ...base, optState: undefined, fns: undefined }))
  return E.map((optState: NonNullable<Trainer['optState']>) =>
    new Trainer({
      ...base,
      optState,
      fns: stepFns({ model, losses: config.losses, lossWeights: config.lossWeights, optimizer: config.optimizer }, config.runEagerly)
    })
  )(attemptOf(TRAIN_RUN_TAGS)(() => config.optimizer.init(trainablePart(model, model.params))))
}
