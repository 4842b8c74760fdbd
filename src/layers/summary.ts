/**
 * The Keras 2.15 `model.summary()` table (`print_summary`), as a pure formatter of a model's rows and
 * weights: the header, one row per layer each followed by a blank row, the totals with their size in
 * bytes, the closing rule — line for line as Keras prints it. `common.ts` feeds it a model.
 *
 * @since 0.2.0
 */
import { size, type Shape } from '../core/Shape.js'

/**
 * Python's `'{:.2f}'.format(x)`: like `toFixed(2)`, but an exact tie rounds to even (24.625 -> 24.62),
 * where `toFixed` rounds up. A tie at two decimals is a multiple of 1/8 with an odd numerator.
 */
const pyFixed2 = (x: number): string => {
  const e = x * 8
  if (Number.isInteger(e) && Math.abs(e) % 2 === 1) {
    const lo = Math.floor(x * 100)
    return ((lo % 2 === 0 ? lo : lo + 1) / 100).toFixed(2)
  }
  return x.toFixed(2)
}

/** Keras's `readable_memory_size`: bytes in the largest unit (1024 apart) that keeps the number under 1024, two decimals. */
export const readableMemorySize = (bytes: number): string => {
  const units = ['Byte', 'KB', 'MB', 'GB', 'TB', 'PB']
  let v = bytes
  for (const u of units) {
    if (v / 1024 < 1) return `${pyFixed2(v)} ${u}`
    v /= 1024
  }
  return `${pyFixed2(v)} ${units[units.length - 1]}`
}

/**
 * Keras's `print_row`: each field cut to its column (a long one wraps onto more lines, breaking after
 * `),` `},` `],` or `',` when it can), the first with a leading space, every line padded to the width.
 */
const rowLines = (fields: ReadonlyArray<string>, positions: ReadonlyArray<number>): string[] => {
  const left = fields.slice()
  const out: string[] = []
  while (left.some((f) => f.length > 0)) {
    let line = ''
    for (let col = 0; col < left.length; col++) {
      const start = col > 0 ? positions[col - 1] : 0
      const last = col === positions.length - 1
      const space = last ? 0 : 2
      let cutoff = positions[col] - start - space - (last ? 0 : 1)
      let fit = left[col].slice(0, Math.max(0, cutoff))
      const breaks = ['),', '},', '],', "',"].filter((b) => fit.includes(b)).map((b) => fit.indexOf(b) + b.length)
      if (breaks.length > 0) {
        cutoff = Math.min(...breaks)
        fit = fit.slice(0, cutoff)
      }
      if (col === 0) line += ' '
      line += fit + ' '.repeat(space)
      left[col] = left[col].slice(Math.max(0, cutoff))
      line += ' '.repeat(Math.max(0, positions[col] - line.length))
    }
    out.push(line)
  }
  return out
}

/**
 * The summary lines of a model called `name`: `rows` are its layers' (name (type), output shape, param
 * count, connected to); `weights` its weights with their trainable flags (float32: 4 bytes a weight).
 * Rows are padded to the line width, as Keras prints them. A model that is `sequentialLike` (a
 * Sequential, or a functional chain: one input, every layer called once on one tensor) gets the
 * three-column layout, as Keras does.
 */
export const summaryTable = (
  name: string,
  sequentialLike: boolean,
  rows: ReadonlyArray<readonly [string, string, number, string]>,
  weights: ReadonlyArray<{ readonly shape: Shape; readonly trainable: boolean }>,
  lineLength?: number
): ReadonlyArray<string> => {
  const width = lineLength ?? (sequentialLike ? 65 : 98)
  const positions = (sequentialLike ? [0.45, 0.85, 1] : [0.3, 0.6, 0.7, 1]).map((p) => Math.floor(width * p))
  const header = sequentialLike ? ['Layer (type)', 'Output Shape', 'Param #'] : ['Layer (type)', 'Output Shape', 'Param #', 'Connected to']
  const lines = [`Model: "${name}"`, '_'.repeat(width), ...rowLines(header, positions), '='.repeat(width)]
  for (const r of rows) {
    lines.push(...rowLines(sequentialLike ? [r[0], r[1], String(r[2])] : [r[0], r[1], String(r[2]), r[3]], positions))
    lines.push(' '.repeat(width))
  }
  const trainable = weights.filter((w) => w.trainable).reduce((n, w) => n + size(w.shape), 0)
  const total = weights.reduce((n, w) => n + size(w.shape), 0)
  const bytes = (n: number): string => readableMemorySize(n * 4)
  lines.push(
    '='.repeat(width),
    `Total params: ${total} (${bytes(total)})`,
    `Trainable params: ${trainable} (${bytes(trainable)})`,
    `Non-trainable params: ${total - trainable} (${bytes(total - trainable)})`,
    '_'.repeat(width)
  )
  return Object.freeze(lines)
}

/** Options of `model.summary`. */
export interface SummaryOptions {
  /** called once per line (default `console.log`) */
  readonly printFn?: (line: string) => void
  /** the table's width (default 65 for Sequential, 98 for functional models with 'Connected to') */
  readonly lineLength?: number
}

/**
 * `model.summary()`: prints the Keras table. With no argument it returns nothing, as Keras does (so a
 * notebook shows the table once); given options it also returns the table as one string.
 */
export interface SummaryMethod {
  (): void
  (opts: SummaryOptions): string
}
