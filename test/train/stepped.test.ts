import { describe, it, expect } from 'vitest'
import { sequential, dense, tensor, dataSync, type Trainer } from '../../src/index.js'
import * as Tree from '../../src/core/Tree.js'

const data = () => ({
  x: tensor([[0, 1], [1, 0], [1, 1], [0, 0]]),
  y: tensor([[1], [1], [0], [0]])
})

describe('a trained trainer makes its model from the new weights when first read', () => {
  it('model, params and state agree; the model is made once and frozen; the trainer it came from keeps its own', () => {
    const t0 = sequential([dense(3, { inputShape: [2], activation: 'tanh' }), dense(1)], { seed: 3 }).compile({ optimizer: 'adam', loss: 'mse' })
    const { x, y } = data()
    const [t1] = t0.trainOnBatch(x, y)
    const [t2] = t1.trainOnBatch(x, y)
    // the weights are readable before the model exists, and are the model's once it is made
    const p = t2.params
    const m = t2.model
    expect(m).toBe(t2.model)
    expect(m.params).toBe(p)
    expect(m.state).toBe(t2.state)
    expect(Object.isFrozen(m)).toBe(true)
    expect(Object.isFrozen(p)).toBe(true)
    // the same weights as a model rebuilt from them, and not those of the earlier trainers
    const numbers = (tree: Tree.Tree): number[] => Tree.leaves(tree).flatMap((v) => Array.from(dataSync(v)))
    const w = (t: Trainer): number[] => numbers(t.model.params)
    expect(w(t2)).toEqual(numbers(t0.model.withWeights(t2.params, t2.state).params))
    expect(w(t2)).not.toEqual(w(t1))
    expect(w(t1)).not.toEqual(w(t0))
    // a trainer derived from a stepped one (with) keeps the pending weights
    const t3 = t2.withRunEagerly(true)
    expect(t3.params).toBe(t2.params)
    expect(w(t3)).toEqual(w(t2))
  })
})
