/**
 * Every error tag of tensorfold, by module: closed unions, so an fp-ts user can match a `Left`
 * exhaustively. `test/errors.test.ts` checks that every tag the source raises is in its module's list.
 * See docs/errors.md.
 *
 * @since 0.2.0
 */
import { VALUE_ERROR_TAGS, type ValueErrorTag } from './core/errors.js'
import { LOSS_ERROR_TAGS, type LossErrorTag } from './losses/errors.js'
import { METRIC_ERROR_TAGS, type MetricErrorTag } from './metrics/errors.js'
import { OPTIMIZER_ERROR_TAGS, type OptimizerErrorTag } from './optimizers/errors.js'
import { LAYER_ERROR_TAGS, type LayerErrorTag } from './layers/errors.js'
import { TRAIN_ERROR_TAGS, TRAIN_RUN_TAGS, type TrainErrorTag } from './train/errors.js'
import { IO_ERROR_TAGS, CALLBACK_FILE_ERROR_TAGS, type IoErrorTag } from './io/errors.js'
import { DATA_ERROR_TAGS, type DataErrorTag } from './data/errors.js'
import { PLOT_ERROR_TAGS, type PlotErrorTag } from './plot/errors.js'

/** The tags each module may raise besides the tensor stack's {@link VALUE_ERROR_TAGS}. */
export const ERROR_TAGS = {
  value: VALUE_ERROR_TAGS,
  layers: LAYER_ERROR_TAGS,
  losses: LOSS_ERROR_TAGS,
  metrics: METRIC_ERROR_TAGS,
  optimizers: OPTIMIZER_ERROR_TAGS,
  plot: PLOT_ERROR_TAGS,
  data: DATA_ERROR_TAGS,
  train: TRAIN_ERROR_TAGS,
  /** every tag `compile`/`fit`/`evaluate`/`predict` can return ({@link TrainError}): train's and those of what it runs */
  trainRun: TRAIN_RUN_TAGS,
  io: [...IO_ERROR_TAGS, ...CALLBACK_FILE_ERROR_TAGS] as ReadonlyArray<IoErrorTag | (typeof CALLBACK_FILE_ERROR_TAGS)[number]>
} as const

/** Every tag. */
export type TfErrorTag =
  | ValueErrorTag
  | LayerErrorTag
  | TrainErrorTag
  | IoErrorTag
  | (typeof CALLBACK_FILE_ERROR_TAGS)[number]
  | DataErrorTag
  | LossErrorTag
  | MetricErrorTag
  | OptimizerErrorTag
  | PlotErrorTag

export { type ValueErrorTag, type ValueError, isErrorOf } from './core/errors.js'
export { type LayerErrorTag, type LayerError } from './layers/errors.js'
export { type TrainErrorTag, type TrainError } from './train/errors.js'
export { type IoErrorTag, type IoError } from './io/errors.js'
export { type DataErrorTag, type DatasetError, type DataError } from './data/errors.js'
export { LOSS_ERROR_TAGS, type LossErrorTag, type LossError } from './losses/errors.js'
export { METRIC_ERROR_TAGS, type MetricErrorTag, type MetricError } from './metrics/errors.js'
export { OPTIMIZER_ERROR_TAGS, type OptimizerErrorTag, type OptimizerError } from './optimizers/errors.js'
export { PLOT_ERROR_TAGS, type PlotErrorTag, type PlotError } from './plot/errors.js'
