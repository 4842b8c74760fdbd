/**
 * @internal The scoped recorder: how compiled mode (and `scan`'s body recorder) watches what a
 * computation does, without global hooks in the layers below.
 *
 * `withRecorder(r, f)` runs `f` with `r` active and restores the previous recorder afterwards, even if
 * `f` throws. Recorders nest: a handler the inner recorder leaves out falls through to the enclosing
 * one (so `scan`, which only needs to know about host reads, leaves primitive executions to `jit`).
 * The lower layers report to the active recorder and know nothing else about it:
 * - `primitives/bind.ts`: every primitive executed on concrete inputs (`exec`);
 * - `core/random.ts`: every random tensor drawn from a key derived from a marked root (`random`);
 * - `core/Tensor.ts`: every read of a tensor's value back to the host (`hostRead`);
 * - `primitives/bind.ts` again: whether to run kernels at all (`shapesOnly`).
 *
 * @since 0.2.0
 */
import type { Tensor } from './Tensor.js'
import type { Key } from './Key.js'

/** What a recorder may watch; every handler is optional. `def` is a primitive definition. */
export interface Recorder {
  /** a primitive ran on concrete inputs and produced `out` */
  readonly exec?: (def: object, inputs: ReadonlyArray<Tensor>, params: unknown, out: Tensor) => void
  /** a random tensor was drawn; `regenerate(root)` draws it again along the same path from a new root key */
  readonly random?: (out: Tensor, regenerate: (root: Key) => Tensor) => void
  /** a tensor's value was read back to the host (its values may now steer control flow) */
  readonly hostRead?: (t: Tensor) => void
  /**
   * shapes only: primitives run their shape rules but not their kernels, and their results hold
   * placeholder storage (`compile/record.ts`'s `recordShapes`); inner recorders inherit it
   */
  readonly shapesOnly?: boolean
}

let active: Recorder | undefined

/** The recorder active now (merged with the ones it is nested in), if any. */
export const activeRecorder = (): Recorder | undefined => active

/** Run `f` with `r` active (nested in the current recorder); restores the previous one afterwards. */
export const withRecorder = <A>(r: Recorder, f: () => A): A => {
  const prev = active
  active =
    prev === undefined
      ? r
      : { exec: r.exec ?? prev.exec, random: r.random ?? prev.random, hostRead: r.hostRead ?? prev.hostRead, shapesOnly: r.shapesOnly ?? prev.shapesOnly }
  try {
    return f()
  } finally {
    active = prev
  }
}
