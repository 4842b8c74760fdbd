/**
 * Tests that kill mutants StrykerJS found surviving in src/losses (docs/laws.md, "Mutation testing"):
 * the edges of `reduce` and `withReduction` (reduction.ts).
 */
import { describe, it, expect } from 'vitest'
import { tensor, dataSync } from '../../src/index.js'
import * as L from '../../src/losses/index.js'

const invalid = (f: () => unknown, more: Record<string, unknown> = {}): void =>
  expect(f).toThrow(expect.objectContaining({ _tag: 'InvalidOption', data: expect.objectContaining(more) }))

describe('reduction: mutants killed', () => {
  it('reduce: integer sample weights are cast, and an empty batch reduces to 0 (Keras divides by max(1, size))', () => {
    const l = tensor([1, 2, 3, 4])
    const w = tensor([1, 0, 0, 1], undefined, 'int32')
    expect(L.reduce(l, w).item()).toBe(1.25)
    expect(L.reduce(tensor([], [0]), tensor([], [0])).item()).toBe(0)
  })

  it('withReduction refuses what is not a function, and names the nearest reduction', () => {
    invalid(() => L.withReduction('mse' as never), { path: 'loss' })
    invalid(() => L.withReduction(L.meanSquaredError, 'summ' as never), { path: 'reduction', nearest: 'sum' })
    invalid(() => L.withReduction(L.meanSquaredError, 3 as never), { path: 'reduction', nearest: undefined })
  })

  it('withReduction of a reduced loss starts again from its per-sample loss', () => {
    const t = tensor([[1, 2], [3, 4]])
    const p = tensor([[1, 3], [3, 6]])
    const none = L.withReduction(L.withReduction(L.meanSquaredError, 'sum'), 'none')
    expect(Array.from(dataSync(none(t, p)))).toEqual([0.5, 2])
    expect(none.perSample).toBe(L.meanSquaredError)
    expect(L.reductionOf(none)).toEqual({ reduction: 'none', perSample: L.meanSquaredError })
    const plain = (a: Parameters<L.LossFn>[0], b: Parameters<L.LossFn>[1]) => L.meanSquaredError(a, b)
    expect(L.reductionOf(plain)).toEqual({ reduction: 'sum_over_batch_size', perSample: plain })
  })

  it("a built-in loss keeps its name, and refuses an unknown option naming the nearest", () => {
    expect(L.meanSquaredError.name).toBe('meanSquaredError')
    expect(L.binaryCrossentropy.name).toBe('binaryCrossentropy')
    invalid(() => L.binaryCrossentropy({ fromLogit: true } as never), { path: 'fromLogit', nearest: 'fromLogits' })
  })
})
