/**
 * @internal Pure passes over a recorded plan (plan -> plan): `prune` drops steps no output needs,
 * `fuse` merges chains of single-consumer elementwise steps into one fused kernel expression each
 * (evaluated in one pass with no intermediates). A fused kernel reads inputs of the output's size,
 * scalars, suffix broadcasts (`[c]` over `[r, c]`) and row broadcasts (`[r, 1]` over `[r, c]`), so a
 * `broadcastTo` before an elementwise step is read through instead of run.
 *
 * @since 0.2.0
 */
import { storageOf } from '../core/Tensor.js'
import type { Shape } from '../core/Shape.js'
import { shapeEq, size as sizeOf } from '../core/Shape.js'
import { fusedRead, type Expr, type UnaryOp, type BinaryOp } from '../backend/Backend.js'
import { sameRef, type FusedStep, type OpStep, type Plan, type Ref, type Step } from './plan.js'

/** Drop the steps whose results no output needs. */
export const prune = (plan: Plan): Plan => ({ ...plan, steps: pruneSteps(plan.steps, plan.outs) })

/** Merge chains of single-consumer elementwise steps into fused steps. */
export const fuse = (plan: Plan): Plan => ({ ...plan, steps: fuseSteps(plan.steps, plan.outs) })

/**
 * Compute each fused step together with the fused steps of its shape whose results it reads (Adam's new
 * moments beside the new weights), as one step with `more` for backends that evaluate several expressions
 * in one kernel (`Backend.fusedMany`). Run after {@link fuse}.
 */
export const fuseSiblings = (plan: Plan): Plan => ({ ...plan, steps: siblingSteps(plan.steps) })

/**
 * Order the steps so that those reading a large matmul's result (at least `minMacs` multiply-adds),
 * directly or through other steps, come after those that do not: a product an asynchronous backend
 * started on other threads (`backend/deferred.ts`) is then computed there while this thread runs the
 * others (an optimizer's updates of the other layers while the first layer's weight gradient is
 * computed). Every step still comes after the steps it reads.
 */
export const sinkDependents = (plan: Plan, minMacs: number): Plan => ({ ...plan, steps: sinkSteps(plan.steps, minMacs) })

/** @internal Drop steps whose results no output needs (also used on scan bodies, `ad/scanFuse.ts`). */
export const pruneSteps = (steps: ReadonlyArray<Step>, outs: ReadonlyArray<Ref>): Step[] => {
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
/**
 * A producer smaller than its consumer (a `[r, 1]` chain read by a `[r, c]` step) is inlined only if its
 * nodes times the consumer's cells stay at most this: it is then evaluated once per consumer cell, which
 * must cost less than the kernel call it saves (5–20 µs on webasm).
 */
const MAX_RECOMPUTE = 1 << 16

/** An expression whose leaves are still plan references. */
type Tmp =
  | { readonly k: 'leaf'; readonly ref: Ref; readonly shape: Shape }
  | { readonly k: 'const'; readonly v: number }
  | { readonly k: 'un'; readonly op: UnaryOp; readonly x: Tmp }
  | { readonly k: 'bin'; readonly op: BinaryOp; readonly a: Tmp; readonly b: Tmp }
  | { readonly k: 'where'; readonly c: Tmp; readonly a: Tmp; readonly b: Tmp }

const nodes = (t: Tmp): number => (t.k === 'leaf' || t.k === 'const' ? 1 : t.k === 'un' ? 1 + nodes(t.x) : t.k === 'bin' ? 1 + nodes(t.a) + nodes(t.b) : 1 + nodes(t.c) + nodes(t.a) + nodes(t.b))
type Leaf = Extract<Tmp, { readonly k: 'leaf' }>
/** The leaves of an expression in depth-first order (`where`: condition, then the two branches), repeats included. */
const leaves = (t: Tmp, acc: Leaf[] = []): Leaf[] => {
  if (t.k === 'leaf') acc.push(t)
  else if (t.k === 'un') leaves(t.x, acc)
  else if (t.k === 'bin') {
    leaves(t.a, acc)
    leaves(t.b, acc)
  } else if (t.k === 'where') {
    leaves(t.c, acc)
    leaves(t.a, acc)
    leaves(t.b, acc)
  }
  return acc
}
/** The distinct references an expression reads, in the order of their first leaf. */
const leafRefs = (t: Tmp): Ref[] => {
  const acc: Ref[] = []
  for (const l of leaves(t)) if (!acc.some((r) => sameRef(r, l.ref))) acc.push(l.ref)
  return acc
}

/**
 * Whether a fused kernel over `out` can read every leaf of `t` (`fusedRead`: full, scalar, suffix or
 * row broadcast) — and, when one leaf is a row broadcast, whether every broadcast leaf splits the output
 * at the same point (`[r, 1]` and `[c]` over `[r, c]` do; `[a, 1, 1]` and `[c]` over `[a, b, c]` do
 * not), so the backends read them with exact thread-id indices (`fused2D` in kernels/elementwise.ts).
 */
const fits = (t: Tmp, out: Shape): boolean => {
  const reads = leaves(t).map((l) => fusedRead(l.shape, out))
  if (!reads.every((r) => r !== undefined)) return false
  if (!reads.some((r) => r?.k === 'row')) return true
  return new Set(reads.flatMap((r) => (r?.k === 'suffix' || r?.k === 'row' ? [r.inner] : []))).size === 1
}

/** @internal Merge chains of single-consumer elementwise steps into fused steps (also used on scan bodies). */
export const fuseSteps = (steps: ReadonlyArray<Step>, outs: ReadonlyArray<Ref>): Step[] => {
  const uses = new Map<number, number>()
  const bump = (r: Ref, by = 1): void => {
    if (r.k === 'slot') uses.set(r.i, (uses.get(r.i) ?? 0) + by)
  }
  for (const st of steps) if (st.kind !== 'random') st.ins.forEach((r) => bump(r))
  outs.forEach((r) => bump(r, 1000))
  const pending = new Map<number, { tmp: Tmp; shape: Shape; step: OpStep }>()
  // per producer slot, how many of its uses were inlined into a consumer's expression: a producer all of
  // whose uses were inlined is gone (one use, or a `broadcastTo` read through by each of its consumers)
  const inlined = new Map<number, number>()
  const out: Step[] = []
  for (const st of steps) {
    const tmp = st.kind === 'op' ? asTmp(st, pending, uses) : undefined
    if (st.kind !== 'op' || tmp === undefined) {
      out.push(st)
      continue
    }
    for (const r of st.ins) if (r.k === 'slot' && pending.has(r.i) && absorbedBy(tmp, r.i)) inlined.set(r.i, (inlined.get(r.i) ?? 0) + 1)
    pending.set(st.out, { tmp, shape: st.spec.shape, step: st })
    out.push(st)
  }
  return out
    .filter((st) => {
      const k = inlined.get(st.out)
      return k === undefined || k !== uses.get(st.out)
    })
    .map((st) => {
      const p = st.kind === 'op' ? pending.get(st.out) : undefined
      // a step of one or two nodes runs as its own op — unless it inlined a producer (a `broadcastTo`
      // read through, a cast), whose slot may no longer exist
      if (p === undefined || st.kind !== 'op' || (nodes(p.tmp) <= 2 && !st.ins.some((r) => r.k === 'slot' && absorbedBy(p.tmp, r.i)))) return st
      const ls = leaves(p.tmp)
      const refs = leafRefs(p.tmp)
      // a reference's shape as its first leaf records it
      const shapes = refs.map((r) => (ls.find((l) => sameRef(l.ref, r)) as Leaf).shape)
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

// a child slot was absorbed when the built expression no longer references it as a leaf
const absorbedBy = (t: Tmp, slot: number): boolean => !leafRefs(t).some((r) => r.k === 'slot' && r.i === slot)

/**
 * The expression of an elementwise step, inlining single-use elementwise producers; undefined if not
 * elementwise. A `broadcastTo` counts as one whose expression is its input: a consumer that can read
 * that input directly (a row or suffix broadcast of its output) absorbs it, and the broadcast kernel is
 * gone. A producer of a smaller shape (a `[r, 1]` chain under a `[r, c]` consumer) is inlined when its
 * leaves read consistently over the consumer's output and recomputing it per cell stays cheap.
 */
const asTmp = (st: OpStep, pending: ReadonlyMap<number, { tmp: Tmp; shape: Shape; step: OpStep }>, uses: ReadonlyMap<number, number>): Tmp | undefined => {
  const name = st.def.name
  const p = st.params as { op?: string; dtype?: string }
  const elementwise = UNARY.has(name) || BINARY.has(name) || name === 'compare' || name === 'where' || name === 'broadcastTo' || (name === 'cast' && p.dtype === 'float32')
  if (!elementwise || st.spec.dtype !== 'float32') return undefined
  const shape = st.spec.shape
  const n = sizeOf(shape)
  const build = (inline: boolean): Tmp => {
    let budget = MAX_NODES
    const child = (j: number): Tmp => {
      const r = st.ins[j]
      if (r.k === 'const' && r.t.size === 1) {
        const d = storageOf(r.t)
        if (d !== undefined && !Number.isNaN(d[0])) return { k: 'const', v: d[0] }
      }
      if (inline && r.k === 'slot') {
        const pend = pending.get(r.i)
        // a broadcastTo read through is a bare leaf: inlining it into every consumer duplicates no work
        const readThrough = pend !== undefined && pend.step.def.name === 'broadcastTo' && pend.tmp.k === 'leaf'
        if (pend !== undefined && (uses.get(r.i) === 1 || readThrough)) {
          const k = nodes(pend.tmp)
          if (k < budget && (sizeOf(pend.shape) === n || k * n <= MAX_RECOMPUTE) && fits(pend.tmp, shape)) {
            budget -= k
            return pend.tmp
          }
        }
      }
      return { k: 'leaf', ref: r, shape: st.inShapes[j] }
    }
    if (UNARY.has(name)) return { k: 'un', op: name as UnaryOp, x: child(0) }
    if (name === 'cast' || name === 'broadcastTo') return child(0)
    if (name === 'where') return { k: 'where', c: child(0), a: child(1), b: child(2) }
    return { k: 'bin', op: (name === 'compare' ? p.op : name) as BinaryOp, a: child(0), b: child(1) }
  }
  // inlined producers may disagree on the split point with the step's own inputs: then inline none
  const inlined = build(true)
  const t = fits(inlined, shape) ? inlined : build(false)
  if (!fits(t, shape) || leafRefs(t).length > MAX_LEAVES) return undefined
  return t
}

// ------------------------------------------------------------------ sibling fusion

/** Most results one sibling step computes (gpu.js's widest `Array(n)` result). */
export const MAX_SIBLINGS = 4

/** A fused step reading every input in full or as a scalar, with no siblings yet. */
const plainFused = (st: Step): st is FusedStep => {
  if (st.kind !== 'fused' || st.more !== undefined) return false
  const n = sizeOf(st.shape)
  return st.inShapes.every((s) => {
    const m = sizeOf(s)
    return m === 1 || m === n
  })
}

/** `e` with each leaf `in i` replaced by `leaf(i)`. */
const relabel = (e: Expr, leaf: (i: number) => Expr): Expr =>
  e.k === 'in'
    ? leaf(e.i)
    : e.k === 'const'
      ? e
      : e.k === 'un'
        ? { k: 'un', op: e.op, x: relabel(e.x, leaf) }
        : e.k === 'bin'
          ? { k: 'bin', op: e.op, a: relabel(e.a, leaf), b: relabel(e.b, leaf) }
          : { k: 'where', c: relabel(e.c, leaf), a: relabel(e.a, leaf), b: relabel(e.b, leaf) }

/**
 * One step computing the producers' results and the consumer's over the union of their inputs: the
 * consumer's reads of a producer become the producer's expression object itself. Undefined past
 * {@link MAX_LEAVES} inputs.
 */
const mergeSiblings = (ps: ReadonlyArray<FusedStep>, c: FusedStep): FusedStep | undefined => {
  const refs: Ref[] = []
  const shapes: Shape[] = []
  const index = (r: Ref, s: Shape): Expr => {
    let k = refs.findIndex((q) => sameRef(q, r))
    if (k < 0) {
      k = refs.length
      refs.push(r)
      shapes.push(s)
    }
    return { k: 'in', i: k }
  }
  const exprs = ps.map((p) => relabel(p.expr, (i) => index(p.ins[i], p.inShapes[i])))
  const last = relabel(c.expr, (i) => {
    const r = c.ins[i]
    const j = r.k === 'slot' ? ps.findIndex((p) => p.out === r.i) : -1
    return j >= 0 ? exprs[j] : index(r, c.inShapes[i])
  })
  if (refs.length > MAX_LEAVES) return undefined
  const more = [...exprs.slice(1).map((expr, k) => ({ expr, out: ps[k + 1].out })), { expr: last, out: c.out }]
  return { kind: 'fused', expr: exprs[0], ins: refs, inShapes: shapes, shape: c.shape, out: ps[0].out, more }
}

/**
 * @internal The steps of {@link fuseSiblings}. A producer joins its consumer's step only when both read
 * every input in full or as a scalar (one thread per cell reads them all at its cell), it has the
 * consumer's shape, and no step between the two reads its result (the group runs at the consumer's
 * place); at most {@link MAX_SIBLINGS} results and {@link MAX_LEAVES} inputs a step.
 */
export const siblingSteps = (steps: ReadonlyArray<Step>): Step[] => {
  const writer = new Map<number, number>()
  const readers = new Map<number, number[]>()
  steps.forEach((st, i) => {
    writer.set(st.out, i)
    if (st.kind !== 'random')
      for (const r of st.ins)
        if (r.k === 'slot') {
          const list = readers.get(r.i)
          if (list === undefined) readers.set(r.i, [i])
          else list.push(i)
        }
  })
  const taken = new Set<number>()
  const merged = new Map<number, FusedStep>()
  steps.forEach((st, i) => {
    if (!plainFused(st)) return
    const producers: number[] = []
    for (const r of st.ins) {
      if (r.k !== 'slot' || producers.length + 1 >= MAX_SIBLINGS) continue
      const j = writer.get(r.i)
      if (j === undefined || taken.has(j) || merged.has(j) || producers.includes(j)) continue
      const p = steps[j]
      if (!plainFused(p) || !shapeEq(p.shape, st.shape)) continue
      if ((readers.get(p.out) ?? []).some((k) => k > j && k < i)) continue
      producers.push(j)
    }
    if (producers.length === 0) return
    producers.sort((a, b) => a - b)
    const step = mergeSiblings(
      producers.map((j) => steps[j] as FusedStep),
      st
    )
    if (step === undefined) return
    for (const j of producers) taken.add(j)
    merged.set(i, step)
  })
  return steps.flatMap((st, i) => (taken.has(i) ? [] : [merged.get(i) ?? st]))
}

// ------------------------------------------------------------------ matmul dependents last

/** The slots a step writes. */
const outsOf = (st: Step): ReadonlyArray<number> => (st.kind === 'fused' && st.more !== undefined ? [st.out, ...st.more.map((m) => m.out)] : [st.out])

/** The multiply-adds of a matmul step. */
const macs = (st: OpStep): number => {
  const a = st.inShapes[0]
  const k = (st.params as { transposeA?: boolean }).transposeA === true ? a[a.length - 2] : a[a.length - 1]
  return sizeOf(st.spec.shape) * k
}

/**
 * @internal The steps of {@link sinkDependents}: after each matmul of at least `minMacs` multiply-adds (the
 * products a backend may start on other threads; smaller ones would only pull work away from the large
 * ones), in order, the steps that do not reach its result, then those that do (each part in its order).
 */
export const sinkSteps = (steps: ReadonlyArray<Step>, minMacs: number): Step[] => {
  let order = [...steps]
  for (let i = 0; i < order.length; i++) {
    const m = order[i]
    if (m.kind !== 'op' || m.def.name !== 'matmul' || macs(m) < minMacs) continue
    const reach = new Set<number>([m.out])
    const free: Step[] = []
    const after: Step[] = []
    for (let j = i + 1; j < order.length; j++) {
      const st = order[j]
      if (st.kind !== 'random' && st.ins.some((r) => r.k === 'slot' && reach.has(r.i))) {
        after.push(st)
        for (const o of outsOf(st)) reach.add(o)
      } else free.push(st)
    }
    order = [...order.slice(0, i + 1), ...free, ...after]
  }
  return order
}
