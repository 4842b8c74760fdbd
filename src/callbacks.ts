/**
 * The public `Callbacks` namespace: every callback — those of training (`train/callbacks/`) and those
 * that write files (`io/`: `csvLogger`, `modelCheckpoint`).
 *
 * @since 0.1.0
 */
export {
  earlyStopping, learningRateScheduler, reduceLROnPlateau, terminateOnNaN, lambdaCallback, progbarLogger, isCallback,
  type Callback, type Decision, type HookResult, type FitInfo, type EpochEvent, type EpochEndEvent, type BatchEvent,
  type BatchEndEvent, type TrainBeginEvent, type TrainEndEvent, type Mode, type EarlyStoppingOptions,
  type EarlyStoppingState, type ReduceLROnPlateauOptions, type ReduceLROnPlateauState, type LambdaHooks,
  type ProgbarLoggerOptions, type ProgbarState
} from './train/callbacks/index.js'
export { csvLogger, type CsvTarget, type CsvState } from './io/csvLogger.js'
export { modelCheckpoint, type ModelCheckpointOptions, type ModelCheckpointState } from './io/checkpoint.js'
