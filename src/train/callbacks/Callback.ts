/**
 * Callbacks: observers of a `fit` run, plus pure decisions.
 *
 * A callback is a value. Its state lives in the fold, not in the callback: `init(info)` makes a fresh
 * state at the start of each `fit`, and each hook receives the state and an event and may return a
 * `Decision` — a new state, a request to stop, a replacement trainer (a new learning rate, restored
 * weights), `revert` (undo the batch just run: its trainer and its metrics), extra epoch `logs` — or
 * nothing. So one callback value can be reused across runs, and two runs never share state.
 *
 * Hooks may be async (a `Promise` of a decision); `fit` awaits them in order. The test hooks
 * (`onTestBegin`, `onTestBatchBegin/End`, `onTestEnd`) run in `evaluate` and in `fit`'s validation,
 * the predict hooks in `predict`, as in Keras; there only a new `state` is taken from a decision.
 *
 * @example
 * const printLoss: Callback<null> = {
 *   name: 'printLoss',
 *   init: () => null,
 *   onEpochEnd: (_s, { epoch, logs }) => console.log(epoch, logs.loss)
 * }
 * @since 0.1.0
 */
import type { Trainer } from '../Trainer.js'
import type { History, Logs } from '../History.js'
import type { Tensor } from '../../core/Tensor.js'
import { fail, show } from '../../core/errors.js'
import { nearest } from '../../core/nearest.js'

/** What every hook knows about the run. */
export interface FitInfo {
  readonly epochs: number
  readonly initialEpoch: number
  /** steps per epoch, undefined when the data is an iterable of unknown length */
  readonly steps: number | undefined
  readonly verbose: 0 | 1 | 2
  readonly metricsNames: ReadonlyArray<string>
  readonly doValidation: boolean
  /** write to the run's output (stdout unless the caller chose otherwise) */
  readonly write: (s: string) => void
}

/** What a hook may decide. Every field is optional; returning nothing changes nothing. */
export interface Decision<S> {
  readonly state?: S
  /** stop training after this batch / epoch */
  readonly stop?: boolean
  /** continue with this trainer instead (same model structure) */
  readonly trainer?: Trainer
  /** (batch end only) undo the batch just run: previous trainer, previous metric totals */
  readonly revert?: boolean
  /** (epoch end only) extra values for the epoch's logs and history, e.g. `learning_rate` */
  readonly logs?: Logs
}

/** A hook's result. */
export type HookResult<S> = Decision<S> | void | Promise<Decision<S> | void>

/** Event at the start or end of an epoch. */
export interface EpochEvent {
  readonly epoch: number
  readonly trainer: Trainer
  readonly info: FitInfo
}
/** Event around a training batch. `logs` are the epoch's running averages (Keras), `batchLogs` this batch's. */
export interface BatchEvent {
  readonly epoch: number
  readonly batch: number
  readonly trainer: Trainer
  readonly info: FitInfo
}
/** Event after a training batch. */
export interface BatchEndEvent extends BatchEvent {
  readonly logs: Logs
  readonly batchLogs: Logs
  /** the trainer before this batch */
  readonly previous: Trainer
}
/** Event after an epoch (validation included). */
export interface EpochEndEvent extends EpochEvent {
  readonly logs: Logs
}
/** Event at the start of training. */
export interface TrainBeginEvent {
  readonly trainer: Trainer
  readonly info: FitInfo
}
/** Event at the end of training. */
export interface TrainEndEvent {
  readonly trainer: Trainer
  readonly info: FitInfo
  readonly logs: Logs
  readonly history: History
}

/** Event at the start of an evaluation: `evaluate`, or `fit`'s validation. */
export interface TestBeginEvent {
  readonly trainer: Trainer
  readonly info: FitInfo
}
/** Event around one evaluation batch. */
export interface TestBatchEvent {
  readonly batch: number
  readonly trainer: Trainer
  readonly info: FitInfo
}
/** Event after one evaluation batch: `logs` are the running results of the evaluation so far (Keras). */
export interface TestBatchEndEvent extends TestBatchEvent {
  readonly logs: Logs
}
/** Event at the end of an evaluation: its results (without the `val_` prefix, as Keras). */
export interface TestEndEvent extends TestBeginEvent {
  readonly logs: Logs
}
/** Event at the start or end of `predict`, or around one of its batches. */
export interface PredictEvent {
  readonly trainer: Trainer
  readonly info: FitInfo
}
/** Event around one prediction batch. */
export interface PredictBatchEvent extends PredictEvent {
  readonly batch: number
}
/** Event after one prediction batch, with that batch's outputs (Keras's `logs['outputs']`). */
export interface PredictBatchEndEvent extends PredictBatchEvent {
  readonly outputs: ReadonlyArray<Tensor>
}

/**
 * A callback with state `S`. Hooks are methods, so a `Callback<{best: number}>` is usable where a
 * `Callback<unknown>` is expected (`callbacks: [earlyStopping(), myCallback]`).
 */
export interface Callback<S = unknown> {
  readonly name: string
  init(info: FitInfo): S
  onTrainBegin?(state: S, ev: TrainBeginEvent): HookResult<S>
  onEpochBegin?(state: S, ev: EpochEvent): HookResult<S>
  onTrainBatchBegin?(state: S, ev: BatchEvent): HookResult<S>
  onTrainBatchEnd?(state: S, ev: BatchEndEvent): HookResult<S>
  onEpochEnd?(state: S, ev: EpochEndEvent): HookResult<S>
  onTrainEnd?(state: S, ev: TrainEndEvent): HookResult<S>
  /** `evaluate`, and `fit`'s validation (Keras calls the test hooks there too); only `state` is used from the decision */
  onTestBegin?(state: S, ev: TestBeginEvent): HookResult<S>
  onTestBatchBegin?(state: S, ev: TestBatchEvent): HookResult<S>
  onTestBatchEnd?(state: S, ev: TestBatchEndEvent): HookResult<S>
  onTestEnd?(state: S, ev: TestEndEvent): HookResult<S>
  /** `predict`; only `state` is used from the decision */
  onPredictBegin?(state: S, ev: PredictEvent): HookResult<S>
  onPredictBatchBegin?(state: S, ev: PredictBatchEvent): HookResult<S>
  onPredictBatchEnd?(state: S, ev: PredictBatchEndEvent): HookResult<S>
  onPredictEnd?(state: S, ev: PredictEvent): HookResult<S>
}

/** Whether a value looks like a callback. */
export const isCallback = (u: unknown): u is Callback =>
  typeof u === 'object' && u !== null && typeof (u as Callback).name === 'string' && typeof (u as Callback).init === 'function'

/** `'min'`, `'max'` or `'auto'` (max for accuracy- and AUC-like names, min otherwise). */
export type Mode = 'min' | 'max' | 'auto'

/** @internal Resolve `'auto'` the Keras way. */
export const resolveMode = (mode: Mode, monitor: string): 'min' | 'max' =>
  mode !== 'auto' ? mode : /acc|auc|precision|recall|fmeasure|f1/i.test(monitor) ? 'max' : 'min'

/**
 * @internal Reject options a callback does not know, as Keras rejects an unexpected keyword argument
 * (a misspelt `save_freq` would otherwise be silently ignored). Throws an `InvalidOption` error naming
 * the callback, the option, the allowed ones and the nearest.
 */
export const checkOptions = (callback: string, o: unknown, allowed: ReadonlyArray<string>): void => {
  if (o === undefined) return
  if (typeof o !== 'object' || o === null || Array.isArray(o))
    fail('InvalidOption', `${callback}: expected a record of options, received ${show(o)}`, { op: callback, path: '', expected: 'a record of options', received: o })
  for (const k of Object.keys(o as object)) {
    if (allowed.includes(k)) continue
    const near = nearest(k, allowed, { maxDistance: Math.max(2, Math.ceil(k.length / 2)) })
    fail(
      'InvalidOption',
      `${callback}: unknown option '${k}'${near !== undefined ? ` — did you mean '${near}'?` : ''} (allowed: ${allowed.map((a) => `'${a}'`).join(', ')})`,
      { op: callback, path: k, expected: allowed.join(' | '), received: k, allowed, nearest: near }
    )
  }
}
