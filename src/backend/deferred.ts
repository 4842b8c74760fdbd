/**
 * @internal A result an asynchronous backend has started computing on other threads and this thread can
 * finish when it needs it: a Promise (what `Later<'async', T>` allows, so every caller that awaits it is
 * served) with a synchronous `join`. A compiled replay (`compile/replay.ts`) runs the plan's later steps
 * that do not read it first and joins it at the first step that does, so the threads compute while this
 * thread works. Nobody joining it, it joins itself in a microtask, at the first await.
 *
 * @since 0.3.0
 */

export interface Deferred<T> extends Promise<T> {
  /** Finish the computation on this thread (once: later calls give the same result or throw the same error). */
  readonly join: () => T
}

/** Counters for tests and diagnostics: deferred results made, and joined by a caller before their microtask. */
export const deferredStats = { made: 0, joinedEarly: 0 }

/** A deferred result that `finish` completes. */
export const deferred = <T>(finish: () => T): Deferred<T> => {
  let state: { readonly ok: true; readonly v: T } | { readonly ok: false; readonly err: unknown } | undefined
  let early = true
  const join = (): T => {
    if (state === undefined) {
      if (early) deferredStats.joinedEarly++
      try {
        state = { ok: true, v: finish() }
      } catch (err) {
        state = { ok: false, err }
      }
    }
    if (state.ok) return state.v
    throw state.err
  }
  const p = Promise.resolve().then(() => {
    early = false
    return join()
  }) as Promise<T> & { join?: () => T }
  // joined and failed by a caller, the same error rejects this promise too: not an unhandled one for that
  p.catch(() => undefined)
  p.join = join
  deferredStats.made++
  return p as Deferred<T>
}

/** Whether `r` is a {@link deferred} result. */
export const isDeferred = (r: unknown): r is Deferred<unknown> => r instanceof Promise && typeof (r as { join?: unknown }).join === 'function'
