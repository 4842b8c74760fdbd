/**
 * Compiled execution: record once, replay many times.
 *
 * `jit(f)` takes a pure, shape-static function of a tree of tensors and a random key. The first call
 * for an input signature (tree structure, shapes, dtypes) runs `f` with shapes only (every shape rule,
 * no kernel) while recording it into a flat plan (`record.ts`); the plan is pruned and its elementwise
 * chains fused (`fuse.ts`; on a backend that evaluates several fused expressions in one kernel, a fused
 * step is also computed with the fused steps of its shape it reads: `fuseSiblings`), and every call, the first included, replays it (`replay.ts`): each step
 * calls the cached kernels directly, with no tracing, no tree walking, no shape rules and no closures.
 * Random tensors are drawn again from each call's key along the same derivation path, so dropout
 * masks change per step exactly as in eager mode; a function that
 * reads a recorded value back to the host is recorded again with values, and runs eagerly for that
 * signature (correct, just not compiled).
 *
 * Law (test/compile): for any `f` and inputs, `jit(f)(x, k)` equals `f(x, k)`, on first and later calls.
 *
 * @since 0.1.0
 */
import type { Tensor } from '../core/Tensor.js'
import * as Tree from '../core/Tree.js'
import type { Key } from '../core/Key.js'
import { activeRecorder } from '../core/recorder.js'
import { getBackend, syncOf, isAsync } from '../backend/index.js'
import type { Plan } from './plan.js'
import { record, recordShapes, leavesAndKey } from './record.js'
import { fuse, fuseSiblings, prune, sinkDependents } from './fuse.js'
import { replay } from './replay.js'

let siblings = true
/** Turn sibling fusion on or off for plans recorded from now on (A/B measurements and tests). */
export const setSiblingFusion = (on: boolean): void => {
  siblings = on
}

/**
 * The passes over a recorded plan: prune, fuse, and where the backend can take them, sibling steps; where
 * its threaded twin may compute large products on other threads while later steps run
 * (`defersMatmulsFrom`), each such matmul's dependents after the steps that do not need it.
 */
const compilePlan = (p: Plan): Plan => {
  const fused = fuse(prune(p))
  const grouped = siblings && fused.backend.fusedMany !== undefined ? fuseSiblings(fused) : fused
  const from = grouped.backend.threaded?.defersMatmulsFrom
  return from !== undefined ? sinkDependents(grouped, from) : grouped
}

/** A jitted function: same inputs, same outputs as `f`. */
export type Jitted<I extends Tree.Tree, O extends Tree.Tree> = ((inputs: I, key: Key) => O) & {
  /** introspection for tests and benchmarks */
  readonly stats: () => JitStats
  /** the async twin: same results; replays run on the asynchronous side of the backend (webasm threads, WebGPU) */
  readonly async: (inputs: I, key: Key) => Promise<O>
}

/** What a jitted function has done so far. */
export interface JitStats {
  readonly traces: number
  readonly replays: number
  readonly eagerCalls: number
  readonly ops: number
  /** how many of the steps are fused elementwise kernels */
  readonly fused: number
}

/** Calls of any jitted function that ran its own code (recorded it, or ran it eagerly) since start-up. */
let userRuns = 0
/**
 * @internal How many calls of jitted functions have run the function's own code so far (a recording or
 * an eager call; a replay runs kernels only). Unchanged across a span of calls: no user code saw their
 * inputs (`fit` gives the arrays of such a step's batch back for the next batch's rows).
 */
export const jitUserRuns = (): number => userRuns

/** Inside a recording (a jitted function called by another one being recorded), calls run eagerly. */
const recording = (): boolean => activeRecorder()?.exec !== undefined

/**
 * Compile `f`: record its primitives once per input signature and replay them afterwards.
 * @example const step = jit((p: { w: Tensor }, _k) => ({ w: sub(p.w, mul(0.1, grad(loss)(p.w))) }))
 */
export const jit = <I extends Tree.Tree, O extends Tree.Tree>(f: (inputs: I, key: Key) => O): Jitted<I, O> => {
  const plans = new Map<string, Plan | 'impure'>()
  let traces = 0
  let replays = 0
  let eagerCalls = 0

  /** The plan to replay for these leaves, or undefined when the call must record or run eagerly. */
  const planFor = (leaves: ReadonlyArray<Tensor>, sig: string): { readonly plan: Plan | 'impure' | undefined } | undefined => {
    if (recording() || leaves.some((l) => l.trace !== undefined)) return undefined
    return { plan: plans.get(sig) }
  }

  const eager = (inputs: I, key: Key): O => {
    eagerCalls++
    userRuns++
    return f(inputs, key)
  }

  const run = (inputs: I, key: Key): O => {
    const { leaves, key: sig } = leavesAndKey(inputs)
    const found = planFor(leaves, sig)
    if (found === undefined) return eager(inputs, key)
    const { plan } = found
    if (plan === undefined) {
      const made = trace(inputs, key, sig)
      // a synchronous replay of a plan recorded under an asynchronous backend runs on its fallback
      return 'result' in made ? made.result : replay<'sync', O>(made.plan, syncOf(made.plan.backend), leaves, key)
    }
    if (plan === 'impure' || plan.backend !== getBackend()) return eager(inputs, key)
    replays++
    return replay<'sync', O>(plan, syncOf(plan.backend), leaves, key)
  }

  /**
   * The first call of a signature: record `f` with shapes only and keep the pruned, fused plan (the
   * caller replays it for this call's values too), or, when `f` reads a computed value back to the host
   * (or throws while recorded with shapes only), record it with values: its result, and the plan or
   * `'impure'`.
   */
  const trace = (inputs: I, key: Key, sig: string): { readonly plan: Plan } | { readonly result: O } => {
    traces++
    userRuns++
    const shaped = recordShapes(f, inputs, key)
    if (shaped !== undefined) {
      const plan = compilePlan(shaped)
      plans.set(sig, plan)
      return { plan }
    }
    const rec = record(f, inputs, key)
    plans.set(sig, rec.plan === 'impure' ? 'impure' : compilePlan(rec.plan))
    return { result: rec.result }
  }

  /** The async twin: replays on an asynchronous backend itself, or on a synchronous one's threaded twin. */
  const runAsync = async (inputs: I, key: Key): Promise<O> => {
    const { leaves, key: sig } = leavesAndKey(inputs)
    const found = planFor(leaves, sig)
    if (found === undefined) return eager(inputs, key)
    let plan = found.plan
    if (plan === undefined) {
      const made = trace(inputs, key, sig)
      if ('result' in made) return made.result
      plan = made.plan
    } else if (plan === 'impure' || plan.backend !== getBackend()) return eager(inputs, key)
    else replays++
    const be = isAsync(plan.backend) ? plan.backend : (plan.backend.threaded ?? plan.backend)
    return replay<'sync' | 'async', O>(plan, be, leaves, key)
  }

  const stats = (): JitStats => {
    let ops = 0
    let fused = 0
    for (const p of plans.values())
      if (p !== 'impure') {
        ops += p.steps.length
        fused += p.steps.filter((st) => st.kind === 'fused').length
      }
    return { traces, replays, eagerCalls, ops, fused }
  }
  return Object.assign(run, { stats, async: runAsync })
}
