/**
 * Tests that kill StrykerJS mutants of `src/train/callbacks/schedules.ts` and
 * `src/train/callbacks/progbarLogger.ts` which survived `test/train` (issue 9; docs/laws.md, "Mutation
 * testing", group g5). The learning-rate callbacks are driven hook by hook with a real trainer, so each
 * epoch's decision is visible: ReduceLROnPlateau as Keras 2.15 defines it (keras/callbacks.py
 * `ReduceLROnPlateau.on_epoch_end`: `min_delta` strictly, `patience` counted with `>=`, the
 * cooldown, `min_lr`), LearningRateScheduler's verbose line and its check of the schedule's value;
 * ProgbarLogger at verbose 0 (silent, no bar) and where it opens a notebook display entry.
 */
import { describe, it, expect } from 'vitest'
import { TensorfoldError } from '../../src/index.js'
import * as Tr from '../../src/train/index.js'
import type { Callback, Decision, FitInfo } from '../../src/train/callbacks/Callback.js'
import { orThrow } from '../../src/core/errors.js'
import { linearModel, regression, compiled, run } from './helpers.js'

const { learningRateScheduler, reduceLROnPlateau, progbarLogger } = Tr.Callbacks

const infoOf = (write: (s: string) => void = () => undefined, verbose: 0 | 1 | 2 = 0): FitInfo => ({
  epochs: 3,
  initialEpoch: 0,
  steps: 2,
  verbose,
  metricsNames: ['loss'],
  doValidation: false,
  write
})

/** An SGD trainer whose learning rate is `lr` (float32). */
const trainerAt = (lr: number): Tr.Trainer => orThrow(compiled(linearModel(3), { optimizer: 'sgd', loss: 'mse' }).withLearningRate(lr))

const thrown = (f: () => unknown): Error => {
  try {
    f()
  } catch (e) {
    return e as Error
  }
  throw new Error('expected a throw')
}

interface Epoch<S> {
  /** the `learning_rate` the epoch logged */
  readonly logged: number | undefined
  /** the learning rate after the epoch */
  readonly lr: number | undefined
  readonly state: S
}

/** Run `cb.onEpochEnd` over one monitored value per epoch (undefined: the key is missing). */
const drive = <S>(cb: Callback<S>, values: ReadonlyArray<number | undefined>, o: { monitor?: string; lr?: number; write?: (s: string) => void } = {}): ReadonlyArray<Epoch<S>> => {
  const info = infoOf(o.write)
  let state = cb.init(info)
  let trainer = trainerAt(o.lr ?? 1)
  return values.map((v, epoch) => {
    const logs = v === undefined ? { loss: 3, mae: 4 } : { [o.monitor ?? 'val_loss']: v }
    const d = cb.onEpochEnd!(state, { epoch, logs, trainer, info }) as Decision<S>
    if (d.state !== undefined) state = d.state
    if (d.trainer !== undefined) trainer = d.trainer
    return { logged: d.logs?.learning_rate, lr: trainer.learningRate, state }
  })
}
const lrs = <S>(es: ReadonlyArray<Epoch<S>>): ReadonlyArray<number | undefined> => es.map((e) => e.lr)

describe('reduceLROnPlateau (Keras 2.15 ReduceLROnPlateau)', () => {
  it('its name, its first state (best = +Infinity in min mode, -Infinity in max mode) and every Keras option accepted', () => {
    const all = { monitor: 'loss', factor: 0.5, patience: 2, verbose: 1, mode: 'min', minDelta: 0.1, cooldown: 1, minLr: 0.01 } as const
    const cb = reduceLROnPlateau(all)
    expect(cb.name).toBe('ReduceLROnPlateau')
    expect(cb.init(infoOf())).toEqual({ wait: 0, best: Infinity, cooldownCounter: 0 })
    expect(reduceLROnPlateau({ ...all, mode: 'max' }).init(infoOf())).toEqual({ wait: 0, best: -Infinity, cooldownCounter: 0 })
    // 'auto' by default: max for an accuracy (Keras: 'acc' in the name), min otherwise
    expect(reduceLROnPlateau({ monitor: 'val_accuracy' }).init(infoOf()).best).toBe(-Infinity)
    expect(reduceLROnPlateau({ monitor: 'val_loss' }).init(infoOf()).best).toBe(Infinity)
    const e = thrown(() => reduceLROnPlateau({ minLR: 0.1 } as never)) as TensorfoldError
    expect(e._tag).toBe('InvalidOption')
    expect(e.data).toMatchObject({ op: 'reduceLROnPlateau', path: 'minLR', expected: 'monitor | factor | patience | verbose | mode | minDelta | cooldown | minLr' })
    expect(e.message).toBe(
      "reduceLROnPlateau: unknown option 'minLR' — did you mean 'minLr'? (allowed: 'monitor', 'factor', 'patience', 'verbose', 'mode', 'minDelta', 'cooldown', 'minLr')"
    )
  })

  it('factor must be below 1 (Keras: a factor >= 1.0 is a ValueError); just below 1 is fine', () => {
    const e = thrown(() => reduceLROnPlateau({ factor: 1 }))
    expect(e).toBeInstanceOf(RangeError)
    expect(e.message).toBe('reduceLROnPlateau: factor must be below 1, received 1')
    expect(() => reduceLROnPlateau({ factor: 0.99 })).not.toThrow()
    expect(() => reduceLROnPlateau()).not.toThrow()
  })

  it("monitors 'val_loss' by default; patience counts epochs without improvement with >=, then wait starts again", () => {
    const es = drive(reduceLROnPlateau({ patience: 2, factor: 0.5, minDelta: 0 }), [1, 1, 1, 1, 1])
    expect(lrs(es)).toEqual([1, 1, 0.5, 0.5, 0.25])
    // the epoch's log holds the rate it ran with (Keras logs it before reducing)
    expect(es.map((e) => e.logged)).toEqual([1, 1, 1, 0.5, 0.5])
    expect(es.map((e) => e.state.wait)).toEqual([0, 1, 0, 1, 0])
    expect(es.map((e) => e.state.best)).toEqual([1, 1, 1, 1, 1])
  })

  it('min mode: an improvement is a fall by more than minDelta (strictly)', () => {
    const o = { monitor: 'loss', mode: 'min', patience: 1, factor: 0.5, minDelta: 0.5 } as const
    // 0.5 is not below 1 - 0.5: no improvement, so the rate falls at once
    expect(lrs(drive(reduceLROnPlateau(o), [1, 0.5], { monitor: 'loss' }))).toEqual([1, 0.5])
    // 0.4 is: it becomes the best; 0.5 then is no improvement on it
    const es = drive(reduceLROnPlateau(o), [1, 0.4, 0.5], { monitor: 'loss' })
    expect(lrs(es)).toEqual([1, 1, 0.5])
    expect(es.map((e) => e.state.best)).toEqual([1, 0.4, 0.4])
  })

  it('max mode: an improvement is a rise by more than minDelta (strictly)', () => {
    const o = { monitor: 'acc', mode: 'max', patience: 1, factor: 0.5, minDelta: 0.5 } as const
    expect(lrs(drive(reduceLROnPlateau(o), [1, 1.5], { monitor: 'acc' }))).toEqual([1, 0.5])
    expect(lrs(drive(reduceLROnPlateau(o), [1, 1.2], { monitor: 'acc' }))).toEqual([1, 0.5])
    const es = drive(reduceLROnPlateau(o), [1, 1.6, 1.5], { monitor: 'acc' })
    expect(lrs(es)).toEqual([1, 1, 0.5])
    expect(es.map((e) => e.state.best)).toEqual([1, 1.6, 1.6])
  })

  it("mode 'auto' (the default) is max for an accuracy", () => {
    expect(lrs(drive(reduceLROnPlateau({ monitor: 'accuracy', patience: 1, factor: 0.5, minDelta: 0 }), [0.5, 0.6, 0.7], { monitor: 'accuracy' }))).toEqual([1, 1, 1])
  })

  it('minLr: the rate never goes below it; once there, no more reductions (wait keeps counting, no line)', () => {
    const out: string[] = []
    const es = drive(reduceLROnPlateau({ patience: 1, factor: 0.5, minDelta: 0, minLr: 0.375, verbose: 1 }), [1, 1, 1, 1, 1], { write: (s) => out.push(s) })
    expect(lrs(es)).toEqual([1, 0.5, 0.375, 0.375, 0.375])
    expect(es.map((e) => e.state.wait)).toEqual([0, 0, 0, 1, 2])
    expect(out).toEqual(['\nEpoch 2: ReduceLROnPlateau reducing learning rate to 0.5.\n', '\nEpoch 3: ReduceLROnPlateau reducing learning rate to 0.375.\n'])
  })

  it('cooldown as Keras 2.15 counts it: in_cooldown() is asked again after the decrement, so the epoch that ends the cooldown already counts', () => {
    const flat = [1, 1, 1, 1, 1, 1]
    const two = drive(reduceLROnPlateau({ patience: 1, factor: 0.5, minDelta: 0, cooldown: 2 }), flat)
    expect(lrs(two)).toEqual([1, 0.5, 0.5, 0.25, 0.25, 0.125])
    expect(two.map((e) => e.state.cooldownCounter)).toEqual([0, 2, 1, 2, 1, 2])
    // cooldown 1 never holds a reduction back (patience 1: one every epoch, as with no cooldown)
    expect(lrs(drive(reduceLROnPlateau({ patience: 1, factor: 0.5, minDelta: 0, cooldown: 1 }), flat.slice(0, 4)))).toEqual([1, 0.5, 0.25, 0.125])
    // an improvement during the cooldown becomes the best
    const three = drive(reduceLROnPlateau({ patience: 1, factor: 0.5, minDelta: 0, cooldown: 3 }), [1, 1, 0.5, 0.5, 0.5, 0.5])
    expect(lrs(three)).toEqual([1, 0.5, 0.5, 0.5, 0.25, 0.25])
    expect(three.map((e) => e.state.best)).toEqual([1, 1, 0.5, 0.5, 0.5, 0.5])
    expect(three.map((e) => e.state.cooldownCounter)).toEqual([0, 3, 2, 1, 3, 2])
  })

  it('minLr is compared in float32, as Keras 2.15 compares old_lr > np.float32(min_lr): a rate at a minLr not exact in float32 is not reduced again', () => {
    const out: string[] = []
    const es = drive(reduceLROnPlateau({ patience: 1, factor: 0.5, minDelta: 0, minLr: 0.1, cooldown: 2, verbose: 1 }), [1, 1, 1, 1, 1, 1], { lr: 0.2, write: (s) => out.push(s) })
    expect(lrs(es)).toEqual([Math.fround(0.2), Math.fround(0.1), Math.fround(0.1), Math.fround(0.1), Math.fround(0.1), Math.fround(0.1)])
    expect(out.length).toBe(1)
    expect(es.map((e) => [e.state.wait, e.state.cooldownCounter])).toEqual([[0, 0], [0, 2], [0, 1], [1, 0], [2, 0], [3, 0]])
  })

  it('a missing monitor: a line naming it and the logs there are, the rate logged, nothing else changes', () => {
    const out: string[] = []
    const cb = reduceLROnPlateau({ patience: 1, factor: 0.5 })
    const es = drive(cb, [undefined, undefined], { write: (s) => out.push(s), lr: 0.5 })
    expect(out).toEqual([
      'Learning rate reduction is conditioned on metric `val_loss` which is not available. Available metrics are: loss,mae.\n',
      'Learning rate reduction is conditioned on metric `val_loss` which is not available. Available metrics are: loss,mae.\n'
    ])
    expect(es.map((e) => e.logged)).toEqual([0.5, 0.5])
    expect(lrs(es)).toEqual([0.5, 0.5])
    expect(es.map((e) => e.state)).toEqual([cb.init(infoOf()), cb.init(infoOf())])
  })

  it('verbose: one line per reduction, with the 1-based epoch; nothing when not verbose', () => {
    const out: string[] = []
    drive(reduceLROnPlateau({ patience: 1, factor: 0.5, minDelta: 0, verbose: 1 }), [1, 1, 1], { write: (s) => out.push(s) })
    expect(out).toEqual(['\nEpoch 2: ReduceLROnPlateau reducing learning rate to 0.5.\n', '\nEpoch 3: ReduceLROnPlateau reducing learning rate to 0.25.\n'])
    const quiet: string[] = []
    drive(reduceLROnPlateau({ patience: 1, factor: 0.5, minDelta: 0 }), [1, 1, 1], { write: (s) => quiet.push(s) })
    expect(quiet).toEqual([])
  })

  it('through fit: the learning_rate of every epoch in the history', async () => {
    const { x, y } = regression(16, 5)
    const t = compiled(linearModel(3), { optimizer: 'sgd', loss: 'mse' })
    const r = await run(Tr.fit(t, x, y, { epochs: 3, batchSize: 8, verbose: 0, callbacks: [reduceLROnPlateau({ monitor: 'loss', mode: 'max', patience: 1, factor: 0.5 })] }))
    expect(r.history.history.learning_rate.map((v) => Math.round(v * 1e8) / 1e8)).toEqual([0.01, 0.01, 0.005])
  })
})

describe('learningRateScheduler', () => {
  // made inside each test, so that StrykerJS's mutant of `init` is active when it is made
  const scheduler = () => learningRateScheduler((epoch, lr) => lr / (epoch + 2))
  const begin = (c: Callback<null>, epoch: number, t: Tr.Trainer, write?: (s: string) => void): Tr.Trainer | undefined =>
    (c.onEpochBegin!(null, { epoch, trainer: t, info: infoOf(write) }) as Decision<null> | undefined)?.trainer

  it('its name, its null state, and its verbose option accepted', () => {
    const cb = scheduler()
    expect(cb.name).toBe('LearningRateScheduler')
    expect(cb.init(infoOf())).toBeNull()
    expect(learningRateScheduler((_e, lr) => lr, { verbose: 1 }).name).toBe('LearningRateScheduler')
    const e = thrown(() => learningRateScheduler((_e, lr) => lr, { verbos: 1 } as never)) as TensorfoldError
    expect(e.data).toMatchObject({ op: 'learningRateScheduler', path: 'verbos', expected: 'verbose' })
    expect(e.message).toBe("learningRateScheduler: unknown option 'verbos' — did you mean 'verbose'? (allowed: 'verbose')")
  })

  it('sets schedule(epoch, lr) at the epoch start and logs the rate at its end', () => {
    const cb = scheduler()
    const t = begin(cb, 1, trainerAt(1.5))
    expect(t?.learningRate).toBe(0.5)
    expect(cb.onEpochEnd!(null, { epoch: 1, logs: {}, trainer: t!, info: infoOf() })).toEqual({ logs: { learning_rate: 0.5 } })
  })

  it('verbose 1 writes the new rate with the 1-based epoch; verbose 0 writes nothing', () => {
    const out: string[] = []
    begin(learningRateScheduler(() => 0.25, { verbose: 1 }), 2, trainerAt(1), (s) => out.push(s))
    expect(out).toEqual(['\nEpoch 3: LearningRateScheduler setting learning rate to 0.25.\n'])
    const quiet: string[] = []
    begin(learningRateScheduler(() => 0.25, { verbose: 0 }), 2, trainerAt(1), (s) => quiet.push(s))
    begin(learningRateScheduler(() => 0.25), 2, trainerAt(1), (s) => quiet.push(s))
    expect(quiet).toEqual([])
  })

  it('a schedule returning NaN, an infinity or a non-number is a TypeError naming the value and the epoch', () => {
    for (const [v, shown] of [[NaN, 'NaN'], [Infinity, 'Infinity'], ['0.1', '0.1'], [undefined, 'undefined']] as const) {
      const e = thrown(() => begin(learningRateScheduler(() => v as never), 4, trainerAt(1)))
      expect(e).toBeInstanceOf(TypeError)
      expect(e.message).toBe(`learningRateScheduler: the schedule must return a finite number, returned ${shown} at epoch 4`)
    }
  })

  it('an optimizer without a learning rate: NoLearningRate naming learningRateScheduler, at the start and at the end of an epoch', () => {
    const plain = compiled(linearModel(3), { loss: 'mse', optimizer: { init: () => ({}), update: (g: never, s: never) => [g, s] } as never })
    const cb = scheduler()
    for (const f of [() => begin(cb, 0, plain), () => cb.onEpochEnd!(null, { epoch: 0, logs: {}, trainer: plain, info: infoOf() })]) {
      const e = thrown(f) as TensorfoldError
      expect(e._tag).toBe('NoLearningRate')
      expect(e.data).toMatchObject({ op: 'learningRateScheduler' })
    }
    const r = thrown(() => reduceLROnPlateau().onEpochEnd!({ wait: 0, best: Infinity, cooldownCounter: 0 }, { epoch: 0, logs: {}, trainer: plain, info: infoOf() })) as TensorfoldError
    expect(r._tag).toBe('NoLearningRate')
    expect(r.data).toMatchObject({ op: 'reduceLROnPlateau' })
  })
})

describe('progbarLogger', () => {
  it('its name, its first state, every option accepted; an unknown one named', () => {
    const cb = progbarLogger({ interactive: false, intervalMs: 0, now: () => 0, display: false })
    expect(cb.name).toBe('ProgbarLogger')
    expect(cb.init(infoOf())).toEqual({ bar: undefined, seen: 0 })
    const e = thrown(() => progbarLogger({ intervalMS: 0 } as never)) as TensorfoldError
    expect(e.data).toMatchObject({ op: 'progbarLogger', path: 'intervalMS', expected: 'interactive | intervalMs | now | display' })
  })

  it('at verbose 0 it writes nothing and keeps no bar, batch after batch', () => {
    const out: string[] = []
    const info = infoOf((s) => out.push(s), 0)
    const cb = progbarLogger({ interactive: false })
    let s = cb.init(info)
    const b = cb.onEpochBegin!(s, { epoch: 0, trainer: undefined as never, info }) as Decision<Tr.Callbacks.ProgbarState> | undefined
    if (b?.state) s = b.state
    expect(s.bar).toBeUndefined()
    const d = cb.onTrainBatchEnd!(s, { epoch: 0, batch: 0, logs: { loss: 1 }, batchLogs: {}, trainer: undefined as never, previous: undefined as never, info }) as Decision<Tr.Callbacks.ProgbarState>
    expect(d.state).toEqual({ bar: undefined, seen: 1 })
    expect(cb.onEpochEnd!(d.state!, { epoch: 0, logs: { loss: 1 }, trainer: undefined as never, info })).toEqual({ state: { bar: undefined, seen: 0 } })
    expect(out).toEqual([])
  })

  it('through fit at verbose 0 with a progbarLogger: nothing written', async () => {
    const { x, y } = regression(16, 3)
    const out: string[] = []
    await run(Tr.fit(compiled(linearModel(3), { optimizer: 'sgd', loss: 'mse' }), x, y, { epochs: 2, batchSize: 8, verbose: 0, write: (s) => void out.push(s), callbacks: [progbarLogger({ interactive: false })] }))
    expect(out).toEqual([])
  })

  it('the epoch end drops the bar; `now` times the bar', () => {
    const out: string[] = []
    const info = infoOf((s) => out.push(s), 1)
    let t = 0
    const cb = progbarLogger({ interactive: false, now: () => t })
    const b = cb.onEpochBegin!(cb.init(info), { epoch: 0, trainer: undefined as never, info }) as Decision<Tr.Callbacks.ProgbarState>
    expect(b.state?.bar).toBeDefined()
    t = 4000
    const d = cb.onTrainBatchEnd!(b.state!, { epoch: 0, batch: 1, logs: { loss: 1 }, batchLogs: {}, trainer: undefined as never, previous: undefined as never, info }) as Decision<Tr.Callbacks.ProgbarState>
    expect(cb.onEpochEnd!(d.state!, { epoch: 0, logs: { loss: 1 }, trainer: undefined as never, info })).toEqual({ state: { bar: undefined, seen: 0 } })
    expect(out).toEqual(['Epoch 1/3\n', `2/2 [${'='.repeat(30)}] - 4s 2s/step - loss: 1.0000\n`])
  })

  it('at verbose 1, interactive, a batch end draws the count of batches done (batch + 1)', () => {
    const out: string[] = []
    const info = infoOf((s) => out.push(s), 1)
    const cb = progbarLogger({ interactive: true, display: false, intervalMs: 0, now: () => 0 })
    const b = cb.onEpochBegin!(cb.init(info), { epoch: 0, trainer: undefined as never, info }) as Decision<Tr.Callbacks.ProgbarState>
    cb.onTrainBatchEnd!(b.state!, { epoch: 0, batch: 0, logs: { loss: 1 }, batchLogs: {}, trainer: undefined as never, previous: undefined as never, info })
    expect(out[0]).toBe('Epoch 1/3\n')
    expect(out[1]).toMatch(/^\r1\/2 \[/)
  })

  it('a display entry only at verbose 1 and interactive: otherwise the title goes to write and the factory is not called', () => {
    for (const [verbose, interactive] of [[2, true], [1, false]] as const) {
      const out: string[] = []
      let made = 0
      const info = infoOf((s) => out.push(s), verbose)
      const cb = progbarLogger({ interactive, display: () => (made++, { text: () => undefined }) })
      cb.onEpochBegin!(cb.init(info), { epoch: 1, trainer: undefined as never, info })
      expect(made).toBe(0)
      expect(out).toEqual(['Epoch 2/3\n'])
    }
  })
})
