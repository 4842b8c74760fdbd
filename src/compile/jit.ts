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
import { getBackend, syncOf, isAsync, type AnyBackend } from '../backend/index.js'
import type { Backend, Expr, UnaryOp, BinaryOp, Later, Timing } from '../backend/Backend.js'
import { size as sizeOf } from '../core/Shape.js'

/** A jitted function: same inputs, same outputs as `f`. */
export type Jitted<I extends Tree.Tree, O extends Tree.Tree> = ((inputs: I, key: Key) => O) & {
  /** introspection for tests and benchmarks */
  readonly stats: () => JitStats
  /** the async twin: same results; replays run large matmuls on the shared worker pool (webasm threads) */
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
interface FusedStep {
  readonly kind: 'fused'
  readonly expr: Expr
  readonly ins: ReadonlyArray<Ref>
  readonly inShapes: ReadonlyArray<Shape>
  readonly shape: Shape
  readonly out: number
}
type Step = OpStep | RandomStep | FusedStep

interface Plan {
  readonly backend: AnyBackend
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
    if (st.kind !== 'random') for (const r of st.ins) if (r.k === 'slot') live.add(r.i)
  }
  return kept.reverse()
}

// ------------------------------------------------------------------ elementwise fusion

const UNARY: ReadonlySet<string> = new Set(['neg', 'exp', 'log', 'tanh', 'sqrt', 'abs', 'sign', 'sin', 'cos'])
const BINARY: ReadonlySet<string> = new Set(['add', 'mul', 'div', 'pow', 'maximum', 'minimum'])
const MAX_NODES = 48
const MAX_LEAVES = 12

/** An expression whose leaves are still plan references. */
type Tmp =
  | { readonly k: 'leaf'; readonly ref: Ref; readonly shape: Shape }
  | { readonly k: 'const'; readonly v: number }
  | { readonly k: 'un'; readonly op: UnaryOp; readonly x: Tmp }
  | { readonly k: 'bin'; readonly op: BinaryOp; readonly a: Tmp; readonly b: Tmp }
  | { readonly k: 'where'; readonly c: Tmp; readonly a: Tmp; readonly b: Tmp }

const nodes = (t: Tmp): number => (t.k === 'leaf' || t.k === 'const' ? 1 : t.k === 'un' ? 1 + nodes(t.x) : t.k === 'bin' ? 1 + nodes(t.a) + nodes(t.b) : 1 + nodes(t.c) + nodes(t.a) + nodes(t.b))
const leafRefs = (t: Tmp, acc: Ref[]): Ref[] => {
  if (t.k === 'leaf') {
    if (!acc.some((r) => sameRef(r, t.ref))) acc.push(t.ref)
  } else if (t.k === 'un') leafRefs(t.x, acc)
  else if (t.k === 'bin') {
    leafRefs(t.a, acc)
    leafRefs(t.b, acc)
  } else if (t.k === 'where') {
    leafRefs(t.c, acc)
    leafRefs(t.a, acc)
    leafRefs(t.b, acc)
  }
  return acc
}
const sameRef = (a: Ref, b: Ref): boolean => a.k === b.k && (a.k === 'const' ? a.t === (b as { t: Tensor }).t : a.i === (b as { i: number }).i)

/** Whether an input of shape `s` can be read by a fused kernel over `out`: same size, scalar, or a suffix. */
const readable = (s: Shape, out: Shape): boolean => {
  const n = sizeOf(s)
  if (n === sizeOf(out) || n === 1) return true
  const core = s.slice(s.findIndex((d) => d !== 1))
  return core.length <= out.length && core.every((d, i) => d === out[out.length - core.length + i])
}

/** Merge chains of single-consumer elementwise steps into fused steps. */
const fuse = (steps: ReadonlyArray<Step>, outs: ReadonlyArray<Ref>): Step[] => {
  const uses = new Map<number, number>()
  const bump = (r: Ref, by = 1): void => {
    if (r.k === 'slot') uses.set(r.i, (uses.get(r.i) ?? 0) + by)
  }
  for (const st of steps) if (st.kind !== 'random') st.ins.forEach((r) => bump(r))
  outs.forEach((r) => bump(r, 1000))
  const pending = new Map<number, { tmp: Tmp; shape: Shape; step: OpStep }>()
  const absorbed = new Set<number>()
  const out: Step[] = []
  for (const st of steps) {
    const tmp = st.kind === 'op' ? asTmp(st, pending, uses) : undefined
    if (st.kind !== 'op' || tmp === undefined) {
      out.push(st)
      continue
    }
    for (const r of st.ins) if (r.k === 'slot' && pending.has(r.i) && uses.get(r.i) === 1 && absorbedBy(tmp, r.i)) absorbed.add(r.i)
    pending.set(st.out, { tmp, shape: st.spec.shape, step: st })
    out.push(st)
  }
  return out
    .filter((st) => !absorbed.has(st.out))
    .map((st) => {
      const p = st.kind === 'op' ? pending.get(st.out) : undefined
      if (p === undefined || nodes(p.tmp) <= 2) return st
      const refs = leafRefs(p.tmp, [])
      const shapes = refs.map((r) => findShape(p.tmp, r) as Shape)
      const toExpr = (t: Tmp): Expr =>
        t.k === 'leaf'
          ? { k: 'in', i: refs.findIndex((r) => sameRef(r, t.ref)) }
          : t.k === 'const'
            ? t
            : t.k === 'un'
              ? { k: 'un', op: t.op, x: toExpr(t.x) }
              : t.k === 'bin'
                ? { k: 'bin', op: t.op, a: toExpr(t.a), b: toExpr(t.b) }
                : { k: 'where', c: toExpr(t.c), a: toExpr(t.a), b: toExpr(t.b) }
      const fusedStep: FusedStep = { kind: 'fused', expr: toExpr(p.tmp), ins: refs, inShapes: shapes, shape: p.shape, out: st.out }
      return fusedStep
    })
}

const findShape = (t: Tmp, r: Ref): Shape | undefined => {
  if (t.k === 'leaf') return sameRef(t.ref, r) ? t.shape : undefined
  if (t.k === 'const') return undefined
  if (t.k === 'un') return findShape(t.x, r)
  if (t.k === 'bin') return findShape(t.a, r) ?? findShape(t.b, r)
  return findShape(t.c, r) ?? findShape(t.a, r) ?? findShape(t.b, r)
}

// a child slot was absorbed when the built expression no longer references it as a leaf
const absorbedBy = (t: Tmp, slot: number): boolean => !leafRefs(t, []).some((r) => r.k === 'slot' && r.i === slot)

/** The expression of an elementwise step, inlining single-use elementwise producers; undefined if not elementwise. */
const asTmp = (st: OpStep, pending: ReadonlyMap<number, { tmp: Tmp; shape: Shape }>, uses: ReadonlyMap<number, number>): Tmp | undefined => {
  const name = st.def.name
  const p = st.params as { op?: string; dtype?: string }
  const elementwise = UNARY.has(name) || BINARY.has(name) || name === 'compare' || name === 'where' || (name === 'cast' && p.dtype === 'float32')
  if (!elementwise || st.spec.dtype !== 'float32') return undefined
  const shape = st.spec.shape
  if (!st.inShapes.every((s) => readable(s, shape))) return undefined
  let budget = MAX_NODES
  const child = (j: number): Tmp => {
    const r = st.ins[j]
    if (r.k === 'const' && r.t.size === 1 && r.t.data !== undefined && !Number.isNaN(r.t.data[0])) return { k: 'const', v: r.t.data[0] }
    if (r.k === 'slot') {
      const pend = pending.get(r.i)
      if (pend !== undefined && uses.get(r.i) === 1 && sizeOf(pend.shape) === sizeOf(shape) && pend.shape.length === shape.length) {
        const n = nodes(pend.tmp)
        if (n < budget) {
          budget -= n
          return pend.tmp
        }
      }
    }
    return { k: 'leaf', ref: r, shape: st.inShapes[j] }
  }
  let t: Tmp
  if (UNARY.has(name)) t = { k: 'un', op: name as UnaryOp, x: child(0) }
  else if (name === 'cast') t = child(0)
  else if (name === 'where') t = { k: 'where', c: child(0), a: child(1), b: child(2) }
  else t = { k: 'bin', op: (name === 'compare' ? p.op : name) as BinaryOp, a: child(0), b: child(1) }
  if (leafRefs(t, []).length > MAX_LEAVES) return undefined
  return t
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

  const trace = (inputs0: I, key: Key, sig: string, leaves0: ReadonlyArray<Tensor>): O => {
    traces++
    // fresh wrappers give every input position its own identity, even when the caller passes one
    // tensor in two places (a replay may receive two different tensors there)
    const leaves = leaves0.map((l) => fromBuffer(l.data as Buffer, l.shape, l.dtype))
    const inputs = Tree.unflatten<I>(Tree.structure(inputs0), leaves)
    const refs = new Map<Tensor, Ref>()
    leaves.forEach((l, i) => refs.set(l, { k: 'in', i }))
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
      steps: fuse(prune(steps, outs), outs),
      slots,
      outStructure: Tree.structure(result),
      outs,
      outMeta: outLeaves.map((l) => ({ shape: l.shape, dtype: l.dtype }))
    })
    return result
  }

  /**
   * The one replay, for a backend of either timing: each step's kernel result is stored as it comes;
   * when one is a Promise (an asynchronous backend), the rest of the plan continues after it resolves.
   * On a synchronous backend no Promise is ever made and the plan runs in one synchronous loop.
   */
  const replay = <R extends Timing>(plan: Plan, be: Backend<R>, leaves: ReadonlyArray<Tensor>, key: Key): Later<R, O> => {
    replays++
    const env: Array<Buffer | undefined> = new Array(plan.slots)
    const bufOf = (r: Ref): Buffer => (r.k === 'in' ? (leaves[r.i].data as Buffer) : r.k === 'slot' ? (env[r.i] as Buffer) : (r.t.data as Buffer))
    const exec = (st: Step): Later<R, Buffer> => {
      if (st.kind === 'random') return st.regenerate(key).data as Buffer
      if (st.kind === 'fused') return be.fused(st.expr, st.ins.map((r, j) => ({ data: bufOf(r), shape: st.inShapes[j] })), st.shape)
      return st.def.impl(be, st.ins.map((r, j) => ({ data: bufOf(r), shape: st.inShapes[j] })), st.params, st.spec)
    }
    const finish = (): O => {
      const outs = plan.outs.map((r, i) => (r.k === 'in' ? leaves[r.i] : r.k === 'const' ? r.t : fromBuffer(env[r.i] as Buffer, plan.outMeta[i].shape, plan.outMeta[i].dtype)))
      return Tree.unflatten<O>(plan.outStructure, outs)
    }
    const from = (first: number): O | Promise<O> => {
      for (let s = first; s < plan.steps.length; s++) {
        const st = plan.steps[s]
        const r: Buffer | Promise<Buffer> = exec(st)
        if (r instanceof Promise) return r.then((b) => ((env[st.out] = b), from(s + 1)))
        env[st.out] = r
      }
      return finish()
    }
    return from(0) as Later<R, O>
  }

  /** The async twin: replays run their large matmuls on the shared worker pool. */
  const runAsync = async (inputs: I, key: Key): Promise<O> => {
    const leaves = Tree.leaves(inputs)
    if (recording || leaves.some((l) => l.trace !== undefined)) return run(inputs, key)
    const plan = plans.get(signature(leaves, Tree.structure(inputs)))
    if (plan === undefined || plan === 'impure' || plan.backend !== getBackend()) return run(inputs, key)
    // an asynchronous backend (WebGPU) runs itself; a synchronous one its threaded twin if it has one
    const be = isAsync(plan.backend) ? plan.backend : (plan.backend.threaded ?? plan.backend)
    return replay(plan, be, leaves, key)
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
    // a synchronous replay of a plan recorded under an asynchronous backend runs on its fallback
    return replay(plan, syncOf(plan.backend), leaves, key)
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
