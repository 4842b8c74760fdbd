/**
 * Tests that kill StrykerJS mutants of `src/train/hooks.ts` which survived `test/train` (issue 9 item 7;
 * docs/laws.md, "Mutation testing", group g2): what a hook may answer (`decisionProblem`), how `runHook`
 * reports a hook that throws, and `observe` outside training.
 */
import { describe, it, expect } from 'vitest'
import { TensorfoldError, tfError } from '../../src/core/errors.js'
import type { Callback, FitInfo } from '../../src/train/callbacks/Callback.js'
import { decisionProblem, runHook, startRun, observe, type Hooked } from '../../src/train/hooks.js'
import { linearModel, compiled } from './helpers.js'

const t = compiled(linearModel(3), { optimizer: 'sgd', loss: 'mse' })
const info: FitInfo = { epochs: 1, initialEpoch: 0, steps: 1, verbose: 0, metricsNames: ['loss'], doValidation: false, write: () => undefined }
const thrown = async (p: Promise<unknown>): Promise<TensorfoldError> => {
  try {
    await p
  } catch (e) {
    if (e instanceof TensorfoldError) return e
    throw new Error(`expected a TensorfoldError, got ${String(e)}`)
  }
  throw new Error('expected a throw')
}

describe('decisionProblem: what a hook may answer', () => {
  it('nothing, or a record of the known keys with values of the right kind', () => {
    for (const d of [undefined, null, {}, { stop: false, revert: true, state: 3, logs: { a: 1 }, trainer: t }, { logs: {} }]) expect(decisionProblem(d)).toBeUndefined()
  })
  it('not a record: a number, a string, an array', () => {
    expect(decisionProblem(42)).toBe('it returned 42, not a decision object')
    expect(decisionProblem('stop')).toBe('it returned "stop", not a decision object')
    expect(decisionProblem([{ stop: true }])).toBe('it returned [{stop}], not a decision object')
    expect(decisionProblem([])).toBe('it returned [], not a decision object')
  })
  it('an unknown key, named', () => {
    expect(decisionProblem({ stop: true, stopp: true })).toBe("it returned the unknown key 'stopp'")
  })
  it('stop and revert must be booleans', () => {
    expect(decisionProblem({ stop: 'yes' })).toBe('its stop is "yes", not a boolean')
    expect(decisionProblem({ revert: 1 })).toBe('its revert is 1, not a boolean')
    expect(decisionProblem({ revert: null })).toBe('its revert is null, not a boolean')
  })
  it('trainer must be a Trainer: null, a number, a record without the tag or with another tag are not', () => {
    expect(decisionProblem({ trainer: null })).toBe('its trainer is null, not a Trainer')
    expect(decisionProblem({ trainer: 3 })).toBe('its trainer is 3, not a Trainer')
    expect(decisionProblem({ trainer: { weights: [] } })).toBe('its trainer is {weights}, not a Trainer')
    expect(decisionProblem({ trainer: { _tag: 'Model' } })).toBe('its trainer is {_tag}, not a Trainer')
    // a function that carries the tag is still not one
    expect(decisionProblem({ trainer: Object.assign(() => 1, { _tag: 'Trainer' }) })).toBe('its trainer is function (anonymous), not a Trainer')
  })
  it('logs must be a record of numbers: null, a string, an array, a record with a string are not', () => {
    expect(decisionProblem({ logs: null })).toBe('its logs are null, not a record of numbers')
    expect(decisionProblem({ logs: 'high' })).toBe('its logs are "high", not a record of numbers')
    expect(decisionProblem({ logs: 5 })).toBe('its logs are 5, not a record of numbers')
    expect(decisionProblem({ logs: [1, 2] })).toBe('its logs are [1, 2], not a record of numbers')
    expect(decisionProblem({ logs: { a: 1, b: '2' } })).toBe('its logs are {a, b}, not a record of numbers')
  })
})

describe('runHook: a hook that throws or answers nonsense', () => {
  const run = (cbs: ReadonlyArray<Callback>) => runHook(cbs, startRun(t, cbs, info), 'onEpochBegin', (tr) => ({ epoch: 0, trainer: tr, info }))
  it('a throw is a CallbackError naming the callback (callbacks[i] when it has no name) and the hook, with the cause', async () => {
    const cause = new Error('kaboom')
    const quiet: Callback<null> = { name: 'quiet', init: () => null }
    const unnamed = {
      init: () => null,
      onEpochBegin: () => {
        throw cause
      }
    } as unknown as Callback
    const e = await thrown(run([quiet, unnamed]))
    expect(e.data).toMatchObject({ _tag: 'CallbackError', callback: 'callbacks[1]', hook: 'onEpochBegin', cause })
    expect(e.message).toBe("callback 'callbacks[1]' threw in onEpochBegin: kaboom")
  })
  it('a throw of something that is not an Error: its text', async () => {
    const odd: Callback<null> = {
      name: 'odd',
      init: () => null,
      onEpochBegin: () => {
        throw 'no disk'
      }
    }
    expect((await thrown(run([odd]))).message).toBe("callback 'odd' threw in onEpochBegin: no disk")
  })
  it('a TensorfoldError thrown by a hook (a nested fit, an orThrow) goes through as it is', async () => {
    const inner = new TensorfoldError(tfError('InvalidArgument', 'inner: bad'))
    const nested: Callback<null> = {
      name: 'nested',
      init: () => null,
      onEpochBegin: () => {
        throw inner
      }
    }
    expect(await thrown(run([nested]))).toBe(inner)
  })
  it('nonsense is InvalidDecision naming the callback, the hook, what is wrong and what came', async () => {
    const bad = { name: 'bad', init: () => null, onEpochBegin: () => ({ revert: 'yes' }) } as unknown as Callback
    const e = await thrown(run([bad]))
    expect(e.data).toMatchObject({ _tag: 'InvalidDecision', callback: 'bad', hook: 'onEpochBegin', received: { revert: 'yes' } })
    expect(e.message).toBe("callback 'bad' onEpochBegin: its revert is \"yes\", not a boolean; a hook returns nothing or {stop?, trainer?, state?, revert?, logs?}")
  })
})

describe('observe: callbacks outside training', () => {
  it('no callback with the hook: the same value back; with it, only its state changes (stop, trainer, revert do not apply)', async () => {
    const cbs: ReadonlyArray<Callback> = [
      { name: 'a', init: () => 0, onTestBatchEnd: (s: number) => ({ state: s + 1, stop: true, trainer: t.with({ step: 9 }), revert: true }) } as Callback<number>,
      { name: 'b', init: () => 'b' } as Callback<string>
    ]
    const h: Hooked = { callbacks: cbs, info, run: startRun(t, cbs, info) }
    expect(await observe(h, 'onTestBegin', (tr) => ({ trainer: tr, info }))).toBe(h)
    expect(await observe(undefined, 'onTestBegin', (tr) => ({ trainer: tr, info }))).toBeUndefined()
    const h2 = (await observe(h, 'onTestBatchEnd', (tr) => ({ batch: 0, trainer: tr, info, logs: {} }))) as Hooked
    expect(h2.run.states).toEqual([1, 'b'])
    expect(h2.run.stop).toBe(false)
    expect(h2.run.trainer).toBe(t)
  })
})
