/**
 * Every error tag of tensorfold, by module: closed unions, so an fp-ts user can match a `Left`
 * exhaustively. `test/errors.test.ts` checks that every tag the source raises is in its module's list.
 * See docs/errors.md.
 *
 * @since 0.2.0
 */
import { VALUE_ERROR_TAGS, type ValueErrorTag } from './core/errors.js'
import { LAYER_ERROR_TAGS, type LayerErrorTag } from './layers/errors.js'
import { TRAIN_ERROR_TAGS, type TrainErrorTag } from './train/errors.js'
import { IO_ERROR_TAGS, CALLBACK_FILE_ERROR_TAGS, type IoErrorTag } from './io/errors.js'
import { DATA_ERROR_TAGS, type DataErrorTag } from './data/errors.js'

/** `losses/`: an unknown loss name. */
export const LOSS_ERROR_TAGS = ['UnknownLoss'] as const
/** `metrics/`: an unknown metric name. */
export const METRIC_ERROR_TAGS = ['UnknownMetric'] as const
/** `optimizers/`: an unknown optimizer name; no learning rate to read or set. */
export const OPTIMIZER_ERROR_TAGS = ['UnknownOptimizer', 'NoLearningRate'] as const
/** `plot/`: a history that cannot be plotted. */
export const PLOT_ERROR_TAGS = ['NotBuilt'] as const

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
  | (typeof LOSS_ERROR_TAGS)[number]
  | (typeof METRIC_ERROR_TAGS)[number]
  | (typeof OPTIMIZER_ERROR_TAGS)[number]

export { type ValueErrorTag, type ValueError, isErrorOf } from './core/errors.js'
export { type LayerErrorTag, type LayerError } from './layers/errors.js'
export { type TrainErrorTag, type TrainError } from './train/errors.js'
export { type IoErrorTag, type IoError } from './io/errors.js'
export { type DataErrorTag } from './data/errors.js'
