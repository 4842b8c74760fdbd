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
import { tensor, dataSync, meanSquaredError, sgd, Loss, sequential, layers as L, input, model, call, square, sub, type Tensor } from '../../src/index.js'
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
    expect(E.isLeft(bad) && bad.left).toMatchObject({ _tag: 'InvalidOption', path: 'reduction', nearest: 'sum' })
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

/**
 * Issue 15 (the logged mean of a `'none'` loss across unequal batches): Keras 2.15's
 * `LossesContainer.__call__` hands the whole `'none'` loss tensor (shape `[batch, …]`) to the loss `Mean`
 * metric with `sample_weight=batch_dim`; `Reduce.update_state` broadcasts that scalar over the tensor,
 * so a batch adds `batch · Σ values` to the total and `batch · size(values)` to the count. An epoch's
 * logged loss is therefore `Σ_b B_b·S_b / Σ_b B_b·n_b` (n_b = the tensor's size: B_b² for a `[batch]`
 * loss), not the batch-size-weighted mean of the batch means.
 */
describe('a loss function that returns the batch mean (a scalar, as tfjs losses do)', () => {
  it('logs and trains as the per-sample loss (Keras broadcasts the scalar against the weights and divides by their count); weighted: times the mean weight', async () => {
    const { x, y } = regression(6, 3)
    const meanMse = (a: Tensor, b: Tensor): Tensor => Loss.withReduction(meanSquaredError)(a, b)
    const scalar = compiled(mlp(2), { optimizer: sgd({ learningRate: 0.05 }), loss: meanMse })
    const plain = compiled(mlp(2), { optimizer: sgd({ learningRate: 0.05 }), loss: 'mse' })
    const ev = (t: Tr.Trainer, o = {}) => run(Tr.evaluate(t, x, y, { verbose: 0, batchSize: 4, ...o })) as Promise<number[]>
    const [ls] = await ev(scalar)
    const [lp] = await ev(plain)
    expect(ls).toBeCloseTo(lp, 5)
    // one batch of 6 with weights of mean 2: the scalar times 2 (per-sample weights cannot reach inside a mean)
    const w = [1, 2, 3, 1, 2, 3]
    const [lw] = await ev(scalar, { batchSize: 6, sampleWeight: w })
    expect(lw).toBeCloseTo(2 * lp, 5)
    const a = await run(Tr.fit(scalar, x, y, { epochs: 2, batchSize: 4, shuffle: false, verbose: 0 }))
    const b = await run(Tr.fit(plain, x, y, { epochs: 2, batchSize: 4, shuffle: false, verbose: 0 }))
    a.history.history.loss.forEach((l, i) => expect(l).toBeCloseTo(b.history.history.loss[i], 5))
    weightsOf(a.trainer).forEach((ws, i) => ws.forEach((v, j) => expect(v).toBeCloseTo(weightsOf(b.trainer)[i][j], 5)))
  })
})

describe("'none' reduction: the logged mean across unequal batches (Keras 2.15 Mean(sample_weight=batch_dim))", () => {
  // dense(1) with kernel [[1]] and bias [0]: the prediction is x; targets 0, so the squared error is x²
  const identity = () => sequential([L.dense(1, { inputShape: [1] })]).setWeights([tensor([[1]]), tensor([0])])
  const x5 = tensor([[1], [2], [3], [4], [5]])
  const y5 = tensor([[0], [0], [0], [0], [0]])

  it('evaluate: batches [1, 4], [9, 16], [25] of sizes 2, 2, 1 give (2·5 + 2·25 + 1·25) / (2·2 + 2·2 + 1·1) = 85/9', async () => {
    const t = identity().compile({ optimizer: 'sgd', loss: meanSquaredError({ reduction: 'none' }) })
    const r = (await t.evaluate(x5, y5, { verbose: 0, batchSize: 2 })) as ReadonlyArray<number>
    expect(r[0]).toBeCloseTo(85 / 9, 5)
    // the batch-size-weighted mean of the batch means (what tensorfold logged before) is 55/5 = 11
    expect(Math.abs(r[0] - 11)).toBeGreaterThan(1)
    // one batch: the plain mean
    expect(((await t.evaluate(x5, y5, { verbose: 0, batchSize: 5 })) as ReadonlyArray<number>)[0]).toBeCloseTo(11, 5)
    // the default reduction keeps Keras's batch weighting: (2·2.5 + 2·12.5 + 1·25) / 5 = 11
    const d = identity().compile({ optimizer: 'sgd', loss: 'mse' })
    expect(((await d.evaluate(x5, y5, { verbose: 0, batchSize: 2 })) as ReadonlyArray<number>)[0]).toBeCloseTo(11, 5)
  })

  it('fit logs the same weighting (learning rate 0: the weights stay, so the training loss is the evaluation one)', async () => {
    const t = identity().compile({ optimizer: sgd({ learningRate: 0 }), loss: meanSquaredError({ reduction: 'none' }) })
    const r = await t.fit(x5, y5, { verbose: 0, batchSize: 2, shuffle: false })
    expect(r.history.history.loss[0]).toBeCloseTo(85 / 9, 5)
  })

  it('a loss that keeps trailing axes counts batch × its size: a [batch, 2] loss on batches of 2 and 1', async () => {
    const sq = (yt: Tensor, yp: Tensor) => square(sub(yt, yp))
    const m = sequential([L.dense(2, { inputShape: [1], useBias: false })]).setWeights([tensor([[1, 2]])])
    const t = m.compile({ optimizer: 'sgd', loss: Loss.withReduction(sq, 'none') })
    // predictions [x, 2x], squared errors [x², 4x²]: batch 1 (x = 1, 2) sums 1 + 4 + 4 + 16 = 25 over 4
    // values, batch 2 (x = 3) sums 9 + 36 = 45 over 2: (2·25 + 1·45) / (2·4 + 1·2) = 95/10
    const r = (await t.evaluate(tensor([[1], [2], [3]]), tensor([[0, 0], [0, 0], [0, 0]]), { verbose: 0, batchSize: 2 })) as ReadonlyArray<number>
    expect(r[0]).toBeCloseTo(9.5, 5)
  })

  it('several outputs: each <out>_loss and the total weigh their own way (a none output next to a mean one)', async () => {
    const inp = input({ shape: [1] })
    const a = call(L.dense(1, { name: 'a' }), inp)
    const b = call(L.dense(1, { name: 'b' }), inp)
    const m = model({ inputs: inp, outputs: [a, b] }).setWeights([tensor([[1]]), tensor([0]), tensor([[1]]), tensor([0])])
    const t = m.compile({ optimizer: 'sgd', loss: [meanSquaredError({ reduction: 'none' }), 'mse'] })
    const r = (await t.evaluate(x5, [y5, y5], { verbose: 0, batchSize: 2, returnDict: true })) as Readonly<Record<string, number>>
    expect(t.metricsNames).toEqual(['loss', 'a_loss', 'b_loss'])
    expect(r.a_loss).toBeCloseTo(85 / 9, 5)
    expect(r.b_loss).toBeCloseTo(11, 5)
    // the total is Keras's add_n of a [batch] tensor and a scalar, weighed as the [batch] tensor:
    // per batch (S_b + B_b·mean_b) over B_b values with weight B_b → (2·10 + 2·50 + 1·50) / 9
    expect(r.loss).toBeCloseTo(170 / 9, 4)
  })
})

/**
 * Issue 15: a `'none'` loss on a masked sequence output. Keras 2.15: `LossesContainer` multiplies the
 * sample weights by the output's mask (`apply_mask`); `Loss.__call__` → `apply_valid_mask` rescales by
 * `total/valid` only for `SUM_OVER_BATCH_SIZE`/`AUTO`, so a `'none'` loss is `loss · mask` with the masked
 * steps as zeros; the loss `Mean` then divides by batch × all steps (masked ones included), and training
 * differentiates the sum (masked steps give no gradient).
 */
describe("'none' reduction on a masked sequence output (Keras 2.15 apply_valid_mask)", () => {
  // masking(0) → dense(1) with kernel [[2]], bias [0]: predictions 2·x on real steps
  const masked = () => sequential([L.masking(0, { inputShape: [3, 1] }), L.dense(1)]).setWeights([tensor([[2]]), tensor([0])])
  // mask [[1, 1, 0], [1, 0, 0], [1, 1, 1]]; squared errors on real steps 1, 9 | 1 | 4, 4, 4
  const x = tensor([[[1], [2], [0]], [[3], [0], [0]], [[1], [1], [1]]])
  const y = tensor([[[1], [1], [5]], [[7], [9], [9]], [[0], [0], [0]]])
  const yMaskedChanged = tensor([[[1], [1], [-50]], [[7], [40], [0]], [[0], [0], [0]]])
  const none = () => masked().compile({ optimizer: 'sgd', loss: meanSquaredError({ reduction: 'none' }) })

  it('logs Σ loss·mask over batch × steps, weighed by batch × steps across unequal batches', async () => {
    // batch 1 (2 samples): values [[1, 9, 0], [1, 0, 0]] → total 2·11, count 2·6; batch 2: [4, 4, 4] → 1·12, 1·3
    const r = (await none().evaluate(x, y, { verbose: 0, batchSize: 2 })) as ReadonlyArray<number>
    expect(r[0]).toBeCloseTo(34 / 15, 5)
    // one batch of the first two samples: 11/6 (the default reduction divides by the 3 real steps: 11/3)
    const x2 = tensor([[[1], [2], [0]], [[3], [0], [0]]])
    const y2 = tensor([[[1], [1], [5]], [[7], [9], [9]]])
    expect(((await none().evaluate(x2, y2, { verbose: 0, batchSize: 2 })) as ReadonlyArray<number>)[0]).toBeCloseTo(11 / 6, 5)
    expect(((await masked().compile({ optimizer: 'sgd', loss: 'mse' }).evaluate(x2, y2, { verbose: 0, batchSize: 2 })) as ReadonlyArray<number>)[0]).toBeCloseTo(11 / 3, 5)
    // the targets of masked steps do not count
    expect(await none().evaluate(x, yMaskedChanged, { verbose: 0, batchSize: 2 })).toEqual(r)
  })

  it('trains on the sum of the real steps: masked targets do not move the weights (compiled and eager)', async () => {
    for (const runEagerly of [false, true]) {
      const t = masked().compile({ optimizer: sgd({ learningRate: 0.01 }), loss: meanSquaredError({ reduction: 'none' }), runEagerly })
      const a = await t.fit(x, y, { epochs: 2, verbose: 0, batchSize: 2, shuffle: false })
      const b = await t.fit(x, yMaskedChanged, { epochs: 2, verbose: 0, batchSize: 2, shuffle: false })
      expect(weightsOf(b.trainer)).toEqual(weightsOf(a.trainer))
      expect(weightsOf(a.trainer)).not.toEqual(weightsOf(t))
      // as 'sum' (same gradient), whose logs are the batch sums of the real steps
      const s = await masked().compile({ optimizer: sgd({ learningRate: 0.01 }), loss: Loss.withReduction(meanSquaredError, 'sum'), runEagerly }).fit(x, y, { epochs: 2, verbose: 0, batchSize: 2, shuffle: false })
      expect(weightsOf(s.trainer)).toEqual(weightsOf(a.trainer))
    }
  })
})
