/**
 * @internal The form of a recorded scan body that the scan kernel replays: the body's dead steps pruned
 * and its chains of single-consumer elementwise steps fused into one kernel expression each — the same
 * passes `jit` runs on a compiled plan (`compile/fuse.ts`), applied to the body, whose steps run once per
 * time step. An LSTM cell's gates (numerically stable sigmoids: neg, abs, exp, compare, where, divide…)
 * go from dozens of kernel calls per step to a few.
 *
 * Only the replay uses this form. Differentiating a scan evaluates the recorded body itself
 * (`evalBody`), op by op, so gradients and higher derivatives are unchanged; `customVjp` markers are
 * dropped here because the replay skips them anyway (their forward steps follow them in the body).
 *
 * @since 0.3.0
 */
import type { Shape } from '../core/Shape.js'
import type { Expr } from '../backend/Backend.js'
import type { OpStep, Ref, Step } from '../compile/plan.js'
import { fuseSteps, pruneSteps } from '../compile/fuse.js'
import type { Body, BRef, OpBStep } from './scanBody.js'
import { fail } from '../core/errors.js'

/** A fused elementwise step of a replayed body. */
export interface FusedBStep {
  readonly kind: 'fused'
  readonly expr: Expr
  readonly ins: ReadonlyArray<BRef>
  readonly inShapes: ReadonlyArray<Shape>
  readonly shape: Shape
  readonly out: number
}

/** A body as the scan kernel replays it. */
export interface RunBody {
  readonly steps: ReadonlyArray<OpBStep | FusedBStep>
  readonly outs: ReadonlyArray<BRef>
}

const cache = new WeakMap<Body, RunBody>()

/** The pruned and fused replay form of `body` (computed once per body). */
export const runBodyOf = (body: Body): RunBody => {
  let r = cache.get(body)
  if (r === undefined) {
    r = fuseBody(body)
    cache.set(body, r)
  }
  return r
}

const fuseBody = (body: Body): RunBody => {
  // body references as plan references: locals are slots; carry, slice and closed-over values are inputs
  const inputs: BRef[] = []
  const inIdx = new Map<string, number>()
  const toRef = (b: BRef): Ref => {
    if (b.k === 'l') return { k: 'slot', i: b.i }
    const key = `${b.k}${b.i}`
    let i = inIdx.get(key)
    if (i === undefined) {
      i = inputs.length
      inputs.push({ k: b.k, i: b.i })
      inIdx.set(key, i)
    }
    return { k: 'in', i }
  }
  const fromRef = (r: Ref): BRef => (r.k === 'slot' ? { k: 'l', i: r.i } : r.k === 'in' ? inputs[r.i] : noConst())
  const steps: Step[] = []
  for (const st of body.steps) if (st.kind === 'op') steps.push({ ...st, ins: st.ins.map(toRef) })
  const outs = body.outs.map(toRef)
  const fused = fuseSteps(pruneSteps(steps, outs), outs)
  return {
    steps: fused.map((st): OpBStep | FusedBStep => {
      if (st.kind === 'fused') return { kind: 'fused', expr: st.expr, ins: st.ins.map(fromRef), inShapes: st.inShapes, shape: st.shape, out: st.out }
      const op = st as OpStep
      return { kind: 'op', def: op.def, params: op.params, ins: op.ins.map(fromRef), inShapes: op.inShapes, spec: op.spec, out: op.out }
    }),
    outs: body.outs
  }
}

const noConst = (): never => fail('InternalError', 'scan: a replayed body step refers to a captured constant', { op: 'scan' })
