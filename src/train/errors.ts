/**
 * The tagged errors of `train/`: bad compile or fit options, bad data. Each carries the values involved
 * (`path`, `expected`/`allowed`, `received`, `nearest`) and reads well as a message.
 *
 * @since 0.1.0
 */
import { tfError, type TfError, show } from '../core/errors.js'
import { nearest } from '../core/nearest.js'

const nearName = (name: string, candidates: ReadonlyArray<string>): string | undefined =>
  nearest(name, candidates, { maxDistance: Math.max(2, Math.ceil(name.length / 2)) })

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
  const nearest = nearName(received, allowed)
  const hint = nearest !== undefined ? ` — did you mean '${nearest}'?` : ''
  return tfError(
    'CompileError',
    `${path}: unknown '${received}'${hint} (allowed: ${allowed.map((a) => `'${a}'`).join(', ')})`,
    { path, allowed, received, nearest }
  ) as CompileError
}

/** A compile option of the wrong kind. */
export const compileError = (path: string, expected: string, received: unknown, allowed: ReadonlyArray<string> = []): CompileError =>
  tfError('CompileError', `${path}: expected ${expected}, received ${show(received)}`, { path, allowed, received, nearest: undefined, expected }) as CompileError

/** A fit/evaluate/predict option of the wrong kind. */
export const optionError = (op: string, path: string, expected: string, received: unknown): OptionError =>
  tfError('InvalidOption', `${op}: option ${path}: expected ${expected}, received ${show(received)}`, { op, path, expected, received }) as OptionError

/** A data problem found before any step runs. */
export const dataError = (tag: string, message: string, data: Record<string, unknown> = {}): TfError => tfError(tag, message, data)

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
  'InvalidLoss',
  'NotAModel',
  'NotBuilt',
  'UnknownName',
  'NoLearningRate',
  'InvalidTrainStep'
] as const
/** A tag of `train/`. */
export type TrainErrorTag = (typeof TRAIN_ERROR_TAGS)[number]
/** An error of `compile`, `fit`, `evaluate`, `predict` and the batch functions, matchable on `_tag`. */
export type TrainError = TfError & { readonly _tag: TrainErrorTag | import('../core/errors.js').ValueErrorTag }
