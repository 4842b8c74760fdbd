/**
 * The tags that `optimizers/` raises besides the tensor stack's: a closed list (see docs/errors.md).
 *
 * @since 0.2.0
 */
import type { TfError, ValueErrorTag } from '../core/errors.js'

/** An unknown optimizer name; no learning rate to read or set. */
export const OPTIMIZER_ERROR_TAGS = ['UnknownOptimizer', 'NoLearningRate'] as const
/** A tag of `optimizers/`. */
export type OptimizerErrorTag = (typeof OPTIMIZER_ERROR_TAGS)[number]
/** An error of `optimizerFromName` and `setLearningRate`. */
export type OptimizerError = TfError<OptimizerErrorTag | ValueErrorTag>
