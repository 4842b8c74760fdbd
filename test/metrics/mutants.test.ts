/**
 * Tests that kill mutants StrykerJS found surviving in src/metrics (docs/laws.md, "Mutation testing"):
 * the Keras default names, Keras's strict `>` threshold of precision/recall, the confusion counts, and
 * per-sample weights over rows of several values, and AUC of the PR curve with each summation method.
 */
import { describe, it, expect } from 'vitest'
import { tensor, type Tensor } from '../../src/index.js'
import * as E from 'fp-ts/lib/Either.js'
import * as M from '../../src/metrics/index.js'

const once = <S>(m: M.Metric<S>, t: Tensor, p: Tensor, w?: Tensor): number => m.result(m.update(m.empty, t, p, w))

describe('metrics: mutants killed', () => {
  it("each metric's default name is Keras's, and a given name is kept", () => {
    const named: ReadonlyArray<readonly [string, (o?: { readonly name?: string }) => { readonly name: string }]> = [
      ['accuracy', M.accuracy],
      ['binary_accuracy', M.binaryAccuracy],
      ['categorical_accuracy', M.categoricalAccuracy],
      ['sparse_categorical_accuracy', M.sparseCategoricalAccuracy],
      ['top_k_categorical_accuracy', M.topKCategoricalAccuracy],
      ['sparse_top_k_categorical_accuracy', M.sparseTopKCategoricalAccuracy],
      ['mean_absolute_error', M.meanAbsoluteError],
      ['mean_squared_error', M.meanSquaredError],
      ['mean_absolute_percentage_error', M.meanAbsolutePercentageError],
      ['mean_squared_logarithmic_error', M.meanSquaredLogarithmicError],
      ['binary_crossentropy', M.binaryCrossentropy],
      ['categorical_crossentropy', M.categoricalCrossentropy],
      ['sparse_categorical_crossentropy', M.sparseCategoricalCrossentropy],
      ['hinge', M.hinge],
      ['squared_hinge', M.squaredHinge],
      ['categorical_hinge', M.categoricalHinge],
      ['kl_divergence', M.klDivergence],
      ['poisson', M.poisson],
      ['logcosh', M.logCoshError],
      ['cosine_similarity', M.cosineSimilarity],
      ['precision', M.precision],
      ['recall', M.recall],
      ['auc', M.auc]
    ]
    for (const [name, make] of named) {
      expect([name, make().name]).toEqual([name, name])
      expect([name, make({ name: 'mine' }).name]).toEqual([name, 'mine'])
    }
  })

  it('precision and recall count a prediction as positive only above the threshold (Keras: y_pred > threshold)', () => {
    expect(once(M.precision(), tensor([1, 0]), tensor([0.5, 0.5]))).toBe(0)
    expect(once(M.recall(), tensor([1]), tensor([0.5]))).toBe(0)
    expect(once(M.recall(), tensor([1]), tensor([0.51]))).toBe(1)
  })

  it('the confusion counts: a true negative is neither a false positive nor a false negative', () => {
    // tp = 1 (0.9), fn = 1 (0.1 with label 1), tn = 1 (0.1 with label 0)
    expect(once(M.precision(), tensor([1, 1, 0]), tensor([0.9, 0.1, 0.1]))).toBe(1)
    expect(once(M.recall(), tensor([1, 1, 0]), tensor([0.9, 0.1, 0.1]))).toBe(0.5)
  })

  it('a sample weight per row weighs the mean of that row (Keras MeanMetricWrapper)', () => {
    // per element correct: [1, 1] and [0, 1]: row means 1 and 0.5; weights 1 and 3: (1 + 1.5) / 4
    expect(once(M.binaryAccuracy(), tensor([[1, 0], [1, 1]]), tensor([[0.9, 0.1], [0.2, 0.8]]), tensor([1, 3]))).toBeCloseTo(0.625, 12)
    // rows of three: row means 1/3 and 1; weights 3 and 1: (1 + 1) / 4
    expect(once(M.binaryAccuracy(), tensor([[1, 1, 1], [0, 0, 0]]), tensor([[0.9, 0.1, 0.1], [0.1, 0.1, 0.1]]), tensor([3, 1]))).toBeCloseTo(0.5, 12)
    // a metric whose values are not reduced per row (Keras Mean): weights broadcast over the row, Σ v·w / Σ w = 28 / 8
    expect(once(M.mean(), tensor([[0, 0], [0, 0]]), tensor([[1, 3], [2, 6]]), tensor([1, 3]))).toBeCloseTo(3.5, 12)
    expect(once(M.mean(), tensor([[0, 0], [0, 0]]), tensor([[1, 3], [2, 6]]))).toBeCloseTo(3, 12)
  })

  it('by name: logged under the string given, and crossentropies from probabilities unless the context says logits', () => {
    const byName = (n: string, ctx: M.MetricContext = {}): M.AnyMetric => {
      const r = M.metricFromName(n, ctx)
      if (E.isLeft(r)) throw new Error(r.left.message)
      return r.right
    }
    expect(byName('mae').name).toBe('mae')
    expect(byName('binary_crossentropy').name).toBe('binary_crossentropy')
    const t = tensor([[1], [0]])
    const p = tensor([[0.8], [0.3]])
    expect(once(byName('binary_crossentropy'), t, p)).toBeCloseTo(once(M.binaryCrossentropy(), t, p), 6)
    expect(once(byName('binary_crossentropy', { fromLogits: true }), t, p)).toBeCloseTo(once(M.binaryCrossentropy({ fromLogits: true }), t, p), 6)
    const tc = tensor([[0, 1], [1, 0]])
    const pc = tensor([[0.2, 0.8], [0.6, 0.4]])
    expect(once(byName('categorical_crossentropy'), tc, pc)).toBeCloseTo(once(M.categoricalCrossentropy(), tc, pc), 6)
    const ts = tensor([1, 0])
    expect(once(byName('sparse_categorical_crossentropy'), ts, pc)).toBeCloseTo(once(M.sparseCategoricalCrossentropy(), ts, pc), 6)
  })

  // Keras 2.15 AUC(curve='PR', summation_method='interpolation') is interpolate_pr_auc (Davis & Goadrich):
  // per segment i, with P = TP + FP, slope = dTP / dP, intercept = TP[i+1] − slope·P[i+1], the area is
  // slope·(dTP + intercept·ln(P[i] / P[i+1])) / (TP[i+1] + FN[i+1]), a ratio of 1 where a P is 0.
  it('AUC PR interpolation: Keras interpolate_pr_auc, worked by hand', () => {
    // 3 thresholds (−ε, 0.5, 1+ε): TP = [3, 2, 0], FP = [1, 1, 0], FN = [0, 1, 3], P = [4, 3, 0]
    // segment 0: slope 1, intercept −1, (1 − ln(4/3)) / 3; segment 1: slope 2/3, intercept 0, (2/3)·2 / 3
    const t = tensor([1, 1, 0, 1])
    const p = tensor([0.9, 0.8, 0.7, 0.2])
    expect(once(M.auc({ curve: 'PR', numThresholds: 3 }), t, p)).toBeCloseTo((1 - Math.log(4 / 3)) / 3 + 4 / 9, 6)
    // 4 thresholds (−ε, 1/3, 2/3, 1+ε), nothing above 2/3: TP = [3, 2, 0, 0], FP = [2, 1, 0, 0], FN = [0, 1, 3, 3]
    // segment 0: slope 1/2, intercept 1/2, (1/2)(1 + ½ ln(5/3)) / 3; segment 1: 4/9; segment 2 (P = 0 at both ends): 0
    const t2 = tensor([1, 0, 1, 1, 0])
    const p2 = tensor([0.5, 0.4, 0.6, 0.1, 0.2])
    expect(once(M.auc({ curve: 'PR', numThresholds: 4 }), t2, p2)).toBeCloseTo((0.5 * (1 + 0.5 * Math.log(5 / 3))) / 3 + 4 / 9, 6)
  })

  it('AUC PR minoring and majoring: recall steps times the lower or higher precision (Keras)', () => {
    // recall = [1, 2/3, 0], precision = [3/4, 2/3, 0] (0/0 is 0)
    const t = tensor([1, 1, 0, 1])
    const p = tensor([0.9, 0.8, 0.7, 0.2])
    expect(once(M.auc({ curve: 'PR', numThresholds: 3, summationMethod: 'minoring' }), t, p)).toBeCloseTo((1 / 3) * (2 / 3) + (2 / 3) * 0, 6)
    expect(once(M.auc({ curve: 'PR', numThresholds: 3, summationMethod: 'majoring' }), t, p)).toBeCloseTo((1 / 3) * (3 / 4) + (2 / 3) * (2 / 3), 6)
  })
})
