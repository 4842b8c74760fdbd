/**
 * `earlyStopping`: stop when a monitored value has stopped improving. Keras semantics: an epoch
 * improves when it beats the best by more than `minDelta`; after `patience` epochs without
 * improvement training stops; with `restoreBestWeights` the weights of the best epoch are restored
 * when it stops. `baseline`: training stops unless the value beats it within `patience` epochs.
 * With `verbose`, as Keras 2.15: the restore is written when it happens, `Epoch N: early stopping` at
 * the end of training.
 *
 * @since 0.1.0
 */
import type { Callback, Mode } from './Callback.js'
import { resolveMode, checkOptions } from './Callback.js'
import type { Trainer } from '../Trainer.js'

/** Options of {@link earlyStopping} (Keras names, camelCase). */
export interface EarlyStoppingOptions {
  readonly monitor?: string
  readonly minDelta?: number
  readonly patience?: number
  readonly verbose?: 0 | 1
  readonly mode?: Mode
  readonly baseline?: number
  readonly restoreBestWeights?: boolean
  readonly startFromEpoch?: number
}

/** The state `earlyStopping` threads through a run. */
export interface EarlyStoppingState {
  readonly wait: number
  readonly best: number
  readonly bestEpoch: number
  readonly bestTrainer: Trainer | undefined
  readonly stoppedEpoch: number
}

/**
 * Stop training when `monitor` stops improving.
 * @example callbacks: [earlyStopping({ monitor: 'val_loss', patience: 3, restoreBestWeights: true })]
 */
export const earlyStopping = (o: EarlyStoppingOptions = {}): Callback<EarlyStoppingState> => {
  checkOptions('earlyStopping', o, ['monitor', 'minDelta', 'patience', 'verbose', 'mode', 'baseline', 'restoreBestWeights', 'startFromEpoch'])
  const monitor = o.monitor ?? 'val_loss'
  const patience = o.patience ?? 0
  const minDelta = Math.abs(o.minDelta ?? 0)
  const mode = resolveMode(o.mode ?? 'auto', monitor)
  const improves = (v: number, ref: number): boolean => (mode === 'max' ? v - minDelta > ref : v + minDelta < ref)
  return {
    name: 'EarlyStopping',
    init: () => ({ wait: 0, best: mode === 'max' ? -Infinity : Infinity, bestEpoch: 0, bestTrainer: undefined, stoppedEpoch: 0 }),
    onEpochEnd(s, { epoch, logs, trainer, info }) {
      const current = logs[monitor]
      if (current === undefined) {
        info.write(`Early stopping conditioned on metric \`${monitor}\` which is not available. Available metrics are: ${Object.keys(logs).join(',')}\n`)
        return
      }
      if (epoch < (o.startFromEpoch ?? 0)) return
      const bestTrainer = o.restoreBestWeights && s.bestTrainer === undefined ? trainer : s.bestTrainer
      if (improves(current, s.best)) {
        const beatsBaseline = o.baseline === undefined || improves(current, o.baseline)
        return { state: { ...s, best: current, bestEpoch: epoch, bestTrainer: o.restoreBestWeights ? trainer : undefined, wait: beatsBaseline ? 0 : s.wait + 1 } }
      }
      const wait = s.wait + 1
      if (wait >= patience && epoch > 0) {
        const restore = o.restoreBestWeights && bestTrainer !== undefined
        if (restore && o.verbose) info.write(`Restoring model weights from the end of the best epoch: ${s.bestEpoch + 1}.\n`)
        return {
          state: { ...s, wait, bestTrainer, stoppedEpoch: epoch },
          stop: true,
          ...(restore ? { trainer: trainer.withModel(trainer.model.withWeights(bestTrainer.model.params, bestTrainer.model.state)) } : {})
        }
      }
      return { state: { ...s, wait, bestTrainer } }
    },
    // Keras prints the stop at the end of training, after the restore and after the last epoch's other output
    onTrainEnd(s, { info }) {
      if (s.stoppedEpoch > 0 && o.verbose) info.write(`Epoch ${s.stoppedEpoch + 1}: early stopping\n`)
    }
  }
}
