/**
 * The tagged errors of `train/`: bad compile or fit options, bad data. Each carries the values involved
 * (`path`, `expected`/`allowed`, `received`, `nearest`) and reads well as a message.
 *
 * @since 0.1.0
 */
import { tfError, type TfError, show, within, VALUE_ERROR_TAGS } from '../core/errors.js'
import { LAYER_ERROR_TAGS } from '../layers/errors.js'
import { LOSS_ERROR_TAGS } from '../losses/errors.js'
import { METRIC_ERROR_TAGS } from '../metrics/errors.js'
import { OPTIMIZER_ERROR_TAGS } from '../optimizers/errors.js'
import { DATA_ERROR_TAGS } from '../data/errors.js'
import { nearest } from '../core/nearest.js'

/** A bad `compile` option: the path, what is allowed, what came, the nearest allowed name. */
export type CompileError = TfError & {
  readonly _tag: 'CompileError'
  readonly path: string
  readonly allowed: ReadonlyArray<string>
  readonly received: unknown
  readonly nearest: string | undefined
}

/** A bad `fit`/`evaluate`/`predict` option. */
export type OptionError = TfError & {
  readonly _tag: 'InvalidOption'
  readonly path: string
  readonly expected: string
  readonly received: unknown
}

/** `optimizer: unknown 'adamm' — did you mean 'adam'?` with the allowed values listed. */
export const unknownName = (path: string, received: string, allowed: ReadonlyArray<string>): CompileError => {
  // within half the name as compared (case, '_' and '-' ignored), at least 2 edits: nearest's default
  const near = nearest(received, allowed)
  const hint = near !== undefined ? ` — did you mean '${near}'?` : ''
  return tfError(
    'CompileError',
    `${path}: unknown '${received}'${hint} (allowed: ${allowed.map((a) => `'${a}'`).join(', ')})`,
    { path, allowed, received, nearest: near }
  ) as CompileError
}

/** A compile option of the wrong kind. */
export const compileError = (path: string, expected: string, received: unknown, allowed: ReadonlyArray<string> = []): CompileError =>
  tfError('CompileError', `${path}: expected ${expected}, received ${show(received)}`, { path, allowed, received, nearest: undefined, expected }) as CompileError

/** A fit/evaluate/predict option of the wrong kind. */
export const optionError = (op: string, path: string, expected: string, received: unknown): OptionError =>
  tfError('InvalidOption', `${op}: option ${path}: expected ${expected}, received ${show(received)}`, { op, path, expected, received }) as OptionError

/** A data problem found before any step runs. */
export const dataError = <T extends TrainError['_tag']>(tag: T, message: string, data: Record<string, unknown> = {}): TfError<T> => tfError(tag, message, data)

/** The tags `train/` raises besides the tensor stack's (a closed list; see docs/errors.md). */
export const TRAIN_ERROR_TAGS = [
  'CompileError',
  'InvalidOption',
  'InvalidData',
  'EmptyData',
  'MissingData',
  'MissingTargets',
  'DataCardinality',
  'InvalidSampleWeights',
  'InvalidLabels',
  'InvalidFeatures',
  'InvalidLoss',
  'NotAModel',
  'NotBuilt',
  'UnknownName',
  'NoLearningRate',
  'InvalidTrainStep',
  'InvalidTestStep',
  'InvalidDecision',
  'CallbackError',
  'BatchSourceError'
] as const
/** A tag of `train/`. */
export type TrainErrorTag = (typeof TRAIN_ERROR_TAGS)[number]
/**
 * The tags a callback may raise during a run besides these (the file-writing callbacks of `io/`:
 * `modelCheckpoint`, `csvLogger`): a bad option, a file path template that cannot be formatted.
 */
export const CALLBACK_FILE_ERROR_TAGS = ['InvalidFilepath', 'InvalidOption'] as const

/**
 * Every tag an error of `compile`, `fit`, `evaluate`, `predict` and the batch functions can carry:
 * `train/`'s own, and those of what training runs — the tensor stack, the model's layers, the loss,
 * metric and optimizer resolvers, datasets given to `fit`, and the file-writing callbacks.
 */
export const TRAIN_RUN_TAGS = [
  ...TRAIN_ERROR_TAGS,
  ...VALUE_ERROR_TAGS,
  ...LAYER_ERROR_TAGS,
  ...LOSS_ERROR_TAGS,
  ...METRIC_ERROR_TAGS,
  ...OPTIMIZER_ERROR_TAGS,
  ...DATA_ERROR_TAGS,
  ...CALLBACK_FILE_ERROR_TAGS
] as const
/** An error of `compile`, `fit`, `evaluate`, `predict` and the batch functions, matchable on `_tag`. */
export type TrainError = TfError<(typeof TRAIN_RUN_TAGS)[number]>

/** @internal An error from below (a model's build, a user's step) at `train/`'s boundary: see {@link within}. */
export const asTrainError: (e: TfError) => TrainError = within(TRAIN_RUN_TAGS)
