/**
 * The tags that `losses/` raises besides the tensor stack's: a closed list (see docs/errors.md).
 *
 * @since 0.2.0
 */
import type { TfError, ValueErrorTag } from '../core/errors.js'

/** An unknown loss name; a bad option or argument (a loss spec, a reduction, `lossWeights`, `labelSmoothing`): `path`, `expected`, `received`. */
export const LOSS_ERROR_TAGS = ['UnknownLoss', 'InvalidOption'] as const
/** A tag of `losses/`. */
export type LossErrorTag = (typeof LOSS_ERROR_TAGS)[number]
/** An error of `lossFromName` and the loss resolvers: an unknown name, or a bad argument. */
export type LossError = TfError<LossErrorTag | ValueErrorTag>
