/**
 * Compiled execution: record once, replay many times.
 *
 * `jit(f)` takes a pure, shape-static function of a tree of tensors and a random key. The first call
 * for an input signature (tree structure, shapes, dtypes) runs `f` eagerly while recording every
 * concrete primitive execution — forward, backward (the AD sweep binds primitives too) and optimizer
 * update alike — into a flat plan. Later calls replay the plan: each step calls the cached kernels
 * directly, with no tracing, no tree walking, no shape rules and no closures.
 *
 * What makes replay exact:
 * - inputs are matched by identity to the tensors `f` received; anything else `f` used (scalars, ones
 *   for the seed cotangent, zeros) is an immutable constant captured as it was;
 * - random tensors drawn from keys derived from the step key are re-drawn on replay from the new key
 *   along the same derivation path (`split`/`foldIn`), so dropout masks change per step exactly as in
 *   eager mode;
 * - if `f` reads a recorded tensor back to the host (`dataSync`, `item`, …) its control flow may depend
 *   on data, so that signature is marked impure and always runs eagerly (correct, just not compiled).
 *
 * Law (test/compile): for any `f` and inputs, `jit(f)(x, k)` equals `f(x, k)`, on first and later calls.
 *
 * @since 0.1.0
 */
import { Tensor, fromBuffer, setHostReadHook, type Buffer, type DType } from '../core/Tensor.js'
import * as Tree from '../core/Tree.js'
import { type Key, markRoot } from '../core/Key.js'
import type { Shape } from '../core/Shape.js'
import { setExecObserver, type PrimitiveDef, type OutSpec } from '../primitives/bind.js'
import { setRandomObserver } from '../core/random.js'
import { getBackend, type Backend } from '../backend/index.js'

/** A jitted function: same inputs, same outputs as `f`. */
export type Jitted<I extends Tree.Tree, O extends Tree.Tree> = ((inputs: I, key: Key) => O) & {
  /** @internal introspection for tests and benchmarks */
  readonly stats: () => JitStats
}

/** What a jitted function has done so far. */
export interface JitStats {
  readonly traces: number
  readonly replays: number
  readonly eagerCalls: number
  readonly ops: number
}

type Ref = { readonly k: 'in'; readonly i: number } | { readonly k: 'slot'; readonly i: number } | { readonly k: 'const'; readonly t: Tensor }

interface OpStep {
  readonly kind: 'op'
  readonly def: PrimitiveDef<unknown>
  readonly params: unknown
  readonly ins: ReadonlyArray<Ref>
  readonly inShapes: ReadonlyArray<Shape>
  readonly spec: OutSpec
  readonly out: number
}
interface RandomStep {
  readonly kind: 'random'
  readonly regenerate: (root: Key) => Tensor
  readonly out: number
}
type Step = OpStep | RandomStep

interface Plan {
  readonly backend: Backend
  readonly steps: ReadonlyArray<Step>
  readonly slots: number
  readonly outStructure: Tree.Structure
  readonly outs: ReadonlyArray<Ref>
  readonly outMeta: ReadonlyArray<{ readonly shape: Shape; readonly dtype: DType }>
}

let recording = false

const signature = (leaves: ReadonlyArray<Tensor>, st: Tree.Structure): string =>
  JSON.stringify(st) + '|' + leaves.map((l) => `${l.dtype}${l.shape.join('x')}`).join(',')

/** Drop steps whose results no output needs. */
const prune = (steps: ReadonlyArray<Step>, outs: ReadonlyArray<Ref>): Step[] => {
  const live = new Set<number>()
  for (const r of outs) if (r.k === 'slot') live.add(r.i)
  const kept: Step[] = []
  for (let s = steps.length - 1; s >= 0; s--) {
    const st = steps[s]
    if (!live.has(st.out)) continue
    kept.push(st)
    if (st.kind === 'op') for (const r of st.ins) if (r.k === 'slot') live.add(r.i)
  }
  return kept.reverse()
}

/**
 * Compile `f`: record its primitives once per input signature and replay them afterwards.
 * @example const step = jit((p: { w: Tensor }, _k) => ({ w: sub(p.w, mul(0.1, grad(loss)(p.w))) }))
 */
export const jit = <I extends Tree.Tree, O extends Tree.Tree>(f: (inputs: I, key: Key) => O): Jitted<I, O> => {
  const plans = new Map<string, Plan | 'impure'>()
  let traces = 0
  let replays = 0
  let eagerCalls = 0

  const trace = (inputs: I, key: Key, sig: string, leaves: ReadonlyArray<Tensor>): O => {
    traces++
    const refs = new Map<Tensor, Ref>()
    leaves.forEach((l, i) => {
      if (!refs.has(l)) refs.set(l, { k: 'in', i })
    })
    const steps: Step[] = []
    let slots = 0
    let impure = false
    const refOf = (t: Tensor): Ref => refs.get(t) ?? { k: 'const', t }
    const prevExec = setExecObserver({
      onExec(def, ins, params, out) {
        const r: Ref = { k: 'slot', i: slots++ }
        steps.push({ kind: 'op', def, params, ins: ins.map(refOf), inShapes: ins.map((t) => t.shape), spec: { shape: out.shape, dtype: out.dtype }, out: r.i })
        refs.set(out, r)
      }
    })
    const prevRandom = setRandomObserver((out, regenerate) => {
      const r: Ref = { k: 'slot', i: slots++ }
      steps.push({ kind: 'random', regenerate, out: r.i })
      refs.set(out, r)
    })
    const prevRead = setHostReadHook((t) => {
      const r = refs.get(t)
      if (r !== undefined && r.k === 'slot') impure = true
    })
    const root = {}
    recording = true
    let result: O
    try {
      result = f(inputs, markRoot(key, root))
    } finally {
      recording = false
      setExecObserver(prevExec)
      setRandomObserver(prevRandom)
      setHostReadHook(prevRead)
    }
    if (impure) {
      plans.set(sig, 'impure')
      return result
    }
    const outLeaves = Tree.leaves(result)
    const outs = outLeaves.map(refOf)
    plans.set(sig, {
      backend: getBackend(),
      steps: prune(steps, outs),
      slots,
      outStructure: Tree.structure(result),
      outs,
      outMeta: outLeaves.map((l) => ({ shape: l.shape, dtype: l.dtype }))
    })
    return result
  }

  const replay = (plan: Plan, leaves: ReadonlyArray<Tensor>, key: Key): O => {
    replays++
    const env: Array<Buffer | undefined> = new Array(plan.slots)
    const be = plan.backend
    const bufOf = (r: Ref): Buffer => (r.k === 'in' ? (leaves[r.i].data as Buffer) : r.k === 'slot' ? (env[r.i] as Buffer) : (r.t.data as Buffer))
    for (const st of plan.steps) {
      if (st.kind === 'random') {
        env[st.out] = st.regenerate(key).data as Buffer
        continue
      }
      const views = st.ins.map((r, j) => ({ data: bufOf(r), shape: st.inShapes[j] }))
      env[st.out] = st.def.impl(be, views, st.params, st.spec)
    }
    const outs = plan.outs.map((r, i) => (r.k === 'in' ? leaves[r.i] : r.k === 'const' ? r.t : fromBuffer(env[r.i] as Buffer, plan.outMeta[i].shape, plan.outMeta[i].dtype)))
    return Tree.unflatten<O>(plan.outStructure, outs)
  }

  const run = (inputs: I, key: Key): O => {
    const leaves = Tree.leaves(inputs)
    if (recording || leaves.some((l) => l.trace !== undefined)) {
      eagerCalls++
      return f(inputs, key)
    }
    const sig = signature(leaves, Tree.structure(inputs))
    const plan = plans.get(sig)
    if (plan === undefined) return trace(inputs, key, sig, leaves)
    if (plan === 'impure' || plan.backend !== getBackend()) {
      eagerCalls++
      return f(inputs, key)
    }
    return replay(plan, leaves, key)
  }
  const stats = (): JitStats => {
    let ops = 0
    for (const p of plans.values()) if (p !== 'impure') ops += p.steps.length
    return { traces, replays, eagerCalls, ops }
  }
  return Object.assign(run, { stats })
}
