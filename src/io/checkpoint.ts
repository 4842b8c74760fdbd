/**
 * `modelCheckpoint`: a `fit` callback that saves the trainer (or only the weights) at the end of every
 * epoch, or only when a monitored value improves (`saveBestOnly`). Keras semantics: `filepath` may hold
 * `{epoch}` (1-based, or `{epoch:02d}`) and any log name (`{val_loss:.4f}`); `mode` `'auto'` picks max for
 * accuracy-like names. The best value lives in the callback's state, threaded by `fit`, so one
 * callback value can serve many runs.
 *
 * A failed save stops nothing silently: it is reported through `info.write` and training stops, since
 * the user asked for checkpoints they would not get.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import type { Callback, Mode } from '../train/callbacks/Callback.js'
import { resolveMode } from '../train/callbacks/Callback.js'
import type { Logs } from '../train/History.js'
import { saveTE, saveWeightsTE, type SaveOptions } from './save.js'
import { isSavableModel } from './model.js'

/** Options of {@link modelCheckpoint} (Keras's, camelCase). */
export interface ModelCheckpointOptions extends SaveOptions {
  /** the directory to save into; may hold `{epoch}`, `{epoch:02d}`, `{val_loss:.2f}`, … */
  readonly filepath: string
  readonly monitor?: string
  readonly verbose?: 0 | 1
  readonly saveBestOnly?: boolean
  readonly mode?: Mode
  /** save `weights.json` + `weights.bin` only, not the trainer */
  readonly saveWeightsOnly?: boolean
  /** a value the monitored metric must beat before the first save (Keras's `initial_value_threshold`) */
  readonly initialValueThreshold?: number
}

/** The state a checkpoint threads through a run. */
export interface ModelCheckpointState {
  readonly best: number
  /** directories written so far, in order */
  readonly saved: ReadonlyArray<string>
}

/** Fill `{epoch}`, `{epoch:02d}` and `{name:.Nf}` placeholders. */
export const formatPath = (template: string, epoch: number, logs: Logs): string =>
  template.replace(/\{([A-Za-z_][\w]*)(?::([^}]*))?\}/g, (whole, name: string, fmt: string | undefined) => {
    const v = name === 'epoch' ? epoch : logs[name]
    if (v === undefined) return whole
    if (fmt === undefined) return String(v)
    const f = /^0?(\d+)d$/.exec(fmt)
    if (f) return String(Math.trunc(v)).padStart(Number(f[1]), '0')
    const p = /^\.(\d+)f$/.exec(fmt)
    if (p) return v.toFixed(Number(p[1]))
    return String(v)
  })

/**
 * Save the trainer at the end of each epoch (or when `monitor` improves).
 * @example callbacks: [modelCheckpoint({ filepath: 'tmp/ckpt', monitor: 'val_loss', saveBestOnly: true })]
 */
export const modelCheckpoint = (o: ModelCheckpointOptions): Callback<ModelCheckpointState> => {
  const monitor = o.monitor ?? 'val_loss'
  const mode = resolveMode(o.mode ?? 'auto', monitor)
  const better = (v: number, ref: number): boolean => (mode === 'max' ? v > ref : v < ref)
  const initial = o.initialValueThreshold ?? (mode === 'max' ? -Infinity : Infinity)
  return {
    name: 'ModelCheckpoint',
    init: () => ({ best: initial, saved: [] }),
    async onEpochEnd(s, { epoch, logs, trainer, info }) {
      let best = s.best
      if (o.saveBestOnly === true) {
        const v = logs[monitor]
        if (v === undefined) {
          info.write(`Can save best model only with ${monitor} available, skipping.\n`)
          return
        }
        if (!better(v, s.best)) {
          if (o.verbose) info.write(`\nEpoch ${epoch + 1}: ${monitor} did not improve from ${s.best.toFixed(5)}\n`)
          return
        }
        if (o.verbose) info.write(`\nEpoch ${epoch + 1}: ${monitor} improved from ${s.best.toFixed(5)} to ${v.toFixed(5)}, saving model\n`)
        best = v
      }
      const dir = formatPath(o.filepath, epoch + 1, logs)
      const r = o.saveWeightsOnly === true ? (isSavableModel(trainer.model) ? await saveWeightsTE(trainer.model, dir, o)() : E.left({ message: 'not a savable model' })) : await saveTE(trainer, dir, o)()
      if (E.isLeft(r)) {
        info.write(`\nEpoch ${epoch + 1}: ModelCheckpoint could not save to ${dir}: ${r.left.message}\n`)
        return { state: { best: s.best, saved: s.saved }, stop: true }
      }
      if (o.verbose && o.saveBestOnly !== true) info.write(`\nEpoch ${epoch + 1}: saving model to ${dir}\n`)
      return { state: { best, saved: [...s.saved, dir] } }
    }
  }
}
