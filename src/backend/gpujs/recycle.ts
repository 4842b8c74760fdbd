/**
 * @internal Reusing the result arrays of webasm kernel calls between the steps of a compiled replay.
 *
 * Every gpu.js call hands back a fresh `Float32Array` (its output region sliced out of wasm memory). A
 * compiled training step makes dozens, most of them intermediates that die when the step ends; V8
 * counts their backing stores as external memory and, past a limit, starts a full mark-compact of the
 * JS heap: on the bench MLP, 46 mark-compacts in six epochs, about a tenth of the process's CPU time.
 *
 * So the direct call path (`direct-run.ts`) copies a result into an array of the right length taken
 * from a free list when there is one ({@link takeArray}), and marks every array it hands out as its own
 * ({@link ownArray}). A compiled replay, once its plan has run, gives back the arrays of its
 * intermediates that it has proved unreachable — not an output, an input or a constant of the plan, nor
 * sharing their memory (`compile/replay.ts`) — through the backend's `recycle`; of those, only arrays
 * this module handed out are kept ({@link recycleArrays}), at most {@link PER_LENGTH} per length and
 * {@link BUDGET_BYTES} in all, until the next replay gives its own back. An array is on the free list or
 * owned by a live value, never both: taking it removes it, and giving back an array that is not marked
 * (twice, or one made elsewhere) is ignored.
 *
 * @since 0.3.0
 */

import { freeze, thaw } from '../../core/frozen.js'

/** Most arrays kept per length. */
export const PER_LENGTH = 16
/** Most bytes kept on the free lists. */
export const BUDGET_BYTES = 64 * 1024 * 1024

const free = new Map<number, Float32Array[]>()
const mine = new WeakSet<Float32Array>()
let bytes = 0
let enabled = true

/** Counters for tests and diagnostics: arrays given back and kept, and arrays reused. */
export const recycleStats = { kept: 0, reused: 0 }

/** Turn reuse on or off (off: nothing is kept, every result is a fresh array). For A/B measurements and tests. */
export const setRecycling = (on: boolean): void => {
  enabled = on
  if (!on) {
    free.clear()
    bytes = 0
  }
}

/** A kept array of `length` floats, no longer on the free list; undefined when there is none. */
export const takeArray = (length: number): Float32Array | undefined => {
  const list = free.get(length)
  const a = list?.pop()
  if (a === undefined) return undefined
  bytes -= a.byteLength
  recycleStats.reused++
  return a
}

/** Mark an array this backend made (and no one else holds) as one it may take back. */
export const ownArray = (a: Float32Array): Float32Array => {
  // already ours (a result the backend marks again on its way out): frozen since it was written
  if (mine.has(a)) return a
  mine.add(a)
  // written once, before anyone holds it: its contents will not change until it is given back
  return freeze(a)
}

/**
 * Keep, for reuse, those of `arrays` this backend handed out; the caller guarantees none is reachable.
 * What an earlier call kept and nothing has taken since is dropped first (left to the collector): the
 * free lists hold one replay's intermediates at most, so arrays of a length no later call asks for
 * (a threaded matmul's result, which gpu.js slices itself) do not pile up to the budget. With `add` they
 * join what is kept instead (a compiled `fit`'s superseded state, given back between two replays).
 */
export const recycleArrays = (arrays: ReadonlyArray<unknown>, add = false): void => {
  if (!enabled) return
  if (!add) {
    free.clear()
    bytes = 0
  }
  for (const a of arrays) {
    if (!(a instanceof Float32Array) || !mine.has(a)) continue
    mine.delete(a)
    // to be written again: no copy of it anywhere may pass for its contents any more
    thaw(a)
    if (bytes + a.byteLength > BUDGET_BYTES) continue
    let list = free.get(a.length)
    if (list === undefined) free.set(a.length, (list = []))
    if (list.length >= PER_LENGTH) continue
    list.push(a)
    bytes += a.byteLength
    recycleStats.kept++
  }
}
