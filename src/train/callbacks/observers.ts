/**
 * Small callbacks: `terminateOnNaN` (a pure decision), `lambdaCallback` and `csvLogger` (observers).
 *
 * @since 0.1.0
 */
import type { Callback } from './Callback.js'
import type { Logs } from '../History.js'
import { openTextAppender } from '#platform'

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
 * An observer from plain functions.
 * @example lambdaCallback({ onEpochEnd: (epoch, logs) => console.log(epoch, logs.loss) })
 */
export const lambdaCallback = (h: LambdaHooks): Callback<null> => ({
  name: 'LambdaCallback',
  init: () => null,
  onTrainBegin: async () => void (await h.onTrainBegin?.({})),
  onEpochBegin: async (_s, { epoch }) => void (await h.onEpochBegin?.(epoch, {})),
  onTrainBatchBegin: async (_s, { batch }) => void (await h.onBatchBegin?.(batch, {})),
  onTrainBatchEnd: async (_s, { batch, logs }) => void (await h.onBatchEnd?.(batch, logs)),
  onEpochEnd: async (_s, { epoch, logs }) => void (await h.onEpochEnd?.(epoch, logs)),
  onTrainEnd: async (_s, { logs }) => void (await h.onTrainEnd?.(logs))
})

/** Where {@link csvLogger} writes: a file name, or a sink of text chunks. */
export type CsvTarget = string | { readonly write: (chunk: string) => void | Promise<void> }

/** What {@link csvLogger} remembers within a run. */
export interface CsvState {
  readonly keys: ReadonlyArray<string> | undefined
  readonly sink: ((chunk: string) => void | Promise<void>) | undefined
}

const csvCell = (v: number | string, sep: string): string => {
  const s = String(v)
  return s.includes(sep) || s.includes('"') || s.includes('\n') ? `"${s.replace(/"/g, '""')}"` : s
}

/**
 * Stream epoch results to CSV: a header `epoch,<sorted keys>` then one row per epoch. With a file name
 * the file is written with Node's `fs` (truncated unless `append`); in a browser pass a sink.
 * @example csvLogger('training.log'); csvLogger({ write: (s) => chunks.push(s) })
 */
export const csvLogger = (target: CsvTarget, o: { readonly separator?: string; readonly append?: boolean } = {}): Callback<CsvState> => {
  const sep = o.separator ?? ','
  return {
    name: 'CSVLogger',
    init: () => ({ keys: undefined, sink: undefined }),
    async onTrainBegin(s) {
      if (typeof target !== 'string') return { state: { ...s, sink: (c: string) => target.write(c) } }
      const file = await openTextAppender(target, o.append === true)
      return { state: { keys: file.hadContent ? [] : undefined, sink: file.write } }
    },
    async onEpochEnd(s, { epoch, logs }) {
      if (s.sink === undefined) return
      const keys = s.keys === undefined || s.keys.length === 0 ? Object.keys(logs).sort() : s.keys
      const header = s.keys === undefined ? ['epoch', ...keys].map((k) => csvCell(k, sep)).join(sep) + '\n' : ''
      const row = [String(epoch), ...keys.map((k) => (k in logs ? String(logs[k]) : 'NA'))].map((c) => csvCell(c, sep)).join(sep) + '\n'
      await s.sink(header + row)
      return { state: { ...s, keys } }
    }
  }
}
