/**
 * Issue 15: a custom training step (the counterpart of overriding Keras's `Model.train_step`: Keras 2.15
 * training.py `fit` calls `self.train_function`, which runs the overridden `train_step`, with the same
 * callbacks, progress bar and History) and `runEagerly` as an immutable update (Keras's settable
 * `model.run_eagerly` attribute).
 */
import { describe, it, expect } from 'vitest'
import * as E from 'fp-ts/lib/Either.js'
import * as Tr from '../../src/train/index.js'
import { regression, mlp, compiled, weightsOf, run, runLeft } from './helpers.js'
import type { CustomTrainStep, CustomTestStep } from '../../src/train/options.js'
import { meanAbsoluteError } from '../../src/losses/index.js'
import type { Tensor } from '../../src/core/Tensor.js'

describe('custom training step', () => {
  it('a step that runs the default step and renames its logs: fit folds it, with callbacks and history; same weights as the default', async () => {
    const { x, y } = regression(24, 3)
    const step: CustomTrainStep = (t, b) => {
      const [t2, logs] = t.trainStep({ x: b.x[0], y: b.y[0] })
      return [t2, { myLoss: logs.loss, rows: b.size }]
    }
    const custom = compiled(mlp(1), { optimizer: 'adam', loss: 'mse', seed: 2, trainStep: step })
    const plain = compiled(mlp(1), { optimizer: 'adam', loss: 'mse', seed: 2 })
    const batchLogs: number[] = []
    const probe: Tr.Callbacks.Callback<null> = { name: 'probe', init: () => null, onTrainBatchEnd: (_s, ev) => void batchLogs.push(ev.batchLogs.rows) }
    const a = await run(Tr.fit(custom, x, y, { epochs: 2, batchSize: 8, verbose: 0, shuffle: false, callbacks: [probe] }))
    const b = await run(Tr.fit(plain, x, y, { epochs: 2, batchSize: 8, verbose: 0, shuffle: false }))
    expect(weightsOf(a.trainer)).toEqual(weightsOf(b.trainer))
    expect(Object.keys(a.history.history)).toEqual(['myLoss', 'rows'])
    expect(a.history.history.myLoss.map((v) => v.toFixed(5))).toEqual(b.history.history.loss.map((v) => v.toFixed(5)))
    expect(a.history.history.rows).toEqual([8, 8])
    expect(batchLogs).toEqual([8, 8, 8, 8, 8, 8])
    expect(a.trainer.step).toBe(6)
    // trainOnBatch runs it too
    const one = custom.trainOnBatch(x, y)
    expect(Object.keys(one[1])).toEqual(['myLoss', 'rows'])
  })

  it('a step that returns something else is a clear InvalidTrainStep error', async () => {
    const { x, y } = regression(8, 3)
    const t = compiled(mlp(1), { optimizer: 'sgd', loss: 'mse', trainStep: (() => [1, 2]) as never })
    const e = await runLeft(Tr.fit(t, x, y, { verbose: 0 }))
    expect(e._tag).toBe('InvalidTrainStep')
    expect(e.message).toContain('must return [trainer, logs]')
    expect(E.isLeft(Tr.compile(mlp(1), { optimizer: 'sgd', loss: 'mse', trainStep: 3 as never }))).toBe(true)
  })
})

describe('custom test step (the counterpart of overriding Keras\'s Model.test_step: Keras 2.15 evaluate runs self.test_function, which calls the overridden test_step, with the same callbacks and progress; fit\'s validation calls evaluate)', () => {
  // the mean absolute error of one batch, from the trainer's predictions (a pure function of trainer and batch)
  const maeStep: CustomTestStep = (t, b) => {
    const yHat = Tr.predictOnBatch(t, b.x[0])
    if (E.isLeft(yHat)) throw new Error(yHat.left.message)
    const per = meanAbsoluteError(b.y[0] as Tensor, yHat.right as Tensor)
    return { myMae: (per.toArray() as number[]).reduce((s, v) => s + v, 0) / b.size, rows: b.size }
  }

  it('evaluate runs it batch by batch: the batch-size-weighted mean of its logs (10 rows in batches of 4, 4, 2 equal the default mae metric), in metricsNames order then sorted (Keras flatten_metrics_in_order)', async () => {
    const { x, y } = regression(10, 4)
    const custom = compiled(mlp(1), { optimizer: 'sgd', loss: 'mse', testStep: maeStep })
    const plain = compiled(mlp(1), { optimizer: 'sgd', loss: 'mse', metrics: ['mae'] })
    const seen: Array<Record<string, number>> = []
    const probe: Tr.Callbacks.Callback<null> = { name: 'probe', init: () => null, onTestBatchEnd: (_s, ev) => void seen.push({ ...ev.logs }) }
    const d = (await custom.evaluate(x, y, { batchSize: 4, verbose: 0, returnDict: true, callbacks: [probe] })) as Record<string, number>
    const p = (await plain.evaluate(x, y, { batchSize: 4, verbose: 0, returnDict: true })) as Record<string, number>
    expect(Object.keys(d)).toEqual(['myMae', 'rows'])
    expect(d.myMae).toBeCloseTo(p.mae, 5)
    expect(d.rows).toBeCloseTo((4 * 4 + 4 * 4 + 2 * 2) / 10, 10)
    // the running logs at each batch end, as the default step's
    expect(seen.map((l) => l.rows)).toEqual([4, 4, (4 * 4 + 4 * 4 + 2 * 2) / 10])
    expect(await custom.evaluate(x, y, { batchSize: 4, verbose: 0 })).toEqual([d.myMae, d.rows])
    // testOnBatch runs it too
    const one = Tr.testOnBatch(custom, x, y, { returnDict: true })
    expect(E.isRight(one) && Object.keys(one.right)).toEqual(['myMae', 'rows'])
  })

  it("fit's validation runs it: val_ keys of its logs in the history, the training logs unchanged", async () => {
    const { x, y } = regression(12, 5)
    const custom = compiled(mlp(1), { optimizer: 'sgd', loss: 'mse', testStep: maeStep, seed: 3 })
    const plain = compiled(mlp(1), { optimizer: 'sgd', loss: 'mse', metrics: ['mae'], seed: 3 })
    const a = await run(Tr.fit(custom, x, y, { epochs: 2, batchSize: 4, verbose: 0, shuffle: false, validationSplit: 0.25 }))
    const b = await run(Tr.fit(plain, x, y, { epochs: 2, batchSize: 4, verbose: 0, shuffle: false, validationSplit: 0.25 }))
    expect(Object.keys(a.history.history)).toEqual(['loss', 'val_myMae', 'val_rows'])
    expect(a.history.history.loss).toEqual(b.history.history.loss)
    a.history.history.val_myMae.forEach((v, i) => expect(v).toBeCloseTo(b.history.history.val_mae[i], 5))
    expect(weightsOf(a.trainer)).toEqual(weightsOf(b.trainer))
  })

  it('a test step that returns something other than a record of numbers is a clear InvalidTestStep error', async () => {
    const { x, y } = regression(8, 3)
    const t = compiled(mlp(1), { optimizer: 'sgd', loss: 'mse', testStep: (() => 'oops') as never })
    const e = await runLeft(Tr.evaluate(t, x, y, { verbose: 0 }))
    expect(e._tag).toBe('InvalidTestStep')
    expect(e.message).toContain('must return logs')
    expect(E.isLeft(Tr.compile(mlp(1), { optimizer: 'sgd', loss: 'mse', testStep: 3 as never }))).toBe(true)
  })
})

describe('runEagerly as an immutable update', () => {
  it('withRunEagerly gives a trainer with the same state that runs eagerly; the original is unchanged; the numbers agree', async () => {
    const { x, y } = regression(16, 3)
    const t = compiled(mlp(2), { optimizer: 'sgd', loss: 'mse' })
    const [t1] = t.trainOnBatch(x, y)
    const eager = t1.withRunEagerly(true)
    expect(eager.runEagerly).toBe(true)
    expect(t1.runEagerly).toBe(false)
    expect(eager.step).toBe(t1.step)
    expect(eager.params).toBe(t1.params)
    expect(eager.optState).toBe(t1.optState)
    expect(eager.withRunEagerly(true)).toBe(eager)
    const a = await run(Tr.fit(eager, x, y, { epochs: 2, batchSize: 8, verbose: 0 }))
    const b = await run(Tr.fit(t1, x, y, { epochs: 2, batchSize: 8, verbose: 0 }))
    expect(a.trainer.runEagerly).toBe(true)
    weightsOf(a.trainer).flat().forEach((v, i) => expect(v).toBeCloseTo(weightsOf(b.trainer).flat()[i], 5))
  })
})
