/**
 * Issue 15, callbacks as Keras 2.15 has them (keras/callbacks.py at v2.15.0): CSVLogger's columns with
 * `validationFreq` (item 9), ModelCheckpoint's `save_freq` and its filepath formatting error (item 10),
 * unknown callback options (item 10), TerminateOnNaN on the very first batch (item 11).
 */
import { describe, it, expect, beforeAll } from 'vitest'
import { mkdirSync, rmSync, readdirSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { sequential, dense, tensor, compileOrThrow, modelCheckpoint, TensorfoldError, Callbacks } from '../../src/index.js'
import { formatPath } from '../../src/io/checkpoint.js'
import { pythonFloat } from '../../src/io/csvLogger.js'
import * as Tr from '../../src/train/index.js'
import { linearModel, regression, compiled, weightsOf, run, runLeft } from './helpers.js'

const { csvLogger, terminateOnNaN, earlyStopping, reduceLROnPlateau, learningRateScheduler, lambdaCallback, progbarLogger } = Callbacks

const root = join(process.cwd(), 'tmp', 'test-keras-callbacks')
beforeAll(() => {
  rmSync(root, { recursive: true, force: true })
  mkdirSync(root, { recursive: true })
})

const errOf = (f: () => unknown): TensorfoldError => {
  try {
    f()
  } catch (e) {
    expect(e).toBeInstanceOf(TensorfoldError)
    return e as TensorfoldError
  }
  throw new Error('expected a throw')
}

describe('CSVLogger (item 9)', () => {
  it('with validationFreq: 3 the header has the val_ columns and NA where validation did not run (Keras 2.15 CSVLogger.on_epoch_end adds "val_" + k when the first epoch has none)', async () => {
    const { x, y } = regression(16, 2)
    const t = compiled(linearModel(3), { optimizer: 'sgd', loss: 'mse', metrics: ['mae'] })
    const chunks: string[] = []
    await run(Tr.fit(t, x, y, { epochs: 3, batchSize: 8, verbose: 0, validationSplit: 0.25, validationFreq: 3, callbacks: [csvLogger({ write: (c) => void chunks.push(c) })] }))
    const lines = chunks.join('').split('\r\n')
    expect(lines[0]).toBe('epoch,loss,mae,val_loss,val_mae')
    expect(lines[1]).toMatch(/^0,[\d.e-]+,[\d.e-]+,NA,NA$/)
    expect(lines[2]).toMatch(/^1,[\d.e-]+,[\d.e-]+,NA,NA$/)
    expect(lines[3]).toMatch(/^2,[\d.e-]+,[\d.e-]+,[\d.e-]+,[\d.e-]+$/)
    expect(lines[4]).toBe('')
  })

  it('without validation data the val_ columns are still there and say NA (Keras 2.15 CSVLogger.on_epoch_end: `if not val_keys_found: self.keys.extend(["val_" + k for k in self.keys])`, then `logs.get(key, "NA")`)', async () => {
    const { x, y } = regression(16, 2)
    const t = compiled(linearModel(3), { optimizer: 'sgd', loss: 'mse', metrics: ['mae'] })
    const chunks: string[] = []
    const r = await run(Tr.fit(t, x, y, { epochs: 2, batchSize: 8, verbose: 0, callbacks: [csvLogger({ write: (c) => void chunks.push(c) })] }))
    const text = chunks.join('')
    const [loss0, loss1] = r.history.history.loss
    const [mae0, mae1] = r.history.history.mae
    // Python's csv.excel dialect ends lines with \r\n; floats are written as Python's repr
    expect(text).toBe(`epoch,loss,mae,val_loss,val_mae\r\n0,${pythonFloat(loss0)},${pythonFloat(mae0)},NA,NA\r\n1,${pythonFloat(loss1)},${pythonFloat(mae1)},NA,NA\r\n`)
  })

  it("numbers are written as Python's repr of a float (what Keras's csv.DictWriter writes): shortest round-trip digits, '.0' on integers, exponent below 1e-4 and from 1e16", () => {
    expect(pythonFloat(1)).toBe('1.0')
    expect(pythonFloat(0.5)).toBe('0.5')
    expect(pythonFloat(-2.25)).toBe('-2.25')
    expect(pythonFloat(0.0001)).toBe('0.0001')
    expect(pythonFloat(0.00001)).toBe('1e-05')
    expect(pythonFloat(1.5e-7)).toBe('1.5e-07')
    expect(pythonFloat(123456.789)).toBe('123456.789')
    expect(pythonFloat(1e15)).toBe('1000000000000000.0')
    expect(pythonFloat(1e16)).toBe('1e+16')
    expect(pythonFloat(1.2345e100)).toBe('1.2345e+100')
    expect(pythonFloat(0.30000001192092896)).toBe('0.30000001192092896')
    expect(pythonFloat(0.1 + 0.2)).toBe('0.30000000000000004')
    expect(pythonFloat(0)).toBe('0.0')
    expect(pythonFloat(-0)).toBe('-0.0')
    expect(pythonFloat(NaN)).toBe('nan')
    expect(pythonFloat(Infinity)).toBe('inf')
    expect(pythonFloat(-Infinity)).toBe('-inf')
  })

  it('the separator must be one character (Python\'s csv: "delimiter" must be a 1-character string); a field holding it is quoted', async () => {
    expect(errOf(() => csvLogger('x.csv', { separator: ';;' }))._tag).toBe('InvalidOption')
    expect(errOf(() => csvLogger('x.csv', { separator: '' }))._tag).toBe('InvalidOption')
    const { x, y } = regression(16, 2)
    const t = compiled(linearModel(3), { optimizer: 'sgd', loss: 'mse' })
    const chunks: string[] = []
    await run(Tr.fit(t, x, y, { epochs: 1, batchSize: 8, verbose: 0, callbacks: [csvLogger({ write: (c) => void chunks.push(c) }, { separator: '.' })] }))
    const [header, row] = chunks.join('').split('\r\n')
    expect(header).toBe('epoch.loss.val_loss')
    expect(row).toMatch(/^0\."[\d.e-]+"\.NA$/)
  })

  it('appending to a file with content writes no second header and keeps the columns fixed', async () => {
    const { x, y } = regression(16, 2)
    const t = compiled(linearModel(3), { optimizer: 'sgd', loss: 'mse' })
    const file = join(root, 'log.csv')
    await run(Tr.fit(t, x, y, { epochs: 1, batchSize: 8, verbose: 0, callbacks: [csvLogger(file)] }))
    await run(Tr.fit(t, x, y, { epochs: 2, batchSize: 8, verbose: 0, callbacks: [csvLogger(file, { append: true })] }))
    const { readFileSync } = await import('node:fs')
    const lines = readFileSync(file, 'utf8').trim().split('\r\n')
    expect(lines.filter((l) => l.startsWith('epoch')).length).toBe(1)
    expect(lines.length).toBe(4)
  })
})

describe('ModelCheckpoint (item 10)', () => {
  const xs = tensor(Array.from({ length: 8 }, (_, i) => [i / 8, 1 - i / 8]))
  const ys = tensor(Array.from({ length: 8 }, (_, i) => [i % 2]))
  const fresh = () => compileOrThrow(sequential([dense(1, { inputShape: [2] })]), { optimizer: 'sgd', loss: 'mse' })

  it('saveFreq: n saves after every n batches, {epoch} and {batch} 1-based (Keras 2.15 ModelCheckpoint._should_save_on_batch / _get_file_path)', async () => {
    const base = join(root, 'freq')
    // 2 epochs of 4 batches, saving every 3 batches: after batches 3 (epoch 1), 6 (epoch 2, its batch 2)
    await fresh().fit(xs, ys, { epochs: 2, batchSize: 2, verbose: 0, callbacks: [modelCheckpoint({ filepath: join(base, 'e{epoch}_b{batch}'), saveFreq: 3, monitor: 'loss' })] })
    expect(readdirSync(base).sort()).toEqual(['e1_b3', 'e2_b2'])
  })

  it("saveFreq: 'epoch' is the default; {batch} then has no value", async () => {
    const base = join(root, 'epoch')
    await fresh().fit(xs, ys, { epochs: 2, batchSize: 4, verbose: 0, callbacks: [modelCheckpoint({ filepath: join(base, 'e{epoch}'), saveFreq: 'epoch' })] })
    expect(readdirSync(base).sort()).toEqual(['e1', 'e2'])
  })

  it('a placeholder with no value fails the fit clearly ("Failed to format this callback filepath", Keras 2.15 _get_file_path) and writes nothing', async () => {
    const base = join(root, 'bad')
    const filepath = join(base, 'chkpt_{epoch:02d}_{mape:.2f}')
    const e = await runLeft(Tr.fit(fresh(), xs, ys, { epochs: 1, batchSize: 4, verbose: 0, callbacks: [modelCheckpoint({ filepath })] }))
    expect(e._tag).toBe('InvalidFilepath')
    expect(e.message).toContain(`Failed to format this callback filepath: "${filepath}". Reason: no value for 'mape'`)
    expect(existsSync(base)).toBe(false)
  })

  it('formatPath is Python str.format for the specs Keras users write', () => {
    expect(formatPath('c_{epoch:02d}_{loss:.2f}', 3, { loss: 0.1234 })).toEqual(E.right('c_03_0.12'))
    expect(formatPath('{val_loss:.3e}-{{x}}', 1, { val_loss: 0.00012345 })).toEqual(E.right('1.234e-04-{x}'))
    expect(formatPath('{loss}', 1, { loss: 1 })).toEqual(E.right('1.0'))
    expect(E.isLeft(formatPath('{loss:02d}', 1, { loss: 0.5 }))).toBe(true)
    expect(E.isLeft(formatPath('a}b', 1, {}))).toBe(true)
  })

  it('a malformed filepath, a bad saveFreq and an unknown option are errors at construction', () => {
    expect(errOf(() => modelCheckpoint({ filepath: 'x_{epoch:%}' })).message).toContain('Failed to format this callback filepath')
    expect(errOf(() => modelCheckpoint({ filepath: 'x', saveFreq: 0 })).message).toContain("unrecognized saveFreq 0: expected 'epoch' or a positive integer")
    expect(errOf(() => modelCheckpoint({ filepath: 'x', saveFreq: 'batch' as never }))._tag).toBe('InvalidOption')
    const e = errOf(() => modelCheckpoint({ filepath: 'x', save_freq: 2 } as never))
    expect(e._tag).toBe('InvalidOption')
    expect(e.message).toContain("modelCheckpoint: unknown option 'save_freq' — did you mean 'saveFreq'?")
  })
})

describe('unknown options to any callback are an error (item 10; Keras raises TypeError for an unexpected keyword argument)', () => {
  it('each callback constructor names the option and the nearest allowed one', () => {
    expect(errOf(() => earlyStopping({ patiense: 3 } as never)).message).toContain("earlyStopping: unknown option 'patiense' — did you mean 'patience'?")
    expect(errOf(() => reduceLROnPlateau({ min_lr: 0.1 } as never)).message).toContain("did you mean 'minLr'?")
    expect(errOf(() => learningRateScheduler((e, lr) => lr, { verbos: 1 } as never))._tag).toBe('InvalidOption')
    expect(errOf(() => lambdaCallback({ on_epoch_end: () => undefined } as never))._tag).toBe('InvalidOption')
    expect(errOf(() => csvLogger('x.csv', { seperator: ';' } as never)).message).toContain("did you mean 'separator'?")
    expect(errOf(() => progbarLogger({ interval: 5 } as never))._tag).toBe('InvalidOption')
    // the known ones still construct
    expect(earlyStopping({ patience: 1, monitor: 'loss' }).name).toBe('EarlyStopping')
  })
})

describe('TerminateOnNaN (item 11)', () => {
  it('a bad first batch: the epoch is recorded with its non-finite loss (Keras 2.15 fit breaks after the batch, then on_epoch_end and History see the epoch); the batch is still undone', async () => {
    const { xs, ys } = regression(16, 2)
    const bad = xs.map((r, i) => (i < 8 ? [Infinity, r[1], r[2]] : r))
    const t = compiled(linearModel(3), { optimizer: 'sgd', loss: 'mse', metrics: ['mae'] })
    const epochsSeen: number[] = []
    const r = await run(
      Tr.fit(t, bad, ys, { batchSize: 8, epochs: 3, shuffle: false, verbose: 0, checkFiniteInputs: false, write: () => undefined, callbacks: [terminateOnNaN(), lambdaCallback({ onEpochEnd: (e) => void epochsSeen.push(e) })] })
    )
    expect(r.stopped).toBe('callback')
    expect(r.history.epoch).toEqual([0])
    expect(epochsSeen).toEqual([0])
    expect(Number.isFinite(r.history.history.loss[0])).toBe(false)
    expect(r.trainer.step).toBe(0)
    expect(weightsOf(r.trainer)).toEqual(weightsOf(t))
  })
})

describe('test and predict hooks (item 8; Keras 2.15 training.py: evaluate and predict call callbacks.on_test_* / on_predict_*, and fit\'s validation runs evaluate with fit\'s callbacks)', () => {
  const recorder = (seen: string[]): Tr.Callbacks.Callback<number> => ({
    name: 'recorder',
    init: () => 0,
    onEpochBegin: (_s, { epoch }) => void seen.push(`epochBegin ${epoch}`),
    onEpochEnd: (_s, { epoch }) => void seen.push(`epochEnd ${epoch}`),
    onTestBegin: () => void seen.push('testBegin'),
    onTestBatchBegin: (_s, { batch }) => void seen.push(`testBatchBegin ${batch}`),
    onTestBatchEnd: (s, { batch, logs }) => {
      seen.push(`testBatchEnd ${batch} ${Object.keys(logs).join(',')}`)
      return { state: s + 1 }
    },
    onTestEnd: (s, { logs }) => void seen.push(`testEnd ${s} ${logs.loss.toFixed(6)}`),
    onTrainEnd: (s) => void seen.push(`trainEnd ${s}`),
    onPredictBegin: () => void seen.push('predictBegin'),
    onPredictBatchBegin: (_s, { batch }) => void seen.push(`predictBatchBegin ${batch}`),
    onPredictBatchEnd: (_s, { batch, outputs }) => void seen.push(`predictBatchEnd ${batch} ${outputs[0].shape.join('x')}`),
    onPredictEnd: () => void seen.push('predictEnd')
  })

  it("fit's validation calls the test hooks between the epoch's batches and onEpochEnd; the callback's state carries on", async () => {
    const { x, y } = regression(16, 2)
    const t = compiled(linearModel(3), { optimizer: 'sgd', loss: 'mse', metrics: ['mae'] })
    const seen: string[] = []
    const r = await run(Tr.fit(t, x, y, { epochs: 2, batchSize: 4, verbose: 0, validationSplit: 0.5, validationFreq: 2, callbacks: [recorder(seen)] }))
    const val = r.history.history.val_loss[r.history.history.val_loss.length - 1]
    expect(seen).toEqual([
      'epochBegin 0',
      'epochEnd 0',
      'epochBegin 1',
      'testBegin',
      'testBatchBegin 0',
      'testBatchEnd 0 loss,mae',
      'testBatchBegin 1',
      'testBatchEnd 1 loss,mae',
      `testEnd 2 ${val.toFixed(6)}`,
      'epochEnd 1',
      'trainEnd 2'
    ])
  })

  it('evaluate and predict use their callbacks (they were ignored before)', async () => {
    const { x, y } = regression(6, 2)
    const t = compiled(linearModel(3), { optimizer: 'sgd', loss: 'mse' })
    const seen: string[] = []
    const [loss] = (await run(Tr.evaluate(t, x, y, { batchSize: 4, verbose: 0, callbacks: [recorder(seen)] }))) as number[]
    expect(seen).toEqual(['testBegin', 'testBatchBegin 0', 'testBatchEnd 0 loss', 'testBatchBegin 1', 'testBatchEnd 1 loss', `testEnd 2 ${loss.toFixed(6)}`])
    seen.length = 0
    await run(Tr.predict(t, x, { batchSize: 4, verbose: 0, callbacks: [recorder(seen)] }))
    expect(seen).toEqual(['predictBegin', 'predictBatchBegin 0', 'predictBatchEnd 0 4x1', 'predictBatchBegin 1', 'predictBatchEnd 1 2x1', 'predictEnd'])
  })
})
