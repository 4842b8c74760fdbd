/**
 * Tests that kill mutations which once survived the suite (issue 9 item 7): each would pass every
 * other test if the line it guards were changed.
 */
import { describe, it, expect } from 'vitest'
import * as E from 'fp-ts/lib/Either.js'
import { tensor, sgd, type Tensor } from '../../src/index.js'
import * as Tr from '../../src/train/index.js'
import * as M from '../../src/metrics/index.js'
import { prepareArrays } from '../../src/train/data.js'
import { splitTail } from '../../src/train/batches.js'
import type { Callback } from '../../src/train/callbacks/Callback.js'
import { linearModel, regression, compiled, weightsOf, run } from './helpers.js'

const once = <S>(m: M.Metric<S>, t: Tensor, p: Tensor): number => m.result(m.update(m.empty, t, p, undefined))

describe('shuffle is on by default (a mutant feeding batches in order survived)', () => {
  it('the default run differs from shuffle: false, and equals shuffle: true; each epoch has its own order', async () => {
    const { x, y } = regression(32, 21)
    const t = compiled(linearModel(3), { optimizer: 'sgd', loss: 'mse', seed: 3 })
    const byDefault = await run(Tr.fit(t, x, y, { epochs: 1, batchSize: 4, verbose: 0 }))
    const inOrder = await run(Tr.fit(t, x, y, { epochs: 1, batchSize: 4, shuffle: false, verbose: 0 }))
    const shuffled = await run(Tr.fit(t, x, y, { epochs: 1, batchSize: 4, shuffle: true, verbose: 0 }))
    expect(weightsOf(byDefault.trainer)).toEqual(weightsOf(shuffled.trainer))
    expect(weightsOf(byDefault.trainer)).not.toEqual(weightsOf(inOrder.trainer))
  })

  it('a shuffled epoch runs every sample once, not in order (seen through one-sample batches)', async () => {
    // w = [1, 2, 3], b = 0, learning rate 0: sample i = [i, 0, 0] with target 0 has loss (mae) i
    const xs = Array.from({ length: 8 }, (_, i) => [i, 0, 0])
    const ys = xs.map(() => [0])
    const t = compiled(linearModel(3, 1, 1), { optimizer: sgd({ learningRate: 0 }), loss: 'mae', seed: 1 })
    const losses: number[] = []
    const spy: Callback<null> = { name: 'spy', init: () => null, onTrainBatchEnd: (_s, ev) => void losses.push(ev.batchLogs.loss) }
    const r = await run(Tr.fit(t, tensor(xs), tensor(ys), { epochs: 1, batchSize: 1, verbose: 0, callbacks: [spy] }))
    expect(r.trainer.step).toBe(8)
    expect([...losses].sort((a, b) => a - b)).toEqual(xs.map((row) => row[0]))
    expect(losses).not.toEqual(xs.map((row) => row[0]))
  })
})

describe('validationSplit rounds like Keras (floor of the training part; a ceil mutant survived)', () => {
  it('10 samples with 0.25: 7 for training, 3 for validation', () => {
    const { x, y } = regression(10, 2)
    const d = prepareArrays(x, y, undefined, { op: 't', inputNames: ['x'], outputNames: ['y'], inputShapes: [] })
    if (E.isLeft(d)) throw new Error(d.left.message)
    const parts = splitTail(d.right, 0.25, 't')
    expect(E.isRight(parts) && [parts.right[0].n, parts.right[1].n]).toEqual([7, 3])
    const p2 = splitTail(d.right, 0.15, 't') // 8.5 -> 8
    expect(E.isRight(p2) && [p2.right[0].n, p2.right[1].n]).toEqual([8, 2])
  })
  it('fit trains on floor(n·(1 − split)) samples', async () => {
    const { x, y } = regression(10, 2)
    const t = compiled(linearModel(3), { optimizer: 'sgd', loss: 'mse' })
    const r = await run(Tr.fit(t, x, y, { epochs: 1, batchSize: 1, validationSplit: 0.25, verbose: 0 }))
    expect(r.trainer.step).toBe(7)
  })
})

describe('binaryAccuracy thresholds with > (Keras), not >= (a >= mutant survived)', () => {
  it('a prediction exactly at the threshold is class 0', () => {
    expect(once(M.binaryAccuracy(), tensor([[0]]), tensor([[0.5]]))).toBe(1)
    expect(once(M.binaryAccuracy(), tensor([[1]]), tensor([[0.5]]))).toBe(0)
    expect(once(M.binaryAccuracy({ threshold: 0.7 }), tensor([[0], [1]]), tensor([[0.7], [0.7000001]]))).toBe(1)
  })
})
