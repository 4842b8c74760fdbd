/**
 * Large products' dependents last (`sinkDependents`, `sinkSteps` in compile/fuse.ts), and the deferred
 * products a compiled replay joins only where a step reads them (`backend/deferred.ts`): the plan stays a
 * valid order of the same steps, and training gives the same bits with deferral on and off.
 */
import { describe, it, expect, afterEach } from 'vitest'
import { sequential, layers, adam, getBackend, randomNormal, randomUniform, key, Tree, oneHot, argmax, type Tensor } from '../../src/index.js'
import { bufferOf } from '../../src/core/Tensor.js'
import { record } from '../../src/compile/record.js'
import { fuse, fuseSiblings, prune, sinkSteps } from '../../src/compile/fuse.js'
import type { Step } from '../../src/compile/plan.js'
import { makeStepFn } from '../../src/train/step.js'
import { setDeferredMatmuls } from '../../src/backend/gpujs/matmul-ops.js'
import { deferredStats } from '../../src/backend/deferred.js'

afterEach(() => setDeferredMatmuls(true))

const outsOf = (st: Step): number[] => (st.kind === 'fused' && st.more !== undefined ? [st.out, ...st.more.map((m) => m.out)] : [st.out])
const readsOf = (st: Step): number[] => (st.kind === 'random' ? [] : st.ins.flatMap((r) => (r.k === 'slot' ? [r.i] : [])))

/** A training step's plan (the MLP's shapes, smaller), pruned, fused and with sibling steps. */
const stepPlan = (): ReadonlyArray<Step> => {
  const model = sequential([layers.dense(64, { inputShape: [200], activation: 'relu' }), layers.dense(32, { activation: 'relu' }), layers.dense(10, { activation: 'softmax' })])
  const t = model.compile({ optimizer: adam({ learningRate: 1e-3 }), loss: 'categoricalCrossentropy' })
  const xs = [randomNormal(key(1), [64, 200])]
  const ys = [oneHot(argmax(randomNormal(key(2), [64, 10]), 1), 10)]
  const inputs = { params: t.params, optState: t.optState as Tree.Tree, state: t.state, xs, ys, sampleWeight: [randomUniform(key(3), [64])] }
  const step = makeStepFn({ model: t.model, losses: t.config.losses, lossWeights: t.config.lossWeights, optimizer: t.config.optimizer })
  const rec = record(step, inputs, t.stepKey())
  if (rec.plan === 'impure') throw new Error('impure')
  return fuseSiblings(fuse(prune(rec.plan))).steps
}

/** Whether `order` is a valid order: every slot a step reads is written by an earlier step (or never, an input). */
const validOrder = (order: ReadonlyArray<Step>): boolean => {
  const writtenAt = new Map<number, number>()
  order.forEach((st, i) => outsOf(st).forEach((o) => writtenAt.set(o, i)))
  return order.every((st, i) => readsOf(st).every((s) => (writtenAt.get(s) ?? -1) < i))
}

const macs = (st: Step): number => {
  if (st.kind !== 'op' || st.def.name !== 'matmul') return 0
  const a = st.inShapes[0]
  const k = (st.params as { transposeA?: boolean }).transposeA === true ? a[a.length - 2] : a[a.length - 1]
  return st.spec.shape.reduce((p, d) => p * d, 1) * k
}

describe('sinking the dependents of large products', () => {
  const plan = stepPlan()

  for (const minMacs of [1, 64 * 200 * 64, Infinity])
    it(`keeps the same steps in a valid order, each product of ≥ ${minMacs} multiply-adds followed first by the steps that do not reach it`, () => {
      const order = sinkSteps(plan, minMacs)
      expect(new Set(order)).toEqual(new Set(plan))
      expect(order.length).toBe(plan.length)
      expect(validOrder(order)).toBe(true)
      if (minMacs === Infinity) expect(order).toEqual([...plan])
      // after the last large product: every step that does not reach it comes before every one that does
      const last = order.map((st, i) => [st, i] as const).filter(([st]) => macs(st) >= minMacs).pop()
      if (last === undefined) return
      const reach = new Set(outsOf(last[0]))
      const reaches = order.slice(last[1] + 1).map((st) => {
        const r = readsOf(st).some((s) => reach.has(s))
        if (r) outsOf(st).forEach((o) => reach.add(o))
        return r
      })
      const firstReaching = reaches.indexOf(true)
      expect(firstReaching).toBeGreaterThanOrEqual(0)
      expect(reaches.slice(firstReaching).every((r) => r)).toBe(true)
    })

  it('moves the other layers’ updates between the first layer’s weight gradient and its update', () => {
    const order = sinkSteps(plan, 64 * 200 * 64)
    const grad = order.findIndex((st) => macs(st) === 64 * 200 * 64 && st.kind === 'op' && st.spec.shape[0] === 200)
    expect(grad).toBeGreaterThan(0)
    const groupsAfter = order.slice(grad + 1).filter((st): st is Extract<Step, { kind: 'fused' }> => st.kind === 'fused' && st.more !== undefined)
    // the bias of the first layer and the four parameters of the others, then the first layer's weights
    expect(groupsAfter.length).toBeGreaterThanOrEqual(4)
    expect(groupsAfter[groupsAfter.length - 1].shape).toEqual([200, 64])
    expect(order.slice(grad + 1).findIndex((st) => st.kind === 'fused' && st.more !== undefined && st.shape[0] === 200)).toBe(order.length - grad - 2)
  })
})

describe('deferred products in compiled training', () => {
  it('train to the same losses and weights, bit for bit, with deferral on and off; the replays join them early', async () => {
    if (getBackend().name !== 'webasm') return
    const x = randomNormal(key(7), [256, 784])
    const y = oneHot(argmax(randomNormal(key(8), [256, 10]), 1), 10)
    const bits = (t: Tensor): number[] => {
      const d = bufferOf(t)
      return Array.from(new Uint32Array(d.buffer, d.byteOffset, d.byteLength / 4))
    }
    const train = async (on: boolean): Promise<{ loss: unknown; w: number[][] }> => {
      setDeferredMatmuls(on)
      const model = sequential([layers.dense(128, { inputShape: [784], activation: 'relu' }), layers.dense(10, { activation: 'softmax' })])
      const t = model.compile({ optimizer: adam({ learningRate: 1e-3 }), loss: 'categoricalCrossentropy' })
      const r = await t.fit(x, y, { batchSize: 128, epochs: 3, shuffle: false, verbose: 0 })
      return { loss: r.history.history.loss, w: (Tree.leaves(r.trainer.params) as Tensor[]).map(bits) }
    }
    const early = deferredStats.joinedEarly
    const on = await train(true)
    expect(deferredStats.joinedEarly).toBeGreaterThan(early)
    const joined = deferredStats.joinedEarly
    const off = await train(false)
    expect(deferredStats.joinedEarly).toBe(joined)
    expect(on.loss).toEqual(off.loss)
    expect(on.w).toEqual(off.w)
  })
})
