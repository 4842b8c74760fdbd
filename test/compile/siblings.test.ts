/**
 * Sibling fusion (`fuseSiblings`, `siblingSteps` in compile/fuse.ts): a fused step computed together with
 * the fused steps of its shape whose results it reads, as one step with `more` — which steps merge, which
 * stay apart, and that every result is what the unmerged plan gives, bit for bit, whether the backend
 * evaluates the group in one kernel (`fusedMany`, webasm) or one expression at a time (replay's fallback).
 */
import { describe, it, expect, afterEach } from 'vitest'
import fc from 'fast-check'
import { add, sub, mul, div, sqrt, sum, randomNormal, key, abs, withBackend, reference, sequential, layers, adam, getBackend, Tree, type Tensor } from '../../src/index.js'
import { jit, setSiblingFusion } from '../../src/compile/jit.js'
import { bufferOf, storageOf, fromBuffer } from '../../src/core/Tensor.js'
import { record, leavesAndKey } from '../../src/compile/record.js'
import { fuse, fuseSiblings, prune, siblingSteps, MAX_SIBLINGS } from '../../src/compile/fuse.js'
import { replay, deadBuffers } from '../../src/compile/replay.js'
import type { FusedStep, Plan, Step } from '../../src/compile/plan.js'
import type { Expr } from '../../src/backend/Backend.js'
import { onWebasm } from './on-webasm.js'

afterEach(() => setSiblingFusion(true))

type State = { readonly w: Tensor; readonly m: Tensor; readonly v: Tensor; readonly g: Tensor }

/** Adam's update of one parameter: new moments, then the weights from them. */
const adamUpdate = (p: State): Tensor[] => {
  const m = add(mul(p.m, 0.9), mul(p.g, 0.1))
  const v = add(mul(p.v, 0.999), mul(mul(p.g, p.g), 0.001))
  const w = sub(p.w, div(mul(m, 0.01), add(sqrt(v), 1e-7)))
  return [m, v, w]
}

const state = (shape: ReadonlyArray<number>, seed: number): State => ({
  w: randomNormal(key(seed), shape),
  m: randomNormal(key(seed + 1), shape),
  v: abs(randomNormal(key(seed + 2), shape)),
  g: randomNormal(key(seed + 3), shape)
})

const bits = (t: Tensor): number[] => {
  const d = bufferOf(t)
  return Array.from(new Uint32Array(d.buffer, d.byteOffset, d.byteLength / 4))
}

/** The pruned, fused plan of `f` on `inp` (before sibling fusion). */
const fusedPlan = <I extends object>(f: (p: I) => Tensor[], inp: I): Plan => {
  const rec = record(f as unknown as (i: Tree.Tree) => Tensor[], inp as unknown as Tree.Tree, key(0))
  if (rec.plan === 'impure') throw new Error('impure')
  return fuse(prune(rec.plan))
}

const groups = (steps: ReadonlyArray<Step>): FusedStep[] => steps.filter((st): st is FusedStep => st.kind === 'fused' && st.more !== undefined)

/** Whether `e` holds the very object `sub`. */
const holds = (e: Expr, sub: Expr): boolean =>
  e === sub || (e.k === 'un' ? holds(e.x, sub) : e.k === 'bin' ? holds(e.a, sub) || holds(e.b, sub) : e.k === 'where' ? holds(e.c, sub) || holds(e.a, sub) || holds(e.b, sub) : false)

describe('sibling fusion: which steps merge', () => {
  it("merges Adam's new moments into the weights' step: one step of three results at the weights' place, the weights' expression holding the moments' objects", () => {
    const plan = fusedPlan(adamUpdate, state([6, 4], 1))
    expect(plan.steps.filter((st) => st.kind === 'fused').length).toBe(3)
    const steps = siblingSteps(plan.steps)
    expect(steps.length).toBe(plan.steps.length - 2)
    const [g] = groups(steps)
    expect(g).toBeDefined()
    const outs = [g.out, ...(g.more ?? []).map((m) => m.out)]
    // results in the plan's order: m, v, then w (the plan's outputs)
    expect(outs).toEqual(plan.outs.map((r) => (r.k === 'slot' ? r.i : -1)))
    const [mExpr, vExpr, wExpr] = [g.expr, ...(g.more ?? []).map((m) => m.expr)]
    expect(holds(wExpr, mExpr)).toBe(true)
    expect(holds(wExpr, vExpr)).toBe(true)
    // the union of the inputs: w, m, v, g (each once)
    expect(g.ins.map((r) => r.k).every((k) => k === 'in')).toBe(true)
    expect(new Set(g.ins.map((r) => (r.k === 'in' ? r.i : -1))).size).toBe(4)
    expect(g.ins.length).toBe(4)
  })

  it('keeps a producer apart when a step between it and its consumer reads it', () => {
    // sum(m) runs between the new moment and the weights' step, which reads the sum
    const f = (p: State): Tensor[] => {
      const m = add(mul(p.m, 0.9), mul(p.g, 0.1))
      const s = sum(m)
      return [m, sub(p.w, mul(m, s))]
    }
    const plan = fusedPlan(f, state([8], 2))
    expect(groups(siblingSteps(plan.steps))).toEqual([])
    // without the sum in between the two merge
    const g = (p: State): Tensor[] => {
      const m = add(mul(p.m, 0.9), mul(p.g, 0.1))
      return [m, sub(p.w, mul(m, 0.5)), sum(m)]
    }
    expect(groups(siblingSteps(fusedPlan(g, state([8], 2)).steps)).length).toBe(1)
  })

  it('keeps apart steps of another shape and steps that read a broadcast input', () => {
    const shapes = (p: State & { readonly b: Tensor }): Tensor[] => {
      const m = add(mul(p.m, 0.9), mul(p.g, 0.1))
      // a [4] suffix over [3, 4]: the consumer is not one thread per cell reading every input at its cell
      return [m, add(mul(m, 2), p.b)]
    }
    const inp = { ...state([3, 4], 3), b: randomNormal(key(9), [4]) }
    expect(groups(siblingSteps(fusedPlan(shapes, inp).steps))).toEqual([])
    const other = (p: State & { readonly b: Tensor }): Tensor[] => {
      const m = add(mul(p.b, 0.9), mul(p.b, 0.1))
      return [m, add(mul(sum(m, 0, true), 2), p.w)]
    }
    expect(groups(siblingSteps(fusedPlan(other, inp).steps))).toEqual([])
  })

  it(`merges at most ${MAX_SIBLINGS} results a step, and no step past the input limit`, () => {
    // five producers of one consumer: three join it
    const five = (p: { readonly xs: Tensor[] }): Tensor[] => {
      const ps = p.xs.map((x, i) => add(mul(x, i + 2), 1))
      return [...ps, ps.reduce((a, b) => add(a, mul(b, 3)))]
    }
    const xs = Array.from({ length: 5 }, (_, i) => randomNormal(key(20 + i), [8]))
    const [g] = groups(siblingSteps(fusedPlan(five, { xs }).steps))
    expect(1 + (g.more ?? []).length).toBe(MAX_SIBLINGS)
    // thirteen inputs in all: too many leaves for one kernel
    const wide = (p: { readonly xs: Tensor[] }): Tensor[] => {
      const a = p.xs.slice(0, 7).reduce((s, x) => add(s, mul(x, 2)))
      const b = p.xs.slice(7).reduce((s, x) => add(mul(s, 3), x), a)
      return [a, b]
    }
    const xs13 = Array.from({ length: 13 }, (_, i) => randomNormal(key(40 + i), [8]))
    expect(groups(siblingSteps(fusedPlan(wide, { xs: xs13 }).steps))).toEqual([])
  })
})

describe('sibling fusion: the same bits', () => {
  it('property: jit on webasm (one kernel per group where n is a multiple of 4, one expression each elsewhere) equals eager, bit for bit', () => {
    onWebasm(() =>
      fc.assert(
        fc.property(fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 2 }), fc.integer({ min: 0, max: 1000 }), (shape, seed) => {
          const inp = state(shape, seed)
          const want = adamUpdate(inp).map(bits)
          const j = jit(adamUpdate)
          expect(j(inp, key(0)).map(bits)).toEqual(want)
          expect(j(inp, key(0)).map(bits)).toEqual(want)
        }),
        { numRuns: 25 }
      )
    )
  })

  it('replays a merged plan on a backend of one expression per kernel (the float64 reference) as the unmerged plan', () => {
    withBackend(reference, () => {
      const inp = state([5, 3], 7)
      const plan = fusedPlan(adamUpdate, inp)
      const merged = fuseSiblings(plan)
      expect(groups(merged.steps).length).toBe(1)
      const { leaves } = leavesAndKey(inp as unknown as Tree.Tree)
      const a = replay<'sync', Tensor[]>(plan, plan.backend as never, leaves, key(0))
      const b = replay<'sync', Tensor[]>(merged, plan.backend as never, leaves, key(0))
      expect(b.map((t) => Array.from(storageOf(t) as Float64Array))).toEqual(a.map((t) => Array.from(storageOf(t) as Float64Array)))
    })
  })

  it('gives back the results of a group that no output reaches, the first or a later one, and keeps the others', () => {
    const inp = state([4], 3)
    const { leaves } = leavesAndKey(inp as unknown as Tree.Tree)
    // the new moment is read by the weights' step and by a sum after it: the two are one group [m, w]
    const cases: ReadonlyArray<readonly [(p: State) => Tensor[], number]> = [
      [(p) => { const [m, , w] = adamUpdate(p); return [w, sum(m)] }, 0], // m (the group's first result) dies
      [(p) => { const [m, , w] = adamUpdate(p); return [m, sum(w)] }, 1] // w (in `more`) dies
    ]
    for (const [f, dies] of cases) {
      const merged = fuseSiblings(fusedPlan(f, inp))
      const [g] = groups(merged.steps)
      const outs = [g.out, ...(g.more ?? []).map((m) => m.out)]
      expect(outs.length).toBe(2)
      const env: Array<Float32Array | undefined> = Array.from({ length: merged.slots }, () => new Float32Array(4))
      const results = merged.outs.map((r, i) => (r.k === 'slot' ? fromBuffer(env[r.i] as Float32Array, merged.outMeta[i].shape, 'float32') : randomNormal(key(1), [1])))
      const dead = deadBuffers(merged, env, leaves, results)
      expect(dead).toContain(env[outs[dies]])
      expect(dead).not.toContain(env[outs[1 - dies]])
    }
  })

  it('training on webasm: the same losses and weights to the bit with sibling fusion on and off', async () => {
    if (getBackend().name !== 'webasm') return
    const x = randomNormal(key(5), [96, 12])
    const y = randomNormal(key(6), [96, 3])
    const train = async (on: boolean): Promise<{ loss: unknown; w: number[][] }> => {
      setSiblingFusion(on)
      const model = sequential([layers.dense(16, { inputShape: [12], activation: 'relu' }), layers.dense(3)])
      const t = model.compile({ optimizer: adam({ learningRate: 0.01 }), loss: 'meanSquaredError' })
      const r = await t.fit(x, y, { batchSize: 32, epochs: 3, shuffle: false, verbose: 0 })
      return { loss: r.history.history.loss, w: (Tree.leaves(r.trainer.params) as Tensor[]).map(bits) }
    }
    const on = await train(true)
    const off = await train(false)
    expect(on.loss).toEqual(off.loss)
    expect(on.w).toEqual(off.w)
  })
})
