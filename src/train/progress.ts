/**
 * A Keras-style progress bar, written for terminals and logs alike:
 *
 * ```
 * Epoch 1/10
 * 32/32 [==============================] - 1s 3ms/step - loss: 0.1234 - mae: 0.2000
 * ```
 *
 * On a terminal (`interactive`) the line is redrawn in place (`\r` + clear-to-end), at most every
 * `intervalMs`, narrowed to fit the terminal's width so a redraw never wraps; in a Jupyter kernel
 * (tslab) it is a live display entry, overwritten in place through the kernel's display-update
 * messages (or, where no display is available, redrawn with `\r` and spaces);
 * elsewhere (a file, CI) only the final line of each epoch is printed, so logs stay one line per epoch. Verbose 2 prints `32/32 - 1s - 3ms/step - loss: …` once per epoch.
 *
 * The formatting functions are pure; `progbar` is the only stateful piece, and it only writes.
 *
 * @since 0.1.0
 */
import type { Logs } from './History.js'
import type { LiveDisplay } from '#platform'

export type { LiveDisplay } from '#platform'

/** Keras number format: 4 decimals, or scientific notation for tiny values. @example formatValue(0.12345) // '0.1235' */
export const formatValue = (v: number): string => (Number.isFinite(v) && Math.abs(v) <= 1e-3 && v !== 0 ? v.toExponential(4) : Number.isFinite(v) ? v.toFixed(4) : String(v))

/** ` - loss: 0.1234 - mae: 0.2000` */
export const formatLogs = (logs: Logs): string =>
  Object.entries(logs)
    .map(([k, v]) => ` - ${k}: ${formatValue(v)}`)
    .join('')

/** A duration: `1s`, `523ms`. */
export const formatDuration = (ms: number): string => (ms >= 1000 ? `${Math.round(ms / 1000)}s` : `${Math.round(ms)}ms`)

/** Time per step: `3ms/step`, `840us/step`, `2s/step`. */
export const formatPerStep = (ms: number): string =>
  ms >= 1000 || ms === 0 ? `${Math.round(ms / 1000)}s/step` : ms >= 1 ? `${Math.round(ms)}ms/step` : `${Math.round(ms * 1000)}us/step`

const formatEta = (s: number): string =>
  s > 3600
    ? `${Math.floor(s / 3600)}:${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}:${String(Math.floor(s % 60)).padStart(2, '0')}`
    : s > 60
      ? `${Math.floor(s / 60)}:${String(Math.floor(s % 60)).padStart(2, '0')}`
      : `${Math.round(s)}s`

/**
 * One progress line. `target` undefined means an unknown number of steps.
 * @example formatBar(32, 32, { loss: 0.1 }, 1000, true) // '32/32 [====…====] - 1s 31ms/step - loss: 0.1000'
 */
export const formatBar = (current: number, target: number | undefined, logs: Logs, elapsedMs: number, done: boolean, width = 30): string => {
  const perStep = current > 0 ? elapsedMs / current : 0
  let head: string
  if (target !== undefined && target > 0) {
    const digits = String(target).length
    const filled = Math.floor((width * Math.min(current, target)) / target)
    const bar = filled > 0 ? '='.repeat(filled - 1) + (current < target ? '>' : '=') : ''
    head = `${String(current).padStart(digits)}/${target} [${bar}${'.'.repeat(width - Math.max(filled, 0))}]`
  } else head = `${current}/Unknown`
  const time = done || target === undefined ? ` - ${formatDuration(elapsedMs)} ${formatPerStep(perStep)}` : ` - ETA: ${formatEta((perStep * (target - current)) / 1000)}`
  return head + time + formatLogs(logs)
}

/** The verbose-2 epoch line: `32/32 - 1s - 3ms/step - loss: 0.1234`. */
export const formatEpochLine = (steps: number, logs: Logs, elapsedMs: number): string =>
  `${steps}/${steps} - ${formatDuration(elapsedMs)} - ${formatPerStep(steps > 0 ? elapsedMs / steps : 0)}${formatLogs(logs)}`

/** Where progress goes and how. */
export interface ProgbarOptions {
  readonly target: number | undefined
  /** 1: a bar; 2: one line per epoch */
  readonly verbose: 1 | 2
  /** redraw in place (a terminal) or print final lines only */
  readonly interactive: boolean
  readonly write: (s: string) => void
  readonly now?: () => number
  readonly intervalMs?: number
  /**
   * The width lines must fit while redrawn (default: the terminal's columns on a TTY, none
   * otherwise): the bar narrows (to 10 cells), then the logs are cut with `…`, so
   * a redraw never wraps. The final line of an epoch keeps every log and only narrows the bar.
   */
  readonly columns?: number
  /**
   * How a redraw erases the previous line: `ansi` (`\r` + clear-to-end, terminals) or `pad` (`\r` and
   * spaces over the previous line: Jupyter's output area understands `\r` but not ANSI erase codes).
   * Default: `pad` in a Jupyter kernel, else `ansi`.
   */
  readonly clear?: 'ansi' | 'pad'
  /**
   * A notebook display entry to draw the bar into instead of `write` (verbose 1, interactive): each
   * redraw overwrites it (tslab's `newDisplay()`, Jupyter's display-update messages), shown under
   * `title`. If drawing into it fails, the bar falls back to `write`.
   */
  readonly display?: LiveDisplay
  /** The line above the bar in `display` (`Epoch 1/10`); with `write` the caller prints it. */
  readonly title?: string
}

/**
 * A progress line that fits `columns - 1` characters: the bar narrows first (down to 10 cells); if it
 * still does not fit and `cut`, the end is replaced by `…`.
 */
export const fitBar = (columns: number | undefined, cut: boolean, line: (width: number) => string): string => {
  const full = line(30)
  if (columns === undefined || full.length <= columns - 1) return full
  const width = Math.max(10, 30 - (full.length - (columns - 1)))
  const narrow = line(width)
  if (!cut || narrow.length <= columns - 1) return narrow
  return `${narrow.slice(0, Math.max(1, columns - 2))}…`
}

/** A running progress bar for one epoch (or one evaluate/predict run). */
export interface Progbar {
  /** steps done so far and the logs to show */
  update(current: number, logs: Logs): void
  /** the final line, with the epoch's logs (validation included) */
  done(current: number, logs: Logs): void
}

/** Start a progress bar. @example const p = progbar({ target: 32, verbose: 1, interactive: true, write: (s) => process.stdout.write(s) }) */
export const progbar = (o: ProgbarOptions): Progbar => {
  const now = o.now ?? (() => performance.now())
  const interval = o.intervalMs ?? 50
  const start = now()
  const columns = o.columns ?? (o.interactive ? stdoutColumns() : undefined)
  const clear = o.clear ?? (inJupyter() ? 'pad' : 'ansi')
  let last = -Infinity
  let drawn = false
  let previous = 0
  let display = o.verbose === 1 && o.interactive ? o.display : undefined
  /** draw into the display entry; false (and never again) if it failed */
  const show = (line: string): boolean => {
    if (display === undefined) return false
    try {
      display.text(o.title === undefined ? line : `${o.title}\n${line}`)
      return true
    } catch {
      display = undefined
      if (o.title !== undefined) o.write(`${o.title}\n`)
      return false
    }
  }
  /** `\r` + the line, erasing what the previous draw left */
  const redraw = (line: string): string => {
    const out = clear === 'ansi' ? `\r${line}\x1b[K` : `\r${line}${' '.repeat(Math.max(0, previous - line.length))}`
    previous = line.length
    return out
  }
  return {
    update(current, logs) {
      if (o.verbose !== 1 || !o.interactive) return
      const t = now()
      if (t - last < interval) return
      last = t
      const line = fitBar(columns, true, (w) => formatBar(current, o.target, logs, t - start, false, w))
      if (show(line)) return
      drawn = true
      o.write(redraw(line))
    },
    done(current, logs) {
      const elapsed = now() - start
      if (o.verbose === 2) o.write(`${formatEpochLine(current, logs, elapsed)}\n`)
      else {
        const line = fitBar(o.interactive ? columns : undefined, false, (w) => formatBar(current, o.target ?? current, logs, elapsed, true, w))
        if (show(line)) return
        o.write(`${o.interactive && drawn ? redraw(line) : o.interactive && clear === 'ansi' ? `${line}\x1b[K` : line}\n`)
      }
    }
  }
}

type ProcessLike = { stdout?: { isTTY?: boolean; columns?: number; write?: (s: string) => unknown }; env?: Record<string, string | undefined> }
const proc = (): ProcessLike | undefined => (globalThis as { process?: ProcessLike }).process

/** Whether this runs in a Jupyter kernel (tslab, Deno's kernel): Jupyter sets `JPY_PARENT_PID` for its kernels. */
export const inJupyter = (): boolean => {
  const env = proc()?.env
  return env !== undefined && (env.JPY_PARENT_PID !== undefined || env.TSLAB_NOTEBOOK !== undefined)
}

/**
 * The width progress lines must fit: the terminal's columns, else undefined (Jupyter's output area
 * applies `\r` to its text, so a long line that wraps there is still redrawn whole).
 */
export const stdoutColumns = (): number | undefined => {
  const out = proc()?.stdout
  return out?.isTTY === true && typeof out.columns === 'number' && out.columns > 0 ? out.columns : undefined
}

/** Whether progress may redraw in place: stdout is a terminal, or a Jupyter kernel's output (not in CI). */
export const stdoutIsInteractive = (): boolean => {
  const p = proc()
  return (p?.stdout?.isTTY === true || inJupyter()) && !p?.env?.CI
}

/** Write to stdout (process.stdout where it exists, console.log by lines otherwise). */
export const stdoutWrite = (s: string): void => {
  const p = (globalThis as { process?: { stdout?: { write?: (s: string) => unknown } } }).process
  if (p?.stdout?.write !== undefined) p.stdout.write(s)
  else console.log(s.replace(/\n$/, ''))
}
