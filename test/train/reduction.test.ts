/**
 * Issue 15 item 13: loss reductions (Keras's `Loss(reduction=...)`). Keras 2.15 semantics:
 * losses.py `Loss.__call__` applies `'none'` (per-sample values times the sample weights, the last axis
 * already reduced by the loss itself: MeanSquaredError on [batch, d] gives [batch]), `'sum'` and
 * `'sum_over_batch_size'` (the default). compile_utils.py `LossesContainer.__call__` differentiates
 * `tf.add_n` of the loss values (for `'none'` a [batch] vector, whose gradient is that of its SUM) and
 * logs them through a `Mean` metric with `sample_weight=batch_dim` (for `'none'`: their MEAN; for
 * `'sum'`: the batch sum).
 */
import { describe, it, expect } from 'vitest'
import * as E from 'fp-ts/lib/Either.js'
import { tensor, dataSync, meanSquaredError, sgd, Loss } from '../../src/index.js'
import * as Tr from '../../src/train/index.js'
import { TensorfoldError } from '../../src/core/errors.js'
import { regression, mlp, compiled, weightsOf, run } from './helpers.js'
import { sum } from '../../src/primitives/index.js'

const sum1 = (t: Parameters<typeof sum>[0]) => sum(t)

const yt = tensor([[1, 2], [3, 4], [0, 0]])
const yp = tensor([[1.5, 2], [2, 5], [1, -1]])
const perSample = [0.125, 1, 1] // mean over the last axis of the squared errors

describe('loss reductions', () => {
  it("called directly: 'none' is the per-sample loss [batch], 'sum' its sum, the default its mean (with sample weights too)", () => {
    const none = Loss.withReduction(meanSquaredError, 'none')
    expect(none.reduction).toBe('none')
    expect(none(yt, yp).shape).toEqual([3])
    expect(Array.from(dataSync(none(yt, yp)))).toEqual(perSample)
    expect(dataSync(Loss.withReduction(meanSquaredError, 'sum')(yt, yp))[0]).toBeCloseTo(2.125, 6)
    expect(dataSync(Loss.withReduction(meanSquaredError)(yt, yp))[0]).toBeCloseTo(2.125 / 3, 6)
    const sw = tensor([2, 0, 1])
    expect(Array.from(dataSync(none(yt, yp, sw)))).toEqual([0.25, 0, 1])
    expect(dataSync(Loss.withReduction(meanSquaredError, 'sum')(yt, yp, sw))[0]).toBeCloseTo(1.25, 6)
    expect(dataSync(Loss.withReduction(meanSquaredError, 'sum_over_batch_size')(yt, yp, sw))[0]).toBeCloseTo(1.25 / 3, 6)
  })

  it('by name with options, and a custom loss wrapped the same way; a bad reduction is a clear error', () => {
    const r = Loss.lossFromName('binary_crossentropy', { fromLogits: true, reduction: 'sum' })
    expect(E.isRight(r) && r.right.reduction).toBe('sum')
    const byName = Loss.lossFromName('mse', { reduction: 'none' })
    expect(E.isRight(byName) && Array.from(dataSync(byName.right(yt, yp)))).toEqual(perSample)
    const bad = Loss.lossFromName('mse', { reduction: 'summ' as never })
    expect(E.isLeft(bad) && bad.left).toMatchObject({ _tag: 'InvalidArgument', path: 'reduction', nearest: 'sum' })
    const custom = Loss.withReduction((t, p) => Loss.meanAbsoluteError(t, p), 'none')
    expect(Array.from(dataSync(custom(yt, yp)))).toEqual([0.25, 1, 1])
    expect(() => Loss.withReduction(meanSquaredError, 'mean' as never)).toThrow(TensorfoldError)
  })

  it("spelled as the issue and Keras's loss classes: meanSquaredError({reduction: 'none'}) (Keras MeanSquaredError(reduction='none')) is a ReducedLoss, equal to withReduction and lossFromName; meanSquaredError(yTrue, yPred) still computes", () => {
    const none = meanSquaredError({ reduction: 'none' })
    expect(none.reduction).toBe('none')
    expect(Array.from(dataSync(none(yt, yp)))).toEqual(perSample)
    expect(Array.from(dataSync(meanSquaredError(yt, yp)))).toEqual(perSample)
    const byName = Loss.lossFromName('mse', { reduction: 'none' })
    expect(E.isRight(byName) && Array.from(dataSync(byName.right(yt, yp, tensor([2, 0, 1]))))).toEqual(Array.from(dataSync(none(yt, yp, tensor([2, 0, 1])))))
    expect(dataSync(meanSquaredError({ reduction: 'sum' })(yt, yp))[0]).toBeCloseTo(2.125, 6)
    // no reduction: Keras's default, sum_over_batch_size
    const dflt = Loss.meanAbsoluteError({})
    expect(dflt.reduction).toBe('sum_over_batch_size')
    expect(dataSync(dflt(yt, yp))[0]).toBeCloseTo(dataSync(Loss.reduce(Loss.meanAbsoluteError(yt, yp)))[0], 6)
    // options of the loss and the reduction together (Keras BinaryCrossentropy(from_logits=True, reduction='sum'))
    const logits = tensor([[3], [-2]])
    const labels = tensor([[1], [0]])
    const bce = Loss.binaryCrossentropy({ fromLogits: true, reduction: 'sum' })
    const ref = Loss.lossFromName('binary_crossentropy', { fromLogits: true, reduction: 'sum' })
    expect(E.isRight(ref) && dataSync(ref.right(labels, logits))[0]).toBeCloseTo(dataSync(bce(labels, logits))[0], 6)
    expect(dataSync(bce(labels, logits))[0]).toBeCloseTo(dataSync(sum1(Loss.binaryCrossentropy(labels, logits, { fromLogits: true })))[0], 6)
    expect(Loss.huber({ delta: 0.5, reduction: 'none' })(yt, yp).shape).toEqual([3])
    expect(Loss.sparseCategoricalCrossentropy({ fromLogits: true }).reduction).toBe('sum_over_batch_size')
    // every built-in loss takes the options form
    for (const f of [Loss.meanSquaredError, Loss.meanAbsoluteError, Loss.meanAbsolutePercentageError, Loss.meanSquaredLogarithmicError, Loss.hinge, Loss.squaredHinge, Loss.categoricalHinge, Loss.logCosh, Loss.klDivergence, Loss.poisson, Loss.cosineSimilarity, Loss.mse, Loss.mae, Loss.mape, Loss.msle, Loss.kld])
      expect(f({ reduction: 'none' }).reduction).toBe('none')
    const withOptions: ReadonlyArray<(o: { readonly reduction: 'sum' }) => Loss.ReducedLoss> = [Loss.binaryCrossentropy, Loss.categoricalCrossentropy, Loss.sparseCategoricalCrossentropy, Loss.huber]
    for (const f of withOptions) expect(f({ reduction: 'sum' }).reduction).toBe('sum')
    // unknown options and reductions are clear errors
    expect(() => meanSquaredError({ reduction: 'none', fromLogits: true } as never)).toThrow(/meanSquaredError: unknown option 'fromLogits'/)
    expect(() => Loss.binaryCrossentropy({ fromLogit: true } as never)).toThrow(/did you mean 'fromLogits'/)
    expect(() => meanSquaredError({ reduction: 'mean' as never })).toThrow(TensorfoldError)
  })

  it("meanSquaredError({reduction}) in compile trains and logs exactly as withReduction (Keras LossesContainer rules)", async () => {
    const { x, y } = regression(8, 5)
    const fitWith = (loss: Tr.CompileOptions['loss']) =>
      run(Tr.fit(compiled(mlp(3), { optimizer: sgd({ learningRate: 0.01 }), loss, seed: 1 }), x, y, { epochs: 2, batchSize: 4, verbose: 0, shuffle: false }))
    const a = await fitWith(meanSquaredError({ reduction: 'none' }))
    const b = await fitWith(Loss.withReduction(meanSquaredError, 'none'))
    expect(weightsOf(a.trainer)).toEqual(weightsOf(b.trainer))
    expect(a.history.history.loss).toEqual(b.history.history.loss)
  })

  it("in compile: 'sum' trains on the batch sum (= default with lr·batch) and logs it; 'none' trains like 'sum' but logs the mean", async () => {
    const { x, y } = regression(8, 5)
    const fitWith = (loss: Tr.CompileOptions['loss'], lr: number) =>
      run(Tr.fit(compiled(mlp(3), { optimizer: sgd({ learningRate: lr }), loss, seed: 1 }), x, y, { epochs: 2, batchSize: 8, verbose: 0, shuffle: false }))
    const mean = await fitWith('mse', 0.08)
    const sum = await fitWith(Loss.withReduction(meanSquaredError, 'sum'), 0.01)
    const none = await fitWith(Loss.withReduction(meanSquaredError, 'none'), 0.01)
    // same gradient step: Σ over 8 samples with lr 0.01 = mean with lr 0.08
    weightsOf(sum.trainer).flat().forEach((v, i) => expect(v).toBeCloseTo(weightsOf(mean.trainer).flat()[i], 5))
    expect(weightsOf(none.trainer)).toEqual(weightsOf(sum.trainer))
    // logs: 'sum' logs 8× the mean, 'none' logs the mean
    sum.history.history.loss.forEach((v, i) => expect(v).toBeCloseTo(8 * mean.history.history.loss[i], 4))
    none.history.history.loss.forEach((v, i) => expect(v).toBeCloseTo(mean.history.history.loss[i], 5))
  })

  it("evaluate and trainOnBatch log as Keras: the mean for 'none', the sum for 'sum' (sample weights included)", async () => {
    const { x, y } = regression(6, 2)
    const t = compiled(mlp(2), { optimizer: 'sgd', loss: 'mse' })
    const base = (await t.evaluate(x, y, { verbose: 0 })) as ReadonlyArray<number>
    const tNone = compiled(mlp(2), { optimizer: 'sgd', loss: Loss.withReduction(meanSquaredError, 'none') })
    const tSum = compiled(mlp(2), { optimizer: 'sgd', loss: Loss.withReduction(meanSquaredError, 'sum') })
    const none = (await tNone.evaluate(x, y, { verbose: 0, batchSize: 6 })) as ReadonlyArray<number>
    const sum = (await tSum.evaluate(x, y, { verbose: 0, batchSize: 6 })) as ReadonlyArray<number>
    expect(none[0]).toBeCloseTo(base[0], 5)
    expect(sum[0]).toBeCloseTo(6 * base[0], 4)
    const sw = tensor([1, 1, 1, 0, 0, 0])
    const sWeighted = tSum.testOnBatch(x, y, { sampleWeight: sw }) as ReadonlyArray<number>
    const sHalf = tSum.testOnBatch(x, y) as ReadonlyArray<number>
    expect(sWeighted[0]).toBeLessThan(sHalf[0])
    const [, logs] = tNone.trainOnBatch(x, y)
    expect((logs as ReadonlyArray<number>)[0]).toBeCloseTo(base[0], 5)
  })
})
