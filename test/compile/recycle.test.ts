/**
 * A compiled replay gives its dead intermediates back to the webasm backend, which reuses their arrays
 * for later results (`compile/replay.ts` `deadBuffers`, `backend/gpujs/recycle.ts`). Nothing a user holds
 * may ever be overwritten: every earlier result keeps its values while later calls reuse memory, and the
 * values are the same bits as without reuse.
 */
import { describe, it, expect, afterEach } from 'vitest'
import fc from 'fast-check'
import { jit, tensor, add, mul, exp, matmul, reshape, cast, sum, tanh, dataSync, sequential, dense, adam, getBackend, key, Tree, type Tensor } from '../../src/index.js'
import { tensorOf } from '../../laws/index.js'
import { recycleStats, setRecycling, recycleArrays } from '../../src/backend/gpujs/recycle.js'
import type { Backend } from '../../src/backend/Backend.js'

const snap = (ts: ReadonlyArray<Tensor>): number[][] => ts.map((t) => Array.from(dataSync(t)))

afterEach(() => setRecycling(true))

/** A constant made by a kernel before recording (so its array is the backend's own), captured by the plan. */
const K = ((): Tensor => {
  const base = tensor(Array.from({ length: 1024 }, (_, i) => Math.cos(i) * 0.1), [32, 32])
  exp(base) // the kernel's first call builds it through gpu.js; the second takes the direct path
  return exp(base)
})()

/** Intermediates of one length (`[32, 32]`) in a chain, and outputs of every kind a plan can have. */
const body = (x: Tensor, w: Tensor): Tensor[] => {
  const a = tanh(add(matmul(x, w), reshape(reshape(K, [1024]), [32, 32])))
  const b = exp(mul(a, 0.5))
  const c = add(matmul(b, w), a)
  const d = tanh(add(c, b))
  return [
    d, // a fresh result
    reshape(mul(d, c), [1024]), // a reshape of an intermediate: shares its memory
    x, // an input, passed through
    cast(sum(c, 1), 'float32'), // a cast that returns its input's buffer
    tensor([1, 2, 3]) // a constant
  ]
}

/** A relu-softmax classifier of `inputs → hidden → classes` (Adam 0.01) and `n` samples of data for it. */
const classifier = (inputs: number, hidden: number, classes: number, n: number, seed: number) => ({
  x: tensor(Array.from({ length: n * inputs }, (_, i) => Math.sin(i * 0.37)), [n, inputs]),
  y: tensor(Array.from({ length: n * classes }, (_, i) => (i % classes === Math.floor(i / classes) % classes ? 1 : 0)), [n, classes]),
  trainer: () =>
    sequential([dense(hidden, { inputShape: [inputs], activation: 'relu' }), dense(classes, { activation: 'softmax' })], { seed }).compile({
      optimizer: adam({ learningRate: 0.01 }),
      loss: 'categoricalCrossentropy'
    })
})
const weightsOf = (t: { readonly params: Tree.Tree }): number[][] => snap(Tree.leaves(t.params) as Tensor[])

describe('compiled replays reuse the memory of their dead intermediates', () => {
  it('property: every earlier result keeps its values while later calls reuse memory; the bits are those of eager', () => {
    if (getBackend().name !== 'webasm') return
    const f = jit((inp: { x: Tensor; w: Tensor }) => body(inp.x, inp.w))
    const held: Array<{ outs: Tensor[]; values: number[][] }> = []
    const before = recycleStats.reused
    fc.assert(
      fc.property(tensorOf([32, 32], { min: -1, max: 1 }), tensorOf([32, 32], { min: -0.3, max: 0.3 }), (x, w) => {
        const outs = f({ x, w }, key(0))
        const eager = body(x, w)
        expect(snap(outs)).toEqual(snap(eager))
        held.push({ outs, values: snap(outs) })
        // every result handed out so far still reads as it did
        for (const h of held) expect(snap(h.outs)).toEqual(h.values)
      }),
      { numRuns: 25, seed: 3 }
    )
    // not vacuous: memory was reused
    expect(recycleStats.reused - before).toBeGreaterThan(25)
  })

  it('an input that is an earlier result, reshaped inside the plan, is never given back', () => {
    if (getBackend().name !== 'webasm') return
    const f = jit((inp: { x: Tensor; w: Tensor }) => body(inp.x, inp.w))
    const g = jit((inp: { x: Tensor }) => [mul(reshape(inp.x, [1024]), 2)])
    const w = tensor(Array.from({ length: 1024 }, (_, i) => Math.sin(i) * 0.2), [32, 32])
    const x0 = f({ x: w, w }, key(0))[0] // the backend's own array, now a user's value
    const v0 = Array.from(dataSync(x0))
    for (let i = 0; i < 6; i++) {
      g({ x: x0 }, key(0))
      f({ x: tensor(Array.from({ length: 1024 }, (_, j) => Math.cos(i + j)), [32, 32]), w }, key(0))
    }
    expect(Array.from(dataSync(x0))).toEqual(v0)
    expect(Array.from(dataSync(K))).toEqual(Array.from(dataSync(exp(tensor(Array.from({ length: 1024 }, (_, i) => Math.cos(i) * 0.1), [32, 32])))))
  })

  it('training: the same losses and weights to the bit with reuse on and off, and earlier trainers keep their weights', async () => {
    if (getBackend().name !== 'webasm') return
    const { x, y, trainer } = classifier(12, 16, 3, 64, 5)
    const run = (on: boolean) => {
      setRecycling(on)
      let tr = trainer()
      const losses: number[] = []
      const trainers = [tr]
      for (let i = 0; i < 12; i++) {
        const [next, logs] = tr.trainOnBatch(x, y)
        losses.push((logs as ReadonlyArray<number>)[0])
        tr = next
        trainers.push(tr)
      }
      return { losses, weights: trainers.map(weightsOf), trainers }
    }
    const off = run(false)
    const on = run(true)
    expect(on.losses).toEqual(off.losses)
    expect(on.weights).toEqual(off.weights)
    // and the trainers of the run with reuse still hold what they held when made
    expect(on.trainers.map(weightsOf)).toEqual(on.weights)
  })

  it('fit (async replays; matmuls past 2^22 multiply-adds on the worker pool): the same history and weights with reuse on and off', async () => {
    if (getBackend().name !== 'webasm') return
    const { x, y, trainer } = classifier(256, 256, 4, 128, 9)
    const run = async (on: boolean) => {
      setRecycling(on)
      const { trainer: t, history } = await trainer().fit(x, y, { batchSize: 64, epochs: 3, shuffle: false, verbose: 0 })
      return { loss: history.history.loss, weights: weightsOf(t) }
    }
    const off = await run(false)
    const on = await run(true)
    expect(on.loss).toEqual(off.loss)
    expect(on.weights).toEqual(off.weights)
  })

  it('the backend keeps only arrays it made: a given-back array of its own is reused, a foreign one never', () => {
    const be = getBackend() as Backend
    if (be.name !== 'webasm' || be.recycle === undefined) return
    const a = { data: Float32Array.from({ length: 777 }, (_, i) => i), shape: [777] }
    const zeros = { data: new Float32Array(777), shape: [777] }
    // a kernel's first call builds it through gpu.js; later ones take the direct path that reuses arrays
    be.unary('neg', a)
    be.unary('exp', zeros)
    const r1 = be.unary('neg', a) as Float32Array
    be.recycle([r1])
    const r2 = be.unary('exp', zeros) as Float32Array
    expect(r2).toBe(r1) // the same array, reused…
    expect(Array.from(r2.slice(0, 3))).toEqual([1, 1, 1]) // …holding the new values
    const foreign = new Float32Array(777)
    recycleArrays([foreign])
    const r3 = be.unary('neg', a) as Float32Array
    expect(r3).not.toBe(foreign)
    // an array given back twice is kept once
    be.recycle([r3, r3])
    const r4 = be.unary('neg', a) as Float32Array
    const r5 = be.unary('neg', a) as Float32Array
    expect(r4).toBe(r3)
    expect(r5).not.toBe(r3)
  })
})
