/**
 * Tests that kill StrykerJS mutants of `src/train/callbacks/` (`Callback.ts`, `earlyStopping.ts`,
 * `observers.ts`) which survived `test/train` (issue 9; docs/laws.md, "Mutation testing", group g5).
 * The callbacks are values, so most tests drive a hook directly with a made-up event; the expected
 * behaviour is Keras 2.15's (`keras/callbacks.py`: `EarlyStopping`, `TerminateOnNaN`, `LambdaCallback`).
 */
import { describe, it, expect } from 'vitest'
import { TensorfoldError } from '../../src/core/errors.js'
import { isCallback, resolveMode, checkOptions, type Callback, type Decision, type FitInfo } from '../../src/train/callbacks/Callback.js'
import { earlyStopping, type EarlyStoppingOptions, type EarlyStoppingState } from '../../src/train/callbacks/earlyStopping.js'
import { terminateOnNaN, lambdaCallback } from '../../src/train/callbacks/observers.js'
import { emptyHistory, type Logs } from '../../src/train/History.js'
import * as Tr from '../../src/train/index.js'
import { linearModel, regression, compiled, weightsOf, run } from './helpers.js'

const trainerOf = (w0: number): Tr.Trainer => compiled(linearModel(3, 1, w0), { optimizer: 'sgd', loss: 'mse' })
const t = trainerOf(0.1)
const infoWith = (lines: string[]): FitInfo => ({ epochs: 10, initialEpoch: 0, steps: 1, verbose: 0, metricsNames: ['loss'], doValidation: true, write: (s) => void lines.push(s) })

const errOf = (f: () => unknown): TensorfoldError => {
  try {
    f()
  } catch (e) {
    if (e instanceof TensorfoldError) return e
    throw new Error(`expected a TensorfoldError, got ${String(e)}`)
  }
  throw new Error('expected a throw')
}

/**
 * Run `earlyStopping`'s `onEpochEnd` over the given values of `key` (an `undefined` value: logs without
 * it), epoch after epoch from 0, until it stops. `trainers[i]` is the trainer at the end of epoch `i`.
 */
const drive = (o: EarlyStoppingOptions, values: ReadonlyArray<number | undefined>, key = 'val_loss', trainers: ReadonlyArray<Tr.Trainer> = []) => {
  const cb = earlyStopping(o)
  const lines: string[] = []
  const info = infoWith(lines)
  let s = cb.init(info)
  const states: EarlyStoppingState[] = []
  const decisions: Array<Decision<EarlyStoppingState> | undefined> = []
  for (let epoch = 0; epoch < values.length; epoch++) {
    const v = values[epoch]
    const logs: Logs = v === undefined ? { loss: 1, mae: 2 } : { loss: 100 + epoch, [key]: v }
    const d = cb.onEpochEnd?.(s, { epoch, logs, trainer: trainers[epoch] ?? t, info }) as Decision<EarlyStoppingState> | undefined
    decisions.push(d)
    if (d?.state !== undefined) s = d.state
    states.push(s)
    if (d?.stop === true) break
  }
  const last = decisions[decisions.length - 1]
  void cb.onTrainEnd?.(s, { trainer: t, info, logs: {}, history: emptyHistory({ verbose: 0, epochs: 10, steps: 1 }) })
  return last?.stop === true ? { stoppedAt: decisions.length - 1, decision: last, states, decisions, lines } : { stoppedAt: undefined, decision: undefined, states, decisions, lines }
}

describe('earlyStopping (Keras 2.15 EarlyStopping)', () => {
  it('every option of Keras is accepted by name', () => {
    const all: EarlyStoppingOptions = { monitor: 'loss', minDelta: 0.1, patience: 2, verbose: 1, mode: 'min', baseline: 1, restoreBestWeights: true, startFromEpoch: 1 }
    expect(earlyStopping(all).name).toBe('EarlyStopping')
  })

  it("defaults: monitors 'val_loss' (not 'loss'), in 'min' mode, from an infinite best", () => {
    const cb = earlyStopping()
    expect(cb.init(infoWith([]))).toEqual({ wait: 0, best: Infinity, bestEpoch: 0, bestTrainer: undefined, stoppedEpoch: 0 })
    expect(earlyStopping({ mode: 'max' }).init(infoWith([])).best).toBe(-Infinity)
    // 1, 0.5 improve; 0.6, 0.7 do not: patience 2 stops at epoch 3 (the 'loss' logged beside it rises every epoch)
    const r = drive({ patience: 2 }, [1, 0.5, 0.6, 0.7, 0.8])
    expect(r.stoppedAt).toBe(3)
    expect(r.states.map((s) => s.wait)).toEqual([0, 0, 1, 2])
    expect(r.states.map((s) => s.best)).toEqual([1, 0.5, 0.5, 0.5])
    expect(r.lines).toEqual([])
  })

  it("'min': equal is no improvement, and an improvement must beat the best by more than |minDelta|", () => {
    expect(drive({ patience: 1 }, [1, 1]).stoppedAt).toBe(1)
    expect(drive({ patience: 1 }, [1, 0.99, 0.98]).stoppedAt).toBeUndefined()
    expect(drive({ patience: 1, minDelta: 0.1 }, [1, 0.95]).stoppedAt).toBe(1)
    expect(drive({ patience: 1, minDelta: -0.1 }, [1, 0.95]).stoppedAt).toBe(1)
    expect(drive({ patience: 1, minDelta: 0.1 }, [1, 0.85, 0.7]).stoppedAt).toBeUndefined()
  })

  it("'max': equal is no improvement, and an improvement must beat the best by more than |minDelta|", () => {
    expect(drive({ patience: 1, mode: 'max' }, [1, 1]).stoppedAt).toBe(1)
    expect(drive({ patience: 1, mode: 'max' }, [1, 1.01, 1.02]).stoppedAt).toBeUndefined()
    expect(drive({ patience: 1, mode: 'max', minDelta: 0.1 }, [1, 1.05]).stoppedAt).toBe(1)
    expect(drive({ patience: 1, mode: 'max', minDelta: 0.1 }, [1, 1.15, 1.3]).stoppedAt).toBeUndefined()
  })

  it("'auto' is 'max' for an accuracy (rising is improving) and 'min' for a loss", () => {
    expect(drive({ patience: 1, monitor: 'val_accuracy' }, [0.5, 0.6, 0.7], 'val_accuracy').stoppedAt).toBeUndefined()
    expect(drive({ patience: 1, monitor: 'val_accuracy', mode: 'auto' }, [0.7, 0.6], 'val_accuracy').stoppedAt).toBe(1)
    expect(drive({ patience: 1, monitor: 'val_accuracy', mode: 'min' }, [0.5, 0.6], 'val_accuracy').stoppedAt).toBe(1)
    expect(drive({ patience: 1, mode: 'auto' }, [0.5, 0.6]).stoppedAt).toBe(1)
  })

  it('a monitor missing from the logs: the Keras warning, and the epoch is not counted', () => {
    const r = drive({ patience: 0 }, [undefined, undefined, undefined])
    expect(r.stoppedAt).toBeUndefined()
    expect(r.decisions).toEqual([undefined, undefined, undefined])
    expect(r.states.map((s) => s.wait)).toEqual([0, 0, 0])
    expect(r.lines).toEqual(Array(3).fill('Early stopping conditioned on metric `val_loss` which is not available. Available metrics are: loss,mae\n'))
  })

  it('startFromEpoch: the epochs before it are not looked at', () => {
    // epochs 0 and 1 skipped; 3 at epoch 2 is the first best, 4 does not improve: stop at 3
    const r = drive({ patience: 1, startFromEpoch: 2 }, [1, 2, 3, 4])
    expect(r.decisions.slice(0, 2)).toEqual([undefined, undefined])
    expect(r.stoppedAt).toBe(3)
    expect(r.decision?.state?.best).toBe(3)
    expect(r.decision?.state?.bestEpoch).toBe(2)
  })

  it('never stops at epoch 0, even with patience reached (Keras: "only check after the first epoch")', () => {
    const r = drive({ patience: 0 }, [NaN, NaN])
    expect(r.decisions[0]?.stop).toBeUndefined()
    expect(r.states[0].wait).toBe(1)
    expect(r.stoppedAt).toBe(1)
    expect(drive({ patience: 1 }, [NaN, NaN]).stoppedAt).toBe(1)
  })

  it('restoreBestWeights when no epoch ever improves: the weights of the first epoch looked at are restored', () => {
    const [t0, t1] = [trainerOf(0.3), trainerOf(0.7)]
    const r = drive({ patience: 1, restoreBestWeights: true }, [NaN, NaN], 'val_loss', [t0, t1])
    expect(r.states[0].bestTrainer).toBe(t0)
    expect(r.stoppedAt).toBe(1)
    expect(r.decision?.trainer).toBeDefined()
    expect(weightsOf(r.decision?.trainer as Tr.Trainer)).toEqual(weightsOf(t0))
  })

  it('restoreBestWeights: the best epoch\'s weights, put into the trainer at the stop', () => {
    const ts = [0.2, 0.4, 0.6, 0.8].map(trainerOf)
    const r = drive({ patience: 2, restoreBestWeights: true }, [2, 1, 3, 4], 'val_loss', ts)
    expect(r.stoppedAt).toBe(3)
    expect(weightsOf(r.decision?.trainer as Tr.Trainer)).toEqual(weightsOf(ts[1]))
    expect(r.decision?.trainer?.step).toBe(ts[3].step)
    // without it, no trainer is given back
    expect(drive({ patience: 2 }, [2, 1, 3, 4], 'val_loss', ts).decision).toEqual({ state: expect.anything(), stop: true })
  })

  it('the state at the stop: wait, best, bestEpoch and stoppedEpoch (Keras: stopped_epoch)', () => {
    const r = drive({ patience: 2 }, [2, 1, 3, 4])
    expect(r.decision?.state).toEqual({ wait: 2, best: 1, bestEpoch: 1, bestTrainer: undefined, stoppedEpoch: 3 })
  })

  it('baseline: an epoch that improves on the best but not on the baseline still counts towards patience', () => {
    // each of 1, 0.9 improves on the best but not on 0.5: wait 1, 2; 0.95 does not improve: wait 3 ≥ 2, stop
    const r = drive({ patience: 2, baseline: 0.5 }, [1, 0.9, 0.95])
    expect(r.states.map((s) => s.wait)).toEqual([1, 2, 3])
    expect(r.stoppedAt).toBe(2)
    // beating the baseline resets the count
    const ok = drive({ patience: 2, baseline: 0.5 }, [0.4, 0.45, 0.46])
    expect(ok.states.map((s) => s.wait)).toEqual([0, 1, 2])
    expect(ok.stoppedAt).toBe(2)
    expect(drive({ patience: 2, baseline: 0.5 }, [0.4, 0.45]).stoppedAt).toBeUndefined()
  })

  it('verbose: the restore and, at the end of training, the stop are written (1-based epochs); nothing at verbose 0', () => {
    const ts = [0.2, 0.4, 0.6, 0.8].map(trainerOf)
    expect(drive({ patience: 2, verbose: 1, restoreBestWeights: true }, [2, 1, 3, 4], 'val_loss', ts).lines).toEqual([
      'Restoring model weights from the end of the best epoch: 2.\n',
      'Epoch 4: early stopping\n'
    ])
    expect(drive({ patience: 2, verbose: 1 }, [2, 1, 3]).lines).toEqual([])
    expect(drive({ patience: 2, verbose: 1 }, [2, 1, 3, 4], 'val_loss', ts).lines).toEqual(['Epoch 4: early stopping\n'])
    expect(drive({ patience: 2, verbose: 0, restoreBestWeights: true }, [2, 1, 3, 4], 'val_loss', ts).lines).toEqual([])
  })
})

describe('earlyStopping in a fit: its lines in Keras 2.15\'s order (bug fixed: "early stopping" came before the restore)', () => {
  it('the restore at the stopping epoch\'s end, then the other callbacks\' epoch end, then "Epoch N: early stopping" at the end of training', async () => {
    const { x, y } = regression(16, 3)
    const lines: string[] = []
    // the loss decreases every epoch, so in 'max' mode epoch 0 stays the best and patience 2 stops at epoch 2
    const es = earlyStopping({ monitor: 'loss', mode: 'max', patience: 2, restoreBestWeights: true, verbose: 1 })
    const seen = lambdaCallback({ onEpochEnd: (e) => void lines.push(`epochEnd ${e}\n`), onTrainEnd: () => void lines.push('trainEnd\n') })
    const r = await run(Tr.fit(t, x, y, { epochs: 10, batchSize: 8, verbose: 0, write: (s) => void lines.push(s), callbacks: [es, seen] }))
    expect(r.stopped).toBe('callback')
    expect(lines).toEqual(['epochEnd 0\n', 'epochEnd 1\n', 'Restoring model weights from the end of the best epoch: 1.\n', 'epochEnd 2\n', 'Epoch 3: early stopping\n', 'trainEnd\n'])
  })
})

describe('terminateOnNaN (Keras 2.15 TerminateOnNaN)', () => {
  const cb = terminateOnNaN()
  const batchEnd = (batchLogs: Logs) => {
    const lines: string[] = []
    const d = cb.onTrainBatchEnd?.(null, { epoch: 0, batch: 3, trainer: t, previous: t, info: infoWith(lines), logs: batchLogs, batchLogs })
    return { d, lines }
  }
  it('its name and state', () => {
    expect(cb.name).toBe('TerminateOnNaN')
    expect(cb.init(infoWith([]))).toBeNull()
  })
  it('a NaN or infinite loss stops and reverts the batch, with the Keras message; a finite loss or none does nothing', () => {
    for (const loss of [NaN, Infinity, -Infinity]) expect(batchEnd({ loss })).toEqual({ d: { stop: true, revert: true }, lines: ['Batch 3: Invalid loss, terminating training\n'] })
    expect(batchEnd({ loss: 1e30 })).toEqual({ d: undefined, lines: [] })
    // a custom step that logs no loss: nothing to judge (Keras: `if loss is not None`)
    expect(batchEnd({ mae: NaN })).toEqual({ d: undefined, lines: [] })
  })
})

describe('lambdaCallback (Keras 2.15 LambdaCallback)', () => {
  it('its name and state, and every hook of Keras accepted by name', () => {
    const cb = lambdaCallback({ onEpochBegin: () => undefined, onEpochEnd: () => undefined, onBatchBegin: () => undefined, onBatchEnd: () => undefined, onTrainBegin: () => undefined, onTrainEnd: () => undefined })
    expect(cb.name).toBe('LambdaCallback')
    expect(cb.init(infoWith([]))).toBeNull()
  })
  it('an unknown hook is named with the callback', () => {
    const e = errOf(() => lambdaCallback({ on_epoch_end: () => undefined } as never))
    expect(e.message).toBe("lambdaCallback: unknown option 'on_epoch_end' — did you mean 'onEpochEnd'? (allowed: 'onEpochBegin', 'onEpochEnd', 'onBatchBegin', 'onBatchEnd', 'onTrainBegin', 'onTrainEnd')")
    expect(e.data).toMatchObject({ _tag: 'InvalidOption', op: 'lambdaCallback', path: 'on_epoch_end', nearest: 'onEpochEnd' })
  })
  it('each hook is called in a fit with Keras\'s arguments ({} at the beginnings), awaited in order', async () => {
    const { x, y } = regression(16, 3)
    const seen: string[] = []
    const keys = (l: Logs) => Object.keys(l).join(',')
    const cb = lambdaCallback({
      onTrainBegin: (l) => void seen.push(`trainBegin {${keys(l)}}`),
      onEpochBegin: (e, l) => void seen.push(`epochBegin ${e} {${keys(l)}}`),
      onBatchBegin: async (b, l) => {
        await Promise.resolve()
        seen.push(`batchBegin ${b} {${keys(l)}}`)
      },
      onBatchEnd: (b, l) => void seen.push(`batchEnd ${b} {${keys(l)}}`),
      onEpochEnd: (e, l) => void seen.push(`epochEnd ${e} {${keys(l)}}`),
      onTrainEnd: (l) => void seen.push(`trainEnd {${keys(l)}}`)
    })
    await run(Tr.fit(t, x, y, { epochs: 2, batchSize: 8, verbose: 0, callbacks: [cb] }))
    const epoch = (e: number) => [`epochBegin ${e} {}`, 'batchBegin 0 {}', 'batchEnd 0 {loss}', 'batchBegin 1 {}', 'batchEnd 1 {loss}', `epochEnd ${e} {loss}`]
    expect(seen).toEqual(['trainBegin {}', ...epoch(0), ...epoch(1), 'trainEnd {loss}'])
  })
  it('with no argument at all it observes nothing, as Keras\'s LambdaCallback() (bug fixed: its first hook threw a TypeError)', async () => {
    const { x, y } = regression(16, 3)
    const r = await run(Tr.fit(t, x, y, { epochs: 2, batchSize: 8, verbose: 0, callbacks: [lambdaCallback()] }))
    expect(r.history.epoch).toEqual([0, 1])
  })
  it('hooks not given are skipped', async () => {
    const cb = lambdaCallback({})
    const ev = { epoch: 0, batch: 0, trainer: t, previous: t, info: infoWith([]), logs: { loss: 1 }, batchLogs: { loss: 1 } }
    for (const hook of ['onTrainBegin', 'onEpochBegin', 'onTrainBatchBegin', 'onTrainBatchEnd', 'onEpochEnd', 'onTrainEnd'] as const) {
      await expect(Promise.resolve((cb[hook] as (s: null, e: unknown) => unknown)(null, ev))).resolves.toBeUndefined()
    }
  })
})

describe('Callback.ts helpers', () => {
  it('isCallback: an object with a string name and an init function; a function carrying them is not one', () => {
    expect(isCallback({ name: 'c', init: () => null })).toBe(true)
    expect(isCallback(Object.assign(() => 1, { init: () => null }))).toBe(false)
    for (const u of [null, undefined, 'c', 3, { name: 'c' }, { name: 3, init: () => null }, { init: () => null }]) expect(isCallback(u)).toBe(false)
  })

  it("resolveMode: 'min' and 'max' as given; 'auto' is 'max' for accuracy/AUC/precision/recall/F-scores, 'min' otherwise", () => {
    expect(resolveMode('min', 'val_accuracy')).toBe('min')
    expect(resolveMode('max', 'loss')).toBe('max')
    for (const m of ['val_accuracy', 'acc', 'auc', 'val_precision', 'recall', 'fmeasure', 'F1']) expect(resolveMode('auto', m)).toBe('max')
    for (const m of ['loss', 'val_loss', 'mae']) expect(resolveMode('auto', m)).toBe('min')
  })

  it('checkOptions: no options at all is nothing to check', () => {
    expect(() => checkOptions('earlyStopping', undefined, ['patience'])).not.toThrow()
  })

  it('options that are not a record (null, a number, a string, an array) are InvalidOption, with the data', () => {
    for (const [o, shown] of [[null, 'null'], [5, '5'], ['patience', '"patience"'], [[], '[]'], [[3], '[3]']] as const) {
      const e = errOf(() => earlyStopping(o as never))
      expect(e.message).toBe(`earlyStopping: expected a record of options, received ${shown}`)
      expect(e.data).toMatchObject({ _tag: 'InvalidOption', op: 'earlyStopping', path: '', expected: 'a record of options', received: o })
    }
  })

  const allowed = ['monitor', 'minDelta', 'patience', 'verbose', 'mode', 'baseline', 'restoreBestWeights', 'startFromEpoch']
  const list = "(allowed: 'monitor', 'minDelta', 'patience', 'verbose', 'mode', 'baseline', 'restoreBestWeights', 'startFromEpoch')"

  it('an unknown option: the message and data name the option, the allowed ones and the nearest', () => {
    const e = errOf(() => earlyStopping({ patiense: 3 } as never))
    expect(e.message).toBe(`earlyStopping: unknown option 'patiense' — did you mean 'patience'? ${list}`)
    expect(e.data).toMatchObject({ _tag: 'InvalidOption', op: 'earlyStopping', path: 'patiense', expected: allowed.join(' | '), received: 'patiense', allowed, nearest: 'patience' })
  })

  it('a name far from every option gets no suggestion', () => {
    const e = errOf(() => earlyStopping({ zzzzzz: 1 } as never))
    expect(e.message).toBe(`earlyStopping: unknown option 'zzzzzz' ${list}`)
    expect(e.data).toMatchObject({ path: 'zzzzzz', nearest: undefined })
  })

  it('the suggestion reaches half the name\'s length as written (3 edits for 11 letters; separators count)', () => {
    expect(errOf(() => earlyStopping({ patienceXYZ: 1 } as never)).data).toMatchObject({ nearest: 'patience' })
    // 'm_x_y_z' is 3 edits from 'mode' once loosened to 'mxyz'; the cap counts its 7 characters (4), not 4 (2)
    expect(errOf(() => earlyStopping({ m_x_y_z: 1 } as never)).data).toMatchObject({ nearest: 'mode' })
  })
})
