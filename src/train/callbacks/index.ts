/**
 * Callbacks for `fit`: observers and pure decisions. See `Callback.ts` for the contract. The callbacks
 * that write files (`csvLogger`, `modelCheckpoint`) live in `io/`; the public `Callbacks` namespace
 * (`src/callbacks.ts`) gathers all of them.
 * @since 0.1.0
 */
export {
  type Callback, type Decision, type HookResult, type FitInfo, type EpochEvent, type EpochEndEvent, type BatchEvent, type BatchEndEvent,
  type TrainBeginEvent, type TrainEndEvent, type Mode, isCallback
} from './Callback.js'
export { earlyStopping, type EarlyStoppingOptions, type EarlyStoppingState } from './earlyStopping.js'
export { learningRateScheduler, reduceLROnPlateau, type ReduceLROnPlateauOptions, type ReduceLROnPlateauState } from './schedules.js'
export { terminateOnNaN, lambdaCallback, type LambdaHooks } from './observers.js'
export { progbarLogger, type ProgbarLoggerOptions, type ProgbarState } from './progbarLogger.js'
