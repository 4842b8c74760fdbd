/**
 * The tags that `optimizers/` raises besides the tensor stack's: a closed list (see docs/errors.md).
 *
 * @since 0.2.0
 */
import type { TfError, ValueErrorTag } from '../core/errors.js'

/** An unknown optimizer name; no learning rate to read or set; a bad option or hyperparameter (an unknown option, a learning rate, a schedule's or a transform's argument): `path`, `expected`, `received`. */
export const OPTIMIZER_ERROR_TAGS = ['UnknownOptimizer', 'NoLearningRate', 'InvalidOption'] as const
/** A tag of `optimizers/`. */
export type OptimizerErrorTag = (typeof OPTIMIZER_ERROR_TAGS)[number]
/** An error of `optimizerFromName` and `setLearningRate`. */
export type OptimizerError = TfError<OptimizerErrorTag | ValueErrorTag>
