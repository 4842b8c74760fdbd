import { describe, it, expect } from 'vitest'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { tensor, type Tensor } from '../../src/index.js'
import * as M from '../../src/metrics/index.js'
import * as L from '../../src/losses/index.js'
import { checkMetricLaws, batchArb, batchPairArb, metricHomomorphismLaw, type BatchKind } from '../../laws/index.js'

const once = <S>(m: M.Metric<S>, t: Tensor, p: Tensor, w?: Tensor): number => m.result(m.update(m.empty, t, p, w))

describe('every metric is a monoid over batches', () => {
  const all: ReadonlyArray<readonly [string, M.Metric<unknown>, BatchKind]> = [
    ['mean', M.mean(), 'regression'],
    ['accuracy', M.accuracy(), 'binary'],
    ['binaryAccuracy', M.binaryAccuracy(), 'binary'],
    ['categoricalAccuracy', M.categoricalAccuracy(), 'categorical'],
    ['sparseCategoricalAccuracy', M.sparseCategoricalAccuracy(), 'sparse'],
    ['topKCategoricalAccuracy', M.topKCategoricalAccuracy({ k: 2 }), 'categorical'],
    ['sparseTopKCategoricalAccuracy', M.sparseTopKCategoricalAccuracy({ k: 2 }), 'sparse'],
    ['meanAbsoluteError', M.meanAbsoluteError(), 'regression'],
    ['meanSquaredError', M.meanSquaredError(), 'regression'],
    ['meanAbsolutePercentageError', M.meanAbsolutePercentageError(), 'positive'],
    ['meanSquaredLogarithmicError', M.meanSquaredLogarithmicError(), 'positive'],
    ['binaryCrossentropy', M.binaryCrossentropy(), 'binary'],
    ['categoricalCrossentropy', M.categoricalCrossentropy(), 'categorical'],
    ['sparseCategoricalCrossentropy', M.sparseCategoricalCrossentropy(), 'sparse'],
    ['precision', M.precision(), 'binary'],
    ['recall', M.recall(), 'binary'],
    ['auc', M.auc(), 'binary'],
    ['auc PR', M.auc({ curve: 'PR', numThresholds: 50 }), 'binary'],
    ['hinge', M.hinge(), 'binary'],
    ['klDivergence', M.klDivergence(), 'positive'],
    ['poisson', M.poisson(), 'positive'],
    ['cosineSimilarity', M.cosineSimilarity(), 'regression']
  ] as const
  it.each(all)('%s: unit, associativity, update(b1 ++ b2) = concat(update b1, update b2)', (_n, m, kind) =>
    checkMetricLaws(m, kind, { numRuns: 12, rtol: 1e-7 })
  )
  it('the batch generators are not degenerate', () => {
    for (const kind of ['regression', 'binary', 'categorical', 'sparse'] as const) {
      const shapes = new Set(fc.sample(batchArb(kind), { numRuns: 40, seed: 5 }).map((b) => JSON.stringify([b.yTrue.shape, b.yPred.shape, b.sampleWeight !== undefined])))
      expect(shapes.size, kind).toBeGreaterThan(4)
    }
  })
  it('the homomorphism law fails for a metric that is not a monoid (the law can fail)', () => {
    // a "last batch only" metric: concat keeps b, so updating with b1 ++ b2 differs from concat of parts
    const bad: M.Metric<{ readonly v: number }> = {
      name: 'bad',
      empty: { v: 0 },
      update: (_s, t) => ({ v: t.shape[0] }),
      concat: (_a, b) => b,
      result: (s) => s.v
    }
    const [[b1, b2]] = fc.sample(batchPairArb('binary'), { numRuns: 1, seed: 1 })
    expect(metricHomomorphismLaw(bad, b1, b2)).toBe(false)
  })
})

describe('values (Keras documentation examples)', () => {
  it('accuracy family', () => {
    expect(once(M.accuracy(), tensor([[1], [2], [3], [4]]), tensor([[0], [2], [3], [4]]))).toBe(0.75)
    expect(once(M.accuracy(), tensor([[1], [2], [3], [4]]), tensor([[0], [2], [3], [4]]), tensor([1, 1, 0, 0]))).toBe(0.5)
    const bt = tensor([[1], [1], [0], [0]])
    const bp = tensor([[0.98], [1], [0], [0.6]])
    expect(once(M.binaryAccuracy(), bt, bp)).toBe(0.75)
    expect(once(M.binaryAccuracy(), bt, bp, tensor([1, 0, 0, 1]))).toBe(0.5)
    const ct = tensor([[0, 0, 1], [0, 1, 0]])
    const cp = tensor([[0.1, 0.9, 0.8], [0.05, 0.95, 0]])
    expect(once(M.categoricalAccuracy(), ct, cp)).toBe(0.5)
    expect(once(M.categoricalAccuracy(), ct, cp, tensor([0.7, 0.3]))).toBeCloseTo(0.3, 6)
    expect(once(M.sparseCategoricalAccuracy(), tensor([[2], [1]]), tensor([[0.1, 0.6, 0.3], [0.05, 0.95, 0]]))).toBe(0.5)
    expect(once(M.sparseCategoricalAccuracy(), tensor([2, 1], undefined, 'int32'), tensor([[0.1, 0.6, 0.3], [0.05, 0.95, 0]]), tensor([0.7, 0.3]))).toBeCloseTo(0.3, 6)
    expect(once(M.topKCategoricalAccuracy({ k: 1 }), ct, cp)).toBe(0.5)
    expect(once(M.topKCategoricalAccuracy({ k: 1 }), ct, cp, tensor([0.7, 0.3]))).toBeCloseTo(0.3, 6)
    expect(once(M.topKCategoricalAccuracy(), ct, cp)).toBe(1)
    expect(once(M.sparseTopKCategoricalAccuracy({ k: 1 }), tensor([2, 1]), cp)).toBe(0.5)
  })
  it('regression and crossentropy metrics', () => {
    const t = tensor([[0, 1], [0, 0]])
    const p = tensor([[1, 1], [0, 0]])
    expect(once(M.meanAbsoluteError(), t, p)).toBe(0.25)
    expect(once(M.meanAbsoluteError(), t, p, tensor([1, 0]))).toBe(0.5)
    expect(once(M.meanSquaredError(), t, p)).toBe(0.25)
    expect(once(M.binaryCrossentropy(), t, tensor([[0.6, 0.4], [0.4, 0.6]]))).toBeCloseTo(0.81492424, 5)
    expect(once(M.binaryCrossentropy(), t, tensor([[0.6, 0.4], [0.4, 0.6]]), tensor([1, 0]))).toBeCloseTo(0.9162905, 5)
    const ct = tensor([[0, 1, 0], [0, 0, 1]])
    const cp = tensor([[0.05, 0.95, 0], [0.1, 0.8, 0.1]])
    expect(once(M.categoricalCrossentropy(), ct, cp)).toBeCloseTo(1.1769392, 5)
    expect(once(M.categoricalCrossentropy(), ct, cp, tensor([0.3, 0.7]))).toBeCloseTo(1.6271976, 5)
    expect(once(M.sparseCategoricalCrossentropy(), tensor([1, 2]), cp)).toBeCloseTo(1.1769392, 5)
  })
  it('precision, recall, auc', () => {
    const t = tensor([0, 1, 1, 1])
    const p = tensor([1, 0, 1, 1])
    expect(once(M.precision(), t, p)).toBeCloseTo(2 / 3, 6)
    expect(once(M.precision(), t, p, tensor([0, 0, 1, 0]))).toBe(1)
    expect(once(M.recall(), t, p)).toBeCloseTo(2 / 3, 6)
    expect(once(M.recall(), t, p, tensor([0, 0, 1, 0]))).toBe(1)
    expect(once(M.precision({ classId: 1 }), tensor([[0, 1], [1, 0]]), tensor([[0.2, 0.9], [0.8, 0.7]]))).toBe(0.5)
    expect(once(M.auc({ numThresholds: 3 }), tensor([0, 0, 1, 1]), tensor([0, 0.5, 0.3, 0.9]))).toBeCloseTo(0.75, 6)
    expect(once(M.auc({ numThresholds: 3 }), tensor([0, 0, 1, 1]), tensor([0, 0.5, 0.3, 0.9]), tensor([1, 0, 0, 1]))).toBeCloseTo(1, 6)
  })
  it('auc with 200 thresholds approximates the exact ROC AUC (Mann–Whitney)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 20, max: 60 }), fc.integer({ min: 1, max: 2 ** 30 }), (n, seed) => {
        // uniform scores from a small LCG: fast-check's own doubles pile up at 0, inside one threshold bucket
        let st = seed
        const next = (): number => ((st = (st * 1103515245 + 12345) % 2 ** 31) / 2 ** 31)
        const rows = Array.from({ length: n }, () => [next() < 0.5, next()] as const)
        const pos = rows.filter(([l]) => l).map(([, s]) => s)
        const neg = rows.filter(([l]) => !l).map(([, s]) => s)
        if (pos.length === 0 || neg.length === 0) return true
        let wins = 0
        for (const a of pos) for (const b of neg) wins += a > b ? 1 : a === b ? 0.5 : 0
        const exact = wins / (pos.length * neg.length)
        const got = once(M.auc(), tensor(rows.map(([l]) => (l ? 1 : 0))), tensor(rows.map(([, s]) => s)))
        expect(Math.abs(got - exact)).toBeLessThan(0.03)
      }),
      { numRuns: 20 }
    )
    // from logits: a sigmoid first
    expect(once(M.auc({ fromLogits: true }), tensor([0, 1]), tensor([-3, 3]))).toBeCloseTo(1, 6)
  })
  it('mean: a running mean with add', () => {
    const m = M.mean('loss')
    expect(m.result(m.add(m.add(m.empty, 1), 3))).toBe(2)
    expect(m.result(m.add(m.empty, tensor([1, 2, 3]), 2))).toBe(2)
    expect(m.result(m.empty)).toBe(0)
    expect(m.name).toBe('loss')
  })
  it('weighted metrics use class weights through sample weights', () => {
    const y = tensor([0, 1, 1])
    const p = tensor([[0.9, 0.1], [0.2, 0.8], [0.7, 0.3]])
    const w = L.sampleWeightsFromClassWeight(y, { 0: 1, 1: 3 })
    // correct: sample 0 (w 1), sample 1 (w 3); wrong: sample 2 (w 3)
    expect(once(M.sparseCategoricalAccuracy(), y, p, w)).toBeCloseTo(4 / 7, 6)
  })
  it('mismatched shapes are tagged errors', () => {
    expect(() => once(M.categoricalAccuracy(), tensor([[1, 0]]), tensor([[1, 0, 0]]))).toThrow(/must match/)
    expect(() => once(M.accuracy(), tensor([1, 0]), tensor([1, 0]), tensor([1, 2, 3]))).toThrow(/sample weights/)
  })
})

describe('metricFromName', () => {
  it('resolves accuracy/acc and crossentropy/ce by loss and shapes (DESIGN §5), keeping the name', () => {
    expect(M.metricFamily({ loss: 'binary_crossentropy', outputShape: [null, 3] })).toBe('binary')
    expect(M.metricFamily({ outputShape: [null, 1], targetShape: [null, 1] })).toBe('binary')
    expect(M.metricFamily({ loss: 'SparseCategoricalCrossentropy' })).toBe('sparse')
    expect(M.metricFamily({ outputShape: [null, 10], targetShape: [null] })).toBe('sparse')
    expect(M.metricFamily({ outputShape: [null, 10], targetShape: [null, 1] })).toBe('sparse')
    expect(M.metricFamily({ outputShape: [null, 10], targetShape: [null, 10] })).toBe('categorical')
    expect(M.metricFamily({ loss: 'categorical_crossentropy' })).toBe('categorical')
    expect(M.metricFamily({})).toBe('categorical')
    const r = M.metricFromName('acc', { outputShape: [null, 1] })
    expect(E.isRight(r) && r.right.name).toBe('acc')
  })
  it('the resolved metrics compute the right family', () => {
    const get = (n: string, ctx: M.MetricContext): M.AnyMetric => E.getOrElseW((e: { message: string }) => {
      throw new Error(e.message)
    })(M.metricFromName(n, ctx))
    const acc = get('acc', { loss: 'sparse_categorical_crossentropy' })
    expect(acc.name).toBe('acc')
    expect(acc.result(acc.update(acc.empty, tensor([1, 0]), tensor([[0.1, 0.9], [0.2, 0.8]])))).toBe(0.5)
    const bin = get('accuracy', { loss: 'binary_crossentropy', outputShape: [null, 1] })
    expect(bin.result(bin.update(bin.empty, tensor([[1], [0]]), tensor([[0.9], [0.6]])))).toBe(0.5)
    const cat = get('accuracy', { outputShape: [null, 2], targetShape: [null, 2] })
    expect(cat.result(cat.update(cat.empty, tensor([[0, 1], [1, 0]]), tensor([[0.1, 0.9], [0.2, 0.8]])))).toBe(0.5)
    const ce = get('ce', { loss: 'sparse_categorical_crossentropy', fromLogits: true })
    expect(ce.name).toBe('ce')
    expect(ce.result(ce.update(ce.empty, tensor([0]), tensor([[0, 0]])))).toBeCloseTo(Math.LN2, 6)
    const bce = get('crossentropy', { outputShape: [null, 1] })
    expect(bce.result(bce.update(bce.empty, tensor([[1]]), tensor([[0.5]])))).toBeCloseTo(Math.LN2, 6)
  })
  it('resolves other Keras names and spellings', () => {
    for (const n of ['mae', 'mse', 'mean_absolute_error', 'MeanSquaredError', 'binary_accuracy', 'categorical_accuracy', 'sparse_categorical_accuracy',
      'top_k_categorical_accuracy', 'sparse_top_k_categorical_accuracy', 'binary_crossentropy', 'categorical_crossentropy',
      'sparse_categorical_crossentropy', 'precision', 'Precision', 'recall', 'AUC', 'auc', 'mape', 'msle', 'kld', 'poisson', 'logcosh', 'cosine_similarity', 'hinge'])
      expect(E.isRight(M.metricFromName(n)), n).toBe(true)
  })
  it('an unknown name is a Left naming the nearest', () => {
    const r = M.metricFromName('acuracy')
    expect(E.isLeft(r) && r.left._tag).toBe('UnknownMetric')
    expect(E.isLeft(r) && r.left.message).toContain("did you mean 'accuracy'?")
  })
  it('resolveMetric takes names, functions and Metric values', () => {
    const f = E.getOrElseW(() => undefined)(M.resolveMetric(function myErr(t: Tensor, p: Tensor) { return L.mae(t, p) }))!
    expect(f.name).toBe('myErr')
    expect(f.result(f.update(f.empty, tensor([[1]]), tensor([[3]])))).toBe(2)
    const a = M.auc()
    expect(E.getOrElseW(() => undefined)(M.resolveMetric(a))).toBe(a)
    expect(E.isLeft(M.resolveMetric(42 as unknown as M.MetricSpec))).toBe(true)
    expect(M.named(M.auc(), 'my_auc').name).toBe('my_auc')
  })
})
