/**
 * Tests that kill StrykerJS mutants of `src/train/evaluate.ts` which survived `test/train` (issue 9
 * item 7; docs/laws.md, "Mutation testing", group g2): empty data, what evaluate's and predict's callbacks
 * are told, the order of evaluate's list, where the bar writes, and the batch an error names. The
 * blocks marked g2 below kill the survivors of the full g2 run (docs/laws.md): each one was checked by
 * re-applying its mutant by hand.
 */
import { describe, it, expect, afterEach, vi } from 'vitest'
import * as E from 'fp-ts/lib/Either.js'
import { tensor, dataSync, sequential, dense, mean, square, type Tensor, type ModelLike } from '../../src/index.js'
import { TensorfoldError, tfError } from '../../src/core/errors.js'
import type { Callback, FitInfo } from '../../src/train/callbacks/Callback.js'
import type { TrainError } from '../../src/train/errors.js'
import * as Ev from '../../src/train/evaluate.js'
import * as Tr from '../../src/train/index.js'
import { linearModel, regression, compiled, run, runLeft } from './helpers.js'

// a tslab live display entry, when a test sets one (otherwise the platform's own answer)
const display = vi.hoisted(() => ({ make: undefined as undefined | (() => { text(s: string): void }) }))
vi.mock('#platform', async (importOriginal) => {
  const actual = await importOriginal<typeof import('#platform')>()
  return { ...actual, notebookDisplay: () => display.make ?? actual.notebookDisplay() }
})

const empty = { [Symbol.iterator]: () => [][Symbol.iterator]() }

describe('evaluate and predict on data that gives no batch', () => {
  const t = compiled(linearModel(3), { optimizer: 'sgd', loss: 'mse' })
  it('an empty iterable is EmptyData, naming the function', async () => {
    const e = await runLeft(Tr.evaluate(t, empty, undefined, { verbose: 0 }))
    expect(e).toMatchObject({ _tag: 'EmptyData', op: 'evaluate' })
    expect(e.message).toBe('evaluate: the data gave no batches')
    const p = await runLeft(Tr.predict(t, empty, { verbose: 0 }))
    expect(p).toMatchObject({ _tag: 'EmptyData', op: 'predict' })
    expect(p.message).toBe('predict: the data gave no batches')
  })
})

describe('evaluate: its callbacks, its result, its bar', () => {
  const { x, y, xs, ys } = regression(10, 21)
  const t = compiled(linearModel(3), { optimizer: 'sgd', loss: 'mse', metrics: ['mae'] })
  it('callbacks are told one epoch of ceil(n / batchSize) steps, no validation; the test hooks see the batches and the final logs', async () => {
    let info: FitInfo | undefined
    const seen: string[] = []
    let end: Record<string, number> | undefined
    const spy: Callback<null> = {
      name: 'spy',
      init: (i) => ((info = i), null),
      onTestBegin: () => void seen.push('begin'),
      onTestBatchBegin: (_s, e) => void seen.push(`b${e.batch}`),
      onTestBatchEnd: (_s, e) => void seen.push(`e${e.batch}`),
      onTestEnd: (_s, e) => void ((end = { ...e.logs }), seen.push('end'))
    }
    const r = (await run(Tr.evaluate(t, x, y, { batchSize: 4, verbose: 0, returnDict: true, callbacks: [spy] }))) as Record<string, number>
    expect(info).toMatchObject({ epochs: 1, initialEpoch: 0, steps: 3, verbose: 0, doValidation: false })
    expect(info?.metricsNames).toEqual(['loss', 'mae'])
    expect(seen).toEqual(['begin', 'b0', 'e0', 'b1', 'e1', 'b2', 'e2', 'end'])
    expect(end).toEqual(r)
  })
  it('the list is in metricsNames order; returnDict gives the record', async () => {
    const list = (await run(Tr.evaluate(t, x, y, { verbose: 0 }))) as number[]
    const dict = (await run(Tr.evaluate(t, x, y, { verbose: 0, returnDict: true }))) as Record<string, number>
    expect(Object.keys(dict)).toEqual(['loss', 'mae'])
    expect(list).toEqual([dict.loss, dict.mae])
    expect(list[0]).not.toBe(list[1])
  })
  it('verbose 2 writes one line with the steps and the logs; verbose 0 nothing', async () => {
    const out: string[] = []
    await run(Tr.evaluate(t, x, y, { batchSize: 4, verbose: 2, write: (s) => void out.push(s) }))
    expect(out.join('')).toMatch(/^3\/3 - \d+m?s - \d+[mu]?s\/step - loss: \d\.\d{4} - mae: \d\.\d{4}\n$/)
    out.length = 0
    await run(Tr.evaluate(t, x, y, { batchSize: 4, verbose: 0, write: (s) => void out.push(s) }))
    expect(out).toEqual([])
  })
  it('an iterable batch whose targets do not fit: ShapeMismatch naming the batch (with stepsPerExecution, the second of an execution)', async () => {
    const t2 = compiled(linearModel(3), { optimizer: 'sgd', loss: 'mse', stepsPerExecution: 2 })
    const list = [0, 1, 2, 3].map((k) => ({ x: xs.slice(2 * k, 2 * k + 2), y: ys.slice(2 * k, 2 * k + 2).map((r) => (k === 3 ? [r[0], r[0]] : r)) }))
    const e = await runLeft(Tr.evaluate(t2, { [Symbol.iterator]: () => list[Symbol.iterator]() }, undefined, { verbose: 0 }))
    expect(e).toMatchObject({ _tag: 'ShapeMismatch', batch: 3, op: 'evaluate' })
    expect(e.message).toMatch(/^evaluate: y has samples of shape \[2\] in batch 3 /)
  })
})

describe('predict: its callbacks and the order of its rows', () => {
  const { x, xs } = regression(7, 22)
  const t = compiled(linearModel(3), { optimizer: 'sgd', loss: 'mse' })
  it('rows come back in order across batches, as one call on all of them', async () => {
    const whole = await run(Tr.predict(t, x, { batchSize: 7, verbose: 0 }))
    const parts = await run(Tr.predict(t, x, { batchSize: 2, verbose: 0 }))
    const stream = await run(Tr.predict(t, { [Symbol.iterator]: () => [xs.slice(0, 3), xs.slice(3)].map((b) => ({ x: b }))[Symbol.iterator]() }, { verbose: 0 }))
    const flat = (p: unknown) => Array.from(dataSync(p as never))
    expect(flat(parts)).toEqual(flat(whole))
    expect(flat(stream)).toEqual(flat(whole))
    expect((parts as unknown as { shape: number[] }).shape).toEqual([7, 1])
  })
  it('callbacks are told the steps; the predict hooks see each batch and its outputs', async () => {
    let info: FitInfo | undefined
    const seen: string[] = []
    const spy: Callback<null> = {
      name: 'spy',
      init: (i) => ((info = i), null),
      onPredictBegin: () => void seen.push('begin'),
      onPredictBatchBegin: (_s, e) => void seen.push(`b${e.batch}`),
      onPredictBatchEnd: (_s, e) => void seen.push(`e${e.batch}:${e.outputs.length}x${e.outputs[0].shape[0]}`),
      onPredictEnd: () => void seen.push('end')
    }
    await run(Tr.predict(t, x, { batchSize: 3, verbose: 0, callbacks: [spy] }))
    expect(info).toMatchObject({ epochs: 1, steps: 3, doValidation: false })
    expect(seen).toEqual(['begin', 'b0', 'e0:1x3', 'b1', 'e1:1x3', 'b2', 'e2:1x1', 'end'])
  })
})

describe('the one-batch functions name the batch as batch 0', () => {
  const t = compiled(linearModel(3), { optimizer: 'sgd', loss: 'mse' })
  const x = tensor([[1, 2, 3]])
  const bad = tensor([[1, 2]])
  it('trainOnBatch and testOnBatch refuse targets that do not fit the model, before any step', () => {
    for (const [op, r] of [
      ['trainOnBatch', Tr.trainOnBatch(t, x, bad)],
      ['testOnBatch', Tr.testOnBatch(t, x, bad)]
    ] as const) {
      if (r._tag === 'Right') throw new Error('expected a Left')
      expect(r.left).toMatchObject({ _tag: 'ShapeMismatch', op, batch: 0 })
      expect(r.left.message).toBe(`${op}: y has samples of shape [2] in batch 0 but output 'y' gives samples of shape [1]; its loss needs targets of shape [1]`)
    }
  })
})

// ---- StrykerJS g2 (commit 7073705): the survivors of evaluate.ts, each re-applied by hand ----

const built = compiled(linearModel(3), { optimizer: 'sgd', loss: 'mse' })
const x3 = tensor([[1, 2, 3], [4, 5, 6]])
const y1 = tensor([[1], [2]])
const x2 = tensor([[1, 2], [3, 4]])
const rightOf = <A>(r: E.Either<TrainError, A>): A => {
  if (E.isLeft(r)) throw new Error(r.left.message)
  return r.right
}
const leftOf = (r: E.Either<TrainError, unknown>): TrainError => {
  if (E.isRight(r)) throw new Error('expected a Left')
  return r.left
}
const thrown = async (f: () => unknown): Promise<TensorfoldError> => {
  try {
    await f()
  } catch (e) {
    if (e instanceof TensorfoldError) return e
    throw new Error(`expected a TensorfoldError, got ${String(e)}`)
  }
  throw new Error('expected a throw')
}
/** A hand-written model that cannot be built: its `ensureBuilt` answers a tagged Left. */
const unbuildable = (): ModelLike => ({ ...linearModel(3), built: false, ensureBuilt: () => E.left(tfError('ShapeMismatch', 'no shapes fit', { path: 'x', expected: '[7]' })) })
/** A hand-written model with `names` outputs whose forward gives `outs` copies of `y = x·w`. */
const outputsModel = (names: ReadonlyArray<string>, outs: number): ModelLike => {
  const base = linearModel(3, 1)
  return {
    ...base,
    outputShapes: names.map(() => [null, 1]),
    outputNames: names,
    forward: (p, s, xs, ctx) => {
      const o = base.forward(p, s, xs, ctx).outputs[0]
      return { outputs: Array.from({ length: outs }, () => o), state: s }
    }
  }
}

describe('g2: what the evaluate and predict hooks are told at the start and the end (evaluate.ts:63, 243, 260)', () => {
  it('onTestBegin, onPredictBegin and onPredictEnd get the run trainer and the info init got', async () => {
    let info: FitInfo | undefined
    const got: Array<[string, unknown, unknown]> = []
    const spy: Callback<null> = {
      name: 'spy',
      init: (i) => ((info = i), null),
      onTestBegin: (_s, e) => void got.push(['testBegin', e.trainer, e.info]),
      onPredictBegin: (_s, e) => void got.push(['predictBegin', e.trainer, e.info]),
      onPredictEnd: (_s, e) => void got.push(['predictEnd', e.trainer, e.info])
    }
    await run(Ev.evaluate(built, x3, y1, { verbose: 0, callbacks: [spy] }))
    expect(got).toHaveLength(1)
    expect(got[0][0]).toBe('testBegin')
    expect(got[0][1]).toBe(built)
    expect(got[0][2]).toBe(info)
    got.length = 0
    await run(Ev.predict(built, x3, { verbose: 0, callbacks: [spy] }))
    expect(got.map((g) => g[0])).toEqual(['predictBegin', 'predictEnd'])
    for (const g of got) {
      expect((g[1] as Tr.Trainer)._tag).toBe('Trainer')
      expect(g[2]).toBe(info)
    }
    expect(got[0][1]).toBe(built)
  })
})

describe('g2: a callback that throws in evaluate or predict is a Left, not a rejection (evaluate.ts:175, 264)', () => {
  it('CallbackError naming the callback and the hook', async () => {
    const bad: Callback<null> = { name: 'bad', init: () => null, onTestBegin: () => { throw new Error('boom') }, onPredictBegin: () => { throw new Error('boom') } }
    const e = await runLeft(Ev.evaluate(built, x3, y1, { verbose: 0, callbacks: [bad] }))
    expect(e).toMatchObject({ _tag: 'CallbackError', callback: 'bad', hook: 'onTestBegin' })
    const p = await runLeft(Ev.predict(built, x3, { verbose: 0, callbacks: [bad] }))
    expect(p).toMatchObject({ _tag: 'CallbackError', callback: 'bad', hook: 'onPredictBegin' })
  })
})

describe('g2: bad options and bad data are Lefts naming the function (evaluate.ts:158, 160, 230, 232, 237)', () => {
  it('evaluate and predict: an invalid option is InvalidOption at its path, not an internal error', async () => {
    const e = await runLeft(Ev.evaluate(built, x3, y1, { batchSize: 0 } as never))
    expect(e._tag).toBe('InvalidOption')
    const p = await runLeft(Ev.predict(built, x3, { batchSize: 0 } as never))
    expect(p._tag).toBe('InvalidOption')
    expect(p).toMatchObject({ op: 'predict' })
    expect(e).toMatchObject({ op: 'evaluate' })
  })
  it('evaluate and predict: x of the wrong width is ShapeMismatch with the op', async () => {
    const e = await runLeft(Ev.evaluate(built, x2, y1, { verbose: 0 }))
    expect(e).toMatchObject({ _tag: 'ShapeMismatch', op: 'evaluate' })
    const p = await runLeft(Ev.predict(built, x2, { verbose: 0 }))
    expect(p).toMatchObject({ _tag: 'ShapeMismatch', op: 'predict' })
  })
})

describe('g2: predict builds an unbuilt model from the first batch, or says why it cannot (evaluate.ts:245, 246, 257)', () => {
  it('a model built lazily from the data predicts', async () => {
    const lazy = compiled(sequential([dense(2)], { seed: 0 }), { optimizer: 'sgd', loss: 'mse' })
    const p = (await run(Ev.predict(lazy, x3, { verbose: 0 }))) as Tensor
    expect(p.shape).toEqual([2, 2])
    const q = rightOf(Ev.predictOnBatch(lazy, x3)) as Tensor
    expect(q.shape).toEqual([2, 2])
  })
  it("a model that cannot be built: its error, with the function's name in the message", async () => {
    const t = compiled(unbuildable(), { optimizer: 'sgd', loss: 'mse' })
    const p = await runLeft(Ev.predict(t, x3, { verbose: 0 }))
    expect(p).toMatchObject({ _tag: 'ShapeMismatch', path: 'x', expected: '[7]' })
    expect(p.message).toBe('predict: cannot build the model for the data: no shapes fit')
    const q = leftOf(Ev.predictOnBatch(t, x3))
    expect(q).toMatchObject({ _tag: 'ShapeMismatch', path: 'x', expected: '[7]' })
    expect(q.message).toBe('predictOnBatch: cannot build the model for the data: no shapes fit')
    for (const [op, r] of [['trainOnBatch', Ev.trainOnBatch(t, x3, y1)], ['testOnBatch', Ev.testOnBatch(t, x3, y1)]] as const) {
      expect(leftOf(r)).toMatchObject({ _tag: 'ShapeMismatch', path: 'x' })
      expect(leftOf(r).message).toBe(`${op}: cannot build the model for the data: no shapes fit`)
    }
  })
})

describe('g2: evaluate binds its metrics at the first batch (evaluate.ts:77; Keras 2.15 MetricsContainer builds once)', () => {
  it("'accuracy' bound to one-hot targets stays categorical: a later batch of class ids is refused, and the other way round", async () => {
    // a loss with no target rule, so that only the metric sees the targets' form
    const t = compiled(linearModel(3, 3), { optimizer: 'sgd', loss: (_yt, yp) => mean(square(yp), -1), metrics: ['accuracy'] })
    const oneHot = { x: x3, y: tensor([[0, 0, 1], [1, 0, 0]]) }
    const ids = { x: x3, y: tensor([2, 0]) }
    const first = await runLeft(Ev.evaluate(t, [oneHot, ids][Symbol.iterator]() as never, undefined, { verbose: 0 }))
    expect(first).toMatchObject({ _tag: 'ShapeMismatch', op: 'categoricalAccuracy' })
    const second = await runLeft(Ev.evaluate(t, [ids, oneHot][Symbol.iterator]() as never, undefined, { verbose: 0 }))
    expect(second).toMatchObject({ _tag: 'ShapeMismatch', op: 'sparseCategoricalAccuracy' })
  })
})

describe('g2: a custom step\'s own keys come sorted after the metricsNames (evaluate.ts:129, Keras flatten_metrics_in_order)', () => {
  it('testOnBatch and evaluate: {zeta, alpha} gives [alpha, zeta]', async () => {
    const t = compiled(linearModel(3), { optimizer: 'sgd', loss: 'mse', testStep: () => ({ zeta: 1, alpha: 2 }) })
    expect(rightOf(Ev.testOnBatch(t, x3, y1))).toEqual([2, 1])
    expect(await run(Ev.evaluate(t, x3, y1, { verbose: 0 }))).toEqual([2, 1])
  })
})

describe('g2: predictions of a hand-written model: one tensor only for one output name and one output (evaluate.ts:201)', () => {
  it('two names and two outputs: a list; one name and two outputs: a list; two names and one output: a list of one', async () => {
    for (const [names, outs] of [[['a', 'b'], 2], [['y'], 2], [['a', 'b'], 1]] as const) {
      const t = compiled(outputsModel(names, outs), { optimizer: 'sgd', loss: names.map(() => 'mse') })
      const p = await run(Ev.predict(t, x3, { verbose: 0 }))
      expect(Array.isArray(p)).toBe(true)
      expect((p as ReadonlyArray<unknown>).length).toBe(outs)
      const q = rightOf(Ev.predictOnBatch(t, x3))
      expect(Array.isArray(q)).toBe(true)
      expect((q as ReadonlyArray<unknown>).length).toBe(outs)
    }
  })
})

describe('g2: trainStep and trainStepAsync check the batch first, naming themselves (evaluate.ts:281, 282, 301, 310, 311)', () => {
  it('a batch that is not a batch: InvalidData; a batch without y: MissingTargets; targets that do not fit: ShapeMismatch', async () => {
    for (const op of ['trainStep', 'trainStepAsync'] as const) {
      const step = (b: unknown) => (op === 'trainStep' ? Ev.trainStep(built, b as never) : Ev.trainStepAsync(built, b as never)())
      const notBatch = await thrown(() => step('nope'))
      expect(notBatch.data).toMatchObject({ _tag: 'InvalidData', op })
      const noY = await thrown(() => step({ x: x3 }))
      expect(noY.data).toMatchObject({ _tag: 'MissingTargets', op })
      const badY = await thrown(() => step({ x: x3, y: tensor([[1, 2], [3, 4]]) }))
      expect(badY.data).toMatchObject({ _tag: 'ShapeMismatch', op, batch: 0 })
    }
  })
})

describe('g2: the one-batch functions name themselves in their errors, and return them as Lefts (evaluate.ts:320-353, 364-368)', () => {
  it('trainOnBatch and testOnBatch: bad options, bad x, and bad x with classWeight are Lefts with the op', () => {
    for (const op of ['trainOnBatch', 'testOnBatch'] as const) {
      const f = op === 'trainOnBatch' ? Ev.trainOnBatch : Ev.testOnBatch
      expect(leftOf(f(built, x3, y1, { nope: 1 } as never))).toMatchObject({ _tag: 'InvalidOption', op })
      expect(leftOf(f(built, x2, y1))).toMatchObject({ _tag: 'ShapeMismatch', op })
      expect(leftOf(f(built, x2, y1, { classWeight: { 0: 1, 1: 1, 2: 1 } }))).toMatchObject({ _tag: 'ShapeMismatch', op })
    }
  })
  it('a classWeight that misses a class of y: InvalidOption, a Left', () => {
    const r = Ev.trainOnBatch(built, x3, tensor([[0], [1]]), { classWeight: { 0: 1 } })
    expect(leftOf(r)).toMatchObject({ _tag: 'InvalidOption', op: 'trainOnBatch', where: 'classWeight' })
  })
  it('a custom trainStep: targets that do not fit are a Left ShapeMismatch; a bad answer InvalidTrainStep, both naming trainOnBatch', () => {
    const t = compiled(linearModel(3), { optimizer: 'sgd', loss: 'mse', trainStep: ((tr: Tr.Trainer) => [tr, { loss: 1 }]) as never })
    expect(leftOf(Ev.trainOnBatch(t, x3, tensor([[1, 2], [3, 4]])))).toMatchObject({ _tag: 'ShapeMismatch', op: 'trainOnBatch', batch: 0 })
    const bad = compiled(linearModel(3), { optimizer: 'sgd', loss: 'mse', trainStep: (() => 'oops') as never })
    expect(leftOf(Ev.trainOnBatch(bad, x3, y1))).toMatchObject({ _tag: 'InvalidTrainStep', op: 'trainOnBatch' })
  })
  it('a custom testStep with a bad answer: InvalidTestStep naming testOnBatch', () => {
    const bad = compiled(linearModel(3), { optimizer: 'sgd', loss: 'mse', testStep: (() => 'oops') as never })
    expect(leftOf(Ev.testOnBatch(bad, x3, y1))).toMatchObject({ _tag: 'InvalidTestStep', op: 'testOnBatch' })
  })
  it('predictOnBatch: x of the wrong width is ShapeMismatch naming predictOnBatch; x with NaN predicts (no finiteness check, as predict)', () => {
    expect(leftOf(Ev.predictOnBatch(built, x2))).toMatchObject({ _tag: 'ShapeMismatch', op: 'predictOnBatch' })
    const p = rightOf(Ev.predictOnBatch(built, tensor([[NaN, 1, 2]]))) as Tensor
    expect(Number.isNaN(dataSync(p)[0])).toBe(true)
  })
})

describe('g2: where evaluate and predict report, on a terminal or not (evaluate.ts:140, 144, 170)', () => {
  const tty = Object.getOwnPropertyDescriptor(process.stdout, 'isTTY')
  const cols = Object.getOwnPropertyDescriptor(process.stdout, 'columns')
  const env = { ...process.env }
  const write = process.stdout.write
  const out: string[] = []
  /** stdout a terminal or not, outside CI and Jupyter; what it is written collected in `out` */
  const stdout = (isTTY: boolean) => {
    Object.defineProperty(process.stdout, 'isTTY', { value: isTTY, configurable: true })
    Object.defineProperty(process.stdout, 'columns', { value: 200, configurable: true })
    for (const k of ['CI', 'JPY_PARENT_PID', 'TSLAB_NOTEBOOK']) delete process.env[k]
    out.length = 0
    process.stdout.write = ((s: string) => (out.push(s), true)) as never
  }
  afterEach(() => {
    process.stdout.write = write
    if (tty !== undefined) Object.defineProperty(process.stdout, 'isTTY', tty)
    else delete (process.stdout as { isTTY?: boolean }).isTTY
    if (cols !== undefined) Object.defineProperty(process.stdout, 'columns', cols)
    else delete (process.stdout as { columns?: number }).columns
    process.env = { ...env }
    display.make = undefined
  })
  const { x, y } = regression(10, 23)
  it("to a terminal, verbose 'auto' is the interactive bar: redrawn per batch with \\r, then the final line", async () => {
    stdout(true)
    await run(Ev.evaluate(built, x, y, { batchSize: 4 }))
    const lines = [...out]
    process.stdout.write = write
    expect(lines.length).toBeGreaterThanOrEqual(2)
    expect(lines[0]).toMatch(/^\r1\/3 \[=+>?\.*\] - ETA: .* - loss: \d\.\d{4}\x1b\[K$/)
    expect(lines[lines.length - 1]).toMatch(/^\r3\/3 \[={30}\] - .* - loss: \d\.\d{4}\x1b\[K\n$/)
  })
  it("with write given, verbose 'auto' is one line per run (2), even on a terminal", async () => {
    stdout(true)
    const got: string[] = []
    await run(Ev.evaluate(built, x, y, { batchSize: 4, write: (s) => void got.push(s) }))
    await run(Ev.predict(built, x, { batchSize: 4, write: (s) => void got.push(s) }))
    process.stdout.write = write
    expect(out).toEqual([])
    expect(got).toHaveLength(2)
    expect(got[0]).toMatch(/^3\/3 - \d+m?s - \d+[mu]?s\/step - loss: \d\.\d{4}\n$/)
    expect(got[1]).toMatch(/^3\/3 - \d+m?s - \d+[mu]?s\/step\n$/)
  })
  it("to stdout that is not a terminal, verbose 'auto' is one line per run (2)", async () => {
    stdout(false)
    await run(Ev.evaluate(built, x, y, { batchSize: 4 }))
    process.stdout.write = write
    expect(out).toHaveLength(1)
    expect(out[0]).toMatch(/^3\/3 - \d+m?s - \d+[mu]?s\/step - loss: \d\.\d{4}\n$/)
  })
  it('in a tslab notebook, the interactive bar draws into a live display entry, not stdout', async () => {
    stdout(true)
    const entries: string[][] = []
    display.make = () => {
      const e: string[] = []
      entries.push(e)
      return { text: (s: string) => void e.push(s) }
    }
    await run(Ev.evaluate(built, x, y, { batchSize: 4 }))
    await run(Ev.predict(built, x, { batchSize: 4 }))
    process.stdout.write = write
    expect(out).toEqual([])
    expect(entries).toHaveLength(2)
    for (const e of entries) {
      expect(e.length).toBeGreaterThanOrEqual(2)
      expect(e[0]).toMatch(/^1\/3 \[/)
      expect(e[e.length - 1]).toMatch(/^3\/3 \[={30}\] - /)
    }
    expect(entries[0][entries[0].length - 1]).toMatch(/ - loss: \d\.\d{4}$/)
  })
})
