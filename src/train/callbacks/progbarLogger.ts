/**
 * The progress callback `fit` adds when `verbose` is 1 or 2: `Epoch 1/10` then the bar (verbose 1) or
 * one line per epoch (verbose 2). It only writes; it never decides anything.
 *
 * @since 0.1.0
 */
import { type Callback, checkOptions } from './Callback.js'
import { progbar, type Progbar, type LiveDisplay, stdoutIsInteractive } from '../progress.js'
import { notebookDisplay } from '#platform'

/** Options of {@link progbarLogger}. */
export interface ProgbarLoggerOptions {
  /** redraw in place; default: stdout is a terminal and `CI` is not set */
  readonly interactive?: boolean
  readonly intervalMs?: number
  readonly now?: () => number
  /**
   * Where an interactive bar draws in a notebook: a factory of display entries that each redraw
   * overwrites (one per epoch), e.g. tslab's `newDisplay`; `false` to redraw with `\r` on stdout.
   * Default: the tslab kernel's own, found by itself in a tslab notebook; none elsewhere.
   */
  readonly display?: (() => LiveDisplay) | false
}

/** The bar of the running epoch. */
export interface ProgbarState {
  readonly bar: Progbar | undefined
  readonly seen: number
}

/**
 * A Keras progress bar as a callback (`fit` adds one by itself when `verbose > 0`).
 * @example fit(trainer, x, y, { verbose: 0, callbacks: [progbarLogger({ interactive: false })] })
 */
export const progbarLogger = (o: ProgbarLoggerOptions = {}): Callback<ProgbarState> => {
  checkOptions('progbarLogger', o, ['interactive', 'intervalMs', 'now', 'display'])
  return progbarLoggerOf(o)
}

const progbarLoggerOf = (o: ProgbarLoggerOptions): Callback<ProgbarState> => ({
  name: 'ProgbarLogger',
  init: () => ({ bar: undefined, seen: 0 }),
  onEpochBegin(_s, { epoch, info }) {
    if (info.verbose === 0) return
    const title = `Epoch ${epoch + 1}/${info.epochs}`
    const interactive = o.interactive ?? stdoutIsInteractive()
    const make = o.display === false ? undefined : (o.display ?? notebookDisplay())
    const display = info.verbose === 1 && interactive && make !== undefined ? make() : undefined
    if (display === undefined) info.write(`${title}\n`)
    const bar = progbar({
      target: info.steps,
      verbose: info.verbose,
      interactive,
      write: info.write,
      ...(display !== undefined ? { display, title } : {}),
      ...(o.now ? { now: o.now } : {}),
      ...(o.intervalMs !== undefined ? { intervalMs: o.intervalMs } : {})
    })
    return { state: { bar, seen: 0 } }
  },
  onTrainBatchEnd(s, { batch, logs }) {
    s.bar?.update(batch + 1, logs)
    return { state: { ...s, seen: batch + 1 } }
  },
  onEpochEnd(s, { logs }) {
    s.bar?.done(s.seen, logs)
    return { state: { bar: undefined, seen: 0 } }
  }
})
