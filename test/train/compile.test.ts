import { describe, it, expect } from 'vitest'
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import { sequential, dense, input, model, call, TensorfoldError, Trainer as TrainerNs } from '../../src/index.js'
import { withTraining } from '../../src/train/index.js'
import { Trainer as TrainerClass } from '../../src/train/Trainer.js'
import * as Tr from '../../src/train/index.js'
import { linearModel, regression, compiled, run } from './helpers.js'

describe('compile', () => {
  it("seed: compile(optimizer='sgd', loss='mse') then fit(x, y, batchSize=32, epochs=10)", async () => {
    const { x, y } = regression(128)
    const m = sequential([dense(8, { inputShape: [3], activation: 'relu' }), dense(1)], { seed: 0 })
    const t = compiled(m, { optimizer: 'sgd', loss: 'mse' })
    expect(t.metricsNames).toEqual(['loss'])
    const { history, trainer } = await run(Tr.fit(t, x, y, { batchSize: 32, epochs: 10, verbose: 0 }))
    expect(history.epoch).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    expect(history.history.loss).toHaveLength(10)
    expect(history.history.loss[9]).toBeLessThan(history.history.loss[0] / 2)
    expect(history.params).toEqual({ verbose: 0, epochs: 10, steps: 4 })
    expect(trainer.step).toBe(40)
  })

  it("metricsNames as Keras: ['loss', 'mae'] for one output", () => {
    expect(compiled(linearModel(3), { optimizer: 'sgd', loss: 'mse', metrics: ['mae'] }).metricsNames).toEqual(['loss', 'mae'])
  })

  it("seed: the functional model's metrics_names for two outputs of one shared dense(2, {name: 'out'})", () => {
    const inputs = input({ shape: [3] })
    const d = dense(2, { name: 'out' })
    const m = model({ inputs, outputs: [call(d, inputs), call(d, inputs)] })
    const t = compiled(m, { optimizer: 'adam', loss: 'mse', metrics: ['mae', 'acc'] })
    expect(t.metricsNames).toEqual(['loss', 'out_loss', 'out_1_loss', 'out_mae', 'out_acc', 'out_1_mae', 'out_1_acc'])
  })

  it('per-output metrics (list of lists, record) and weighted metrics', () => {
    const inputs = input({ shape: [3] })
    const d = dense(2, { name: 'out' })
    const m = model({ inputs, outputs: [call(d, inputs), call(d, inputs)] })
    expect(compiled(m, { loss: ['mse', 'mae'], metrics: [['mae'], ['mse']] }).metricsNames).toEqual(['loss', 'out_loss', 'out_1_loss', 'out_mae', 'out_1_mse'])
    expect(compiled(m, { loss: { out: 'mse', out_1: 'mse' }, metrics: { out_1: 'mae' }, weightedMetrics: { out_1: ['mae'] } }).metricsNames).toEqual([
      'loss', 'out_loss', 'out_1_loss', 'out_1_mae', 'out_1_weighted_mae'
    ])
  })

  it("a bad optimizer name says the path, the nearest and the allowed names: \"optimizer: unknown 'adamm' — did you mean 'adam'?\"", () => {
    const r = Tr.compile(linearModel(3), { optimizer: 'adamm', loss: 'mse' })
    expect(E.isLeft(r) && r.left).toMatchObject({ _tag: 'CompileError', path: 'optimizer', nearest: 'adam', received: 'adamm' })
    if (E.isLeft(r)) {
      expect(r.left.message).toContain("optimizer: unknown 'adamm' — did you mean 'adam'?")
      expect(r.left.allowed).toContain('rmsprop')
    }
  })

  it('bad losses, metrics, option names and shapes are CompileErrors naming the path', () => {
    const m = linearModel(3)
    const left = (o: unknown) => {
      const r = Tr.compile(m, o as Tr.CompileOptions)
      if (E.isRight(r)) throw new Error('expected a Left')
      return r.left
    }
    expect(left({ loss: 'mean_squard_error' })).toMatchObject({ _tag: 'CompileError', path: 'loss', nearest: 'mean_squared_error' })
    expect(left({ loss: 'mse', metrics: ['mae', 'accuracyy'] })).toMatchObject({ path: 'metrics[1]', nearest: 'accuracy' })
    expect(left({ optimzer: 'sgd', loss: 'mse' })).toMatchObject({ path: 'optimzer', nearest: 'optimizer' })
    expect(left({ optimizer: 'sgd' })).toMatchObject({ path: 'loss' })
    expect(left({ loss: 'mse', runEagerly: 'yes' })).toMatchObject({ path: 'runEagerly' })
    expect(left({ loss: 'mse', seed: 1.5 })).toMatchObject({ path: 'seed' })
    expect(left({ loss: { yy: 'mse' } })).toMatchObject({ path: 'loss.yy', nearest: 'y' })
    expect(left({ loss: 'mse', lossWeights: [1, 2] })._tag).toBe('CompileError')
    expect(E.isLeft(Tr.compile({} as never, { loss: 'mse' }))).toBe(true)
  })

  it('is dual, and the notebook surface throws the same tagged error', () => {
    const m = linearModel(3)
    expect(E.isRight(pipe(m, Tr.compile({ optimizer: 'sgd', loss: 'mse' })))).toBe(true)
    const nb = withTraining(sequential([dense(1, { inputShape: [3] })]))
    expect(nb.compile({ optimizer: 'sgd', loss: 'mse' })).toBeInstanceOf(TrainerClass)
    expect(nb.layers).toHaveLength(1)
    try {
      nb.compile({ optimizer: 'adamm', loss: 'mse' })
      expect.unreachable()
    } catch (e) {
      expect(e).toBeInstanceOf(TensorfoldError)
      expect((e as TensorfoldError)._tag).toBe('CompileError')
    }
  })

  it('the trainer is frozen, holds the model, step 0 and the learning rate of a named optimizer', () => {
    const t = compiled(linearModel(3), { optimizer: 'sgd', loss: 'mse' })
    expect(Object.isFrozen(t)).toBe(true)
    expect(t.step).toBe(0)
    expect(t.learningRate).toBeCloseTo(0.01)
    const t2 = t.withLearningRate(0.5)
    expect(E.isRight(t2) && t2.right.learningRate).toBeCloseTo(0.5)
    expect(t.learningRate).toBeCloseTo(0.01)
  })
})
