/**
 * The public `Callbacks` namespace: every callback — those of training (`train/callbacks/`) and those
 * that write files (`io/`: `csvLogger`, `modelCheckpoint`).
 *
 * @since 0.1.0
 */
export * from './train/callbacks/index.js'
export { csvLogger, type CsvTarget, type CsvState } from './io/csvLogger.js'
export { modelCheckpoint, type ModelCheckpointOptions, type ModelCheckpointState } from './io/checkpoint.js'
