/**
 * Tests that kill mutants of `src/train/engine.ts` and `src/train/execution.ts` (issue 9 item 7;
 * docs/laws.md, "Mutation testing"), written from reading them: the weights a metric sees, a custom
 * step's checked results, the log monoid of custom steps, executions of a pass.
 */
import { describe, it, expect } from 'vitest'
import * as E from 'fp-ts/lib/Either.js'
import { tensor, dataSync, mul, sum, sequential, dense, layers, type Tensor, type ModelLike, Tree } from '../../src/index.js'
import * as Tr from '../../src/train/index.js'
import { metricWeights, runCustomStep, runCustomTest, addLogs, meanLogs, noLogs, prefixed, stepTargets, dataSpec } from '../../src/train/engine.js'
import { executionPass, customSteps } from '../../src/train/execution.js'
import { arrayBatch } from '../../src/train/batches.js'
import { prepareArrays, type TensorBatch } from '../../src/train/data.js'
import { rangePass, foldPass, type Pass } from '../../src/train/pass.js'
import { tfError, fail } from '../../src/core/errors.js'
import type { Callback } from '../../src/train/callbacks/Callback.js'
import { linearModel, compiled, regression, run, runLeft } from './helpers.js'

const vals = (t: Tensor | undefined) => (t === undefined ? undefined : Array.from(dataSync(t)))
const batch = (n: number, withY = true): TensorBatch => {
  const d = prepareArrays(Array.from({ length: n }, (_, i) => [i, 0, 1]), withY ? Array.from({ length: n }, (_, i) => [i]) : undefined, undefined, { op: 't', inputNames: ['x'], outputNames: ['y'], inputShapes: [[null, 3]] }, withY)
  if (E.isLeft(d)) throw new Error(d.left.message)
  return arrayBatch(d.right, 0, n)
}
const left = <A>(r: E.Either<{ readonly _tag: string; readonly message: string }, A>) => {
  if (E.isRight(r)) throw new Error('expected a Left')
  return r.left as { readonly _tag: string; readonly message: string; readonly [k: string]: unknown }
}

describe('engine.ts 168–172: the weights a metric sees (Keras 2.15 MetricsContainer)', () => {
  const mask = tensor([[1, 0, 1], [1, 1, 0]])
  it('no mask: the sample weights as given (or none); a mask alone; a mask times [batch] weights spread over the steps, or times [batch, time] weights', () => {
    const sw = tensor([2, 3])
    expect(metricWeights(sw, undefined)).toBe(sw)
    expect(metricWeights(undefined, undefined)).toBe(undefined)
    expect(metricWeights(undefined, mask)).toBe(mask)
    const a = metricWeights(sw, mask)
    expect([a?.shape, vals(a)]).toEqual([[2, 3], [2, 0, 2, 3, 3, 0]])
    const b = metricWeights(tensor([[1, 2, 3], [4, 5, 6]]), mask)
    expect([b?.shape, vals(b)]).toEqual([[2, 3], [1, 0, 3, 4, 5, 0]])
  })
})

describe('engine.ts 20–64: the data spec of a trainer, and targets left out', () => {
  it('an output needs its targets when it has a loss or metrics; a model not yet built has no input shapes', () => {
    const t = compiled(linearModel(3), { optimizer: 'sgd', loss: 'mse' })
    expect(dataSpec(t, 'op')).toEqual({ op: 'op', finiteInputs: true, inputNames: ['x'], outputNames: ['y'], inputShapes: [[null, 3]], targetsNeeded: [true] })
    expect(dataSpec(t, 'op', false).finiteInputs).toBe(false)
    const temporal = compiled(linearModel(3), { optimizer: 'sgd', loss: 'mse', sampleWeightMode: 'temporal' })
    expect(dataSpec(temporal, 'op').temporal).toBe(true)
  })
  it('a target left out is a stand-in of ones of the batch size', () => {
    const b = { ...batch(3), ys: [undefined] }
    const [y] = stepTargets(b)
    expect([y.shape, vals(y)]).toEqual([[3], [1, 1, 1]])
    const given = batch(2)
    expect(stepTargets(given)[0]).toBe(given.ys[0])
  })
})

describe('engine.ts 247–286: a custom step\'s result is checked', () => {
  const withStep = (trainStep: unknown) => compiled(linearModel(3), { optimizer: 'sgd', loss: 'mse', trainStep: trainStep as never })
  const withTest = (testStep: unknown) => compiled(linearModel(3), { optimizer: 'sgd', loss: 'mse', testStep: testStep as never })
  it('runCustomStep: [trainer, a record of numbers]; anything else is InvalidTrainStep naming what came', () => {
    const ok = withStep((t: Tr.Trainer) => [t.with({ step: t.step + 1 }), { a: 1, b: NaN }])
    const r = runCustomStep(ok, batch(2), 'fit')
    expect(E.isRight(r) && [r.right[0].step, r.right[1], Object.isFrozen(r.right[1])]).toEqual([1, { a: 1, b: NaN }, true])
    const bad: ReadonlyArray<readonly [unknown, RegExp]> = [
      [5, /it returned 5/],
      [[withStep(() => 0)], /it returned/],
      [[withStep(() => 0), {}, {}], /it returned/],
      [[{ _tag: 'Other' }, {}], /its first element is/],
      [[null, {}], /its first element is null/],
      [['t', {}], /its first element is/]
    ]
    for (const [out, msg] of bad) {
      const e = left(runCustomStep(withStep(() => out), batch(2), 'fit'))
      expect(e).toMatchObject({ _tag: 'InvalidTrainStep', op: 'fit', received: out })
      expect(e.message).toMatch(/^fit: the custom trainStep must return \[trainer, logs\] \(logs: a record of numbers\); /)
      expect(e.message).toMatch(msg)
    }
    for (const logs of [null, [1], { a: '1' }, 3]) {
      const e = left(runCustomStep(withStep((t: Tr.Trainer) => [t, logs]), batch(2), 'fit'))
      expect(e).toMatchObject({ _tag: 'InvalidTrainStep' })
      expect(e.message).toMatch(/its logs are/)
    }
    // a step that throws a tagged error: that error
    expect(left(runCustomStep(withStep(() => fail('InvalidData', 'mine')), batch(2), 'fit'))).toMatchObject({ _tag: 'InvalidData', message: 'mine' })
  })
  it('runCustomTest: a record of numbers; anything else is InvalidTestStep', () => {
    const r = runCustomTest(withTest(() => ({ a: 2 })), batch(2), 'evaluate')
    expect(E.isRight(r) && [r.right, Object.isFrozen(r.right)]).toEqual([{ a: 2 }, true])
    for (const logs of [null, [1], { a: '1' }, 3, undefined]) {
      const e = left(runCustomTest(withTest(() => logs), batch(2), 'evaluate'))
      expect(e).toMatchObject({ _tag: 'InvalidTestStep', op: 'evaluate' })
      expect(e.message).toMatch(/^evaluate: the custom testStep must return logs \(a record of numbers\); it returned /)
    }
  })
  it('the custom step sees x, y, sampleWeight and the size of the batch, frozen', () => {
    let seen: unknown
    const t = withStep((tr: Tr.Trainer, b: unknown) => ((seen = b), [tr, {}]))
    const b = batch(3)
    runCustomStep(t, b, 'fit')
    expect(seen).toEqual({ x: b.xs, y: b.ys, sampleWeight: b.sw, size: 3 })
    expect(Object.isFrozen(seen)).toBe(true)
  })
})

describe('engine.ts 262–272, 200: the logs of custom steps (a batch-size-weighted mean per key) and val_ prefixes', () => {
  it('addLogs adds value × size per key and the size; meanLogs divides; keys may come late', () => {
    const a = addLogs(addLogs(noLogs, { l: 1, m: 4 }, 2), { l: 4 }, 1)
    expect(a).toEqual({ sums: { l: 6, m: 8 }, count: 3 })
    expect(meanLogs(a)).toEqual({ l: 2, m: 8 / 3 })
    expect(Object.isFrozen(meanLogs(a))).toBe(true)
    expect(noLogs).toEqual({ sums: {}, count: 0 })
    expect(meanLogs(noLogs)).toEqual({})
  })
  it('prefixed renames every key', () => {
    const p = prefixed('val_', { loss: 1, mae: 2 })
    expect(p).toEqual({ val_loss: 1, val_mae: 2 })
    expect(Object.isFrozen(p)).toBe(true)
  })
})

describe('execution.ts 30–42, 77–88: executions of a pass, custom steps one by one', () => {
  const listPass = (n: number, known = true): Pass => {
    let i = 0
    return { steps: known ? n : undefined, next: async () => E.right(i < n ? batch(++i) : undefined) }
  }
  it('groups n batches into executions of k (the last shorter), knowing ⌈n / k⌉ when n is known', async () => {
    const p = executionPass(listPass(7), 3)
    expect(p.steps).toBe(3)
    const groups = await foldPass(p, [] as number[][], (a, bs) => E.right([...a, bs.map((b) => b.size)]))
    expect(groups).toEqual(E.right([[1, 2, 3], [4, 5, 6], [7]]))
    expect(executionPass(listPass(7, false), 3).steps).toBe(undefined)
    expect(executionPass(listPass(6), 3).steps).toBe(2)
    expect(await foldPass(executionPass(listPass(2), 1), [] as number[][], (a, bs) => E.right([...a, bs.map((b) => b.size)]))).toEqual(E.right([[1], [2]]))
    // an error of the pass ends the execution with it
    let i = 0
    const failing: Pass = { steps: undefined, next: async () => (i++ < 1 ? E.right(batch(1)) : E.left(tfError('InvalidData', 'pull'))) }
    expect(left(await executionPass(failing, 3).next())).toMatchObject({ message: 'pull' })
    // rangePass is not a batch pass; an empty pass has no execution
    expect(await executionPass(listPass(0), 2).next()).toEqual(E.right(undefined))
    expect(rangePass(0, 0).steps).toBe(0)
  })
  it('customSteps runs the steps in order, reports each trainer, and stops at the first error', () => {
    const t = compiled(linearModel(3), { optimizer: 'sgd', loss: 'mse', trainStep: ((tr: Tr.Trainer, b: { size: number }) => (b.size === 9 ? 'bad' : [tr.with({ step: tr.step + 1 }), { size: b.size }])) as never })
    const seen: number[] = []
    const r = customSteps(t, [batch(1), batch(2), batch(3)], 'fit', (tr) => seen.push(tr.step))
    expect(E.isRight(r) && [r.right[0].step, r.right[1]]).toEqual([3, [{ size: 1 }, { size: 2 }, { size: 3 }]])
    expect(seen).toEqual([1, 2, 3])
    const seen2: number[] = []
    const e = customSteps(t, [batch(1), batch(9), batch(3)], 'fit', (tr) => seen2.push(tr.step))
    expect(left(e)).toMatchObject({ _tag: 'InvalidTrainStep' })
    expect(seen2).toEqual([1])
  })
})

describe("engine.ts 104–116: 'accuracy' binds to the targets' shape (sparse when they have a lower rank than the output)", () => {
  it('class ids [n] against 3 outputs: sparse accuracy (argmax of each row is class 0 here: 2 of 4 right)', async () => {
    const zero = (_yt: Tensor, yp: Tensor): Tensor => mul(sum(yp, [1]), 0)
    const t = compiled(linearModel(3, 3), { optimizer: 'sgd', loss: zero, metrics: ['accuracy'] })
    const x = tensor([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 1]])
    const r = Tr.testOnBatch(t, x, tensor([0, 1, 0, 2]), { returnDict: true })
    expect(E.isRight(r) && (r.right as Record<string, number>).accuracy).toBe(0.5)
    // one-hot targets of the same rank: categorical accuracy, the same answer
    const oneHot = tensor([[1, 0, 0], [0, 1, 0], [1, 0, 0], [0, 0, 1]])
    const c = Tr.testOnBatch(t, x, oneHot, { returnDict: true })
    expect(E.isRight(c) && (c.right as Record<string, number>).accuracy).toBe(0.5)
  })
})

/** `a = x·w`, `b = 2·x·w` on `[n, 1]` (two outputs; nothing of `src/layers`) */
const twoOutputs = (w0 = 1): ModelLike => {
  const make = (p: { readonly w: Tensor }): ModelLike =>
    Object.freeze({
      ...linearModel(1),
      outputShapes: [[null, 1], [null, 1]],
      outputNames: ['a', 'b'],
      params: p,
      withWeights: (q: Tree.Tree) => make(q as { readonly w: Tensor }),
      forward: (q: Tree.Tree, st: Tree.Tree, xs: ReadonlyArray<Tensor>) => ({ outputs: [mul(xs[0], (q as { w: Tensor }).w), mul(xs[0], mul((q as { w: Tensor }).w, 2))], state: st })
    })
  return make({ w: tensor([[w0]]) })
}
const rightOf = <A>(r: E.Either<{ readonly message: string }, A>): A => {
  if (E.isLeft(r)) throw new Error(r.left.message)
  return r.right
}

describe('engine.ts 31–47: ready builds what is missing and keeps what exists (StrykerJS g3 survivors)', () => {
  const { x, y } = regression(4, 21)
  const unbuilt = () => sequential([dense(4, { activation: 'tanh' }), dense(1)])
  it('a trainer compiled on a model not yet built, given a built model (withModel), gets its optimizer state and step functions at its first step', () => {
    const t = compiled(unbuilt(), { optimizer: 'sgd', loss: 'mse' }).withModel(sequential([dense(4, { inputShape: [3], activation: 'tanh' }), dense(1)]))
    expect([t.model.built, t.optState, t.fns]).toEqual([true, undefined, undefined])
    const [t1] = rightOf(Tr.trainOnBatch(t, x, y)) as unknown as readonly [Tr.Trainer]
    expect([t1.step, t1.optState !== undefined, t1.fns !== undefined]).toEqual([1, true, true])
  })
  it('a trainer with optimizer state given a model not yet built keeps that state (adam counts on)', () => {
    const t0 = compiled(sequential([dense(4, { inputShape: [3], activation: 'tanh' }), dense(1)]), { optimizer: 'adam', loss: 'mse' })
    const [t1] = rightOf(Tr.trainOnBatch(t0, x, y)) as unknown as readonly [Tr.Trainer]
    const t2 = t1.withModel(unbuilt())
    expect(t2.model.built).toBe(false)
    const [t3] = rightOf(Tr.trainOnBatch(t2, x, y)) as unknown as readonly [Tr.Trainer]
    expect(vals((t3.optState as { count: Tensor }).count)).toEqual([2])
  })
  it('a model that cannot be built for the data: the build error\'s tag and data, the message prefixed with the op', async () => {
    const t = compiled(sequential([layers.conv2d(1, 2)]), { optimizer: 'sgd', loss: 'mse' })
    const e = await runLeft(Tr.fit(t, x, y, { verbose: 0 }))
    expect(e).toMatchObject({ _tag: 'IncompatibleInputShape', layer: 'conv2d', received: [null, 3] })
    expect(e.message).toMatch(/^fit: cannot build the model for the data: Input 0 of layer "conv2d"/)
  })
})

describe('engine.ts 104–116, 175–182: metric names past an output without a loss; totals of several batches per output (StrykerJS g3 survivors)', () => {
  const x = tensor([[1], [2], [3], [4]])
  const ya = tensor([[0], [0], [0], [0]])
  it("loss only on 'a', metrics on both: each metric logs under its own name", () => {
    const t = compiled(twoOutputs(), { optimizer: 'sgd', loss: { a: 'mse' }, metrics: { a: ['mae'], b: ['mae'] } })
    expect(t.metricsNames).toEqual(['loss', 'a_loss', 'a_mae', 'b_mae'])
    const logs = rightOf(Tr.testOnBatch(t, x, [ya, ya], { returnDict: true })) as Record<string, number>
    // a = x, b = 2x against 0: mse (1 + 4 + 9 + 16) / 4, mae 10 / 4 and 20 / 4
    expect(logs).toEqual({ loss: 7.5, a_loss: 7.5, a_mae: 2.5, b_mae: 5 })
  })
  it('fit over two batches: the epoch\'s per-output losses are the means over all samples (learning rate 0)', async () => {
    const t = compiled(twoOutputs(), { optimizer: 'sgd', loss: 'mse' })
    const t0 = rightOf(t.withLearningRate(0))
    const h = (await run(Tr.fit(t0, x, [ya, ya], { epochs: 1, batchSize: 2, shuffle: false, verbose: 0 }))).history.history
    // a: (1 + 4 + 9 + 16) / 4; b: 4 times that
    expect([h.loss[0], h.a_loss[0], h.b_loss[0]]).toEqual([37.5, 7.5, 30])
  })
})

describe('engine.ts 206–226: the dry run on one sample, and the data of its errors (StrykerJS g3 survivors)', () => {
  /** `y = 2·x` on `[n, 3, 1]` sequences, no mask */
  const seq: ModelLike = Object.freeze({
    ...linearModel(1),
    inputShapes: [[null, 3, 1]],
    outputShapes: [[null, 3, 1]],
    withWeights: () => seq,
    forward: (_p: Tree.Tree, st: Tree.Tree, xs: ReadonlyArray<Tensor>) => ({ outputs: [mul(xs[0], 2)], state: st })
  })
  const x = tensor([[[1], [2], [3]], [[4], [5], [6]]])
  const y = tensor([[[0], [0], [0]], [[0], [0], [0]]])
  it('temporal weights of the wrong length are refused by the dry run, before any step or hook: the op, and the shapes of its one sample', async () => {
    const t = compiled(seq, { optimizer: 'sgd', loss: 'mse', sampleWeightMode: 'temporal' })
    const e = left(Tr.testOnBatch(t, x, y, { sampleWeight: tensor([[1, 1, 1, 1], [1, 1, 1, 1]]) }))
    expect(e).toMatchObject({ _tag: 'ShapeMismatch', op: 'testOnBatch', expected: [1, 3], actual: [1, 4] })
    expect(e.message).toBe(
      'testOnBatch: the model and its loss cannot run on this data (x [[2, 3, 1]], y [[2, 3, 1]]): temporal sample weights of shape [1, 4] need a loss of one value per sample and time step, but the loss gives shape [1, 3] (temporal weights need an output of shape [batch, time, ...])'
    )
    const hooks: string[] = []
    const spy: Callback<null> = { name: 'spy', init: () => null, onTrainBegin: () => void hooks.push('trainBegin'), onTrainBatchBegin: () => void hooks.push('batch') }
    const f = await runLeft(Tr.fit(t, x, y, { verbose: 0, sampleWeight: tensor([[1, 1, 1, 1], [1, 1, 1, 1]]), callbacks: [spy] }))
    expect(f).toMatchObject({ _tag: 'ShapeMismatch', op: 'fit' })
    expect(hooks).toEqual([])
  })
  it("a loss that fails on the dry run, with an output's targets left out: the Left names the shapes (null for the missing targets)", () => {
    const boom = (): Tensor => fail('InvalidData', 'boom', { where: 'mine' })
    const t = compiled(twoOutputs(), { optimizer: 'sgd', loss: { a: boom } })
    const e = left(Tr.testOnBatch(t, tensor([[1], [2]]), { a: tensor([[0], [0]]) } as unknown as Tensor))
    expect(e).toMatchObject({ _tag: 'InvalidData', op: 'testOnBatch', where: 'mine' })
    expect(e.message).toBe('testOnBatch: the model and its loss cannot run on this data (x [[2, 1]], y [[2, 1], null]): boom')
  })
})

describe('engine.ts 247–286: a custom step\'s result (StrykerJS g3 survivors)', () => {
  it('a first element that is undefined is InvalidTrainStep; logs with one value that is not a number are refused by both steps; a test step\'s own tagged error is kept', () => {
    const withStep = (trainStep: unknown) => compiled(linearModel(3), { optimizer: 'sgd', loss: 'mse', trainStep: trainStep as never })
    const u = left(runCustomStep(withStep(() => [undefined, {}]), batch(2), 'fit'))
    expect(u).toMatchObject({ _tag: 'InvalidTrainStep' })
    expect(u.message).toMatch(/its first element is undefined$/)
    const mixed = { a: 1, b: '1' }
    expect(left(runCustomStep(withStep((t: Tr.Trainer) => [t, mixed]), batch(2), 'fit'))).toMatchObject({ _tag: 'InvalidTrainStep', received: [expect.anything(), mixed] })
    const tt = compiled(linearModel(3), { optimizer: 'sgd', loss: 'mse', testStep: (() => mixed) as never })
    expect(left(runCustomTest(tt, batch(2), 'evaluate'))).toMatchObject({ _tag: 'InvalidTestStep', received: mixed })
    // a test step that throws a tagged error: that error (not InvalidTestStep)
    const throwing = compiled(linearModel(3), { optimizer: 'sgd', loss: 'mse', testStep: (() => fail('InvalidData', 'mine')) as never })
    expect(left(runCustomTest(throwing, batch(2), 'evaluate'))).toMatchObject({ _tag: 'InvalidData', message: 'mine' })
  })
})
