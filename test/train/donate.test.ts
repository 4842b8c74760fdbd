import { describe, it, expect, afterEach } from 'vitest'
import { dataSync, randomNormal, key, Tree, sequential, dense, setBackend, getBackend } from '../../src/index.js'
import * as Tr from '../../src/train/index.js'
import { setDonation, donationStats, watchTrainers, trainerRead } from '../../src/train/donate.js'
import type { Callback } from '../../src/train/callbacks/Callback.js'
import { compiled, run } from './helpers.js'

/** Every array of a trainer's state, as numbers (parameters and optimizer slots). */
const stateOf = (t: Tr.Trainer): number[][] => [...Tree.leaves(t.params), ...Tree.leaves(t.optState ?? {})].map((l) => Array.from(dataSync(l)))

/** A model whose arrays are large enough for webasm kernels (the backend only reuses arrays it made). */
const setup = (stepsPerExecution = 1): { readonly t: Tr.Trainer; readonly x: ReturnType<typeof randomNormal>; readonly y: ReturnType<typeof randomNormal> } => {
  const x = randomNormal(key(1), [96, 20])
  const y = randomNormal(key(2), [96, 8])
  const m = sequential([dense(32, { inputShape: [20], activation: 'relu' }), dense(8)], { seed: 4 })
  return { t: compiled(m, { optimizer: 'adam', loss: 'mse', seed: 7, stepsPerExecution }), x, y }
}

/**
 * Fit `t` twice with `options`, giving state back and not: both results and how many trainers the first
 * gave back. The trainers must come out bit for bit the same.
 */
const onAndOff = async (t: Tr.Trainer, x: unknown, y: unknown, options: Tr.FitOptions) => {
  const before = donationStats.trainers
  const on = await run(Tr.fit(t, x, y, { shuffle: true, verbose: 0, ...options }))
  const given = donationStats.trainers - before
  setDonation(false)
  const off = await run(Tr.fit(t, x, y, { shuffle: true, verbose: 0, ...options }))
  setDonation(true)
  expect(stateOf(on.trainer)).toEqual(stateOf(off.trainer))
  expect(on.history.history.loss).toEqual(off.history.history.loss)
  return { on, given }
}

const previous = getBackend()
afterEach(() => setDonation(true))

describe("a compiled fit gives superseded state back for reuse (donate.ts)", () => {
  it('marks a trainer read when a hook reads it from an event; the event keeps its keys and values', () => {
    const a = {} as Tr.Trainer
    const b = {} as Tr.Trainer
    const ev = watchTrainers({ epoch: 0, trainer: a, previous: b, logs: {} })
    expect(Object.keys(ev)).toEqual(['epoch', 'trainer', 'previous', 'logs'])
    expect(trainerRead(a)).toBe(false)
    expect(ev.trainer).toBe(a)
    expect(trainerRead(a)).toBe(true)
    expect(trainerRead(b)).toBe(false)
    const { previous } = ev
    expect(previous).toBe(b)
    expect(trainerRead(b)).toBe(true)
    // an event that cannot take a getter: its trainer counts as read at once
    const c = {} as Tr.Trainer
    const frozen = watchTrainers(Object.freeze({ trainer: c }))
    expect(trainerRead(c)).toBe(true)
    expect(frozen.trainer).toBe(c)
  })

  it('gives back the state of every trainer no hook read, and trains bit for bit as without it', async () => {
    setBackend('webasm')
    const { t, x, y } = setup()
    const arrays = donationStats.arrays
    const { given } = await onAndOff(t, x, y, { epochs: 2, batchSize: 16 })
    // 12 steps: each but the last two trainers' state was given back
    expect(given).toBe(11)
    expect(donationStats.arrays).toBeGreaterThan(arrays)
    setBackend(previous)
  })

  it('never gives back a trainer a hook read (as `trainer` or as `previous`): the kept ones keep their values', async () => {
    setBackend('webasm')
    const { t, x, y } = setup()
    const kept: Array<readonly [Tr.Trainer, number[][]]> = []
    const keeper: Callback<null> = {
      name: 'keeper',
      init: () => null,
      onTrainBatchEnd(_s, ev) {
        // every third batch: the trainer after it; every fifth: the one before it
        if (ev.batch % 3 === 0) kept.push([ev.trainer, stateOf(ev.trainer)])
        if (ev.batch % 5 === 1) kept.push([ev.previous, stateOf(ev.previous)])
      }
    }
    const before = donationStats.trainers
    const r = await run(Tr.fit(t, x, y, { epochs: 3, batchSize: 16, shuffle: true, verbose: 0, callbacks: [keeper] }))
    expect(kept.length).toBeGreaterThan(6)
    // the others were given back, and the steps after reused their arrays
    expect(donationStats.trainers - before).toBeGreaterThan(4)
    for (const [trainer, values] of kept) expect(stateOf(trainer)).toEqual(values)
    setDonation(false)
    const off = await run(Tr.fit(t, x, y, { epochs: 3, batchSize: 16, shuffle: true, verbose: 0 }))
    expect(stateOf(r.trainer)).toEqual(stateOf(off.trainer))
    setBackend(previous)
  })

  it('trains bit for bit as without it with several steps per execution, and with a callback that undoes batches', async () => {
    setBackend('webasm')
    // undoes every third batch without reading a trainer: the one before it goes on, and must be intact
    const undo: Callback<null> = { name: 'undo', init: () => null, onTrainBatchEnd: (_s, ev) => (ev.batch % 3 === 2 ? { revert: true } : undefined) }
    for (const [steps, options] of [[3, {}], [1, { callbacks: [undo] }]] as const) {
      const { t, x, y } = setup(steps)
      const { given } = await onAndOff(t, x, y, { epochs: 2, batchSize: 16, ...options })
      expect(given).toBeGreaterThan(0)
    }
    setBackend(previous)
  })

  it('never gives back the trainer fit started from, nor one an earlier fit returned', async () => {
    setBackend('webasm')
    const { t, x, y } = setup()
    const start = stateOf(t)
    const first = await run(Tr.fit(t, x, y, { epochs: 1, batchSize: 16, verbose: 0 }))
    const firstValues = stateOf(first.trainer)
    await run(Tr.fit(first.trainer, x, y, { epochs: 2, batchSize: 16, verbose: 0 }))
    expect(stateOf(t)).toEqual(start)
    expect(stateOf(first.trainer)).toEqual(firstValues)
    setBackend(previous)
  })
})
