/**
 * Learning-rate callbacks. Both read and set the learning rate kept in a named optimizer's state (a
 * scalar-tensor leaf), so the trainer they return differs from the one they got only in that leaf.
 * They also log `learning_rate` for the epoch, as Keras does.
 *
 * @since 0.1.0
 */
import type { Callback, Mode } from './Callback.js'
import { resolveMode, checkOptions } from './Callback.js'
import type { Trainer } from '../Trainer.js'
import { orThrow } from '../../core/errors.js'

const lrOf = (t: Trainer, who: string): number => orThrow(t.learningRateE(who))

/**
 * Set the learning rate at the start of each epoch from `schedule(epoch, lr)`.
 * @example learningRateScheduler((epoch, lr) => (epoch < 10 ? lr : lr * Math.exp(-0.1)))
 */
export const learningRateScheduler = (schedule: (epoch: number, lr: number) => number, o: { readonly verbose?: 0 | 1 } = {}): Callback<null> => {
  checkOptions('learningRateScheduler', o, ['verbose'])
  return learningRateSchedulerOf(schedule, o)
}

const learningRateSchedulerOf = (schedule: (epoch: number, lr: number) => number, o: { readonly verbose?: 0 | 1 }): Callback<null> => ({
  name: 'LearningRateScheduler',
  init: () => null,
  onEpochBegin(_s, { epoch, trainer, info }) {
    const lr = schedule(epoch, lrOf(trainer, 'learningRateScheduler'))
    if (typeof lr !== 'number' || !Number.isFinite(lr))
      throw new TypeError(`learningRateScheduler: the schedule must return a finite number, returned ${String(lr)} at epoch ${epoch}`)
    if (o.verbose) info.write(`\nEpoch ${epoch + 1}: LearningRateScheduler setting learning rate to ${lr}.\n`)
    return { trainer: orThrow(trainer.withLearningRate(lr)) }
  },
  onEpochEnd(_s, { trainer }) {
    return { logs: { learning_rate: lrOf(trainer, 'learningRateScheduler') } }
  }
})

/** Options of {@link reduceLROnPlateau} (Keras names, camelCase). */
export interface ReduceLROnPlateauOptions {
  readonly monitor?: string
  readonly factor?: number
  readonly patience?: number
  readonly verbose?: 0 | 1
  readonly mode?: Mode
  readonly minDelta?: number
  readonly cooldown?: number
  readonly minLr?: number
}

/** The state `reduceLROnPlateau` threads through a run. */
export interface ReduceLROnPlateauState {
  readonly wait: number
  readonly best: number
  readonly cooldownCounter: number
}

/**
 * Multiply the learning rate by `factor` when `monitor` has not improved for `patience` epochs.
 * @example reduceLROnPlateau({ monitor: 'val_loss', factor: 0.2, patience: 5, minLr: 1e-4 })
 */
export const reduceLROnPlateau = (o: ReduceLROnPlateauOptions = {}): Callback<ReduceLROnPlateauState> => {
  checkOptions('reduceLROnPlateau', o, ['monitor', 'factor', 'patience', 'verbose', 'mode', 'minDelta', 'cooldown', 'minLr'])
  const monitor = o.monitor ?? 'val_loss'
  const factor = o.factor ?? 0.1
  if (!(factor < 1)) throw new RangeError(`reduceLROnPlateau: factor must be below 1, received ${factor}`)
  const patience = o.patience ?? 10
  const minDelta = o.minDelta ?? 1e-4
  const cooldown = o.cooldown ?? 0
  const minLr = o.minLr ?? 0
  const mode = resolveMode(o.mode ?? 'auto', monitor)
  const better = (a: number, b: number): boolean => (mode === 'max' ? a > b + minDelta : a < b - minDelta)
  return {
    name: 'ReduceLROnPlateau',
    init: () => ({ wait: 0, best: mode === 'max' ? -Infinity : Infinity, cooldownCounter: 0 }),
    onEpochEnd(s, { epoch, logs, trainer, info }) {
      const lr = lrOf(trainer, 'reduceLROnPlateau')
      const current = logs[monitor]
      if (current === undefined) {
        info.write(`Learning rate reduction is conditioned on metric \`${monitor}\` which is not available. Available metrics are: ${Object.keys(logs).join(',')}.\n`)
        return { logs: { learning_rate: lr } }
      }
      let { wait, best, cooldownCounter } = s
      if (cooldownCounter > 0) {
        cooldownCounter -= 1
        wait = 0
      }
      // Keras 2.15 asks `in_cooldown()` again after the decrement: the epoch that brings the counter
      // to 0 already counts towards `patience`, so `cooldown: c` skips c - 1 epochs
      if (better(current, best)) {
        best = current
        wait = 0
      } else if (!(cooldownCounter > 0)) {
        wait += 1
        // the rate is kept in float32; Keras compares it with np.float32(min_lr), so a rate already
        // at a minLr such as 0.1 (not exact in float32) is not "reduced" to it again and again
        if (wait >= patience && lr > Math.fround(minLr)) {
          const newLr = Math.max(lr * factor, minLr)
          if (o.verbose) info.write(`\nEpoch ${epoch + 1}: ReduceLROnPlateau reducing learning rate to ${newLr}.\n`)
          return { state: { wait: 0, best, cooldownCounter: cooldown }, trainer: orThrow(trainer.withLearningRate(newLr)), logs: { learning_rate: lr } }
        }
      }
      return { state: { wait, best, cooldownCounter }, logs: { learning_rate: lr } }
    }
  }
}
