/**
 * Per-time-step sample weights and masks in losses and metrics, as Keras 2.15 (tf_keras 2.15):
 * - `LossesContainer.__call__` multiplies the sample weights by the output's mask (`apply_mask`), then
 *   `Loss.__call__` → `apply_valid_mask` rescales the real steps by `total/valid`, so the default
 *   reduction (`sum_over_batch_size`) gives Σ loss·weight·mask / (number of real steps);
 * - `[n, time]` sample weights multiply the per-step losses; without a mask the sum is divided by n·time;
 * - `MetricsContainer.update_state` passes the mask as the sample weight of plain metrics, and
 *   sample weight × mask to `weightedMetrics`;
 * - `class_weight` (`_class_weights_map_fn`) gives sequence targets one class (weight) per time step.
 * The expected numbers below are worked out by hand in the comments.
 */
import { describe, it, expect } from 'vitest'
import * as E from 'fp-ts/lib/Either.js'
import { sequential, layers as L, tensor, toArray, meanSquaredError, Loss, Tree, type Tensor } from '../../src/index.js'
import * as Tr from '../../src/train/index.js'

// masking(0) → dense(1) with kernel [[2]], bias [0]: predictions are 2·x on real steps
const maskedModel = () => {
  const m = sequential([L.masking(0, { inputShape: [3, 1] }), L.dense(1)])
  return m.setWeights([tensor([[2]]), tensor([0])])
}
// x: steps that are 0 are masked → mask [[1, 1, 0], [1, 0, 0]]; predictions [[2, 4, 0], [6, 0, 0]]
const x = tensor([[[1], [2], [0]], [[3], [0], [0]]])
// errors on real steps: 1-2 = -1, 1-4 = -3, 7-6 = 1; the masked targets (5, 9, 9) must not count
const y = tensor([[[1], [1], [5]], [[7], [9], [9]]])
const y2 = tensor([[[1], [1], [-50]], [[7], [40], [0]]])

const wts = (r: { trainer: { model: { params: Tree.Tree } } }) => Tree.leaves(r.trainer.model.params).map((w) => toArray(w))
const lossOf = (logs: unknown): number => (typeof logs === 'number' ? logs : (logs as number[])[0])
const num = (logs: unknown, i: number): number => (logs as number[])[i]

describe('masked losses (Keras 2.15 apply_valid_mask)', () => {
  it('sum_over_batch_size divides the weighted sum by the number of real steps', async () => {
    const t = maskedModel().compile({ optimizer: 'sgd', loss: 'mse', metrics: ['mae'] })
    // squared errors 1, 9, 1 on 3 real steps: 11/3; mae 1, 3, 1: 5/3 (the mask weighs the metric)
    const r = await t.evaluate(x, y, { verbose: 0, batchSize: 2 })
    expect(lossOf(r)).toBeCloseTo(11 / 3, 5)
    expect(num(r, 1)).toBeCloseTo(5 / 3, 5)
    // masked targets do not count, in the loss nor in the metric
    expect(await t.evaluate(x, y2, { verbose: 0, batchSize: 2 })).toEqual(r)
  })

  it('sample weights multiply the real steps, and the divisor stays the number of real steps (not the weight sum)', async () => {
    const t = maskedModel().compile({ optimizer: 'sgd', loss: 'mse', metrics: ['mae'], weightedMetrics: ['mse'] })
    // sw [1, 2]: (1·1 + 9·1 + 1·2) / 3 = 4; plain mae ignores sw: 5/3;
    // weighted mse: Σ se·w·m / Σ w·m = (1 + 9 + 2) / (1 + 1 + 2) = 3
    const r = await t.evaluate(x, y, { verbose: 0, batchSize: 2, sampleWeight: tensor([1, 2]) })
    expect(lossOf(r)).toBeCloseTo(4, 5)
    expect(num(r, 1)).toBeCloseTo(5 / 3, 5)
    expect(num(r, 2)).toBeCloseTo(3, 5)
  })

  it('temporal weights times the mask: weights on masked steps are ignored', async () => {
    const t = maskedModel().compile({ optimizer: 'sgd', loss: 'mse', weightedMetrics: ['mae'], sampleWeightMode: 'temporal' })
    const sw = tensor([[1, 2, 100], [3, 100, 100]])
    // loss (1·1 + 9·2 + 1·3) / 3 = 22/3; weighted mae (1·1 + 3·2 + 1·3) / (1 + 2 + 3) = 10/6
    const r = await t.evaluate(x, y, { verbose: 0, batchSize: 2, sampleWeight: sw })
    expect(lossOf(r)).toBeCloseTo(22 / 3, 5)
    expect(num(r, 1)).toBeCloseTo(10 / 6, 5)
  })

  it('the sum reduction adds the real steps only', async () => {
    const t = maskedModel().compile({ optimizer: 'sgd', loss: Loss.withReduction(meanSquaredError, 'sum') })
    expect(lossOf(await t.evaluate(x, y, { verbose: 0, batchSize: 2 }))).toBeCloseTo(11, 5)
  })

  it('training skips masked steps: targets there do not change the weights (compiled and eager)', async () => {
    for (const runEagerly of [false, true]) {
      const t = maskedModel().compile({ optimizer: 'sgd', loss: 'mse', runEagerly })
      const a = wts(await t.fit(x, y, { epochs: 2, verbose: 0, batchSize: 2 }))
      const b = wts(await t.fit(x, y2, { epochs: 2, verbose: 0, batchSize: 2 }))
      expect(a).toEqual(b)
      expect(a).not.toEqual([[[2]], [0]])
    }
  })
})

// without a mask: dense(2) over [n, 3, 4] gives [n, 3, 2]; per-step losses [n, 3]
const seqModel = () => sequential([L.dense(2, { inputShape: [3, 4] })], { seed: 3 })
const xs = tensor(Array.from({ length: 4 }, (_, i) => Array.from({ length: 3 }, (_, j) => Array.from({ length: 4 }, (_, k) => Math.sin(i * 3.1 + j * 1.7 + k)))))
const ys = tensor(Array.from({ length: 4 }, (_, i) => Array.from({ length: 3 }, (_, j) => [Math.cos(i + j), Math.sin(i - j)])))
const swT = [[1, 0, 2], [0.5, 1, 1], [0, 0, 3], [1, 1, 1]]

describe('temporal sample weights ([n, time])', () => {
  it('weigh each step: Σ loss·w / (n·time), as compute_weighted_loss', async () => {
    const m = seqModel()
    const p = toArray(m.predict(xs)) as number[][][]
    const yv = toArray(ys) as number[][][]
    let want = 0
    for (let i = 0; i < 4; i++) for (let j = 0; j < 3; j++) want += (((p[i][j][0] - yv[i][j][0]) ** 2 + (p[i][j][1] - yv[i][j][1]) ** 2) / 2) * swT[i][j]
    want /= 12
    const t = m.compile({ optimizer: 'sgd', loss: 'mse' })
    // Keras 2.15 accepts [n, time] weights with or without sampleWeightMode
    expect(lossOf(await t.evaluate(xs, ys, { verbose: 0, batchSize: 4, sampleWeight: tensor(swT) }))).toBeCloseTo(want, 5)
    const tt = m.compile({ optimizer: 'sgd', loss: 'mse', sampleWeightMode: 'temporal' })
    expect(lossOf(await tt.evaluate(xs, ys, { verbose: 0, batchSize: 4, sampleWeight: tensor(swT) }))).toBeCloseTo(want, 5)
  })

  it('a step of weight 0 does not train: its targets do not matter (fit, shuffled batches of 2)', async () => {
    const yv = toArray(ys) as number[][][]
    const yBad = tensor(yv.map((r, i) => r.map((s, j) => (swT[i][j] === 0 ? [99, -99] : s))))
    const t = seqModel().compile({ optimizer: 'adam', loss: 'mse', sampleWeightMode: 'temporal' })
    const a = wts(await t.fit(xs, ys, { epochs: 3, batchSize: 2, verbose: 0, sampleWeight: tensor(swT) }))
    const b = wts(await t.fit(xs, yBad, { epochs: 3, batchSize: 2, verbose: 0, sampleWeight: tensor(swT) }))
    expect(a).toEqual(b)
    // and without the weights the bad targets do change the result
    const c = wts(await t.fit(xs, yBad, { epochs: 3, batchSize: 2, verbose: 0 }))
    expect(c).not.toEqual(a)
  })

  it('per-sample [n] weights spread over the steps (same as [n, time] with equal columns)', async () => {
    const t = seqModel().compile({ optimizer: 'sgd', loss: 'mse' })
    const w = [1, 2, 0.5, 3]
    const a = lossOf(await t.evaluate(xs, ys, { verbose: 0, sampleWeight: tensor(w) }))
    const b = lossOf(await t.evaluate(xs, ys, { verbose: 0, sampleWeight: tensor(w.map((v) => [v, v, v])) }))
    expect(a).toBeCloseTo(b, 6)
  })

  it("sampleWeightMode 'temporal' refuses [n] weights; bad modes and shapes are tagged errors", async () => {
    const t = seqModel().compile({ optimizer: 'sgd', loss: 'mse', sampleWeightMode: 'temporal' })
    const r = await Tr.evaluate(t, xs, ys, { verbose: 0, sampleWeight: tensor([1, 1, 1, 1]) })()
    expect(E.isLeft(r) && r.left._tag).toBe('InvalidSampleWeights')
    expect(E.isLeft(r) && r.left.message).toMatch(/\[n, time\]/)
    const bad = Tr.compile(seqModel(), { optimizer: 'sgd', loss: 'mse', sampleWeightMode: 'temporl' as never })
    expect(E.isLeft(bad) && bad.left.message).toMatch(/sampleWeightMode/)
    // [n, time] weights on an output without a time axis
    const flat = sequential([L.dense(1, { inputShape: [4] })]).compile({ optimizer: 'sgd', loss: 'mse' })
    const r2 = await Tr.evaluate(flat, tensor([[1, 2, 3, 4], [0, 1, 0, 1]]), tensor([[1], [2]]), { verbose: 0, sampleWeight: tensor([[1, 2], [3, 4]]) })()
    expect(E.isLeft(r2) && r2.left._tag).toBe('ShapeMismatch')
    // rank 3 weights
    const r3 = await Tr.evaluate(t, xs, ys, { verbose: 0, sampleWeight: tensor([[[1]], [[1]], [[1]], [[1]]]) })()
    expect(E.isLeft(r3) && r3.left._tag).toBe('InvalidSampleWeights')
  })

  it('round-trips sampleWeightMode through a saved trainer', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs')
    const { tmpdir } = await import('node:os')
    const { join } = await import('node:path')
    const { save, loadTrainer } = await import('../../src/index.js')
    const dir = mkdtempSync(join(tmpdir(), 'tf-temporal-'))
    try {
      const t = seqModel().compile({ optimizer: 'sgd', loss: 'mse', sampleWeightMode: 'temporal' })
      await save(t, dir)
      const back = await loadTrainer(dir)
      expect(back.config.sampleWeightMode).toBe('temporal')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('classWeight on sequence targets (one class per time step)', () => {
  it('equals the matching temporal sample weights', async () => {
    const m = sequential([L.dense(3, { inputShape: [2, 4], activation: 'softmax' })], { seed: 1 })
    const x3 = tensor(Array.from({ length: 3 }, (_, i) => Array.from({ length: 2 }, (_, j) => Array.from({ length: 4 }, (_, k) => Math.cos(i + 2 * j + k)))))
    const cls = [[0, 2], [1, 1], [2, 0]]
    const y3: Tensor = tensor(cls.map((r) => r.map((c) => [0, 1, 2].map((k) => (k === c ? 1 : 0)))))
    const cw = { 0: 1, 1: 5, 2: 0.5 }
    const t = m.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' })
    const a = (await t.fit(x3, y3, { epochs: 1, verbose: 0, shuffle: false, classWeight: cw })).history.history.loss[0]
    const sw = tensor(cls.map((r) => r.map((c) => cw[c as 0 | 1 | 2])))
    const b = (await t.fit(x3, y3, { epochs: 1, verbose: 0, shuffle: false, sampleWeight: sw })).history.history.loss[0]
    expect(a).toBeCloseTo(b, 6)
    // and with per-sample weights too (multiplied, as Keras)
    const c = (await t.fit(x3, y3, { epochs: 1, verbose: 0, shuffle: false, classWeight: cw, sampleWeight: tensor([1, 2, 3]) })).history.history.loss[0]
    const sw2 = tensor(cls.map((r, i) => r.map((k) => cw[k as 0 | 1 | 2] * (i + 1))))
    const d = (await t.fit(x3, y3, { epochs: 1, verbose: 0, shuffle: false, sampleWeight: sw2 })).history.history.loss[0]
    expect(c).toBeCloseTo(d, 6)
  })
})
