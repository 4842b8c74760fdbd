/**
 * The body of a `scan`, recorded once: {@link record} runs the user's step function on tracers of a
 * fresh tag and writes every primitive bound at that tag into a small plan ({@link Body}) whose inputs
 * are the carry, the slice and the closed-over tensors; {@link evalBody} evaluates that plan again with
 * ordinary (traceable) operations, which is how the VJP of a scan differentiates its body. The scan
 * primitive that replays the plan over the time steps is in `scan.ts`.
 *
 * @since 0.2.0
 */
import { Tensor, fill, concrete, type DType } from '../core/Tensor.js'
import { withRecorder } from '../core/recorder.js'
import * as Tree from '../core/Tree.js'
import type { Shape } from '../core/Shape.js'
import { type PrimitiveDef, type OutSpec, type Node, bind, freshTag, nextNodeId, setTagObserver } from '../primitives/bind.js'
import { stopGradient } from './vjp.js'
import { fail, show } from '../core/errors.js'

// ------------------------------------------------------------------ the recorded body

/** Where a body value comes from: the carry, the slice, a closed-over tensor, or a body step. */
export type BRef =
  | { readonly k: 'c'; readonly i: number; readonly stop?: true }
  | { readonly k: 'x'; readonly i: number; readonly stop?: true }
  | { readonly k: 'e'; readonly i: number; readonly stop?: true }
  | { readonly k: 'l'; readonly i: number; readonly stop?: true }

export interface OpBStep {
  readonly kind: 'op'
  readonly def: PrimitiveDef<unknown>
  readonly params: unknown
  readonly ins: ReadonlyArray<BRef>
  readonly inShapes: ReadonlyArray<Shape>
  readonly spec: OutSpec
  readonly out: number
}
/** a `customVjp` function: the next `span` steps are its forward; differentiable evaluation calls `fn` */
export interface CustomBStep {
  readonly kind: 'custom'
  readonly fn: (...xs: Tensor[]) => Tensor
  readonly ins: ReadonlyArray<BRef>
  readonly span: number
  readonly out: BRef
}
export type BStep = OpBStep | CustomBStep

/** @internal A recorded scan body. */
export interface Body {
  readonly steps: ReadonlyArray<BStep>
  readonly locals: number
  /** the carry leaves, then the y leaves */
  readonly outs: ReadonlyArray<BRef>
}

export interface Meta {
  readonly shape: Shape
  readonly dtype: DType
}

export const metaOf = (t: Tensor): Meta => ({ shape: t.shape, dtype: t.dtype })
export const sameMeta = (a: Meta, b: Meta): boolean => a.dtype === b.dtype && a.shape.length === b.shape.length && a.shape.every((d, i) => d === b.shape[i])

// ------------------------------------------------------------------ the body as differentiable operations

/** Evaluate a recorded body with ordinary (traceable) operations. */
export const evalBody = (body: Body, c: ReadonlyArray<Tensor>, x: ReadonlyArray<Tensor>, e: ReadonlyArray<Tensor>): Tensor[] => {
  const env: Tensor[] = new Array(body.locals)
  const get = (r: BRef): Tensor => {
    const v = r.k === 'c' ? c[r.i] : r.k === 'x' ? x[r.i] : r.k === 'e' ? e[r.i] : env[r.i]
    return r.stop === true ? stopGradient(v) : v
  }
  const steps = body.steps
  for (let s = 0; s < steps.length; s++) {
    const st = steps[s]
    if (st.kind === 'op') env[st.out] = bind(st.def, st.ins.map(get), st.params)
    else {
      const y = st.fn(...st.ins.map(get))
      if (st.out.k === 'l') env[st.out.i] = y
      s += st.span
    }
  }
  return body.outs.map(get)
}

// ------------------------------------------------------------------ recording

export interface Recorded {
  readonly body: Body
  readonly ext: ReadonlyArray<Tensor>
  readonly outMeta: ReadonlyArray<Meta>
  readonly outStructure: readonly [Tree.Structure, Tree.Structure]
}

export const record = (f: (c: Tree.Tree, x: Tree.Tree) => unknown, cMeta: ReadonlyArray<Meta>, cSt: Tree.Structure, xMeta: ReadonlyArray<Meta>, xSt: Tree.Structure): Recorded | 'impure' => {
  const tag = freshTag()
  const refs = new Map<Tensor, BRef>()
  // the concrete value under every tracer of this tag: a `stopGradient` inside the body hands us one
  const byConcrete = new Map<Tensor, BRef>()
  const ext: Tensor[] = []
  const extIdx = new Map<Tensor, number>()
  const steps: BStep[] = []
  let locals = 0
  const leaf = (m: Meta, r: BRef): Tensor => {
    const node: Node = { id: nextNodeId(), parents: [], vjp: undefined }
    const z = fill(m.shape, 0, m.dtype)
    const t = new Tensor(m.shape, m.dtype, undefined, { tag, primal: z, node })
    refs.set(t, r)
    byConcrete.set(z, { ...r, stop: true })
    return t
  }
  const cPh = cMeta.map((m, i) => leaf(m, { k: 'c', i }))
  const xPh = xMeta.map((m, i) => leaf(m, { k: 'x', i }))
  const refOf = (t: Tensor): BRef => {
    const r = refs.get(t)
    if (r !== undefined) return r
    if (t.trace !== undefined && t.trace.tag === tag)
      return fail('InternalError', 'scan: the body used a value of this loop that was not recorded', { op: 'scan' })
    const s = byConcrete.get(t)
    if (s !== undefined) return s
    let i = extIdx.get(t)
    if (i === undefined) {
      i = ext.length
      ext.push(t)
      extIdx.set(t, i)
    }
    return { k: 'e', i }
  }
  const local = (t: Tensor): BRef => {
    const r: BRef = { k: 'l', i: locals++ }
    refs.set(t, r)
    byConcrete.set(concrete(t), { k: 'l', i: r.i, stop: true })
    return r
  }
  let impure = false
  setTagObserver(tag, {
    onBind(def, inputs, params, out) {
      const ins = inputs.map(refOf)
      const r = local(out)
      steps.push({ kind: 'op', def, params, ins, inShapes: inputs.map((t) => t.shape), spec: { shape: out.shape, dtype: out.dtype }, out: r.i })
    },
    onCustom(g, inputs, inline) {
      const ins = inputs.map(refOf)
      const at = steps.length
      steps.push({ kind: 'custom', fn: g, ins, span: 0, out: { k: 'e', i: -1 } })
      const y = inline()
      steps[at] = { kind: 'custom', fn: g, ins, span: steps.length - at - 1, out: refOf(y) }
      return y
    }
  })
  let result: unknown
  try {
    // a host read in the body means data-dependent control flow: the body cannot be recorded
    const onHostRead = (): void => {
      impure = true
    }
    result = withRecorder({ hostRead: onHostRead }, () => f(Tree.unflatten(cSt, cPh), Tree.unflatten(xSt, xPh)))
  } finally {
    setTagObserver(tag, undefined)
  }
  if (impure) return 'impure'
  if (!Array.isArray(result) || result.length !== 2)
    return fail('InvalidArgument', `scan: the body must return a pair [carry, y], received ${show(result)}`, { op: 'scan', expected: '[carry, y]', received: result })
  const [c2, y] = result as [Tree.Tree, Tree.Tree]
  const c2St = checkTree('the carry returned by the body', c2)
  const ySt = checkTree('the y returned by the body', y)
  if (!Tree.sameStructure(c2St, cSt))
    fail('StructureMismatch', 'scan: the body must return a carry of the same structure as init', { op: 'scan', expected: cSt, actual: c2St })
  const cl = Tree.leaves(c2)
  cl.forEach((l, i) => {
    if (!sameMeta(metaOf(l), cMeta[i]))
      fail('ShapeMismatch', `scan: carry leaf ${i} comes back with shape ${show(l.shape)} (${l.dtype}), but init has ${show(cMeta[i].shape)} (${cMeta[i].dtype})`, { op: 'scan', expected: cMeta[i], actual: metaOf(l) })
  })
  const yl = Tree.leaves(y)
  return { body: { steps, locals, outs: [...cl, ...yl].map(refOf) }, ext, outMeta: yl.map(metaOf), outStructure: [c2St, ySt] }
}

export const checkTree = (what: string, t: unknown): Tree.Structure => {
  try {
    return Tree.structure(t as Tree.Tree)
  } catch {
    return fail('InvalidArgument', `scan: ${what} must be a Tensor or a tree of Tensors, received ${show(t)}`, { op: 'scan', expected: 'Tree', received: t })
  }
}

