/**
 * `csvLogger`: a callback that streams each epoch's logs to CSV — to a file (Node; file access belongs
 * to `io/`) or to a sink of text chunks (anywhere, the browser included).
 *
 * @since 0.1.0
 */
import { type Callback, checkOptions } from '../train/callbacks/Callback.js'
import type { Logs } from '../train/History.js'
import { openTextAppender } from '#platform'
import { fail, show } from '../core/errors.js'

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

// Python's csv.excel dialect (QUOTE_MINIMAL): a field with the separator, a quote or a line break is quoted
const csvCell = (v: string, sep: string): string =>
  v.includes(sep) || v.includes('"') || v.includes('\n') || v.includes('\r') ? `"${v.replace(/"/g, '""')}"` : v

/**
 * A number as Python writes a float (`repr`, which Keras's CSVLogger writes through `csv`): the shortest
 * digits that round-trip, `1.0` for integers, exponent form below 1e-4 or from 1e16 on (`1e-05`, `1e+16`),
 * `nan`, `inf`, `-inf`.
 * @example pythonFloat(1) // '1.0'; pythonFloat(0.00001) // '1e-05'
 */
export const pythonFloat = (v: number): string => {
  if (Number.isNaN(v)) return 'nan'
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf'
  if (v === 0) return Object.is(v, -0) ? '-0.0' : '0.0'
  const sign = v < 0 ? '-' : ''
  // toExponential() without digits gives the shortest digits that round-trip (as Python's repr)
  const [mant, e] = Math.abs(v).toExponential().split('e')
  const exp = Number(e)
  const digits = mant.replace('.', '')
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits
    return `${sign}${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`
  const int = digits.slice(0, exp + 1).padEnd(exp + 1, '0')
  const frac = digits.slice(exp + 1)
  return `${sign}${int}.${frac === '' ? '0' : frac}`
}

/**
 * The columns of a CSV log, fixed at the first epoch (Keras 2.15 `CSVLogger.on_epoch_end`): the sorted
 * log names and, when none of them starts with `val_`, a `val_` column for each — always, even in a run
 * without validation data (those columns then say `NA` in every row), exactly as Keras 2.15 writes it.
 * @example csvColumns({ loss: 1, mae: 2 }) // ['loss', 'mae', 'val_loss', 'val_mae']
 */
export const csvColumns = (logs: Logs): ReadonlyArray<string> => {
  const keys = Object.keys(logs).sort()
  if (keys.some((k) => k.startsWith('val_'))) return keys
  return [...keys, ...keys.map((k) => `val_${k}`)]
}

/**
 * Stream epoch results to CSV as Keras 2.15's `CSVLogger` writes them: a header `epoch,<sorted keys>`
 * (plus `val_<key>` columns when the first epoch has no `val_` key), then one row per epoch; a value
 * missing at some epoch (validation that did not run, or no validation at all) is `NA`; numbers as
 * Python prints floats; lines end with `\r\n` (Python's `csv.excel` dialect). The separator is one
 * character. With a file name the file is written with Node's `fs` (truncated unless `append`;
 * appending to a file with content writes no second header); in a browser pass a sink.
 * @example csvLogger('training.log'); csvLogger({ write: (s) => chunks.push(s) })
 */
export const csvLogger = (target: CsvTarget, o: { readonly separator?: string; readonly append?: boolean } = {}): Callback<CsvState> => {
  checkOptions('csvLogger', o, ['separator', 'append'])
  const sep = o.separator ?? ','
  // Python's csv module: '"delimiter" must be a 1-character string'
  if (typeof sep !== 'string' || sep.length !== 1)
    fail('InvalidOption', `csvLogger: separator must be a 1-character string, received ${show(sep)}`, { op: 'csvLogger', path: 'separator', expected: 'a 1-character string', received: sep })
  return {
    name: 'CSVLogger',
    init: () => ({ keys: undefined, header: true, sink: undefined }),
    async onTrainBegin(s) {
      if (typeof target !== 'string') return { state: { ...s, sink: (c: string) => target.write(c) } }
      const file = await openTextAppender(target, o.append === true)
      return { state: { keys: undefined, header: !file.hadContent, sink: file.write } }
    },
    async onEpochEnd(s, { epoch, logs }) {
      if (s.sink === undefined) return
      const keys = s.keys ?? csvColumns(logs)
      const header = s.keys === undefined && s.header ? ['epoch', ...keys].map((k) => csvCell(k, sep)).join(sep) + '\r\n' : ''
      const row = [String(epoch), ...keys.map((k) => (k in logs ? pythonFloat(logs[k]) : 'NA'))].map((c) => csvCell(c, sep)).join(sep) + '\r\n'
      await s.sink(header + row)
      return { state: { ...s, keys } }
    }
  }
}
