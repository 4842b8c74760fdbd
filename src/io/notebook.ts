/**
 * The notebook surface of `io/`: Promises that reject with a `TensorfoldError` (same `_tag` and data as
 * the `Io` namespace's `Left`s).
 *
 * @since 0.1.0
 */
import { notebook } from './index.js'

/** Save a model or a trainer. @example await save(model, 'tmp/m') */
export const notebookSave = notebook.save
/** Load a model. @example const m = await load('tmp/m') */
export const notebookLoad = notebook.load
/** Load a trainer saved with `save(trainer, dir)`; training resumes exactly. */
export const notebookLoadTrainer = notebook.loadTrainer
/** Save the weights only. */
export const notebookSaveWeights = notebook.saveWeights
/** Load weights saved by `saveWeights` into a model of the same architecture. */
export const notebookLoadWeights = notebook.loadWeights
