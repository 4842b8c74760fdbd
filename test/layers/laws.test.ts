import { describe, it, expect } from 'vitest'
import fc from 'fast-check'
import {
  shapeLaw, seedLaw, inferenceIdentityLaw, associativityLaw, identityLaw, layerCaseArb, chainArb
} from '../../laws/index.js'
import { key, dropout, dense, sequential, layers, type AnyLayer } from '../../src/index.js'

const RUNS = Number(process.env.LAW_RUNS ?? 30)

describe('layer laws', () => {
  it('the arbitraries are not degenerate', () => {
    const labels = new Set(fc.sample(layerCaseArb, { numRuns: 100, seed: 1 }).map((c) => c.layer.kind + JSON.stringify(c.inputShape)))
    expect(labels.size).toBeGreaterThan(30)
    const kinds = new Set(fc.sample(layerCaseArb, { numRuns: 200, seed: 2 }).map((c) => c.layer.kind))
    const windowed = (k: string) => /Conv|Pooling/.test(k)
    expect([...kinds].filter((k) => !windowed(k)).sort()).toEqual(['Activation', 'Dense', 'Dropout', 'Flatten', 'GRU', 'Identity', 'LSTM', 'LeakyReLU', 'Reshape', 'SimpleRNN'])
    expect([...kinds].filter(windowed).length).toBeGreaterThan(5)
    expect(new Set(fc.sample(chainArb, { numRuns: 50, seed: 3 }).map((c) => JSON.stringify(c.inputShape))).size).toBeGreaterThan(10)
  })
  it("init's output shape equals apply's output shape, for every layer on random shapes (inference and training)", () => {
    fc.assert(fc.property(layerCaseArb, fc.integer({ min: 1, max: 4 }), (c, batch) => {
      expect(shapeLaw(c.layer, c.inputShape, batch), c.label).toBe(true)
      expect(shapeLaw(c.layer, c.inputShape, batch, true), c.label).toBe(true)
    }), { numRuns: RUNS })
  })
  it('same key, same params', () => {
    fc.assert(fc.property(layerCaseArb, fc.integer(), (c, s) => seedLaw(c.layer, c.inputShape, key(s))), { numRuns: RUNS })
    expect(seedLaw(dense(3) as AnyLayer, [null, 2], key(1))).toBe(true)
  })
  it('dropout in inference is the identity', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 0.95, noNaN: true }), fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 }), fc.integer(), (rate, s, k) =>
        inferenceIdentityLaw(dropout(rate) as AnyLayer, [null, ...s], key(k))
      ),
      { numRuns: RUNS }
    )
    // the predicate can fail: a dense layer is not the identity
    expect(inferenceIdentityLaw(dense(2) as AnyLayer, [null, 2], key(0))).toBe(false)
  })
  it('sequential is associative', () => {
    fc.assert(fc.property(chainArb, (c) => associativityLaw(c.layers[0], c.layers[1], c.layers[2], c.inputShape)), { numRuns: RUNS })
  })
  it('identity() is a unit of sequential on both sides', () => {
    fc.assert(fc.property(layerCaseArb, (c) => identityLaw(c.layer, c.inputShape)), { numRuns: RUNS })
    expect(identityLaw(sequential([dense(2), layers.relu()]) as unknown as AnyLayer, [null, 3])).toBe(true)
  })
})
