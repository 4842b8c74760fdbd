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
import type { CustomTrainStep } from '../../src/train/options.js'

describe('custom training step', () => {
  it('a step that runs the default step and renames its logs: fit folds it, with callbacks and history; same weights as the default', async () => {
    const { x, y } = regression(24, 3)
    const step: CustomTrainStep = (t, b) => {
      const [t2, logs] = Tr.trainStep(t, { x: b.x[0], y: b.y[0] })
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
