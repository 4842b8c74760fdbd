/**
 * A compiled `fit` writes each batch's input rows into the arrays of an earlier batch that no one can read
 * any more (`batches.ts` `giveRows`, `fit.ts`): only after a replay (no user code saw the batch), and never
 * an array a state or an output still reaches.
 */
import { describe, it, expect, afterEach } from 'vitest'
import { type Tensor, tensor, zeros, add, matmul, item, sum, dataSync, randomNormal, key } from '../../src/index.js'
import * as Tr from '../../src/train/index.js'
import { rows, rowArrays, giveRows, setRowReuse, rowReuseStats, SPARE_ROWS_PER_LENGTH } from '../../src/train/batches.js'
import { storageOf } from '../../src/core/Tensor.js'
import { freeze, stampOf } from '../../src/core/frozen.js'
import type { TensorBatch } from '../../src/train/data.js'
import type { Callback } from '../../src/train/callbacks/Callback.js'
import { compiled, handModel, mlp, regression, run, weightsOf } from './helpers.js'

afterEach(() => setRowReuse(true))

const host = (n: number, per: number) => ({ data: Float32Array.from({ length: n * per }, (_, i) => i), shape: [n, per] })
const batchOf = (...xs: Tensor[]): TensorBatch => ({ xs, ys: [undefined], sw: [undefined], size: xs[0].shape[0] })
const arrayOf = (t: Tensor): Float32Array => storageOf(t) as Float32Array

describe('spare arrays for batch rows', () => {
  it('rows go into an array given back, every element written; another length, or none given back, gets a fresh one', () => {
    const h = host(6, 3)
    const spare = rowArrays()
    const a = rows(h, 0, 2, undefined, spare)
    expect(giveRows(spare, [batchOf(a)], new Set())).toBe(1)
    const b = rows(h, 4, 6, new Int32Array([5, 4, 3, 2, 1, 0]), spare)
    expect(arrayOf(b)).toBe(arrayOf(a))
    expect(Array.from(dataSync(b))).toEqual([3, 4, 5, 0, 1, 2])
    // nothing spare of this length now, nor of another
    expect(arrayOf(rows(h, 0, 2, undefined, spare))).not.toBe(arrayOf(a))
    expect(arrayOf(rows(h, 0, 3, undefined, spare)).length).toBe(9)
  })

  it('keeps only arrays made for it, none that a live buffer names, at most a few of a length, and thaws them', () => {
    const h = host(4, 2)
    const spare = rowArrays()
    const notMine = rows(h, 0, 2)
    expect(giveRows(spare, [batchOf(notMine)], new Set())).toBe(0)
    const held = rows(h, 0, 2, undefined, spare)
    expect(giveRows(spare, [batchOf(held)], new Set([arrayOf(held).buffer]))).toBe(0)
    const many = Array.from({ length: SPARE_ROWS_PER_LENGTH + 2 }, () => rows(h, 0, 2, undefined, spare))
    expect(giveRows(spare, many.map((t) => batchOf(t)), new Set())).toBe(SPARE_ROWS_PER_LENGTH)
    // the same array twice is kept once
    const again = rowArrays()
    const one = rows(h, 0, 2, undefined, again)
    expect(giveRows(again, [batchOf(one), batchOf(one)], new Set())).toBe(1)
    const frozen = rows(h, 2, 4, undefined, again)
    freeze(arrayOf(frozen))
    expect(giveRows(again, [batchOf(frozen)], new Set())).toBe(1)
    expect(stampOf(arrayOf(frozen))).toBeUndefined()
    setRowReuse(false)
    expect(giveRows(again, [batchOf(rows(h, 0, 2, undefined, again))], new Set())).toBe(0)
  })
})

describe('fit reuses its batches\' rows', () => {
  it('a compiled fit writes later batches into earlier ones\' arrays, and trains bit for bit as without it', async () => {
    const { x, y } = regression(48, 5)
    const t = compiled(mlp(3), { optimizer: 'adam', loss: 'mse', seed: 1 })
    const before = rowReuseStats.reused
    const on = await run(Tr.fit(t, x, y, { epochs: 2, batchSize: 8, shuffle: true, verbose: 0 }))
    // 12 steps; the first recorded its step, so no user code saw the others' batches
    expect(rowReuseStats.reused - before).toBeGreaterThanOrEqual(9)
    setRowReuse(false)
    const mid = rowReuseStats.reused
    const off = await run(Tr.fit(t, x, y, { epochs: 2, batchSize: 8, shuffle: true, verbose: 0 }))
    expect(rowReuseStats.reused).toBe(mid)
    expect(weightsOf(on.trainer)).toEqual(weightsOf(off.trainer))
    expect(on.history.history.loss).toEqual(off.history.history.loss)
  })

  it('an eager fit, and a custom training step, give nothing back (their code sees every batch)', async () => {
    const { x, y } = regression(32, 6)
    const before = rowReuseStats.given
    const eager = compiled(mlp(3), { optimizer: 'sgd', loss: 'mse', runEagerly: true })
    await run(Tr.fit(eager, x, y, { epochs: 1, batchSize: 8, verbose: 0 }))
    const custom = compiled(mlp(3), { optimizer: 'sgd', loss: 'mse', trainStep: (tr, b) => tr.trainStep({ x: b.x[0], y: b.y[0] }) })
    await run(Tr.fit(custom, x, y, { epochs: 1, batchSize: 8, verbose: 0 }))
    expect(rowReuseStats.given).toBe(before)
  })

  it('a model whose state keeps its input keeps every batch: the trainers a hook kept hold their own batches', async () => {
    // y = x·w + b, with the input as state (the replay gives the input itself back as the new state)
    const model = handModel({
      name: 'keeper',
      inputs: 3,
      outputs: 1,
      params: { w: tensor([[0.1], [0.2], [0.3]]), b: tensor([0]) },
      state: { last: zeros([8, 3]) },
      forward: (q, _s, xs) => ({ outputs: [add(matmul(xs[0], q.w), q.b)], state: { last: xs[0] } })
    })
    const x = randomNormal(key(9), [40, 3])
    const y = randomNormal(key(10), [40, 1])
    const t = compiled(model, { optimizer: 'sgd', loss: 'mse' })
    const kept: Array<readonly [Tr.Trainer, number[]]> = []
    const keeper: Callback<null> = {
      name: 'keeper',
      init: () => null,
      onTrainBatchEnd(_s, ev) {
        const last = (ev.trainer.state as { last: Tensor }).last
        kept.push([ev.trainer, Array.from(dataSync(last))])
      }
    }
    const before = rowReuseStats.given
    await run(Tr.fit(t, x, y, { epochs: 2, batchSize: 8, shuffle: true, verbose: 0, callbacks: [keeper] }))
    expect(kept).toHaveLength(10)
    for (const [tr, values] of kept) expect(Array.from(dataSync((tr.state as { last: Tensor }).last))).toEqual(values)
    expect(rowReuseStats.given).toBe(before)
  })

  it.each([false, true])('a batch that user code saw is never given back (reading a value at every step: %s): what the model kept keeps its values', async (peek) => {
    const seen: Array<readonly [Tensor, number[]]> = []
    const model = handModel({
      name: 'watcher',
      inputs: 3,
      outputs: 1,
      params: { w: tensor([[0.1], [0.2], [0.3]]), b: tensor([0]) },
      forward: (q, s, xs) => {
        // runs only when the step is recorded (and in the dry run), or at every step when it reads a
        // computed value (the step is then impure and runs eagerly): keeps the batch it was given
        if (xs[0].shape[0] === 8) seen.push([xs[0], Array.from(dataSync(xs[0]))])
        const out = add(matmul(xs[0], q.w), q.b)
        if (peek) item(sum(out))
        return { outputs: [out], state: s }
      }
    })
    const x = randomNormal(key(11), [40, 3])
    const y = randomNormal(key(12), [40, 1])
    const t = compiled(model, { optimizer: 'sgd', loss: 'mse' })
    const before = rowReuseStats.reused
    await run(Tr.fit(t, x, y, { epochs: 2, batchSize: 8, shuffle: true, verbose: 0 }))
    expect(seen.length).toBeGreaterThanOrEqual(1)
    for (const [kept, values] of seen) expect(Array.from(dataSync(kept))).toEqual(values)
    // recorded once, the other 9 steps replayed: their batches were given back and written again; an
    // impure step ran its code at every step, and no batch was given back
    if (peek) expect(rowReuseStats.reused).toBe(before)
    else expect(rowReuseStats.reused - before).toBeGreaterThanOrEqual(7)
  })
})
