/**
 * Small callbacks: `terminateOnNaN` (a pure decision), `lambdaCallback` and `csvLogger` (observers).
 *
 * @since 0.1.0
 */
import { type Callback, checkOptions } from './Callback.js'
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
export const lambdaCallback = (h: LambdaHooks): Callback<null> => {
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

/** Where {@link csvLogger} writes: a file name, or a sink of text chunks. */
export type CsvTarget = string | { readonly write: (chunk: string) => void | Promise<void> }

/** What {@link csvLogger} remembers within a run. */
export interface CsvState {
  /** the columns after `epoch`, fixed at the first epoch */
  readonly keys: ReadonlyArray<string> | undefined
  /** whether the header is still to be written (not when appending to a file that has content) */
  readonly header: boolean
  readonly sink: ((chunk: string) => void | Promise<void>) | undefined
}

const csvCell = (v: number | string, sep: string): string => {
  const s = String(v)
  return s.includes(sep) || s.includes('"') || s.includes('\n') ? `"${s.replace(/"/g, '""')}"` : s
}

/**
 * The columns of a CSV log, fixed at the first epoch (Keras 2.15 `CSVLogger.on_epoch_end`): the sorted
 * log names, and — when the run validates but not at this epoch (`validationFreq`) — a `val_` column for
 * each, so later validation results have a column. Keras adds the `val_` columns whenever the first
 * epoch has none; here only when the run has validation data, so a run without validation gets no
 * columns that could only ever say `NA`.
 */
export const csvColumns = (logs: Logs, doValidation: boolean): ReadonlyArray<string> => {
  const keys = Object.keys(logs).sort()
  if (!doValidation || keys.some((k) => k.startsWith('val_'))) return keys
  return [...keys, ...keys.map((k) => `val_${k}`)]
}

/**
 * Stream epoch results to CSV: a header `epoch,<sorted keys>` then one row per epoch; a value missing
 * at some epoch (validation that did not run) is `NA`. With a file name the file is written with
 * Node's `fs` (truncated unless `append`; appending to a file with content writes no second header);
 * in a browser pass a sink.
 * @example csvLogger('training.log'); csvLogger({ write: (s) => chunks.push(s) })
 */
export const csvLogger = (target: CsvTarget, o: { readonly separator?: string; readonly append?: boolean } = {}): Callback<CsvState> => {
  checkOptions('csvLogger', o, ['separator', 'append'])
  const sep = o.separator ?? ','
  return {
    name: 'CSVLogger',
    init: () => ({ keys: undefined, header: true, sink: undefined }),
    async onTrainBegin(s) {
      if (typeof target !== 'string') return { state: { ...s, sink: (c: string) => target.write(c) } }
      const file = await openTextAppender(target, o.append === true)
      return { state: { keys: undefined, header: !file.hadContent, sink: file.write } }
    },
    async onEpochEnd(s, { epoch, logs, info }) {
      if (s.sink === undefined) return
      const keys = s.keys ?? csvColumns(logs, info.doValidation)
      const header = s.keys === undefined && s.header ? ['epoch', ...keys].map((k) => csvCell(k, sep)).join(sep) + '\n' : ''
      const row = [String(epoch), ...keys.map((k) => (k in logs ? String(logs[k]) : 'NA'))].map((c) => csvCell(c, sep)).join(sep) + '\n'
      await s.sink(header + row)
      return { state: { ...s, keys } }
    }
  }
}
