/**
 * `History`: what `fit` resolves to besides the trained trainer. Plain numbers only, so it prints,
 * serialises and plots as is: `history.history.loss[i]` is the loss of the i-th epoch that ran,
 * `history.epoch` the (0-based) indices of those epochs, `history.params` the run's settings.
 *
 * @since 0.1.0
 */

/** Logs: metric name to value, as plain numbers (`{loss: 0.12, mae: 0.3, val_loss: 0.2}`). */
export type Logs = Readonly<Record<string, number>>

/** The settings of a `fit` run, as Keras reports them. */
export interface HistoryParams {
  readonly verbose: 0 | 1 | 2
  readonly epochs: number
  /** steps per epoch (undefined for an iterable source of unknown length) */
  readonly steps: number | undefined
}

/** The per-epoch record of a `fit` run. */
export interface History {
  readonly history: Readonly<Record<string, ReadonlyArray<number>>>
  readonly epoch: ReadonlyArray<number>
  readonly params: HistoryParams
}

/** An empty history for a run. @example emptyHistory({ verbose: 0, epochs: 3, steps: 10 }) */
export const emptyHistory = (params: HistoryParams): History => Object.freeze({ history: Object.freeze({}), epoch: Object.freeze([]), params: Object.freeze({ ...params }) })

/**
 * The history with one more epoch. A key first seen at a later epoch is padded with NaN before it, so
 * every series has one value per recorded epoch.
 * @example appendEpoch(h, 0, { loss: 0.5 })
 */
export const appendEpoch = (h: History, epoch: number, logs: Logs): History => {
  const n = h.epoch.length
  const keys = new Set([...Object.keys(h.history), ...Object.keys(logs)])
  const history: Record<string, ReadonlyArray<number>> = {}
  for (const k of keys) {
    const prev = h.history[k] ?? Array.from({ length: n }, () => NaN)
    history[k] = Object.freeze([...prev, k in logs ? logs[k] : NaN])
  }
  return Object.freeze({ history: Object.freeze(history), epoch: Object.freeze([...h.epoch, epoch]), params: h.params })
}
