/**
 * @internal Running callbacks' hooks inside a fold.
 *
 * The run's state that callbacks may change — the trainer, each callback's own state, whether to stop —
 * is a value, `Run`. A hook's `Decision` is applied to it by the pure `applyDecision`; `runHook` folds
 * one hook of every callback, in order, so each callback sees the decisions of those before it.
 *
 * @since 0.1.0
 */
import type { Trainer } from './Trainer.js'
import type { Logs } from './History.js'
import type { Callback, Decision, HookResult } from './callbacks/Callback.js'
import { TensorfoldError, tfError, show } from '../core/errors.js'
import { watchTrainers } from './donate.js'

/** @internal Why a run ended early, if it did. */
export type Stopped = 'callback' | 'aborted' | 'exhausted' | undefined

/** @internal What callbacks can change during a run. */
export interface Run {
  readonly trainer: Trainer
  /** each callback's state, by position */
  readonly states: ReadonlyArray<unknown>
  /** stop before the next batch / epoch */
  readonly stop: boolean
  readonly stopped: Stopped
}

/** @internal A fresh run: every callback's `init` state. */
export const startRun = <I>(trainer: Trainer, callbacks: ReadonlyArray<{ init(info: I): unknown }>, info: I): Run => ({
  trainer,
  states: callbacks.map((c) => c.init(info)),
  stop: false,
  stopped: undefined
})

/** @internal The result of one hook of every callback. */
export interface HookOutcome {
  readonly run: Run
  /** some callback asked to undo the batch just run */
  readonly revert: boolean
  /** extra logs the callbacks returned, merged in order */
  readonly logs: Logs
}

/** @internal Apply callback `i`'s decision (nothing: no change). Pure. */
export const applyDecision = (o: HookOutcome, i: number, d: Decision<unknown> | void | null): HookOutcome => {
  if (d === undefined || d === null) return o
  const r = o.run
  const stopNow = d.stop === true && !r.stop
  return {
    run: {
      trainer: d.trainer !== undefined ? d.trainer : r.trainer,
      states: 'state' in d ? r.states.map((s, j) => (j === i ? d.state : s)) : r.states,
      stop: r.stop || stopNow,
      stopped: stopNow ? 'callback' : r.stopped
    },
    revert: o.revert || d.revert === true,
    logs: d.logs !== undefined ? { ...o.logs, ...d.logs } : o.logs
  }
}

/** @internal The names of the hooks of a callback. */
export type HookName = Exclude<{ [K in keyof Callback]-?: NonNullable<Callback[K]> extends (...a: never[]) => unknown ? K : never }[keyof Callback], 'init' | 'name'>

const DECISION_KEYS: ReadonlyArray<string> = ['stop', 'trainer', 'state', 'revert', 'logs']

/** @internal What is wrong with a hook's result, if anything (nothing, or a `Decision`). */
export const decisionProblem = (d: unknown): string | undefined => {
  if (d === undefined || d === null) return undefined
  if (typeof d !== 'object' || Array.isArray(d)) return `it returned ${show(d)}, not a decision object`
  const o = d as Record<string, unknown>
  const unknownKey = Object.keys(o).find((k) => !DECISION_KEYS.includes(k))
  if (unknownKey !== undefined) return `it returned the unknown key '${unknownKey}'`
  if (o.stop !== undefined && typeof o.stop !== 'boolean') return `its stop is ${show(o.stop)}, not a boolean`
  if (o.revert !== undefined && typeof o.revert !== 'boolean') return `its revert is ${show(o.revert)}, not a boolean`
  if (o.trainer !== undefined && (typeof o.trainer !== 'object' || o.trainer === null || (o.trainer as Trainer)._tag !== 'Trainer')) return `its trainer is ${show(o.trainer)}, not a Trainer`
  if (o.logs !== undefined && (typeof o.logs !== 'object' || o.logs === null || Array.isArray(o.logs) || Object.values(o.logs).some((v) => typeof v !== 'number')))
    return `its logs are ${show(o.logs)}, not a record of numbers`
  return undefined
}

/**
 * @internal Run hook `name` of every callback in order, each seeing the event built from the current
 * trainer (`ev`), applying each decision before the next callback runs. A hook that throws, or returns
 * something that is not a decision, ends the run with `CallbackError` / `InvalidDecision` (thrown as a
 * `TensorfoldError`; `fit` returns it with the trainer of the last completed step).
 */
export const runHook = async <Ev>(callbacks: ReadonlyArray<Callback>, run: Run, name: HookName, ev: (t: Trainer) => Ev): Promise<HookOutcome> => {
  let o: HookOutcome = { run, revert: false, logs: {} }
  for (let i = 0; i < callbacks.length; i++) {
    const f = callbacks[i][name] as ((s: unknown, e: Ev) => HookResult<unknown>) | undefined
    if (f === undefined) continue
    const callback = callbacks[i].name ?? `callbacks[${i}]`
    let d: unknown
    try {
      // a trainer a hook reads is never given back for reuse (donate.ts)
      d = await f.call(callbacks[i], o.run.states[i], watchTrainers(ev(o.run.trainer)))
    } catch (err) {
      if (err instanceof TensorfoldError) throw err
      throw new TensorfoldError(
        tfError('CallbackError', `callback '${callback}' threw in ${name}: ${err instanceof Error ? err.message : String(err)}`, { callback, hook: name, cause: err })
      )
    }
    const problem = decisionProblem(d)
    if (problem !== undefined)
      throw new TensorfoldError(
        tfError('InvalidDecision', `callback '${callback}' ${name}: ${problem}; a hook returns nothing or {stop?, trainer?, state?, revert?, logs?}`, {
          callback,
          hook: name,
          received: d
        })
      )
    o = applyDecision(o, i, d as Decision<unknown> | undefined)
  }
  return o
}

/** @internal Callbacks with their run, as `evaluate`, `predict` and `fit`'s validation thread them. */
export interface Hooked {
  readonly callbacks: ReadonlyArray<Callback>
  readonly info: import('./callbacks/Callback.js').FitInfo
  readonly run: Run
}

/**
 * @internal Run an observer hook (test and predict hooks): callbacks see the event and may change their
 * own state; other decisions (stop, trainer, revert) do not apply outside training.
 */
export const observe = async <Ev>(h: Hooked | undefined, name: HookName, ev: (t: Trainer) => Ev): Promise<Hooked | undefined> => {
  if (h === undefined || h.callbacks.every((c) => c[name] === undefined)) return h
  const o = await runHook(h.callbacks, h.run, name, ev)
  return { ...h, run: { ...h.run, states: o.run.states } }
}
