/**
 * Tests that kill StrykerJS mutants of `src/train/fit.ts` which survived `test/train` (issue 9 item 7;
 * docs/laws.md, "Mutation testing"). Each names the line it guards.
 */
import { describe, it, expect } from 'vitest'
import { sgd, tensor, sequential, dense, layers, orThrow } from '../../src/index.js'
import type { Callback, FitInfo } from '../../src/train/callbacks/Callback.js'
import * as E from 'fp-ts/lib/Either.js'
import * as Tr from '../../src/train/index.js'
import { fit as fitTs } from '../../src/train/fit.js'
import type { CustomTrainStep } from '../../src/train/options.js'
import { linearModel, regression, compiled, run, runLeft } from './helpers.js'

/** A re-iterable batch source (not an array: an array is in-memory data). */
const batches = (xs: number[][], ys: number[][], size: number): Iterable<{ x: number[][]; y: number[][] }> => {
  const out: Array<{ x: number[][]; y: number[][] }> = []
  for (let i = 0; i < xs.length; i += size) out.push({ x: xs.slice(i, i + size), y: ys.slice(i, i + size) })
  return { [Symbol.iterator]: () => out[Symbol.iterator]() }
}

describe('fit: what an iterable of batches refuses (prepareTraining)', () => {
  const { xs, ys, x, y } = regression(8, 4)
  const t = compiled(linearModel(3), { optimizer: 'sgd', loss: 'mse' })
  it('y beside an iterable is InvalidData at y; null and undefined are accepted', async () => {
    expect(await runLeft(Tr.fit(t, batches(xs, ys, 4), y, { verbose: 0 }))).toMatchObject({ _tag: 'InvalidData', where: 'y' })
    expect((await run(Tr.fit(t, batches(xs, ys, 4), null, { verbose: 0 }))).trainer.step).toBe(2)
    expect((await run(Tr.fit(t, batches(xs, ys, 4), undefined, { verbose: 0 }))).trainer.step).toBe(2)
  })
  it('validationSplit and sampleWeight need in-memory data', async () => {
    expect(await runLeft(Tr.fit(t, batches(xs, ys, 4), undefined, { verbose: 0, validationSplit: 0.5 }))).toMatchObject({ _tag: 'InvalidOption', path: 'validationSplit' })
    expect(await runLeft(Tr.fit(t, batches(xs, ys, 4), undefined, { verbose: 0, sampleWeight: new Array(8).fill(1) }))).toMatchObject({ _tag: 'InvalidOption', path: 'sampleWeight' })
  })
  it('validationSplit with validationData is refused (Keras lets validationData win silently)', async () => {
    expect(await runLeft(Tr.fit(t, x, y, { verbose: 0, validationSplit: 0.5, validationData: [x, y] }))).toMatchObject({ _tag: 'InvalidOption', path: 'validationSplit' })
  })
})

describe('fit: validation data in every form (prepareTraining, shouldValidate)', () => {
  const { xs, ys, x, y } = regression(12, 5)
  const t = compiled(linearModel(3), { optimizer: 'sgd', loss: 'mse' })
  const o = { epochs: 1, batchSize: 4, shuffle: false, verbose: 0 as const }
  it('a record {x, y, sampleWeight}, an array [x, y, w] and an iterable give the same val_loss; weights count', async () => {
    const w = [1, 0, 2, 1, 1, 3, 0, 1, 1, 2, 1, 1]
    const arr = await run(Tr.fit(t, x, y, { ...o, validationData: [x, y, w] }))
    const rec = await run(Tr.fit(t, x, y, { ...o, validationData: { x, y, sampleWeight: w } }))
    const unweighted = await run(Tr.fit(t, x, y, { ...o, validationData: { x, y } }))
    const it3 = await run(Tr.fit(t, x, y, { ...o, validationData: batches(xs, ys, 12) }))
    expect(rec.history.history.val_loss).toEqual(arr.history.history.val_loss)
    expect(it3.history.history.val_loss[0]).toBeCloseTo(unweighted.history.history.val_loss[0], 6)
    expect(unweighted.history.history.val_loss[0]).not.toBeCloseTo(arr.history.history.val_loss[0], 3)
    // the validation loss is the evaluation of the trained weights on that data
    const ev = (await run(Tr.evaluate(arr.trainer, x, y, { sampleWeight: w, verbose: 0 }))) as number[]
    expect(arr.history.history.val_loss[0]).toBeCloseTo(ev[0], 5)
  })
  it('validationFreq as a list runs validation at those (1-based) epochs only', async () => {
    const r = await run(Tr.fit(t, x, y, { ...o, epochs: 4, validationData: [x, y], validationFreq: [1, 3] }))
    expect(r.history.history.val_loss.map(Number.isNaN)).toEqual([false, true, false, true])
    const every = await run(Tr.fit(t, x, y, { ...o, epochs: 3, validationData: [x, y] }))
    expect(every.history.history.val_loss.map(Number.isNaN)).toEqual([false, false, false])
  })
})

describe('fit: the progress bar and the end of a stream (runFit, fitEpoch)', () => {
  const { x, y } = regression(8, 6)
  const t = compiled(linearModel(3), { optimizer: 'sgd', loss: 'mse' })
  const lines = async (o: Tr.FitOptions): Promise<string> => {
    const out: string[] = []
    await run(Tr.fit(t, x, y, { epochs: 2, batchSize: 4, ...o, write: (s) => void out.push(s) }))
    return out.join('')
  }
  it('verbose 2 writes one "Epoch i/n" per epoch; a ProgbarLogger of the user replaces the default one (Keras CallbackList)', async () => {
    expect((await lines({ verbose: 2 })).match(/Epoch \d\/2/g)).toEqual(['Epoch 1/2', 'Epoch 2/2'])
    expect((await lines({ verbose: 2, callbacks: [Tr.Callbacks.progbarLogger({ interactive: false })] })).match(/Epoch \d\/2/g)).toEqual(['Epoch 1/2', 'Epoch 2/2'])
    expect(await lines({ verbose: 0 })).toBe('')
    // another callback is not a progress bar: the default one stays
    const other: Callback<null> = { name: 'other', init: () => null }
    expect((await lines({ verbose: 2, callbacks: [other] })).match(/Epoch \d\/2/g)).toEqual(['Epoch 1/2', 'Epoch 2/2'])
  })
  it('a one-shot stream that runs out stops the run with "exhausted", says so, and logs only the epochs it trained', async () => {
    const { xs, ys } = regression(8, 7)
    function* once() {
      yield { x: xs.slice(0, 4), y: ys.slice(0, 4) }
      yield { x: xs.slice(4), y: ys.slice(4) }
    }
    const out: string[] = []
    const begun: number[] = []
    const spy: Callback<null> = { name: 'spy', init: () => null, onEpochBegin: (_s, e) => void begun.push(e.epoch) }
    const r = await run(Tr.fit(t, once(), undefined, { epochs: 3, verbose: 0, write: (s) => void out.push(s), callbacks: [spy] }))
    expect(begun).toEqual([0, 1])
    expect(r.stopped).toBe('exhausted')
    expect(r.trainer.step).toBe(2)
    expect(r.history.epoch).toEqual([0])
    expect(out.join('').match(/the data ran out at epoch \d/g)).toEqual(['the data ran out at epoch 2'])
  })
  it('with stepsPerEpoch a re-iterable stream is read on across epochs, as Keras does with steps_per_epoch', async () => {
    // w = [1, 2, 3], b = 0, learning rate 0, mae against 0: batch k holds the sample [k, 0, 0], its loss is k
    const t1 = compiled(linearModel(3, 1, 1), { optimizer: sgd({ learningRate: 0 }), loss: 'mae' })
    const list = [0, 1, 2, 3].map((k) => ({ x: [[k, 0, 0]], y: [[0]] }))
    const reiterable = { [Symbol.iterator]: () => list[Symbol.iterator]() }
    const r = await run(Tr.fit(t1, reiterable, undefined, { epochs: 2, stepsPerEpoch: 2, verbose: 0 }))
    expect(r.history.history.loss).toEqual([0.5, 2.5])
    expect(r.history.params.steps).toBe(2)
    // without stepsPerEpoch each epoch reads the source from its start
    const whole = await run(Tr.fit(t1, reiterable, undefined, { epochs: 2, verbose: 0 }))
    expect(whole.history.history.loss).toEqual([1.5, 1.5])
  })
})

describe('fit.ts itself refuses what is not a trainer (isTrainerLike; the facade checks too)', () => {
  it('null, a record without the tag and one with another tag are NotAModel', async () => {
    const { x, y } = regression(4, 8)
    for (const u of [null, undefined, 3, {}, { _tag: 'Sequential' }]) {
      const r = await fitTs(u as never, x, y, { verbose: 0 })()
      expect(E.isLeft(r) && r.left._tag).toBe('NotAModel')
    }
  })
})

describe('fit: what callbacks are told (runFit)', () => {
  it('FitInfo: epochs, initialEpoch, steps = ceil(n / batchSize), verbose, metrics names, doValidation; onTrainEnd gets the last epoch logs', async () => {
    const { x, y } = regression(10, 9)
    const t = compiled(linearModel(3), { optimizer: 'sgd', loss: 'mse', metrics: ['mae'] })
    const seen: { info?: FitInfo; end?: Record<string, number>; epochs: number[] } = { epochs: [] }
    const spy: Callback<null> = {
      name: 'spy',
      init: () => null,
      onTrainBegin: (_s, ev) => void (seen.info = ev.info),
      onEpochBegin: (_s, ev) => void seen.epochs.push(ev.epoch),
      onTrainEnd: (_s, ev) => void (seen.end = { ...ev.logs })
    }
    const r = await run(Tr.fit(t, x, y, { epochs: 3, initialEpoch: 1, batchSize: 4, verbose: 0, validationData: [x, y], callbacks: [spy] }))
    expect(seen.info).toMatchObject({ epochs: 3, initialEpoch: 1, steps: 3, verbose: 0, doValidation: true })
    expect(seen.info?.metricsNames).toEqual(['loss', 'mae'])
    expect(seen.epochs).toEqual([1, 2])
    expect(r.trainer.step).toBe(6)
    expect(r.history.epoch).toEqual([1, 2])
    expect(seen.end).toEqual({ loss: r.history.history.loss[1], mae: r.history.history.mae[1], val_loss: r.history.history.val_loss[1], val_mae: r.history.history.val_mae[1] })
    await run(Tr.fit(t, x, y, { epochs: 1, batchSize: 5, verbose: 0, callbacks: [spy] }))
    expect(seen.info).toMatchObject({ steps: 2, doValidation: false, initialEpoch: 0 })
  })
  it('validation targets of the wrong shape are refused before the first step, naming validationData', async () => {
    const { x, y } = regression(6, 10)
    const t = compiled(linearModel(3), { optimizer: 'sgd', loss: 'mse' })
    let steps = 0
    const counter: Callback<null> = { name: 'count', init: () => null, onTrainBatchBegin: () => void steps++ }
    const e = await runLeft(Tr.fit(t, x, y, { verbose: 0, validationData: [x, tensor(new Array(6).fill([1, 2]))], callbacks: [counter] }))
    expect(e.message).toMatch(/fit \(validationData\)/)
    expect(steps).toBe(0)
  })
})

describe('fit: errors of the data name fit and the part at fault (prepareTraining)', () => {
  const { xs, ys, x, y } = regression(6, 11)
  const t = compiled(linearModel(3), { optimizer: 'sgd', loss: 'mse' })
  it('a validationSplit that leaves no training sample is EmptyData at validationSplit', async () => {
    expect(await runLeft(Tr.fit(t, [[1, 2, 3], [4, 5, 6]], [[1], [2]], { verbose: 0, validationSplit: 0.9 }))).toMatchObject({ _tag: 'EmptyData', where: 'validationSplit' })
  })
  it('bad training features say "fit:"; bad validation features say "fit (validationData)"', async () => {
    expect((await runLeft(Tr.fit(t, [[1, 2]], [[1]], { verbose: 0 }))).message).toMatch(/^fit: /)
    const e = await runLeft(Tr.fit(t, x, y, { verbose: 0, validationData: [[[1, 2]], [[1]]] }))
    expect(e._tag).toBe('ShapeMismatch')
    expect(e.message).toMatch(/^fit \(validationData\): /)
  })
  it('an iterable batch whose targets do not fit the model is refused at that batch, after the batches before it', async () => {
    const list = [
      { x: xs.slice(0, 3), y: ys.slice(0, 3) },
      { x: xs.slice(3), y: ys.slice(3).map((r) => [r[0], r[0]]) }
    ]
    const e = await runLeft(Tr.fit(t, { [Symbol.iterator]: () => list[Symbol.iterator]() }, undefined, { verbose: 0 }))
    expect(e).toMatchObject({ _tag: 'ShapeMismatch', completedSteps: 1 })
  })
})

describe('fit: a model not yet built is built and checked on the data before the first hook (runFit)', () => {
  const { x, y } = regression(6, 12)
  const hooks: string[] = []
  const spy: Callback<null> = { name: 'spy', init: () => null, onTrainBegin: () => void hooks.push('trainBegin'), onTrainBatchBegin: () => void hooks.push('batch') }
  it('targets of the wrong width for the built model are ShapeMismatch, no hook run', async () => {
    hooks.length = 0
    const t = compiled(sequential([dense(1)]), { optimizer: 'sgd', loss: 'mse' })
    expect(t.model.built).toBe(false)
    const e = await runLeft(Tr.fit(t, x, tensor(new Array(6).fill([1, 2])), { verbose: 0, callbacks: [spy] }))
    expect(e._tag).toBe('ShapeMismatch')
    expect(hooks).toEqual([])
    expect((await run(Tr.fit(t, x, y, { verbose: 0, callbacks: [spy] }))).trainer.model.built).toBe(true)
  })
  it('a model that cannot be built for the data is a Left, no hook run', async () => {
    hooks.length = 0
    const t = compiled(sequential([layers.conv2d(1, 2)]), { optimizer: 'sgd', loss: 'mse' })
    const e = await runLeft(Tr.fit(t, x, y, { verbose: 0, callbacks: [spy] }))
    expect(e.message).toMatch(/^fit: /)
    expect(hooks).toEqual([])
  })
})

describe('fit: the progress bar redraws only on an interactive stdout, never into a write function (runFit)', () => {
  it('with stdout a TTY and write given: verbose auto resolves to 2, and verbose 1 prints final lines without carriage returns', async () => {
    const { x, y } = regression(8, 13)
    const t = compiled(linearModel(3), { optimizer: 'sgd', loss: 'mse' })
    const had = Object.getOwnPropertyDescriptor(process.stdout, 'isTTY')
    const ci = process.env.CI
    Object.defineProperty(process.stdout, 'isTTY', { value: true, configurable: true })
    delete process.env.CI
    try {
      let info: FitInfo | undefined
      const spy: Callback<null> = { name: 'spy', init: () => null, onTrainBegin: (_s, ev) => void (info = ev.info) }
      const out: string[] = []
      await run(Tr.fit(t, x, y, { epochs: 2, batchSize: 2, write: (s) => void out.push(s), callbacks: [spy] }))
      expect(info?.verbose).toBe(2)
      out.length = 0
      await run(Tr.fit(t, x, y, { epochs: 2, batchSize: 2, verbose: 1, write: (s) => void out.push(s) }))
      expect(out.join('')).toMatch(/4\/4 \[=+\]/)
      expect(out.join('')).not.toMatch(/\r/)
      // no write function: stdout (a TTY here) is interactive, so verbose auto is 1 (Keras's default)
      const write = process.stdout.write
      process.stdout.write = (() => true) as never
      try {
        await run(Tr.fit(t, x, y, { epochs: 1, batchSize: 4, callbacks: [spy] }))
      } finally {
        process.stdout.write = write
      }
      expect(info?.verbose).toBe(1)
    } finally {
      if (had !== undefined) Object.defineProperty(process.stdout, 'isTTY', had)
      else delete (process.stdout as { isTTY?: boolean }).isTTY
      if (ci !== undefined) process.env.CI = ci
    }
  })
})

describe('fit: an epoch (fitEpoch)', () => {
  const { x, y, xs, ys } = regression(6, 14)
  const t = compiled(linearModel(3), { optimizer: 'sgd', loss: 'mse' })
  const recorder = (seen: string[]): Callback<null> => ({
    name: 'rec',
    init: () => null,
    onEpochBegin: (_s, e) => void seen.push(`E${e.epoch}`),
    onTrainBatchBegin: (_s, e) => void seen.push(`b${e.batch}`),
    onTestBatchBegin: (_s, e) => void seen.push(`t${e.batch}`),
    onEpochEnd: (_s, e) => void seen.push(`e${e.epoch}`)
  })
  it('validationSteps and validationBatchSize bound the validation pass; val_loss is the evaluation of those batches', async () => {
    const seen: string[] = []
    const r = await run(Tr.fit(t, x, y, { epochs: 1, batchSize: 3, shuffle: false, verbose: 0, validationData: [x, y], validationBatchSize: 2, validationSteps: 2, callbacks: [recorder(seen)] }))
    expect(seen).toEqual(['E0', 'b0', 'b1', 't0', 't1', 'e0'])
    const ev = (await run(Tr.evaluate(r.trainer, tensor(xs.slice(0, 4)), tensor(ys.slice(0, 4)), { verbose: 0 }))) as number[]
    expect(r.history.history.val_loss[0]).toBeCloseTo(ev[0], 6)
  })
  it('an abort skips the validation and onEpochEnd of the epoch it stops', async () => {
    const seen: string[] = []
    const ac = new AbortController()
    const stopper: Callback<null> = { name: 'stop', init: () => null, onTrainBatchEnd: () => void ac.abort() }
    const r = await run(Tr.fit(t, x, y, { epochs: 2, batchSize: 3, verbose: 0, signal: ac.signal, validationData: [x, y], callbacks: [recorder(seen), stopper] }))
    expect(r.stopped).toBe('aborted')
    expect(seen).toEqual(['E0', 'b0'])
  })
  it('a stop decided at onEpochBegin runs no batch of that epoch and logs no row for it', async () => {
    const seen: string[] = []
    const stopAt1: Callback<null> = { name: 'stop', init: () => null, onEpochBegin: (_s, e) => (e.epoch === 1 ? { stop: true } : undefined) }
    const out: string[] = []
    const r = await run(Tr.fit(t, x, y, { epochs: 3, batchSize: 3, verbose: 0, write: (w) => void out.push(w), callbacks: [recorder(seen), stopAt1] }))
    expect(seen).toEqual(['E0', 'b0', 'b1', 'e0', 'E1'])
    expect(out).toEqual([])
    expect(r.history.epoch).toEqual([0])
    expect(r.trainer.step).toBe(2)
    expect(r.stopped).toBe('callback')
  })
})

describe('fit: streams and arrays at the edges (fitEpoch)', () => {
  const { x, y, xs, ys } = regression(4, 15)
  const t = compiled(linearModel(3), { optimizer: 'sgd', loss: 'mse' })
  it('arrays with stepsPerEpoch cycle through the data (no stream iterator is made)', async () => {
    const r = await run(Tr.fit(t, x, y, { epochs: 2, batchSize: 2, stepsPerEpoch: 3, verbose: 0 }))
    expect(r.trainer.step).toBe(6)
  })
  it('an empty iterable ends the run as exhausted, with no epoch logged', async () => {
    const r = await run(Tr.fit(t, { [Symbol.iterator]: () => [][Symbol.iterator]() }, undefined, { epochs: 2, verbose: 0, write: () => undefined }))
    expect(r.stopped).toBe('exhausted')
    expect(r.history.epoch).toEqual([])
    expect(r.trainer.step).toBe(0)
  })
  it('an iterable batch without targets is MissingTargets', async () => {
    const e = await runLeft(Tr.fit(t, { [Symbol.iterator]: () => [{ x: xs }][Symbol.iterator]() }, undefined, { verbose: 0 }))
    expect(e._tag).toBe('MissingTargets')
  })
  it('a bad batch of iterable validation data is its own error, carrying the trained trainer', async () => {
    const bad = [{ x: [[1, 2]], y: [[1]] }]
    const e = await runLeft(Tr.fit(t, x, y, { batchSize: 2, verbose: 0, validationData: { [Symbol.iterator]: () => bad[Symbol.iterator]() } }))
    expect(e).toMatchObject({ _tag: 'ShapeMismatch', completedSteps: 2 })
  })
})

describe('fit: how an epoch that stopped is logged (fitEpoch)', () => {
  const t = compiled(linearModel(3), { optimizer: 'sgd', loss: 'mse' })
  it('an abort between epochs ends the run as aborted, without the ran-out message', async () => {
    const { x, y } = regression(4, 16)
    const ac = new AbortController()
    const out: string[] = []
    const stopper: Callback<null> = { name: 'stop', init: () => null, onEpochEnd: () => void ac.abort() }
    const r = await run(Tr.fit(t, x, y, { epochs: 3, batchSize: 2, verbose: 0, signal: ac.signal, write: (w) => void out.push(w), callbacks: [stopper] }))
    expect(r.stopped).toBe('aborted')
    expect(r.history.epoch).toEqual([0])
    expect(out).toEqual([])
  })
  it('terminateOnNaN after good batches: the bad batch is undone and the epoch is logged with the kept batches only', async () => {
    const xs = [[1, 0, 0], [0, 1, 0], [NaN, 0, 0], [0, 0, 1]]
    const ys = [[1], [2], [3], [4]]
    const r = await run(Tr.fit(t, tensor(xs), tensor(ys), { epochs: 2, batchSize: 2, shuffle: false, verbose: 0, checkFiniteInputs: false, write: () => undefined, callbacks: [Tr.Callbacks.terminateOnNaN()] }))
    expect(r.trainer.step).toBe(1)
    expect(r.history.epoch).toEqual([0])
    expect(Number.isFinite(r.history.history.loss[0])).toBe(true)
  })
})

/** A custom training step that runs the default one (Keras: a `train_step` override calling super). */
const plainStep: CustomTrainStep = (t, b) => t.trainStep({ x: b.x[0], y: b.y[0] })
const withStep = (o: Tr.CompileOptions, custom: boolean): Tr.CompileOptions => (custom ? { ...o, trainStep: plainStep } : o)

describe('fit: the trainer an error carries after a batch (fitExecution, customExecution: env.last)', () => {
  const { xs, ys } = regression(6, 17)
  /** Three batches of two; batch `bad`'s targets are two wide: ShapeMismatch at that batch. */
  const source = (bad: number) => {
    const list = [0, 1, 2].map((k) => ({ x: xs.slice(2 * k, 2 * k + 2), y: ys.slice(2 * k, 2 * k + 2).map((r) => (k === bad ? [r[0], r[0]] : r)) }))
    return { [Symbol.iterator]: () => list[Symbol.iterator]() }
  }
  for (const custom of [false, true]) {
    const t = compiled(linearModel(3), withStep({ optimizer: sgd({ learningRate: 0.01 }), loss: 'mse' }, custom))
    const name = custom ? 'a custom trainStep' : 'the default step'
    it(`${name}: a trainer a callback put in at onTrainBatchEnd is the one carried`, async () => {
      const lr: Callback<null> = { name: 'lr', init: () => null, onTrainBatchEnd: (_s, e) => ({ trainer: orThrow(e.trainer.withLearningRate(0.5)) }) }
      const e = await runLeft(Tr.fit(t, source(1), undefined, { verbose: 0, callbacks: [lr] }))
      expect(e).toMatchObject({ _tag: 'ShapeMismatch', batch: 1, completedSteps: 1 })
      expect((e.trainer as Tr.Trainer).step).toBe(1)
      expect((e.trainer as Tr.Trainer).learningRate).toBeCloseTo(0.5, 6)
      // without the callback: the trainer after the step, with its own learning rate
      const plain = await runLeft(Tr.fit(t, source(1), undefined, { verbose: 0 }))
      expect(plain).toMatchObject({ completedSteps: 1 })
      expect((plain.trainer as Tr.Trainer).step).toBe(1)
      expect((plain.trainer as Tr.Trainer).learningRate).toBeCloseTo(0.01, 6)
    })
    it(`${name}: after an undone batch, the trainer from before it (completedSteps counts the steps run)`, async () => {
      const undo1: Callback<null> = { name: 'undo', init: () => null, onTrainBatchEnd: (_s, e) => (e.batch === 1 ? { revert: true } : undefined) }
      const e = await runLeft(Tr.fit(t, source(2), undefined, { verbose: 0, callbacks: [undo1] }))
      expect(e).toMatchObject({ _tag: 'ShapeMismatch', batch: 2, completedSteps: 2 })
      expect((e.trainer as Tr.Trainer).step).toBe(1)
      const plain = await runLeft(Tr.fit(t, source(2), undefined, { verbose: 0 }))
      expect((plain.trainer as Tr.Trainer).step).toBe(2)
    })
  }
})

describe('fit: batches a callback undoes (fitEpoch, fitExecution and customExecution after a revert)', () => {
  // w = [1, 2, 3], b = 0, learning rate 0, mae against 0: batch k holds one sample [v_k, 0, 0], its loss is v_k
  const values = [1, 2, 6]
  const x = tensor(values.map((v) => [v, 0, 0]))
  const y = tensor(values.map(() => [0]))
  for (const custom of [false, true])
    it(`${custom ? 'a custom trainStep' : 'the default step'}: an epoch whose every batch was undone is logged with the batches it ran, and training goes on`, async () => {
      const t = compiled(linearModel(3, 1, 1), withStep({ optimizer: sgd({ learningRate: 0 }), loss: 'mae' }, custom))
      const seen: string[] = []
      // epoch 0: batch 1 undone; epoch 1: every batch undone; epoch 2: none
      const undo: Callback<null> = {
        name: 'undo',
        init: () => null,
        onTrainBatchBegin: (_s, e) => void seen.push(`${e.epoch}:${e.batch}`),
        onTrainBatchEnd: (_s, e) => (e.epoch === 1 || (e.epoch === 0 && e.batch === 1) ? { revert: true } : undefined),
        onEpochEnd: (_s, e) => void seen.push(`end ${e.epoch}`)
      }
      const out: string[] = []
      const r = await run(Tr.fit(t, x, y, { epochs: 3, batchSize: 1, shuffle: false, verbose: 0, write: (s) => void out.push(s), callbacks: [undo] }))
      expect(seen).toEqual(['0:0', '0:1', '0:2', 'end 0', '1:0', '1:1', '1:2', 'end 1', '2:0', '2:1', '2:2', 'end 2'])
      expect(out).toEqual([])
      expect(r.stopped).toBeUndefined()
      expect(r.history.epoch).toEqual([0, 1, 2])
      // kept batches (1 and 6); every batch run (1, 2, 6), none kept; all kept
      expect(r.history.history.loss).toEqual([3.5, 3, 3])
      expect(r.trainer.step).toBe(5)
    })
  it('an iterable whose batches are all undone is read again next epoch, not reported as run out', async () => {
    const t = compiled(linearModel(3, 1, 1), { optimizer: sgd({ learningRate: 0 }), loss: 'mae' })
    const list = values.map((v) => ({ x: [[v, 0, 0]], y: [[0]] }))
    const undo0: Callback<null> = { name: 'undo', init: () => null, onTrainBatchEnd: (_s, e) => (e.epoch === 0 ? { revert: true } : undefined) }
    const out: string[] = []
    const r = await run(Tr.fit(t, { [Symbol.iterator]: () => list[Symbol.iterator]() }, undefined, { epochs: 2, verbose: 0, write: (s) => void out.push(s), callbacks: [undo0] }))
    expect(out).toEqual([])
    expect(r.stopped).toBeUndefined()
    expect(r.history.history.loss).toEqual([3, 3])
    expect(r.trainer.step).toBe(3)
  })
})

describe('fit: an iterable is checked batch by batch (fitExecution)', () => {
  const { xs, ys, x, y } = regression(8, 18)
  it('a model that cannot be built for the first batch: the same Left as for in-memory data, naming fit', async () => {
    const t = compiled(sequential([layers.conv2d(1, 2)]), { optimizer: 'sgd', loss: 'mse' })
    const arrays = await runLeft(Tr.fit(t, x, y, { verbose: 0 }))
    const stream = await runLeft(Tr.fit(t, batches(xs, ys, 4), undefined, { verbose: 0 }))
    expect(stream._tag).toBe(arrays._tag)
    expect(stream.message).toBe(arrays.message)
    expect(stream.message).toMatch(/^fit: cannot build the model/)
  })
  it('with stepsPerExecution 2, bad targets in the second batch of an execution name that batch, and no step of the execution runs', async () => {
    const t = compiled(linearModel(3), { optimizer: 'sgd', loss: 'mse', stepsPerExecution: 2 })
    const list = [0, 1, 2, 3].map((k) => ({ x: xs.slice(2 * k, 2 * k + 2), y: ys.slice(2 * k, 2 * k + 2).map((r) => (k === 3 ? [r[0], r[0]] : r)) }))
    const e = await runLeft(Tr.fit(t, { [Symbol.iterator]: () => list[Symbol.iterator]() }, undefined, { verbose: 0 }))
    expect(e).toMatchObject({ _tag: 'ShapeMismatch', batch: 3, completedSteps: 2 })
    expect(e.message).toMatch(/^fit: y has samples of shape \[2\] in batch 3 /)
  })
  it('a custom trainStep that returns nonsense: InvalidTrainStep, naming fit', async () => {
    const t = compiled(linearModel(3), { optimizer: 'sgd', loss: 'mse', trainStep: (() => [1, 2]) as never })
    const e = await runLeft(Tr.fit(t, x, y, { verbose: 0 }))
    expect(e._tag).toBe('InvalidTrainStep')
    expect(e.message).toMatch(/^fit: the custom trainStep must return/)
  })
})

describe('fit: the op and data of its Lefts (StrykerJS g4 survivors, fit.ts:56-75, 144, 201, 224)', () => {
  const { xs, ys, x, y } = regression(8, 4)
  const t = compiled(linearModel(3), { optimizer: 'sgd', loss: 'mse' })
  it('an iterable refuses y, validationSplit and sampleWeight with op fit and the exact messages (56, 58, 60)', async () => {
    expect(await runLeft(Tr.fit(t, batches(xs, ys, 4), y, { verbose: 0 }))).toMatchObject({
      _tag: 'InvalidData',
      message: 'fit: x is an iterable of batches, so y must be omitted (each batch carries its targets)',
      op: 'fit',
      where: 'y'
    })
    expect(await runLeft(Tr.fit(t, batches(xs, ys, 4), undefined, { verbose: 0, validationSplit: 0.5 }))).toMatchObject({
      _tag: 'InvalidOption',
      message: 'fit: validationSplit needs in-memory data; with an iterable of batches pass validationData instead',
      op: 'fit',
      path: 'validationSplit'
    })
    expect(await runLeft(Tr.fit(t, batches(xs, ys, 4), undefined, { verbose: 0, sampleWeight: new Array(8).fill(1) }))).toMatchObject({
      _tag: 'InvalidOption',
      message: 'fit: sampleWeight needs in-memory data; with an iterable of batches put the weights in each batch ([x, y, sampleWeight])',
      op: 'fit',
      path: 'sampleWeight'
    })
  })
  it('validationSplit with validationData: op fit and the exact message (68)', async () => {
    expect(await runLeft(Tr.fit(t, x, y, { verbose: 0, validationSplit: 0.5, validationData: [x, y] }))).toMatchObject({
      _tag: 'InvalidOption',
      message: 'fit: pass either validationSplit or validationData, not both (validationData would win in Keras; here it is an error)',
      op: 'fit',
      path: 'validationSplit'
    })
  })
  it('the Lefts of splitTail and applyClassWeight carry op fit (69, 75)', async () => {
    const split = await runLeft(Tr.fit(t, [[1, 2, 3], [4, 5, 6]], [[1], [2]], { verbose: 0, validationSplit: 0.9 }))
    expect(split).toMatchObject({ _tag: 'EmptyData', op: 'fit', where: 'validationSplit' })
    expect(split.message).toMatch(/^fit: validationSplit 0.9 of 2 samples/)
    const c = compiled(linearModel(3), { optimizer: 'sgd', loss: 'sparse_categorical_crossentropy' })
    const cw = await runLeft(Tr.fit(c, x, [0, 1, 2, 0, 1, 2, 0, 1], { verbose: 0, classWeight: { 0: 1, 1: 1 } }))
    expect(cw).toMatchObject({ _tag: 'InvalidOption', op: 'fit', where: 'classWeight' })
    expect(cw.message).toMatch(/^fit: classWeight has no weight for class 2 found in y/)
  })
  it("fit.ts's own NotAModel carries op, path, expected and what came (144)", async () => {
    const r = await fitTs({ _tag: 'Sequential' } as never, x, y, { verbose: 0 })()
    expect(E.isLeft(r) && r.left).toMatchObject({
      _tag: 'NotAModel',
      message: 'fit: expected a Trainer (from compile) as the first argument',
      op: 'fit',
      path: 'trainer',
      expected: 'a trainer',
      received: { _tag: 'Sequential' }
    })
  })
  it('a bad batch of an iterable names op fit; of iterable validation data, op fit (validation) (201, 224)', async () => {
    const bad = [{ x: xs.slice(0, 4), y: ys.slice(0, 4) }, { x: 'nope', y: ys.slice(4) }]
    const e = await runLeft(Tr.fit(t, { [Symbol.iterator]: () => bad[Symbol.iterator]() }, undefined, { verbose: 0 }))
    expect(e).toMatchObject({ _tag: 'InvalidData', op: 'fit (batch 1)', where: 'x', received: 'nope', completedSteps: 1 })
    const v = await runLeft(Tr.fit(t, x, y, { verbose: 0, validationData: { [Symbol.iterator]: () => bad[Symbol.iterator]() } as never }))
    expect(v).toMatchObject({ _tag: 'InvalidData', op: 'fit (validation) (batch 1)', where: 'x', received: 'nope' })
    expect(v.message).toMatch(/^fit \(validation\) \(batch 1\): x: /)
  })
})

describe('fit: metrics are bound once, at the first batch (StrykerJS g4 survivor fit.ts:246)', () => {
  it('a trainer compiled with other metrics, put in by a callback mid-epoch, trains on under the metrics of the run', async () => {
    const { xs, ys, x, y } = regression(8, 4)
    const t = compiled(linearModel(3), { optimizer: 'sgd', loss: 'mse' })
    const withMae = (await run(Tr.fit(compiled(linearModel(3), { optimizer: 'sgd', loss: 'mse', metrics: ['mae'] }), x, y, { verbose: 0 }))).trainer
    const swap: Callback<null> = { name: 'swap', init: () => null, onTrainBatchEnd: (_s, e) => (e.batch === 0 ? { trainer: withMae } : undefined) }
    const r = await run(Tr.fit(t, batches(xs, ys, 4), undefined, { verbose: 0, callbacks: [swap] }))
    expect(Object.keys(r.history.history)).toEqual(['loss'])
    expect(Number.isFinite(r.history.history.loss[0])).toBe(true)
  })
})
