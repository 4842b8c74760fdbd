/**
 * Options of `compile`, `fit`, `evaluate` and `predict`, as io-ts codecs. Options come from outside, so
 * they are decoded before use; a bad one is a tagged error naming the option's path, what is allowed
 * and, for a misspelt name, the nearest allowed one ("fit: unknown option 'epoch' — did you mean
 * 'epochs'?").
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import type { Tensor } from '../core/Tensor.js'
import { type Tree, isRecord } from '../core/Tree.js'
import { tfError, show } from '../core/errors.js'
import { nearest } from '../core/nearest.js'
import type { GradientTransformation } from '../optimizers/base.js'
import { type Callback, isCallback } from './callbacks/Callback.js'
import type { Trainer } from './Trainer.js'
import type { History } from './History.js'
import type { Data, BatchLike, BatchSource } from './data.js'
import { isBatchSource } from './data.js'
import type { LossFn } from './step.js'
import type { MetricValue } from './registry.js'
import type { MetricSpec } from '../metrics/index.js'
import type { TrainError } from './errors.js'

// ---------------------------------------------------------------------------------------------------
// small codecs

const refine = <A>(name: string, is: (u: unknown) => u is A, why?: (u: unknown) => string): t.Type<A, A, unknown> =>
  new t.Type<A, A, unknown>(name, is, (u, c) => (is(u) ? t.success(u) : t.failure(u, c, why?.(u))), t.identity)

/** A positive integer. */
export const PositiveInt = refine('a positive integer', (u): u is number => typeof u === 'number' && Number.isSafeInteger(u) && u > 0)
/** A non-negative integer. */
export const NonNegativeInt = refine('a non-negative integer', (u): u is number => typeof u === 'number' && Number.isSafeInteger(u) && u >= 0)
/** A finite number. */
export const Finite = refine('a finite number', (u): u is number => typeof u === 'number' && Number.isFinite(u))
/** A fraction in [0, 1). */
export const Fraction = refine('a number in [0, 1)', (u): u is number => typeof u === 'number' && u >= 0 && u < 1)
/** Keras verbosity. */
export const Verbose = t.union([t.literal(0), t.literal(1), t.literal(2), t.literal('auto')], "0, 1, 2 or 'auto'")
/** A list of callbacks. */
export const Callbacks = t.readonlyArray(refine('a callback ({name, init, on…})', (u): u is Callback => isCallback(u)), 'an array of callbacks')
/** An `AbortSignal`. */
export const Signal = refine(
  'an AbortSignal',
  (u): u is AbortSignal => typeof u === 'object' && u !== null && typeof (u as AbortSignal).aborted === 'boolean' && typeof (u as AbortSignal).addEventListener === 'function'
)
/** A class-weight record: class index to weight. */
export const ClassWeight = t.record(t.string, Finite, 'a record of class index to weight')
/** `validationFreq`: every n epochs, or the (1-based) epochs to validate after. */
export const ValidationFreq = t.union([PositiveInt, t.readonlyArray(PositiveInt)], 'a positive integer or an array of epoch numbers')
/** A text sink. */
export const Write = refine('a function (text: string) => void', (u): u is (s: string) => void => typeof u === 'function')
/** Validation data: `[x, y]`, `[x, y, sampleWeight]`, `{x, y, sampleWeight}` or a batch source. */
export const ValidationData = refine(
  'validation data: [x, y], [x, y, sampleWeight], {x, y, sampleWeight} or an iterable of batches',
  (u): u is ValidationDataInput =>
    (Array.isArray(u) && (u.length === 2 || u.length === 3)) || (typeof u === 'object' && u !== null && 'x' in u) || isBatchSource(u)
)
/** Anything (checked later by the data checks). */
const AnyData = refine('data', (u): u is Data => u !== undefined)

// ---------------------------------------------------------------------------------------------------
// option records: each written once, as a record of codecs; the input type (every field optional) and
// the decoded type (defaults applied) are derived from it.

/** Validation data as `fit` accepts it. */
export type ValidationDataInput = readonly [Data, Data] | readonly [Data, Data, Data] | { readonly x: Data; readonly y: Data; readonly sampleWeight?: Data } | BatchSource

type Props = Record<string, t.Decoder<unknown, unknown>>
type Value<C> = C extends t.Decoder<unknown, infer A> ? A : never
/** @internal The options a caller writes: every field optional, except `R`. */
export type InputOf<P extends Props, R extends keyof P = never> = { readonly [K in keyof P as K extends R ? never : K]?: Value<P[K]> } & {
  readonly [K in keyof P as K extends R ? K : never]: Value<P[K]>
}
/** @internal Decoded options: every field present, `undefined` where absent and without a default in `D`. */
export type DecodedOf<P extends Props, D> = { readonly [K in keyof P]: K extends keyof D ? Value<P[K]> : Value<P[K]> | undefined }

const fitProps = {
  /** samples per step (32) */
  batchSize: PositiveInt,
  /** the index of the last epoch (1); with `initialEpoch` the run is epochs `initialEpoch..epochs-1` */
  epochs: NonNegativeInt,
  /** 0 silent, 1 progress bar, 2 one line per epoch, 'auto' (1 on a terminal, 2 otherwise) */
  verbose: Verbose,
  callbacks: Callbacks,
  /** the last fraction of the samples (before shuffling) held out for validation */
  validationSplit: Fraction,
  validationData: ValidationData,
  /** shuffle the training samples every epoch, with the trainer's key (true) */
  shuffle: t.boolean,
  /** weight of each class (single output): `{0: 1, 1: 5}` */
  classWeight: ClassWeight,
  /** one weight per sample (per output for several outputs) */
  sampleWeight: AnyData,
  initialEpoch: NonNegativeInt,
  stepsPerEpoch: PositiveInt,
  validationSteps: PositiveInt,
  validationBatchSize: PositiveInt,
  /** validate every n epochs, or after the listed (1-based) epochs */
  validationFreq: ValidationFreq,
  /** abort training: the run stops after the current step and resolves with what it has */
  signal: Signal,
  /** where progress and messages go (stdout) */
  write: Write,
  /** refuse NaN and ±Infinity in x before any step (true); false skips the scan of the features */
  checkFiniteInputs: t.boolean
}
const fitDefaults = { batchSize: 32, epochs: 1, verbose: 'auto', callbacks: [], validationSplit: 0, shuffle: true, initialEpoch: 0, validationFreq: 1, checkFiniteInputs: true } as const

/** `fit` options, Keras names in camelCase. All optional. */
export type FitOptionsInput = InputOf<typeof fitProps>
/** Decoded `fit` options, defaults applied. */
export type FitOptions = DecodedOf<typeof fitProps, typeof fitDefaults>

/** The options `evaluate` and `predict` share (one inference pass over data). */
const inferenceProps = {
  /** samples per step (32) */
  batchSize: PositiveInt,
  /** 0 silent, 1 progress bar, 2 one line, 'auto' */
  verbose: Verbose,
  steps: PositiveInt,
  /** where progress goes (stdout) */
  write: Write,
  callbacks: Callbacks
}
const inferenceDefaults = { batchSize: 32, verbose: 'auto', callbacks: [] } as const

const evalProps = {
  ...inferenceProps,
  /** one weight per sample (per output for several outputs) */
  sampleWeight: AnyData,
  /** a record by metric name instead of a list in `metricsNames` order */
  returnDict: t.boolean,
  /** refuse NaN and ±Infinity in x before any step (true); false skips the scan of the features */
  checkFiniteInputs: t.boolean
}
const evalDefaults = { ...inferenceDefaults, returnDict: false, checkFiniteInputs: true } as const

/** `evaluate` options. */
export type EvaluateOptionsInput = InputOf<typeof evalProps>
/** Decoded `evaluate` options. */
export type EvaluateOptions = DecodedOf<typeof evalProps, typeof evalDefaults>

const predictProps = inferenceProps
const predictDefaults = inferenceDefaults

/** `predict` options. */
export type PredictOptionsInput = InputOf<typeof predictProps>
/** Decoded `predict` options. */
export type PredictOptions = DecodedOf<typeof predictProps, typeof predictDefaults>

const batchProps = {
  /** one weight per sample (per output for several outputs) */
  sampleWeight: AnyData,
  /** weight of each class (single output) */
  classWeight: ClassWeight,
  /** a record by metric name instead of a list in `metricsNames` order */
  returnDict: t.boolean,
  /** refuse NaN and ±Infinity in x before the step (true); false skips the scan of the features */
  checkFiniteInputs: t.boolean
}
const batchDefaults = { returnDict: false, checkFiniteInputs: true } as const

/** `trainOnBatch` / `testOnBatch` options. */
export type BatchOptionsInput = InputOf<typeof batchProps>
/** Decoded `trainOnBatch` / `testOnBatch` options. */
export type BatchOptions = DecodedOf<typeof batchProps, typeof batchDefaults>

/** What `fit` resolves to. */
export interface FitResult {
  /** the trained trainer (the input trainer is unchanged) */
  readonly trainer: Trainer
  readonly history: History
  /** why training ended before `epochs`, if it did */
  readonly stopped: 'callback' | 'aborted' | 'exhausted' | undefined
}

// ---------------------------------------------------------------------------------------------------
// compile options

/** One metric (defined once, in metrics/): a Keras name, a function `(yTrue, yPred) => per-sample Tensor`, or a `Metric` value. */
export type { MetricSpec }

/** Metrics for all outputs (a list), per output (a list of lists), or by output name (a record). */
export type MetricsInput = ReadonlyArray<MetricSpec> | ReadonlyArray<ReadonlyArray<MetricSpec>> | Readonly<Record<string, MetricSpec | ReadonlyArray<MetricSpec>>>

/** A loss: a Keras name or a function `(yTrue, yPred) => per-sample Tensor`. */
export type LossSpec = string | LossFn

/** `loss`: one loss for every output, or one per output (list or record by output name; `null` or a missing key: no loss for that output). */
export type LossInput = LossSpec | ReadonlyArray<LossSpec | null> | Readonly<Record<string, LossSpec | null>>

const isFn = (u: unknown): u is (...a: never[]) => unknown => typeof u === 'function'
const isTransformation = (u: unknown): u is GradientTransformation<Tree> =>
  typeof u === 'object' && u !== null && typeof (u as GradientTransformation).init === 'function' && typeof (u as GradientTransformation).update === 'function'
const isMetricValue = (u: unknown): u is MetricValue => typeof u === 'object' && u !== null && typeof (u as MetricValue).update === 'function' && typeof (u as MetricValue).result === 'function'
const isMetricSpec = (u: unknown): u is MetricSpec => typeof u === 'string' || isFn(u) || isMetricValue(u)
const isLossSpec = (u: unknown): u is LossSpec => typeof u === 'string' || isFn(u)

/** `optimizer`: a name or a `GradientTransformation`. */
export const OptimizerC = refine('a name or a GradientTransformation {init, update}', (u): u is string | GradientTransformation<Tree> => typeof u === 'string' || isTransformation(u))
/** `loss`: a name, a function, a list or a record of those. */
export const LossC = refine(
  'a loss name, a function (yTrue, yPred) => Tensor, or a list / record of those per output',
  (u): u is LossInput =>
    // null (or a record that leaves an output out) is "no loss for this output", as Keras's None
    // (Array.from: a hole in a sparse list is undefined, refused like an explicit undefined, not skipped by every)
    isLossSpec(u) || (Array.isArray(u) && u.length > 0 && Array.from(u).every((s) => s === null || isLossSpec(s))) || (isRecord(u) && Object.values(u).every((s) => s === null || isLossSpec(s)))
)
/** `metrics` / `weightedMetrics`. */
export const MetricsC = refine(
  'a list of metrics (names, functions or Metric values), a list of lists, or a record by output name',
  (u): u is MetricsInput =>
    (Array.isArray(u) && (u.every(isMetricSpec) || u.every((e) => Array.isArray(e) && e.every(isMetricSpec)))) ||
    (isRecord(u) && !isMetricValue(u) && Object.values(u).every((v) => isMetricSpec(v) || (Array.isArray(v) && v.every(isMetricSpec))))
)
/** `lossWeights`. */
export const LossWeightsC = t.union([t.readonlyArray(Finite), t.record(t.string, Finite)], 'a list or a record (by output name) of numbers')

const compileProps = {
  /** a Keras name ('adam', 'sgd', …) or a GradientTransformation ('rmsprop') */
  optimizer: OptimizerC,
  /** one loss for every output, or one per output (list or record by output name) */
  loss: LossC,
  metrics: MetricsC,
  /** weights of the per-output losses in the total (list or record by output name) */
  lossWeights: LossWeightsC,
  /** metrics that use the sample weights */
  weightedMetrics: MetricsC,
  /** run op by op instead of compiling the step with `jit` (false) */
  runEagerly: t.boolean,
  /**
   * the number of batches each compiled call runs (1), Keras's `steps_per_execution`: the batch hooks
   * run once per execution (begin with its first batch index, end with its last), an execution never
   * crosses the end of an epoch, and `evaluate`/`predict` group their batches the same way
   */
  stepsPerExecution: PositiveInt,
  /**
   * `'temporal'`: sample weights are per time step, `[n, time]`, for every output (Keras 2.x's
   * `sample_weight_mode`; checked on the data). Keras 2.15 accepts `[n, time]` weights without it, and so
   * does tensorfold; `null` (the default) accepts both shapes
   */
  sampleWeightMode: refine("'temporal' or null", (u): u is 'temporal' | null => u === 'temporal' || u === null),
  /** the trainer's seed: shuffling, dropout, and init of an unbuilt model (0) */
  seed: refine('an integer', (u): u is number => typeof u === 'number' && Number.isSafeInteger(u)),
  /**
   * a custom training step (Keras's overridden `train_step`): a pure `(trainer, batch) => [trainer, logs]`
   * that `fit` and `trainOnBatch` run instead of the default step, with the same callbacks, progress and history
   */
  trainStep: refine('a function (trainer, batch) => [trainer, logs]', (u): u is CustomTrainStep => typeof u === 'function'),
  /**
   * a custom test step (Keras's overridden `test_step`): a pure `(trainer, batch) => logs` that `evaluate`,
   * fit's validation and `testOnBatch` run instead of the default one, with the same callbacks, progress and history
   */
  testStep: refine('a function (trainer, batch) => logs', (u): u is CustomTestStep => typeof u === 'function')
}

/** A batch as a custom training step receives it: one tensor per input and per output, the sample weights per output, the row count. */
export interface StepBatch {
  readonly x: ReadonlyArray<Tensor>
  /** per output; undefined for an output without loss and metrics whose targets were left out */
  readonly y: ReadonlyArray<Tensor | undefined>
  /** per output; undefined where unweighted */
  readonly sampleWeight: ReadonlyArray<Tensor | undefined>
  readonly size: number
}

/**
 * A custom training step: the counterpart of overriding Keras's `train_step`. It receives the trainer and
 * one batch and returns the next trainer and this batch's logs (plain numbers). `fit` folds it over the
 * batches; an epoch's logs are the batch-size-weighted means of the batches' logs.
 */
export type CustomTrainStep = (trainer: Trainer, batch: StepBatch) => readonly [Trainer, Readonly<Record<string, number>>]

/**
 * A custom test step (the counterpart of overriding Keras's `test_step`): the logs of one batch, from
 * the trainer (not changed: evaluation does not train) and the batch. `evaluate` and fit's validation
 * log the batch-size-weighted mean of each key over the batches.
 * @example compile(model, { optimizer: 'sgd', loss: 'mse', testStep: (t, b) => ({ loss: … }) })
 */
export type CustomTestStep = (trainer: Trainer, batch: StepBatch) => Readonly<Record<string, number>>

/** `compile` options: `loss` is required. */
export type CompileOptionsInput = InputOf<typeof compileProps, 'loss'>

// ---------------------------------------------------------------------------------------------------
// decoding

const firstError = (op: string, path: string, errs: t.Errors, u: unknown, codec: t.Decoder<unknown, unknown>): TrainError => {
  const e = errs[0]
  const expected = e?.message ?? codec.name
  return tfError(op === 'compile' ? 'CompileError' : 'InvalidOption', `${op}: ${path}: expected ${expected}, received ${show(u)}`, {
    op,
    path,
    expected,
    received: u,
    allowed: [],
    nearest: undefined
  })
}

/** @internal Decode an options record field by field: unknown keys and bad values are errors naming the path. */
export const decodeRecord = <P extends Record<string, t.Decoder<unknown, unknown>>>(
  op: string,
  u: unknown,
  props: P,
  required: ReadonlyArray<keyof P & string> = []
): E.Either<TrainError, { readonly [K in keyof P]?: t.TypeOf<P[K] & t.Any> }> => {
  if (u === undefined || u === null) u = {}
  if (!isRecord(u)) return E.left(tfError(op === 'compile' ? 'CompileError' : 'InvalidOption', `${op}: expected an options object, received ${show(u)}`, { op, path: '', expected: 'an object', received: u, allowed: Object.keys(props), nearest: undefined }))
  const allowed = Object.keys(props)
  for (const k of Object.keys(u)) {
    if (!Object.prototype.hasOwnProperty.call(props, k)) {
      const near = nearest(k, allowed, { maxDistance: Math.max(2, Math.ceil(k.length / 2)) })
      return E.left(
        tfError(op === 'compile' ? 'CompileError' : 'InvalidOption', `${op}: unknown option '${k}'${near ? ` — did you mean '${near}'?` : ''} Options: ${allowed.join(', ')}.`, {
          op,
          path: k,
          allowed,
          received: k,
          nearest: near
        })
      )
    }
  }
  for (const k of required)
    if (u[k] === undefined)
      return E.left(tfError(op === 'compile' ? 'CompileError' : 'InvalidOption', `${op}: ${k}: required (${props[k].name})`, { op, path: k, expected: props[k].name, received: undefined, allowed: [], nearest: undefined }))
  const out: Record<string, unknown> = {}
  for (const k of Object.keys(u)) {
    const v = u[k]
    if (v === undefined) continue
    const codec = props[k]
    const r = codec.decode(v)
    if (E.isLeft(r)) return E.left(firstError(op, k, r.left, v, codec))
    out[k] = r.right
  }
  return E.right(out as { readonly [K in keyof P]?: t.TypeOf<P[K] & t.Any> })
}

/** @internal Decode an options record and fill in the defaults: every field of `props` is present. */
const decodeWith =
  <P extends Props, D extends { readonly [K in keyof P]?: unknown }>(op: string, props: P, defaults: D) =>
  (u: unknown): E.Either<TrainError, DecodedOf<P, D>> =>
    E.map((o: Readonly<Record<string, unknown>>) => Object.freeze(Object.fromEntries(Object.keys(props).map((k) => [k, o[k] ?? (defaults as Readonly<Record<string, unknown>>)[k]]))) as DecodedOf<P, D>)(
      decodeRecord(op, u, props)
    )

/** Decode `fit` options (defaults: batchSize 32, epochs 1, verbose 'auto', shuffle true, validationFreq 1). */
export const decodeFitOptions: (u: unknown) => E.Either<TrainError, FitOptions> = decodeWith('fit', fitProps, fitDefaults)

/** Decode `evaluate` options (batchSize 32, verbose 'auto'). */
export const decodeEvaluateOptions: (u: unknown) => E.Either<TrainError, EvaluateOptions> = decodeWith('evaluate', evalProps, evalDefaults)

/** Decode `predict` options (batchSize 32, verbose 'auto'). */
export const decodePredictOptions: (u: unknown) => E.Either<TrainError, PredictOptions> = decodeWith('predict', predictProps, predictDefaults)

/** Decode `trainOnBatch` / `testOnBatch` options. */
export const decodeBatchOptions = (op: string, u: unknown): E.Either<TrainError, BatchOptions> => decodeWith(op, batchProps, batchDefaults)(u)

/** Decode `compile` options (the shapes; names are resolved by `compile`). */
export const decodeCompileOptions = (u: unknown): E.Either<TrainError, CompileOptionsInput> =>
  decodeRecord('compile', u, compileProps, ['loss']) as E.Either<TrainError, CompileOptionsInput>

/** @internal Resolve verbose 'auto' (1 on an interactive terminal, 2 otherwise). */
export const resolveVerbose = (v: 0 | 1 | 2 | 'auto', interactive: boolean): 0 | 1 | 2 => (v === 'auto' ? (interactive ? 1 : 2) : v)

export type { BatchLike }
