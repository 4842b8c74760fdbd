/**
 * Small callbacks: `terminateOnNaN` (a pure decision) and `lambdaCallback` (an observer). `csvLogger`,
 * which writes files, lives in `io/`.
 *
 * @since 0.1.0
 */
import { type Callback, checkOptions } from './Callback.js'
import type { Logs } from '../History.js'

/**
 * Stop when a batch's loss is NaN or infinite, and undo that batch: `fit` returns the last good
 * trainer, and the epoch's logs hold the good batches only.
 * @example callbacks: [terminateOnNaN()]
 */
export const terminateOnNaN = (): Callback<null> => ({
  name: 'TerminateOnNaN',
  init: () => null,
  onTrainBatchEnd(_s, { batch, batchLogs, info }) {
    const loss = batchLogs.loss
    if (loss !== undefined && !Number.isFinite(loss)) {
      info.write(`Batch ${batch}: Invalid loss, terminating training\n`)
      return { stop: true, revert: true }
    }
  }
})

/** Plain functions for {@link lambdaCallback}, Keras signatures. */
export interface LambdaHooks {
  readonly onEpochBegin?: (epoch: number, logs: Logs) => void | Promise<void>
  readonly onEpochEnd?: (epoch: number, logs: Logs) => void | Promise<void>
  readonly onBatchBegin?: (batch: number, logs: Logs) => void | Promise<void>
  readonly onBatchEnd?: (batch: number, logs: Logs) => void | Promise<void>
  readonly onTrainBegin?: (logs: Logs) => void | Promise<void>
  readonly onTrainEnd?: (logs: Logs) => void | Promise<void>
}

/**
 * An observer from plain functions; each is optional, as in Keras (`lambdaCallback()` observes nothing).
 * @example lambdaCallback({ onEpochEnd: (epoch, logs) => console.log(epoch, logs.loss) })
 */
export const lambdaCallback = (h: LambdaHooks = {}): Callback<null> => {
  checkOptions('lambdaCallback', h, ['onEpochBegin', 'onEpochEnd', 'onBatchBegin', 'onBatchEnd', 'onTrainBegin', 'onTrainEnd'])
  return lambdaOf(h)
}

const lambdaOf = (h: LambdaHooks): Callback<null> => ({
  name: 'LambdaCallback',
  init: () => null,
  onTrainBegin: async () => void (await h.onTrainBegin?.({})),
  onEpochBegin: async (_s, { epoch }) => void (await h.onEpochBegin?.(epoch, {})),
  onTrainBatchBegin: async (_s, { batch }) => void (await h.onBatchBegin?.(batch, {})),
  onTrainBatchEnd: async (_s, { batch, logs }) => void (await h.onBatchEnd?.(batch, logs)),
  onEpochEnd: async (_s, { epoch, logs }) => void (await h.onEpochEnd?.(epoch, logs)),
  onTrainEnd: async (_s, { logs }) => void (await h.onTrainEnd?.(logs))
})
