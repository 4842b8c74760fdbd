/**
 * Tests that kill mutants of `src/train/engine.ts` and `src/train/execution.ts` (issue 9 item 7;
 * docs/laws.md, "Mutation testing"), written from reading them: the weights a metric sees, a custom
 * step's checked results, the log monoid of custom steps, executions of a pass.
 */
import { describe, it, expect } from 'vitest'
import * as E from 'fp-ts/lib/Either.js'
import { tensor, dataSync, mul, sum, type Tensor } from '../../src/index.js'
import * as Tr from '../../src/train/index.js'
import { metricWeights, runCustomStep, runCustomTest, addLogs, meanLogs, noLogs, prefixed, stepTargets, dataSpec } from '../../src/train/engine.js'
import { executionPass, customSteps } from '../../src/train/execution.js'
import { arrayBatch } from '../../src/train/batches.js'
import { prepareArrays, type TensorBatch } from '../../src/train/data.js'
import { rangePass, foldPass, type Pass } from '../../src/train/pass.js'
import { tfError, fail } from '../../src/core/errors.js'
import { linearModel, compiled } from './helpers.js'

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
