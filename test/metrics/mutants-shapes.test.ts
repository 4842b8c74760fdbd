/**
 * Tests that kill mutants of `hostPair` (Metric.ts: the one-axis alignment of yTrue and yPred, as Keras's
 * `squeeze_or_expand_dimensions`) and `metricFamily` (index.ts: which accuracy and crossentropy
 * 'accuracy' and 'crossentropy' become) that only test/train exercised (docs/laws.md, "Mutation testing").
 */
import { describe, it, expect } from 'vitest'
import { tensor, type Tensor } from '../../src/index.js'
import * as M from '../../src/metrics/index.js'

const once = <S>(m: M.Metric<S>, t: Tensor, p: Tensor, w?: Tensor): number => m.result(m.update(m.empty, t, p, w))

describe('hostPair: a trailing axis of 1 on one side', () => {
  // 4 samples; binary accuracy per sample is 1, 0, 0, 0; the weights keep the first sample only
  const t = [1, 1, 0, 0]
  const p = [0.9, 0.1, 0.8, 0.7]
  const w = tensor([1, 0, 0, 0], [4])

  it('yTrue [n, 1] against yPred [n]: one value per sample, weighted per sample', () => {
    expect(once(M.binaryAccuracy(), tensor(t, [4, 1]), tensor(p, [4]), w)).toBe(1)
    expect(once(M.binaryAccuracy(), tensor(t, [4, 1]), tensor(p, [4]))).toBe(0.25)
  })

  it('yTrue [n] against yPred [n, 1]: the same', () => {
    expect(once(M.binaryAccuracy(), tensor(t, [4]), tensor(p, [4, 1]), w)).toBe(1)
    expect(once(M.binaryAccuracy(), tensor(t, [4]), tensor(p, [4, 1]))).toBe(0.25)
  })

  it('yTrue [2, 2, 1] against yPred [2, 2]: rows of 2, weighted per row', () => {
    // rows [1, 0] and [1, 1] → 0.5 and 1; weight only the second row
    const yt = tensor([1, 1, 0, 0], [2, 2, 1])
    const yp = tensor([0.9, 0.1, 0.1, 0.2], [2, 2])
    expect(once(M.binaryAccuracy(), yt, yp, tensor([0, 1], [2]))).toBe(1)
    expect(once(M.binaryAccuracy(), yt, yp, tensor([1, 0], [2]))).toBe(0.5)
    // and the mirror: yTrue [2, 2] against yPred [2, 2, 1]
    const yt2 = tensor([1, 1, 0, 0], [2, 2])
    const yp2 = tensor([0.9, 0.1, 0.1, 0.2], [2, 2, 1])
    expect(once(M.binaryAccuracy(), yt2, yp2, tensor([0, 1], [2]))).toBe(1)
    expect(once(M.binaryAccuracy(), yt2, yp2, tensor([1, 0], [2]))).toBe(0.5)
  })

  it('same rank: no alignment — [2, 1] against [2, 2] is a size mismatch naming both shapes as given', () => {
    const r = () => once(M.binaryAccuracy(), tensor([1, 0], [2, 1]), tensor([0.9, 0.1, 0.2, 0.3], [2, 2]))
    expect(r).toThrow(expect.objectContaining({ _tag: 'ShapeMismatch', data: expect.objectContaining({ expected: [2, 2], actual: [2, 1] }) }))
  })

  it('ranks two apart: no alignment — yTrue [4, 1, 1] against yPred [4] is one row of 4', () => {
    // neither side is one axis longer, so the shapes are kept: yPred [4] is one row of 4
    expect(once(M.binaryAccuracy(), tensor(t, [4, 1, 1]), tensor(p, [4]), tensor([1], [1]))).toBe(0.25)
  })

  it('a trailing axis that is not 1 is not squeezed: yTrue [2, 2] against yPred [2] is a size mismatch', () => {
    const r = () => once(M.binaryAccuracy(), tensor([1, 0, 1, 0], [2, 2]), tensor([0.9, 0.1], [2]))
    expect(r).toThrow(expect.objectContaining({ _tag: 'ShapeMismatch', data: expect.objectContaining({ expected: [2], actual: [2, 2] }) }))
    const r2 = () => once(M.binaryAccuracy(), tensor([0.9, 0.1], [2]), tensor([1, 0, 1, 0], [2, 2]))
    expect(r2).toThrow(expect.objectContaining({ _tag: 'ShapeMismatch', data: expect.objectContaining({ expected: [2, 2], actual: [2] }) }))
  })
})

describe('hostPair: rows for the metrics that read whole rows', () => {
  const yp = [0.2, 0.8, 0.0, 0.1, 0.9, 0.0] // argmax 1 and 1
  const yt = [1, 0, 0, 0, 1, 0] // argmax 0 and 1

  it('categorical accuracy with yTrue [2, 3, 1] against yPred [2, 3]: argmax over rows of 3', () => {
    expect(once(M.categoricalAccuracy(), tensor(yt, [2, 3, 1]), tensor(yp, [2, 3]))).toBe(0.5)
  })

  it('categorical accuracy with yTrue [2, 3] against yPred [2, 3, 1]: the same rows', () => {
    expect(once(M.categoricalAccuracy(), tensor(yt, [2, 3]), tensor(yp, [2, 3, 1]))).toBe(0.5)
  })

  it('a size mismatch names the shapes after the alignment (as Keras, which squeezes before it compares)', () => {
    const err = (t: Tensor, p: Tensor) => {
      try {
        once(M.binaryAccuracy(), t, p)
      } catch (e) {
        return { tag: (e as { _tag: string })._tag, ...(e as { data: { expected: unknown; actual: unknown } }).data }
      }
      return undefined
    }
    expect(err(tensor([1, 0, 1], [3, 1]), tensor([1, 0, 1, 0], [4]))).toMatchObject({ tag: 'ShapeMismatch', expected: [4, 1], actual: [3, 1] })
    expect(err(tensor([1, 0, 1], [3]), tensor([1, 0, 1, 0], [4, 1]))).toMatchObject({ tag: 'ShapeMismatch', expected: [4, 1], actual: [3, 1] })
    expect(err(tensor(yt, [2, 3, 1]), tensor([1, 0, 1, 0], [2, 2]))).toMatchObject({ tag: 'ShapeMismatch', expected: [2, 2], actual: [2, 3] })
    expect(err(tensor([1, 0, 1, 0], [2, 2]), tensor(yp, [2, 3, 1]))).toMatchObject({ tag: 'ShapeMismatch', expected: [2, 3], actual: [2, 2] })
  })
})

describe('metricFamily: its rules one by one', () => {
  it('a loss decides before shapes; an unknown loss name decides nothing', () => {
    expect(M.metricFamily({ loss: 'BinaryCrossentropy', outputShape: [null, 3], targetShape: [null, 3] })).toBe('binary')
    expect(M.metricFamily({ loss: 'sparse_categorical_crossentropy', outputShape: [null, 3], targetShape: [null, 3] })).toBe('sparse')
    expect(M.metricFamily({ loss: 'no_such_loss', outputShape: [null, 3], targetShape: [null] })).toBe('sparse')
    expect(M.metricFamily({ loss: 'mse', outputShape: [null, 3], targetShape: [null, 3] })).toBe('categorical')
  })

  it('an output of one unit is binary; a scalar output is not', () => {
    expect(M.metricFamily({ outputShape: [null, 1] })).toBe('binary')
    expect(M.metricFamily({ outputShape: [] })).toBe('categorical')
    expect(M.metricFamily({ outputShape: [], targetShape: [] })).toBe('categorical')
  })

  it('shapes decide only when both are known', () => {
    expect(M.metricFamily({ outputShape: [null, 10] })).toBe('categorical')
    expect(M.metricFamily({ targetShape: [null] })).toBe('categorical')
    expect(M.metricFamily({ targetShape: [null, 1] })).toBe('categorical')
  })

  it('a target of lower rank is sparse; a scalar target against a vector output too', () => {
    expect(M.metricFamily({ outputShape: [null, 10], targetShape: [null] })).toBe('sparse')
    expect(M.metricFamily({ outputShape: [10], targetShape: [] })).toBe('sparse')
  })

  it("a target ending in 1 is sparse only against an output wider than 1 whose last size is known", () => {
    expect(M.metricFamily({ outputShape: [null, 10], targetShape: [null, 1] })).toBe('sparse')
    expect(M.metricFamily({ outputShape: [null, 10], targetShape: [null, 2] })).toBe('categorical')
    expect(M.metricFamily({ outputShape: [null, null], targetShape: [null, 1] })).toBe('categorical')
    expect(M.metricFamily({ outputShape: [null, 0], targetShape: [null, 1] })).toBe('categorical')
  })
})
