import { describe, it, expect } from 'vitest'
import { type Tensor, csvLogger } from '../../src/index.js'
import * as Tr from '../../src/train/index.js'
import { formatBar, formatValue, formatPerStep, progbar } from '../../src/train/progress.js'
import { appendEpoch, emptyHistory } from '../../src/train/History.js'
import { linearModel, regression, compiled, weightsOf, run } from './helpers.js'

const { earlyStopping, learningRateScheduler, reduceLROnPlateau, terminateOnNaN, lambdaCallback } = Tr.Callbacks

describe('callbacks', () => {
  it('terminateOnNaN stops at the first non-finite loss and returns the last good trainer, nothing lost', async () => {
    const { xs, ys } = regression(32, 2)
    const bad = xs.map((r, i) => (i >= 16 && i < 24 ? [Infinity, r[1], r[2]] : r))
    const t = compiled(linearModel(3), { optimizer: 'sgd', loss: 'mse', metrics: ['mae'] })
    const lines: string[] = []
    const r = await run(Tr.fit(t, bad, ys, { batchSize: 8, epochs: 3, shuffle: false, verbose: 0, callbacks: [terminateOnNaN()], write: (s) => lines.push(s), checkFiniteInputs: false }))
    const good = await run(Tr.fit(t, xs.slice(0, 16), ys.slice(0, 16), { batchSize: 8, shuffle: false, verbose: 0 }))
    expect(r.stopped).toBe('callback')
    expect(r.trainer.step).toBe(2)
    expect(weightsOf(r.trainer)).toEqual(weightsOf(good.trainer))
    expect(weightsOf(r.trainer).flat().every(Number.isFinite)).toBe(true)
    expect(r.history.epoch).toEqual([0])
    expect(r.history.history.loss[0]).toBeCloseTo(good.history.history.loss[0], 6)
    expect(lines.join('')).toContain('Batch 2: Invalid loss, terminating training')
  })

  it('earlyStopping stops after `patience` epochs without improvement and restores the best weights', async () => {
    const { x, y } = regression(16, 3)
    const t = compiled(linearModel(3), { optimizer: 'sgd', loss: 'mse' })
    // the loss decreases every epoch, so in 'max' mode epoch 0 stays the best
    const r = await run(Tr.fit(t, x, y, { epochs: 10, batchSize: 8, verbose: 0, callbacks: [earlyStopping({ monitor: 'loss', mode: 'max', patience: 2, restoreBestWeights: true })] }))
    expect(r.history.epoch).toEqual([0, 1, 2])
    expect(r.stopped).toBe('callback')
    const best = await run(Tr.fit(t, x, y, { epochs: 1, batchSize: 8, verbose: 0 }))
    expect(weightsOf(r.trainer)).toEqual(weightsOf(best.trainer))
    expect(r.trainer.step).toBe(6)
  })

  it('the same callback value can be reused: its state lives in the fold', async () => {
    const { x, y } = regression(16, 3)
    const t = compiled(linearModel(3), { optimizer: 'sgd', loss: 'mse' })
    const es = earlyStopping({ monitor: 'loss', mode: 'max', patience: 1 })
    const a = await run(Tr.fit(t, x, y, { epochs: 5, batchSize: 8, verbose: 0, callbacks: [es] }))
    const b = await run(Tr.fit(t, x, y, { epochs: 5, batchSize: 8, verbose: 0, callbacks: [es] }))
    expect(b.history.epoch).toEqual(a.history.epoch)
  })

  it('learningRateScheduler sets the rate each epoch and logs learning_rate', async () => {
    const { x, y } = regression(16, 4)
    const t = compiled(linearModel(3), { optimizer: 'sgd', loss: 'mse' })
    const frozen = await run(Tr.fit(t, x, y, { epochs: 2, batchSize: 8, verbose: 0, callbacks: [learningRateScheduler(() => 0)] }))
    expect(weightsOf(frozen.trainer)).toEqual(weightsOf(t))
    const r = await run(Tr.fit(t, x, y, { epochs: 3, batchSize: 8, verbose: 0, callbacks: [learningRateScheduler((e) => 0.1 / (e + 1))] }))
    expect(r.history.history.learning_rate.map((v) => Math.round(v * 1e6) / 1e6)).toEqual([0.1, 0.05, 0.033333])
  })

  it('reduceLROnPlateau multiplies the rate by factor after patience epochs without improvement', async () => {
    const { x, y } = regression(16, 5)
    const t = compiled(linearModel(3), { optimizer: 'adam', loss: 'mse' })
    const r = await run(Tr.fit(t, x, y, { epochs: 4, batchSize: 8, verbose: 0, callbacks: [reduceLROnPlateau({ monitor: 'loss', mode: 'max', patience: 1, factor: 0.5, minLr: 1e-4 })] }))
    expect(r.trainer.learningRate).toBeCloseTo(0.001 / 8, 8)
    expect(r.history.history.learning_rate[0]).toBeCloseTo(0.001, 8)
  })

  it('csvLogger writes a header and one row per epoch; lambdaCallback observes', async () => {
    const { x, y } = regression(16, 6)
    const t = compiled(linearModel(3), { optimizer: 'sgd', loss: 'mse', metrics: ['mae'] })
    const chunks: string[] = []
    const seen: number[] = []
    await run(Tr.fit(t, x, y, { epochs: 2, batchSize: 8, verbose: 0, callbacks: [csvLogger({ write: (c) => void chunks.push(c) }), lambdaCallback({ onEpochEnd: (e) => void seen.push(e) })] }))
    const lines = chunks.join('').trim().split('\r\n')
    expect(lines[0]).toBe('epoch,loss,mae,val_loss,val_mae')
    expect(lines).toHaveLength(3)
    expect(lines[2].startsWith('1,')).toBe(true)
    expect(seen).toEqual([0, 1])
  })

  it('an AbortSignal stops after the current step and resolves with the trainer so far', async () => {
    const { x, y } = regression(64, 7)
    const t = compiled(linearModel(3), { optimizer: 'sgd', loss: 'mse' })
    const ac = new AbortController()
    const r = await run(Tr.fit(t, x, y, { epochs: 5, batchSize: 8, verbose: 0, signal: ac.signal, callbacks: [lambdaCallback({ onBatchEnd: (b) => (b === 2 ? ac.abort() : undefined) })] }))
    expect(r.stopped).toBe('aborted')
    expect(r.trainer.step).toBe(3)
    expect(r.history.epoch).toEqual([])
  })
})

describe('progress bar', () => {
  it('formats like Keras', () => {
    expect(formatValue(0.12345)).toBe('0.1235')
    expect(formatValue(0.00012345)).toBe('1.2345e-4')
    expect(formatPerStep(3.2)).toBe('3ms/step')
    expect(formatPerStep(0.42)).toBe('420us/step')
    expect(formatBar(32, 32, { loss: 0.1234, mae: 0.2 }, 1000, true)).toBe(`32/32 [${'='.repeat(30)}] - 1s 31ms/step - loss: 0.1234 - mae: 0.2000`)
    expect(formatBar(8, 32, { loss: 1 }, 800, false)).toBe(` 8/32 [======>.......................] - ETA: 2s - loss: 1.0000`)
  })

  it('redraws in place on a terminal (throttled) and prints one final line per epoch otherwise', () => {
    let now = 0
    const tty: string[] = []
    const bar = progbar({ target: 4, verbose: 1, interactive: true, write: (s) => tty.push(s), now: () => now, intervalMs: 50 })
    for (let i = 1; i <= 4; i++) {
      now += 30
      bar.update(i, { loss: 1 / i })
    }
    bar.done(4, { loss: 0.25 })
    expect(tty.length).toBe(3)
    expect(tty.every((s) => s.startsWith('\r'))).toBe(true)
    expect(tty[2]).toContain('4/4 [')
    const log: string[] = []
    const quiet = progbar({ target: 4, verbose: 1, interactive: false, write: (s) => log.push(s) })
    for (let i = 1; i <= 4; i++) quiet.update(i, { loss: 1 })
    quiet.done(4, { loss: 1 })
    expect(log).toHaveLength(1)
    expect(log[0]).toMatch(/^4\/4 \[=+\] - \d+ms \d+(us|ms)\/step - loss: 1\.0000\n$/)
  })

  it('fit prints "Epoch i/n" and one line per epoch when not on a terminal (verbose 1 and 2)', async () => {
    const { x, y } = regression(16, 8)
    const t = compiled(linearModel(3), { optimizer: 'sgd', loss: 'mse', metrics: ['mae'] })
    for (const verbose of [1, 2] as const) {
      const out: string[] = []
      await run(Tr.fit(t, x, y, { epochs: 2, batchSize: 8, verbose, write: (s) => out.push(s) }))
      const lines = out.join('').trim().split('\n')
      expect(lines).toHaveLength(4)
      expect(lines[0]).toBe('Epoch 1/2')
      expect(lines[1]).toMatch(verbose === 1 ? /^2\/2 \[=+\] - .* - loss: \d\.\d{4} - mae: \d\.\d{4}$/ : /^2\/2 - \S+ - \S+\/step - loss: \d\.\d{4} - mae: \d\.\d{4}$/)
      expect(out.join('')).not.toContain('\r')
    }
  })

  it('history pads keys first seen later with NaN', () => {
    const h = appendEpoch(appendEpoch(emptyHistory({ verbose: 0, epochs: 2, steps: 1 }), 0, { loss: 1 }), 1, { loss: 0.5, val_loss: 0.7 })
    expect(h.history.val_loss).toEqual([NaN, 0.7])
    expect(h.epoch).toEqual([0, 1])
  })
})

describe('the MNIST demo path', () => {
  it('loads a seeded split and one epoch on a few hundred digits learns something', async () => {
    const { loadMnist } = await import('../../examples/data/mnist.js')
    const d = await loadMnist({ train: 400, test: 200, seed: 1 })
    const again = await loadMnist({ train: 400, test: 200, seed: 1 })
    expect(d.xTrain.shape).toEqual([400, 784])
    expect(Array.from(d.raw.yTest)).toEqual(Array.from(again.raw.yTest))
    const { sequential, dense } = await import('../../src/index.js')
    const m = sequential([dense(32, { inputShape: [784], activation: 'relu' }), dense(10, { activation: 'softmax' })])
    const t = compiled(m, { optimizer: 'adam', loss: 'sparse_categorical_crossentropy', metrics: ['accuracy'] })
    const r = await run(Tr.fit(t, d.xTrain, d.yTrain, { epochs: 2, batchSize: 16, verbose: 0 }))
    const [, acc] = (await run(Tr.evaluate(r.trainer, d.xTest, d.yTest, { verbose: 0 }))) as number[]
    expect(acc).toBeGreaterThan(0.6)
    const p = (await run(Tr.predict(r.trainer, d.xTest, { verbose: 0 }))) as Tensor
    expect(p.shape).toEqual([200, 10])
  })
})
