/**
 * The tagged errors of `io/`. Every one carries `path` (a file, and where in it: `model.json:
 * modelTopology.config.layers[2].class_name`), `expected` and `received`, and reads well as a message.
 * Loading never throws anything else: a fault anywhere is one of these, and no partial model.
 *
 * @since 0.1.0
 */
import { tfError, type TfError, show } from '../core/errors.js'

/** The kinds of io errors. */
export type IoErrorTag =
  /** a file or directory could not be read (missing, permissions) */
  | 'FileReadError'
  /** a file could not be written (the previous files are left as they were) */
  | 'FileWriteError'
  /** a file is larger than the loader accepts, or than its manifest justifies */
  | 'FileTooLarge'
  /** `model.json` is not JSON */
  | 'InvalidJson'
  /** the JSON does not have the expected form (wrong field, forbidden key, absurd shape, bad dtype) */
  | 'InvalidModelFile'
  /** a layer kind that is neither built in nor passed in `layers` */
  | 'UnknownLayerKind'
  /** a layer's config was refused by its constructor, or the topology does not build */
  | 'InvalidLayerConfig'
  /** `weights.bin` does not match the manifest (size, missing or extra weights) */
  | 'InvalidWeights'
  /** Keras's `loadWeights` errors */
  | 'WeightCountMismatch'
  | 'WeightShapeMismatch'
  /** the value cannot be saved (not built, a layer config that is not JSON) */
  | 'NotSavable'

/** An io error. */
export type IoError = TfError & {
  readonly _tag: IoErrorTag
  readonly path: string
  readonly expected: unknown
  readonly received: unknown
}

/** Build an io error; the message is `path: expected …, received …` unless one is given. */
export const ioError = (tag: IoErrorTag, path: string, expected: unknown, received: unknown, message?: string): IoError =>
  tfError(tag, message ?? `${path}: expected ${typeof expected === 'string' ? expected : show(expected)}, received ${show(received)}`, {
    path,
    expected,
    received
  }) as IoError

/** The tags above, for checks (`isIoError`). */
export const IO_ERROR_TAGS: ReadonlyArray<IoErrorTag> = Object.freeze([
  'FileReadError',
  'FileWriteError',
  'FileTooLarge',
  'InvalidJson',
  'InvalidModelFile',
  'UnknownLayerKind',
  'InvalidLayerConfig',
  'InvalidWeights',
  'WeightCountMismatch',
  'WeightShapeMismatch',
  'NotSavable'
])

/** Whether a value is an io error. */
export const isIoError = (u: unknown): u is IoError =>
  typeof u === 'object' && u !== null && typeof (u as IoError)._tag === 'string' && (IO_ERROR_TAGS as ReadonlyArray<string>).includes((u as IoError)._tag)

/** Turn a foreign error (a layer constructor's `Left`, say) into an io error at a path. */
export const asIoError = (tag: IoErrorTag, path: string, e: TfError): IoError =>
  isIoError(e) ? e : (tfError(tag, `${path}: ${e.message}`, { path, expected: e.expected, received: e.received ?? e.actual, cause: e }) as IoError)

/** The tags of the callbacks that write files (`modelCheckpoint`, `csvLogger`): options and file paths (listed in `train/`, which runs callbacks). */
export { CALLBACK_FILE_ERROR_TAGS } from '../train/errors.js'
