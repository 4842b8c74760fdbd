/**
 * @internal Giving a compiled `fit`'s superseded state back to the backend (what JAX calls donating a
 * buffer), so the next step's results reuse its memory instead of fresh arrays.
 *
 * Every compiled step makes new arrays for the whole trainer state — parameters, optimizer slots — while
 * the state before it becomes garbage for V8 to find. On the webasm backend those arrays are most of a
 * step's fresh memory (1.2 of 1.76 MB at the bench MLP's batch of 128), and at Keras's default batch of 32
 * reusing them made the memory run 13–22% faster.
 *
 * The state of trainer `k` may be reused once step `k + 1`'s execution is over (so a `revert` can no
 * longer bring it back), and only when all of this holds:
 * - this `fit` made trainer `k` with a compiled step ({@link FitDonations.made}): the trainer it started
 *   from, and any trainer a callback returned, are never given back;
 * - no callback read trainer `k` from an event (`trainer`, `previous`: {@link watchTrainers} marks a
 *   trainer seen when a hook reads it), so nothing outside the run can hold it;
 * - only the arrays step `k` created (those not in the trainer it started from), and none that the
 *   trainers going on hold, nor any that the other outputs (predictions, losses, masks) of step `k` or
 *   step `k + 1` reach: a metric may keep those, and a model may output a tensor of its state.
 * The backend keeps only arrays it made itself (`gpujs/recycle.ts`) and ignores the rest.
 *
 * @since 0.3.0
 */
import type { Tensor, Buffer } from '../core/Tensor.js'
import { storageOf, isTensor } from '../core/Tensor.js'
import * as Tree from '../core/Tree.js'
import { getBackend } from '../backend/index.js'
import type { Trainer } from './Trainer.js'
import type { StepOut } from './step.js'

/** Trainers a hook has read from an event. */
const seen = new WeakSet<Trainer>()

let enabled = true
/** Turn giving state back on or off (A/B measurements and tests). */
export const setDonation = (on: boolean): void => {
  enabled = on
}
/** Counters for tests and diagnostics: trainers whose state was given back, and arrays handed over. */
export const donationStats = { trainers: 0, arrays: 0 }

/** Whether a hook has read `t` from an event (tests and diagnostics). */
export const trainerRead = (t: Trainer): boolean => seen.has(t)

/** The keys of an event that carry a trainer. */
const TRAINER_KEYS = ['trainer', 'previous'] as const

/**
 * Make reading an event's trainers (`trainer`, `previous`) mark them seen. The event keeps its keys and
 * values; they become getters.
 */
export const watchTrainers = <Ev>(ev: Ev): Ev => {
  if (typeof ev !== 'object' || ev === null) return ev
  for (const k of TRAINER_KEYS) {
    const d = Object.getOwnPropertyDescriptor(ev, k)
    if (d === undefined || !('value' in d)) continue
    const t = d.value as Trainer
    // an event that cannot take a getter: count its trainers as read
    if (d.configurable !== true) {
      seen.add(t)
      continue
    }
    Object.defineProperty(ev, k, {
      enumerable: true,
      configurable: true,
      get: () => {
        seen.add(t)
        return t
      }
    })
  }
  return ev
}

/** The buffers of a tree's tensors (those with a host value). */
const buffersOf = (trees: ReadonlyArray<unknown>): Set<ArrayBufferLike> => {
  const out = new Set<ArrayBufferLike>()
  const add = (t: Tensor): void => {
    const b = storageOf(t)
    if (b !== undefined) out.add(b.buffer)
  }
  for (const tree of trees) {
    if (isTensor(tree)) add(tree)
    else if (typeof tree === 'object' && tree !== null) for (const t of Tree.leaves(tree as Tree.Tree)) add(t)
  }
  return out
}

const stateOf = (t: Trainer): unknown[] => [t.params, t.state, t.optState ?? {}]

/** A step's outputs other than the trainer state. */
const othersOf = (outs: ReadonlyArray<StepOut>): unknown[] => outs.flatMap((o) => [o.loss, o.perOutputLosses, o.yPreds, o.masks, o.logCounts])

/**
 * The buffers that the states of `trainers`, and the outputs of `outs` other than the state, reach: what a
 * caller giving arrays back must keep (`donate`, and `fit`'s batch rows: `batches.ts` `giveRows`).
 */
export const heldBuffers = (trainers: ReadonlyArray<Trainer>, outs: ReadonlyArray<StepOut>): Set<ArrayBufferLike> => buffersOf([...trainers.flatMap(stateOf), ...othersOf(outs)])

/** One `fit`'s record of the trainers its compiled steps made, and the arrays each step created. */
export interface FitDonations {
  /** trainer → the arrays of its state that its step created */
  readonly made: WeakMap<Trainer, ReadonlyArray<Buffer>>
}

export const fitDonations = (): FitDonations => ({ made: new WeakMap() })

/**
 * Record that a compiled execution made `after` from `before` with outputs `outs`: the arrays of
 * `after`'s state not in `before`'s and not reached by the other outputs.
 */
export const recordStep = (d: FitDonations, before: Trainer, after: Trainer, outs: ReadonlyArray<StepOut>): void => {
  // nothing to record where nothing can be given back: no tree walk per step on such backends
  if (!enabled || getBackend().recycle === undefined) return
  const old = buffersOf([...stateOf(before), ...othersOf(outs)])
  const fresh: Buffer[] = []
  for (const tree of stateOf(after))
    for (const t of Tree.leaves(tree as Tree.Tree)) {
      const b = storageOf(t)
      if (b !== undefined && !old.has(b.buffer)) fresh.push(b)
    }
  d.made.set(after, fresh)
}

/**
 * Give back the arrays trainer `old`'s step created, once the run has moved past it (the next execution,
 * with outputs `outs`, is over and not reverted): unless it was not made here or a hook read it, and
 * except those the trainers in `keep` hold or `outs`' other outputs reach. Answers how many arrays were
 * handed to the backend.
 */
export const donate = (d: FitDonations, old: Trainer, keep: ReadonlyArray<Trainer>, outs: ReadonlyArray<StepOut>): number => {
  const fresh = d.made.get(old)
  d.made.delete(old)
  const be = getBackend()
  if (!enabled || fresh === undefined || seen.has(old) || fresh.length === 0 || be.recycle === undefined) return 0
  const live = buffersOf([...keep.flatMap(stateOf), ...othersOf(outs)])
  const give: Buffer[] = []
  for (const b of fresh) {
    if (live.has(b.buffer)) continue
    live.add(b.buffer)
    give.push(b)
  }
  if (give.length > 0) be.recycle(give, true)
  donationStats.trainers++
  donationStats.arrays += give.length
  return give.length
}
