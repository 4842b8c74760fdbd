/** The sequence examples, shortened, run as tests. */
import { describe, it, expect } from 'vitest'
import { runClassifier, makeData } from '../../examples/sequences/classifier.js'
import { toArray } from '../../src/index.js'

describe('examples/lstm.ts (Embedding + LSTM classifier)', () => {
  it('generates balanced, padded data deterministically', () => {
    const a = makeData(200, 12, 1)
    const labels = (toArray(a.y) as number[][]).map((r) => r[0])
    const pos = labels.filter((v) => v === 1).length
    expect(pos).toBeGreaterThan(40)
    expect(pos).toBeLessThan(160)
    expect(toArray(makeData(5, 12, 3).x)).toEqual(toArray(makeData(5, 12, 3).x))
  })
  it('learns the task well above chance in a short run', async () => {
    const { accuracy } = await runClassifier({ n: 600, epochs: 4 })
    expect(accuracy).toBeGreaterThan(0.7)
  }, 120_000)
})
