/**
 * Tests that kill StrykerJS mutants of `src/train/evaluate.ts` which survived `test/train` (issue 9
 * item 7; docs/laws.md, "Mutation testing", group g2): empty data, what evaluate's and predict's callbacks
 * are told, the order of evaluate's list, where the bar writes, and the batch an error names.
 */
import { describe, it, expect } from 'vitest'
import { tensor, dataSync } from '../../src/index.js'
import type { Callback, FitInfo } from '../../src/train/callbacks/Callback.js'
import * as Tr from '../../src/train/index.js'
import { linearModel, regression, compiled, run, runLeft } from './helpers.js'

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
