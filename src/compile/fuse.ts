/**
 * @internal Pure passes over a recorded plan (plan -> plan): `prune` drops steps no output needs,
 * `fuse` merges chains of single-consumer elementwise steps into one fused kernel expression each
 * (evaluated in one pass with no intermediates).
 *
 * @since 0.2.0
 */
import { storageOf } from '../core/Tensor.js'
import type { Shape } from '../core/Shape.js'
import { size as sizeOf } from '../core/Shape.js'
import type { Expr, UnaryOp, BinaryOp } from '../backend/Backend.js'
import { sameRef, type FusedStep, type OpStep, type Plan, type Ref, type Step } from './plan.js'

/** Drop the steps whose results no output needs. */
export const prune = (plan: Plan): Plan => ({ ...plan, steps: pruneSteps(plan.steps, plan.outs) })

/** Merge chains of single-consumer elementwise steps into fused steps. */
export const fuse = (plan: Plan): Plan => ({ ...plan, steps: fuseSteps(plan.steps, plan.outs) })

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

/** Whether an input of shape `s` can be read by a fused kernel over `out`: same size, scalar, or a suffix. */
const readable = (s: Shape, out: Shape): boolean => {
  const n = sizeOf(s)
  if (n === sizeOf(out) || n === 1) return true
  const core = s.slice(s.findIndex((d) => d !== 1))
  return core.length <= out.length && core.every((d, i) => d === out[out.length - core.length + i])
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
    if (r.k === 'const' && r.t.size === 1) {
      const d = storageOf(r.t)
      if (d !== undefined && !Number.isNaN(d[0])) return { k: 'const', v: d[0] }
    }
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

