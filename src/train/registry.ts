/**
 * @internal The bridge from `compile`'s options to the optimizer, loss and metric modules: names are
 * checked here (an unknown one is a `CompileError` naming the path, the allowed names and the nearest),
 * and metrics are bound to the shapes of the data when training starts.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import type { Tensor } from '../core/Tensor.js'
import type { Tree } from '../core/Tree.js'
import { tfError } from '../core/errors.js'
import type { GradientTransformation } from '../optimizers/base.js'
import { optimizerNames, optimizerFromName } from '../optimizers/alias.js'
import { lossNames, lossNameTable, lossFromName, canonicalLossName } from '../losses/index.js'
import { type AnyMetric, metricNames, metricNameTable, metricFromName, resolveMetric as resolveMetricSpec } from '../metrics/index.js'
import { unknownName, compileError, type TrainError } from './errors.js'
import type { LossFn } from './step.js'

/** A metric value: a monoid of states with an update and a reading (see `src/metrics`). */
export type MetricValue = AnyMetric

/** @internal One compiled metric: the spec as given, its logged name, weighted or not. */
export interface MetricSource {
  readonly spec: string | ((yTrue: Tensor, yPred: Tensor) => Tensor) | MetricValue
  /** the name as logged for a single output (`'mae'`, `'acc'`, the function's name) */
  readonly display: string
  readonly weighted: boolean
  /** where in the options it came from (`metrics[1]`, `weightedMetrics.out[0]`) */
  readonly path: string
}

/** @internal Resolve `optimizer` (default 'rmsprop', as Keras). */
export const resolveOptimizer = (u: string | GradientTransformation<Tree> | undefined): E.Either<TrainError, readonly [GradientTransformation<Tree>, string | undefined]> => {
  if (u === undefined) u = 'rmsprop'
  if (typeof u !== 'string') return E.right([u, undefined])
  const r = optimizerFromName(u)
  if (E.isLeft(r)) return r.left._tag === 'UnknownOptimizer' ? E.left(unknownName('optimizer', u, optimizerNames)) : E.left({ ...r.left, path: 'optimizer' })
  return E.right([r.right, r.right.name])
}

/** @internal Resolve one loss spec at `path`. */
export const resolveLoss = (spec: unknown, path: string): E.Either<TrainError, readonly [LossFn, string | undefined]> => {
  if (typeof spec === 'function') return E.right([spec as LossFn, undefined])
  if (typeof spec === 'string') {
    const r = lossFromName(spec)
    if (E.isLeft(r)) return E.left(unknownName(path, spec, lossNameTable.accepted))
    return E.right([r.right, canonicalLossName(spec) ?? spec])
  }
  return E.left(compileError(path, 'a loss name or a function (yTrue, yPred) => Tensor', spec, lossNames))
}

/** @internal The name a metric spec is logged under (for one output). */
export const metricDisplay = (spec: MetricSource['spec']): string =>
  typeof spec === 'string' ? spec : typeof spec === 'function' ? spec.name || 'metric' : spec.name

/** @internal Check a metric spec at compile time (names only; shapes come with the data). */
export const checkMetric = (spec: unknown, path: string): E.Either<TrainError, void> => {
  if (typeof spec === 'string') {
    const r = metricFromName(spec)
    return E.isLeft(r) ? E.left(unknownName(path, spec, metricNameTable.accepted)) : E.right(undefined)
  }
  if (typeof spec === 'function') return E.right(undefined)
  if (typeof spec === 'object' && spec !== null && typeof (spec as MetricValue).update === 'function' && typeof (spec as MetricValue).concat === 'function' && typeof (spec as MetricValue).result === 'function')
    return E.right(undefined)
  return E.left(compileError(path, 'a metric name, a function (yTrue, yPred) => Tensor or a Metric value', spec, metricNames))
}

/** @internal Bind a metric spec to an output's loss and the data's shapes. */
export const resolveMetric = (
  spec: MetricSource['spec'],
  ctx: { readonly loss: string | undefined; readonly outputShape: ReadonlyArray<number | null>; readonly targetShape: ReadonlyArray<number | null>; readonly path: string }
): E.Either<TrainError, MetricValue> => {
  const r = resolveMetricSpec(spec, { ...(ctx.loss !== undefined ? { loss: ctx.loss } : {}), outputShape: ctx.outputShape, targetShape: ctx.targetShape })
  return E.isLeft(r) ? E.left(tfError(r.left._tag, `${ctx.path}: ${r.left.message}`, { ...r.left, path: ctx.path })) : r
}
