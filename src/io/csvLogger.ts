/**
 * `csvLogger`: a callback that streams each epoch's logs to CSV — to a file (Node; file access belongs
 * to `io/`) or to a sink of text chunks (anywhere, the browser included).
 *
 * @since 0.1.0
 */
import { type Callback, checkOptions } from '../train/callbacks/Callback.js'
import type { Logs } from '../train/History.js'
import { openTextAppender } from '#platform'

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
