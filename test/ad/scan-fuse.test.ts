import { describe, it, expect } from 'vitest'
import fc from 'fast-check'
import { scan, add, mul, tanh, matmul, sigmoid, dataSync, grad, sum, slice, reshape, type Tensor } from '../../src/index.js'
import { tensorOf } from '../../laws/index.js'
import { getBackend, withBackend } from '../../src/backend/index.js'
import type { Backend } from '../../src/backend/Backend.js'
import { record, metaOf, type Body } from '../../src/ad/scanBody.js'
import { runBodyOf } from '../../src/ad/scanFuse.js'
import * as Tree from '../../src/core/Tree.js'
import { counting } from '../backend/counting.js'

/** An LSTM-like cell: the gate chain (sigmoid, tanh, products) is elementwise after two matmuls. */
const cell =
  (w: Tensor, u: Tensor) =>
  (h: Tensor, x: Tensor): [Tensor, Tensor] => {
    const z = add(matmul(x, w), matmul(h, u))
    const h2 = mul(sigmoid(z), tanh(add(z, h)))
    return [h2, h2]
  }

/** Slice `t` of `xs` along axis 0. */
const at = (xs: Tensor, t: number): Tensor => reshape(slice(xs, [t, 0, 0], [1, xs.shape[1], xs.shape[2]]), xs.shape.slice(1))

const sample = (shape: number[], seed: number): Tensor => fc.sample(tensorOf(shape), { numRuns: 1, seed })[0]

describe('scan replays its body pruned and fused', () => {
  it('fuses the elementwise chain of a recorded body into fewer steps', () => {
    const [w, u, h0, x0] = [sample([4, 5], 1), sample([5, 5], 2), sample([3, 5], 3), sample([3, 4], 4)]
    const rec = record((c, x) => cell(w, u)(c as Tensor, x as Tensor), [metaOf(h0)], Tree.structure(h0), [metaOf(x0)], Tree.structure(x0))
    if (rec === 'impure') throw new Error('the body should record')
    const body: Body = rec.body
    const run = runBodyOf(body)
    expect(run.steps.some((s) => s.kind === 'fused')).toBe(true)
    expect(run.steps.length).toBeLessThan(body.steps.length)
    // computed once per body
    expect(runBodyOf(body)).toBe(run)
  })

  it('calls the backend fewer times per step than the body has operations, with the unfused numbers', () => {
    const [w, u, h0, xs] = [sample([4, 5], 11), sample([5, 5], 12), sample([3, 5], 13), sample([7, 3, 4], 14)]
    const { be, calls } = counting()
    const [c, y] = withBackend(be, () => scan(cell(w, u), h0, xs))
    const rec = record((cc, x) => cell(w, u)(cc as Tensor, x as Tensor), [metaOf(h0)], Tree.structure(h0), [metaOf(at(xs, 0))], Tree.structure(at(xs, 0)))
    if (rec === 'impure') throw new Error('the body should record')
    const bodyOps = rec.body.steps.filter((s) => s.kind === 'op').length
    const inLoop = [...calls.entries()].filter(([k]) => k !== 'slice' && k !== 'reshape').reduce((a, [, b]) => a + b, 0)
    expect(calls.get('fused') ?? 0).toBeGreaterThanOrEqual(7)
    // every step of the loop runs fewer backend calls than the body has operations
    expect(inLoop).toBeLessThan(7 * bodyOps)
    // the same numbers as the op-by-op evaluation of the body (the gradient path), on gpu.js
    const unfusedLoop = (): Tensor[] => {
      let h = h0
      const ys: Tensor[] = []
      for (let t = 0; t < 7; t++) {
        const x = at(xs, t)
        ;[h] = cell(w, u)(h, x)
        ys.push(h)
      }
      return [h, ...ys]
    }
    const ref = unfusedLoop()
    expect(Array.from(dataSync(c))).toEqual(Array.from(dataSync(ref[0])))
    const yd = dataSync(y)
    ref.slice(1).forEach((r, t) => expect(Array.from(yd.subarray(t * 15, (t + 1) * 15))).toEqual(Array.from(dataSync(r))))
  })

  it('leaves gradients through the scan unchanged (they differentiate the recorded body)', () => {
    const [w, u, h0, xs] = [sample([4, 5], 21), sample([5, 5], 22), sample([3, 5], 23), sample([5, 3, 4], 24)]
    const g = grad((p: Tensor[]) => sum(scan(cell(p[0], p[1]), h0, xs)[1]))([w, u])
    const gr = withBackend('reference', () => grad((p: Tensor[]) => sum(scan(cell(p[0], p[1]), h0, xs)[1]))([w, u]))
    g.forEach((t, i) => dataSync(t).forEach((v, j) => expect(Math.abs(v - dataSync(gr[i])[j])).toBeLessThan(1e-4 * (1 + Math.abs(dataSync(gr[i])[j])))))
  })
})
