/**
 * Issue 15: auxiliary layer losses (Keras's `Layer.add_loss`). In Keras 2.15, `model.losses` (the
 * layers' `add_loss` terms) are added by compile_utils.py `LossesContainer.__call__` (its
 * `regularization_losses`) to the loss that is differentiated and logged, in fit and in evaluate.
 * Here a layer returns them from `apply` as `losses`.
 */
import { describe, it, expect } from 'vitest'
import * as E from 'fp-ts/lib/Either.js'
import { sequential, dense, tensor, mul, sum, square, sgd, dataSync, type Layer, type Tensor } from '../../src/index.js'
import { compiled } from './helpers.js'

// passes x through unchanged; adds the extra loss 0.5·Σa² (a does not touch the output)
const penalty = (a0: number): Layer<{ readonly a: Tensor }> => ({
  name: 'penalty',
  kind: 'Penalty',
  config: { name: 'penalty' },
  init: (_k, s) => E.right({ params: { a: tensor([a0]) }, state: {}, outputShape: s }),
  apply: (p) => (x) => ({ y: x, state: {}, losses: [mul(sum(square(p.a)), 0.5)] })
})

const x = tensor([[1, 0], [0, 1], [1, 1]])
const y = tensor([[1], [0], [2]])

describe('a custom layer loss (add_loss)', () => {
  it('is added to the logged loss of trainOnBatch, evaluate and testOnBatch, and is differentiated', async () => {
    const withExtra = compiled(sequential([dense(1, { inputShape: [2] }), penalty(2)], { seed: 4 }), { optimizer: sgd({ learningRate: 0.1 }), loss: 'mse' })
    const plain = compiled(sequential([dense(1, { inputShape: [2] })], { seed: 4 }), { optimizer: sgd({ learningRate: 0.1 }), loss: 'mse' })
    const ev = (await withExtra.evaluate(x, y, { verbose: 0 })) as ReadonlyArray<number>
    const ev0 = (await plain.evaluate(x, y, { verbose: 0 })) as ReadonlyArray<number>
    expect(ev[0]).toBeCloseTo(ev0[0] + 2, 5) // 0.5 · 2²
    expect((withExtra.testOnBatch(x, y) as ReadonlyArray<number>)[0]).toBeCloseTo(ev0[0] + 2, 5)
    const [t1, logs] = withExtra.trainOnBatch(x, y)
    const [p1] = plain.trainOnBatch(x, y)
    expect((logs as ReadonlyArray<number>)[0]).toBeCloseTo(ev0[0] + 2, 5)
    // the gradient of 0.5·a² is a: one sgd step moves a from 2 to 2 − 0.1·2
    expect(dataSync((t1.params as unknown as readonly [unknown, { a: Tensor }])[1].a)[0]).toBeCloseTo(1.8, 6)
    // the dense weights got the same update as without the extra loss
    expect(Array.from(dataSync((t1.params as unknown as ReadonlyArray<{ kernel: Tensor }>)[0].kernel))).toEqual(Array.from(dataSync((p1.params as unknown as ReadonlyArray<{ kernel: Tensor }>)[0].kernel)))
  })
})
