/**
 * Issue 15, data and structure as Keras 2.15 handles them: predictions keep the structure of the
 * model's outputs (item 3), one sample-weight array weights every output (item 4), `[n]` data for an
 * input of shape `[null, 1]` (item 7).
 */
import { describe, it, expect } from 'vitest'
import { input, model, call, dense, sequential, tensor, compileOrThrow, type Tensor } from '../../src/index.js'
import * as Tr from '../../src/train/index.js'
import { run, weightsOf } from './helpers.js'

const twoOut = () => {
  const i = input({ shape: [2] })
  const h = call(dense(3, { activation: 'tanh' }), i)
  return model({ inputs: i, outputs: { out1: call(dense(1, { name: 'a' }), h), out2: call(dense(1, { name: 'b' }), h) } })
}
const x = tensor([[0, 1], [1, 0], [1, 1], [0, 0]])
const y1 = tensor([[1], [0], [1], [0]])
const y2 = tensor([[0], [1], [1], [0]])

describe('item 3: trainer.predict keeps the structure of the outputs (Keras returns predictions in the structure of model.outputs)', () => {
  it('a record of outputs gives a record, a list a list, one output one tensor — as the model\'s own predict', async () => {
    const m = twoOut()
    const t = compileOrThrow(m, { optimizer: 'sgd', loss: 'mse' })
    const p = (await t.predict(x, { verbose: 0 })) as { readonly out1: Tensor; readonly out2: Tensor }
    expect(Object.keys(p)).toEqual(['out1', 'out2'])
    expect(p.out1.toArray()).toEqual((m.predict(x) as { out1: Tensor }).out1.toArray())
    const b = t.predictOnBatch(x) as { readonly out2: Tensor }
    expect(b.out2.shape).toEqual([4, 1])
    const i = input({ shape: [2] })
    const single = model({ inputs: i, outputs: { only: call(dense(1), i) } })
    const ps = await compileOrThrow(single, { optimizer: 'sgd', loss: 'mse' }).predict(x, { verbose: 0 })
    expect(Object.keys(ps)).toEqual(['only'])
    const list = model({ inputs: i, outputs: [call(dense(1), i), call(dense(2), i)] })
    const pl = (await compileOrThrow(list, { optimizer: 'sgd', loss: 'mse' }).predict(x, { verbose: 0 })) as ReadonlyArray<Tensor>
    expect(Array.isArray(pl) && pl.map((t) => t.shape)).toEqual([[4, 1], [4, 2]])
    const seq = await compileOrThrow(sequential([dense(1, { inputShape: [2] })]), { optimizer: 'sgd', loss: 'mse' }).predict(x, { verbose: 0 })
    expect((seq as Tensor).shape).toEqual([4, 1])
  })
})

describe('item 4: one sampleWeight array for a multi-output model applies to every output (Keras 2.15 LossesContainer._conform_to_outputs)', () => {
  it('equals passing the same array for each output, in fit, evaluate and trainOnBatch', async () => {
    const t = compileOrThrow(twoOut(), { optimizer: 'sgd', loss: 'mse' })
    const w = [1, 0, 2, 0.5]
    const one = await run(Tr.fit(t, x, { out1: y1, out2: y2 }, { epochs: 1, batchSize: 2, verbose: 0, shuffle: false, sampleWeight: w }))
    const each = await run(Tr.fit(t, x, { out1: y1, out2: y2 }, { epochs: 1, batchSize: 2, verbose: 0, shuffle: false, sampleWeight: { out1: w, out2: w } }))
    expect(one.history.history).toEqual(each.history.history)
    expect(one.trainer.model.params).toBeDefined()
    const e1 = await t.evaluate(x, { out1: y1, out2: y2 }, { sampleWeight: w, verbose: 0 })
    const e2 = await t.evaluate(x, { out1: y1, out2: y2 }, { sampleWeight: [tensor(w), tensor(w)], verbose: 0 })
    expect(e1).toEqual(e2)
    // a record may leave an output out: it is unweighted (Keras's map_missing_dict_keys)
    const part = await t.evaluate(x, { out1: y1, out2: y2 }, { sampleWeight: { out2: w }, verbose: 0, returnDict: true })
    const none = await t.evaluate(x, { out1: y1, out2: y2 }, { verbose: 0, returnDict: true })
    expect((part as Record<string, number>).out1_loss).toBeCloseTo((none as Record<string, number>).out1_loss, 6)
    expect((part as Record<string, number>).out2_loss).not.toBeCloseTo((none as Record<string, number>).out2_loss, 6)
    // so may a list, with null for the unweighted output (the Data type has no null: untyped callers, the notebook)
    expect(await t.evaluate(x, { out1: y1, out2: y2 }, { sampleWeight: [null, tensor(w)] as never, verbose: 0, returnDict: true })).toEqual(part)
    const [, logs] = t.trainOnBatch(x, { out1: y1, out2: y2 }, { sampleWeight: w, returnDict: true } as never)
    expect(Number.isFinite((logs as Record<string, number>).loss)).toBe(true)
  })
})

describe('item 7: data of shape [n] for an input of shape [null, 1] (Keras 2.15 Functional._conform_to_reference_input expands the last axis)', () => {
  it('fit, evaluate and predict accept [10] for [null, 1], with the numbers of [10, 1]', async () => {
    const m = sequential([dense(1, { inputShape: [1] })])
    const t = compileOrThrow(m, { optimizer: 'sgd', loss: 'mse' })
    const flat = Array.from({ length: 10 }, (_, i) => i / 10)
    const col = flat.map((v) => [v])
    const ys = flat.map((v) => [2 * v + 1])
    const a = await run(Tr.fit(t, flat, ys, { epochs: 2, batchSize: 5, verbose: 0, shuffle: false }))
    const b = await run(Tr.fit(t, col, ys, { epochs: 2, batchSize: 5, verbose: 0, shuffle: false }))
    expect(a.history.history.loss).toEqual(b.history.history.loss)
    expect(await t.evaluate(flat, ys, { verbose: 0 })).toEqual(await t.evaluate(col, ys, { verbose: 0 }))
    expect(((await t.predict(flat, { verbose: 0 })) as Tensor).toArray()).toEqual(((await t.predict(col, { verbose: 0 })) as Tensor).toArray())
    // the model's own predict too
    expect(m.predict(flat).shape).toEqual([10, 1])
    // [n, 1, 1] loses its extra trailing axis (the other half of the same Keras rule); other mismatches are still errors
    expect(await t.evaluate([[[1]], [[2]]], [[1], [2]], { verbose: 0 })).toEqual(await t.evaluate([[1], [2]], [[1], [2]], { verbose: 0 }))
    const e = await Tr.evaluate(t, [[1, 2], [3, 4]], [[1], [2]], { verbose: 0 })()
    expect(e._tag).toBe('Left')
  })
})

describe('item 5: partial loss records and null losses (Keras 2.15 LossesContainer: `map_missing_dict_keys`, and `if loss_obj is None: continue`; _create_metrics makes `<out>_loss` only for outputs with a loss)', () => {
  it("loss: {out2: 'mae'} — metricsNames ['loss', 'out2_loss']; the loss is out2's alone", async () => {
    const m = twoOut()
    const t = compileOrThrow(m, { optimizer: 'sgd', loss: { out2: 'mae' } })
    expect(t.metricsNames).toEqual(['loss', 'out2_loss'])
    const logs = (await t.evaluate(x, { out1: y1, out2: y2 }, { verbose: 0, returnDict: true })) as Record<string, number>
    expect(Object.keys(logs)).toEqual(['loss', 'out2_loss'])
    expect(logs.loss).toBeCloseTo(logs.out2_loss, 6)
    const both = compileOrThrow(m, { optimizer: 'sgd', loss: { out1: 'mse', out2: 'mae' } })
    const all = (await both.evaluate(x, { out1: y1, out2: y2 }, { verbose: 0, returnDict: true })) as Record<string, number>
    expect(all.out2_loss).toBeCloseTo(logs.out2_loss, 6)
    const r = await run(Tr.fit(t, x, { out1: y1, out2: y2 }, { epochs: 2, batchSize: 2, verbose: 0 }))
    expect(Object.keys(r.history.history)).toEqual(['loss', 'out2_loss'])
  })

  it("loss: {out1: null, out2: 'mae'} and [null, 'mae'] compile to the same; metrics still bind per output", async () => {
    const m = twoOut()
    const a = compileOrThrow(m, { optimizer: 'sgd', loss: { out1: null, out2: 'mae' }, metrics: { out1: ['mse'], out2: ['mae'] } })
    const b = compileOrThrow(m, { optimizer: 'sgd', loss: [null, 'mae'], metrics: { out1: ['mse'], out2: ['mae'] } })
    expect(a.metricsNames).toEqual(['loss', 'out2_loss', 'out1_mse', 'out2_mae'])
    expect(b.metricsNames).toEqual(a.metricsNames)
    const la = await a.evaluate(x, { out1: y1, out2: y2 }, { verbose: 0 })
    expect(await b.evaluate(x, { out1: y1, out2: y2 }, { verbose: 0 })).toEqual(la)
    expect((la as number[]).length).toBe(4)
    // no loss at all is an error
    const none = Tr.compile(m, { optimizer: 'sgd', loss: { out1: null, out2: null } })
    expect(none._tag === 'Left' && none.left._tag).toBe('CompileError')
  })

  it("an output with no loss may be left out of y: {out2: y2} or [null, y2] in fit, evaluate, trainOnBatch and iterable batches, with the numbers of passing it (Keras 2.15 map_missing_dict_keys fills it with None, and LossesContainer skips `y_t is None`)", async () => {
    const m = twoOut()
    const t = compileOrThrow(m, { optimizer: 'sgd', loss: { out1: null, out2: 'mae' } })
    const full = await run(Tr.fit(t, x, { out1: y1, out2: y2 }, { epochs: 2, batchSize: 2, verbose: 0, shuffle: false }))
    const rec = await run(Tr.fit(t, x, { out2: y2 }, { epochs: 2, batchSize: 2, verbose: 0, shuffle: false }))
    const list = await run(Tr.fit(t, x, [null, y2], { epochs: 2, batchSize: 2, verbose: 0, shuffle: false }))
    expect(rec.history.history).toEqual(full.history.history)
    expect(list.history.history).toEqual(full.history.history)
    expect(weightsOf(rec.trainer)).toEqual(weightsOf(full.trainer))
    // validation data and evaluate too
    const v = await run(Tr.fit(t, x, { out2: y2 }, { epochs: 1, batchSize: 2, verbose: 0, shuffle: false, validationData: [x, { out2: y2 }] }))
    expect(Object.keys(v.history.history)).toEqual(['loss', 'out2_loss', 'val_loss', 'val_out2_loss'])
    expect(await t.evaluate(x, { out2: y2 }, { verbose: 0 })).toEqual(await t.evaluate(x, { out1: y1, out2: y2 }, { verbose: 0 }))
    const ob = Tr.trainOnBatch(t, x, { out2: y2 })
    expect(ob._tag).toBe('Right')
    // an iterable of batches whose y leaves out1 out
    const it = await run(Tr.fit(t, [[x, { out2: y2 }] as const].values(), undefined, { epochs: 1, verbose: 0 }))
    expect(it.trainer.step).toBe(1)
  })

  it('an output that has a loss, or metrics, still needs its y: a clear MissingData error (Keras would skip a None target silently; a metric never updated is a silent wrong answer)', async () => {
    const m = twoOut()
    const t = compileOrThrow(m, { optimizer: 'sgd', loss: { out1: null, out2: 'mae' } })
    const e1 = await Tr.evaluate(t, x, { out1: y1 }, { verbose: 0 })()
    expect(e1._tag === 'Left' && e1.left._tag).toBe('MissingData')
    expect(e1._tag === 'Left' && e1.left.message).toContain("'out2'")
    const e2 = await Tr.fit(t, x, [y1, null], { verbose: 0 })()
    expect(e2._tag === 'Left' && e2.left._tag).toBe('MissingData')
    const withMetric = compileOrThrow(m, { optimizer: 'sgd', loss: { out1: null, out2: 'mae' }, metrics: { out1: ['mse'] } })
    const e3 = await Tr.evaluate(withMetric, x, { out2: y2 }, { verbose: 0 })()
    expect(e3._tag === 'Left' && e3.left._tag).toBe('MissingData')
  })
})
