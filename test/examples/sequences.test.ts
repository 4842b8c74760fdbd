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

describe('examples/transformer.ts (a causal Transformer encoder block)', () => {
  it('generates the running maximum deterministically', async () => {
    const { makeData: tokens } = await import('../../examples/sequences/transformer.js')
    const a = tokens(3, 6, 12, 1)
    const xs = toArray(a.x) as number[][]
    const ys = toArray(a.y) as number[][]
    xs.forEach((r, i) => r.forEach((_, t) => expect(ys[i][t]).toBe(Math.max(...r.slice(0, t + 1)))))
    expect(toArray(tokens(3, 6, 12, 1).x)).toEqual(xs)
  })
  it('learns the task in a short run, far above the most frequent answer per step', async () => {
    const { runTransformer } = await import('../../examples/sequences/transformer.js')
    const { accuracy, baseline } = await runTransformer({ n: 800, epochs: 3 })
    expect(baseline).toBeLessThan(0.6)
    expect(accuracy).toBeGreaterThan(0.9)
  }, 120_000)
})
