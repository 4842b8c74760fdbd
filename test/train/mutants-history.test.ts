/**
 * Tests that kill mutants StrykerJS found surviving in src/train/History.ts (docs/laws.md, "Mutation
 * testing"): the run's params are kept.
 */
import { describe, it, expect } from 'vitest'
import { emptyHistory, appendEpoch } from '../../src/train/History.js'

describe('History: mutants killed', () => {
  it('emptyHistory keeps a copy of the params, and appendEpoch carries them on', () => {
    const params = { verbose: 0, epochs: 3, steps: 10 } as const
    const h = emptyHistory(params)
    expect(h.params).toEqual(params)
    expect(h.params).not.toBe(params)
    const h1 = appendEpoch(h, 0, { loss: 0.5 })
    expect(h1.params).toEqual(params)
    expect(h1.history).toEqual({ loss: [0.5] })
    expect(h1.epoch).toEqual([0])
  })
})
