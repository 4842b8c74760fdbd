/**
 * Saving and loading: the `Io` namespace (functional surface, `TaskEither<IoError, …>`), and the
 * notebook functions `save`, `load`, `loadTrainer`, `saveWeights`, `loadWeights` (Promises that reject
 * with a `TensorfoldError` carrying the same `_tag` and data).
 *
 * Laws (test/io): `decode(encode(x)) = x` for the codecs and model configs; `load(save(m))` has the
 * same config, weights and predictions as `m`; fit on A, save, load, fit on B equals fit on A ++ B.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import type * as TE from 'fp-ts/lib/TaskEither.js'
import { TensorfoldError } from '../core/errors.js'
import type { Trainer } from '../train/Trainer.js'
import { saveTE, saveWeightsTE, type SaveOptions } from './save.js'
import { loadTE, loadTrainerTE, loadWeightsTE, type LoadOptions, type LoadTrainerOptions } from './load.js'
import type { SavableModel } from './model.js'

export { type IoError, type IoErrorTag, isIoError, IO_ERROR_TAGS } from './errors.js'
export { getConfig, fromConfig, isSavableModel, type SavableModel } from './model.js'
export { toKeras, fromKeras, type KerasForm } from './tfjs.js'
export { type CustomLayers, type LayerFromConfig, BUILTIN_KINDS } from './layers.js'
export { modelCheckpoint, type ModelCheckpointOptions, type ModelCheckpointState } from './checkpoint.js'
export { csvLogger, type CsvTarget, type CsvState } from './csvLogger.js'
export * as codecs from './codecs.js'
export { type SaveOptions, MODEL_JSON, WEIGHTS_JSON } from './save.js'
export { type LockOptions } from './fs.js'
export { type LoadOptions, type LoadTrainerOptions } from './load.js'

/** `save` as a `TaskEither`. @example await Io.save(model, 'tmp/m')() */
export const save: (x: SavableModel | Trainer, dir: string, opts?: SaveOptions) => TE.TaskEither<import('./errors.js').IoError, void> = saveTE
/** `load` as a `TaskEither`. @example await Io.load('tmp/m')() */
export const load = loadTE
/** `loadTrainer` as a `TaskEither`. */
export const loadTrainer = loadTrainerTE
/** `saveWeights` as a `TaskEither`. */
export const saveWeights = saveWeightsTE
/** `loadWeights` as a `TaskEither`. */
export const loadWeights = loadWeightsTE

/** Run a TaskEither, rejecting with a `TensorfoldError` on `Left`. */
const run = async <A>(te: TE.TaskEither<import('./errors.js').IoError, A>): Promise<A> => {
  const r = await te()
  if (E.isLeft(r)) throw new TensorfoldError(r.left)
  return r.right
}

/**
 * Notebook surface: the same functions as Promises that reject with a `TensorfoldError`.
 * @example await notebook.save(model, 'tmp/m'); const m = await notebook.load('tmp/m')
 */
export const notebook = {
  save: (x: SavableModel | Trainer, dir: string, opts?: SaveOptions): Promise<void> => run(saveTE(x, dir, opts)),
  load: (dir: string, opts?: LoadOptions): Promise<SavableModel> => run(loadTE(dir, opts)),
  loadTrainer: (dir: string, opts?: LoadTrainerOptions): Promise<Trainer> => run(loadTrainerTE(dir, opts)),
  saveWeights: (x: SavableModel | Trainer, dir: string, opts?: SaveOptions): Promise<void> => run(saveWeightsTE(x, dir, opts)),
  loadWeights: <M extends SavableModel>(model: M, dir: string, opts?: LoadOptions): Promise<M> => run(loadWeightsTE(model, dir, opts))
}
