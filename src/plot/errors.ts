/**
 * The tags that `plot/` raises besides the tensor stack's: a closed list (see docs/errors.md).
 *
 * @since 0.2.0
 */
import type { TfError, ValueErrorTag } from '../core/errors.js'

/**
 * `NotBuilt`: a model without weights to draw; `NotAModel`: `plotModel` given something else;
 * `InvalidData`: labels, scores, counts or a history that cannot be plotted; `InvalidOption`: an option
 * that does not fit the data (as many `labels` as classes).
 */
export const PLOT_ERROR_TAGS = ['NotBuilt', 'NotAModel', 'InvalidData', 'InvalidOption'] as const
/** A tag of `plot/`. */
export type PlotErrorTag = (typeof PLOT_ERROR_TAGS)[number]
/** An error that `plotHistory`, `plotModel`, `confusionMatrix` and `plotConfusionMatrix` throw. */
export type PlotError = TfError<PlotErrorTag | ValueErrorTag>
