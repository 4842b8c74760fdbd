import { describe, it, expect } from 'vitest'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { tensor, sequential, dense } from '../../src/index.js'
import * as Tr from '../../src/train/index.js'
import { tfError } from '../../src/core/errors.js'
import { foldPass, rangePass, type Pass } from '../../src/train/pass.js'
import { applyDecision, runHook, startRun, type HookOutcome } from '../../src/train/hooks.js'
import { prepareRun, batchTotals, concatTotals, emptyTotals, evalCore, logsOf } from '../../src/train/engine.js'
import { prepareArrays } from '../../src/train/data.js'
import { arrayBatch } from '../../src/train/batches.js'
import type { Callback } from '../../src/train/callbacks/Callback.js'
import { linearModel, regression, compiled, runLeft } from './helpers.js'

const listPass = <T>(items: ReadonlyArray<T>): Pass<T> => {
  let i = 0
  return { steps: items.length, next: async () => E.right(i < items.length ? items[i++] : undefined) }
}

describe('foldPass', () => {
  it('is a left fold over the items', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer()), async (xs) => {
        const r = await foldPass(listPass(xs), [] as number[], (acc, x) => E.right([...acc, x]))
        expect(r).toEqual(E.right(xs))
      })
    )
  })

  it('halt ends the fold before pulling the next item, with the accumulator it returns', async () => {
    const pulled: number[] = []
    const pass: Pass<number> = { steps: 5, next: async () => (pulled.push(pulled.length), E.right(pulled.length <= 5 ? pulled.length : undefined)) }
    const r = await foldPass(pass, 0, (n) => E.right(n + 1), (n) => (n === 2 ? -1 : undefined))
    expect(r).toEqual(E.right(-1))
    expect(pulled.length).toBe(2)
  })

  it('the first Left, from a step or from the pass, ends it', async () => {
    const seen: number[] = []
    const r = await foldPass(rangePass(0, 10), 0, (acc, i) => (seen.push(i), i === 3 ? E.left(tfError('InvalidArgument', 'three')) : E.right(acc + i)))
    expect(E.isLeft(r) && r.left.message).toBe('three')
    expect(seen).toEqual([0, 1, 2, 3])
    const bad: Pass<number> = { steps: undefined, next: async () => E.left(tfError('InvalidData', 'pull')) }
    const r2 = await foldPass(bad, 0, () => E.right(1))
    expect(E.isLeft(r2) && r2.left.message).toBe('pull')
  })

  it('rangePass gives from..to-1', async () => {
    expect(await foldPass(rangePass(2, 5), [] as number[], (a, i) => E.right([...a, i]))).toEqual(E.right([2, 3, 4]))
    expect(await foldPass(rangePass(5, 2), [] as number[], (a, i) => E.right([...a, i]))).toEqual(E.right([]))
  })
})

describe('applyDecision', () => {
  const t = compiled(linearModel(3), { optimizer: 'sgd', loss: 'mse' })
  const t2 = t.with({ step: 7 })
  const o0: HookOutcome = { run: { trainer: t, states: ['a', 'b'], stop: false, stopped: undefined }, revert: false, logs: {} }

  it('nothing changes nothing', () => {
    expect(applyDecision(o0, 0, undefined)).toBe(o0)
    expect(applyDecision(o0, 0, null)).toBe(o0)
    expect(applyDecision(o0, 1, {})).toEqual(o0)
  })

  it('sets the state of its own callback only, and the trainer', () => {
    const o = applyDecision(o0, 1, { state: 'B', trainer: t2 })
    expect(o.run.states).toEqual(['a', 'B'])
    expect(o.run.trainer).toBe(t2)
    expect(o0.run.states).toEqual(['a', 'b'])
    expect(applyDecision(o0, 0, { state: undefined }).run.states).toEqual([undefined, 'b'])
  })

  it('stop is sticky and records the callback as the reason once; revert and logs accumulate', () => {
    const o1 = applyDecision(o0, 0, { stop: true, logs: { a: 1 } })
    expect(o1.run).toMatchObject({ stop: true, stopped: 'callback' })
    const aborted: HookOutcome = { ...o0, run: { ...o0.run, stop: true, stopped: 'aborted' } }
    expect(applyDecision(aborted, 0, { stop: true }).run.stopped).toBe('aborted')
    const o2 = applyDecision(o1, 1, { stop: false, revert: true, logs: { a: 2, b: 3 } })
    expect(o2.run.stop).toBe(true)
    expect(o2.revert).toBe(true)
    expect(o2.logs).toEqual({ a: 2, b: 3 })
    expect(applyDecision(o2, 0, { revert: false }).revert).toBe(true)
  })

  it('runHook: each callback sees the trainer chosen by those before it, and its own state', async () => {
    const seen: Array<[unknown, number]> = []
    const cb = (name: string, next: number): Callback<string> => ({
      name,
      init: () => name,
      onEpochBegin: (s, ev) => {
        seen.push([s, ev.trainer.step])
        return { state: s + '!', trainer: ev.trainer.with({ step: next }) }
      }
    })
    const cbs = [cb('x', 1), cb('y', 2)] as ReadonlyArray<Callback>
    const info = { epochs: 1, initialEpoch: 0, steps: 1, verbose: 0 as const, metricsNames: [], doValidation: false, write: () => {} }
    const o = await runHook(cbs, startRun(t, cbs, info), 'onEpochBegin', (tr) => ({ epoch: 0, trainer: tr, info }))
    expect(seen).toEqual([['x', 0], ['y', 1]])
    expect(o.run.states).toEqual(['x!', 'y!'])
    expect(o.run.trainer.step).toBe(2)
  })
})

describe('concatTotals', () => {
  it('totals of two parts concatenated equal the totals of the whole (the metric monoid)', () => {
    const { x, y } = regression(20, 4)
    const t0 = compiled(linearModel(3), { optimizer: 'sgd', loss: 'mse', metrics: ['mae', 'mse'] })
    const d = prepareArrays(x, y, undefined, { op: 'test', inputNames: ['x'], outputNames: ['y'], inputShapes: [] })
    if (E.isLeft(d)) throw new Error(d.left.message)
    const whole = arrayBatch(d.right, 0, 20)
    const p = prepareRun(t0, whole, 'test')
    if (E.isLeft(p)) throw new Error(p.left.message)
    const [t, metrics] = p.right
    const tot = (b: ReturnType<typeof arrayBatch>) => batchTotals(metrics, 1, b, evalCore(t, b))
    const all = logsOf(t, tot(whole), metrics)
    for (const k of [1, 7, 13]) {
      const parts = logsOf(t, concatTotals(metrics, tot(arrayBatch(d.right, 0, k)), tot(arrayBatch(d.right, k, 20))), metrics)
      for (const name of Object.keys(all)) expect(parts[name]).toBeCloseTo(all[name], 5)
    }
    // the empty totals are a unit
    const e = emptyTotals(metrics, 1)
    expect(logsOf(t, concatTotals(metrics, e, tot(whole)), metrics)).toEqual(all)
  })
})

describe('streams', () => {
  it('a later batch whose features differ from the first batch is a clear ShapeMismatch', async () => {
    // a model without an input shape is built for the first batch
    const t = compiled(sequential([dense(2), dense(1)]), { optimizer: 'sgd', loss: 'mse' })
    const batches = [
      [tensor([[1, 2, 3]]), tensor([[1]])],
      [tensor([[1, 2]]), tensor([[1]])]
    ]
    const e = await runLeft(Tr.evaluate(t, batches.values(), undefined, { verbose: 0 }))
    expect(e._tag).toBe('ShapeMismatch')
    expect(e.message).toMatch(/batch 1/)
    const f = await runLeft(Tr.fit(t, batches.values(), undefined, { verbose: 0 }))
    expect(f._tag).toBe('ShapeMismatch')
  })
})
