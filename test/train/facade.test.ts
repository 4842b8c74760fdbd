import { describe, it, expect } from 'vitest'
import { sequential, dense, input, call, model, tensor, randomNormal, key, TensorfoldError, Trainer, isTensor } from '../../src/index.js'

describe('model.compile on the notebook surface', () => {
  it('works on sequential models, also after add and pop', async () => {
    const m = sequential([dense(4, { inputShape: [3], activation: 'relu' })]).add(dense(1))
    const t = m.compile({ optimizer: 'sgd', loss: 'mse', metrics: ['mae'] })
    expect(Trainer.isTrainer(t)).toBe(true)
    expect(t.metricsNames).toEqual(['loss', 'mae'])
    const x = randomNormal(key(1), [16, 3])
    const y = randomNormal(key(2), [16, 1])
    const { history } = await t.fit(x, y, { epochs: 2, batchSize: 8, verbose: 0 })
    expect(history.history.loss.length).toBe(2)
    expect(sequential([dense(2)]).pop().add(dense(1)).compile({ loss: 'mse' }).metricsNames).toEqual(['loss'])
  })
  it('works on functional models', () => {
    const inp = input({ shape: [3] })
    const d = dense(2, { name: 'out' })
    const m = model({ inputs: inp, outputs: [call(d, inp), call(d, inp)] })
    expect(m.compile({ optimizer: 'sgd', loss: 'mse', metrics: ['mae', 'acc'] }).metricsNames).toEqual([
      'loss', 'out_loss', 'out_1_loss', 'out_mae', 'out_acc', 'out_1_mae', 'out_1_acc'
    ])
  })
  it('throws the tagged error on bad options', () => {
    const m = sequential([dense(1, { inputShape: [2] })])
    expect(() => m.compile({ optimizer: 'adamm', loss: 'mse' })).toThrow(TensorfoldError)
    expect(() => m.compile({ optimizer: 'adamm', loss: 'mse' })).toThrow(/did you mean 'adam'/)
    expect(isTensor(m.predict(tensor([[1, 2]])))).toBe(true)
  })
})
