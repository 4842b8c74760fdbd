/**
 * Tests that kill mutants StrykerJS found surviving in src/optimizers/schedule.ts (docs/laws.md,
 * "Mutation testing"): bad schedule options are refused, and cosineDecay's warmup ramps from the
 * initial rate to the target.
 */
import { describe, it, expect } from 'vitest'
import * as O from '../../src/optimizers/index.js'

const refused = (f: () => unknown): void => expect(f).toThrow(expect.objectContaining({ _tag: 'InvalidArgument' }))

describe('schedules: mutants killed', () => {
  it('refuses options that are not numbers of the right sign', () => {
    refused(() => O.exponentialDecay({ initialLearningRate: 0.1, decaySteps: 0, decayRate: 0.5 }))
    refused(() => O.exponentialDecay({ initialLearningRate: 0.1, decaySteps: Infinity, decayRate: 0.5 }))
    refused(() => O.exponentialDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: -0.5 }))
    refused(() => O.exponentialDecay({ initialLearningRate: '0.1' as unknown as number, decaySteps: 10, decayRate: 0.5 }))
    refused(() => O.cosineDecay({ initialLearningRate: 1, decaySteps: 10, warmupSteps: -1, warmupTarget: 2 }))
    refused(() => O.cosineDecay({ initialLearningRate: 1, decaySteps: 10, warmupSteps: Infinity, warmupTarget: 2 }))
    expect(() => O.cosineDecay({ initialLearningRate: 1, decaySteps: 10, warmupSteps: 0 })).not.toThrow()
    expect(() => O.exponentialDecay({ initialLearningRate: 0.1, decaySteps: 1e-3, decayRate: 0.5 })).not.toThrow()
  })

  it('piecewiseConstant refuses boundaries that do not increase, a wrong count of values, non-finite numbers', () => {
    refused(() => O.piecewiseConstant({ boundaries: [2, 1], values: [1, 2, 3] }))
    refused(() => O.piecewiseConstant({ boundaries: [1, 1], values: [1, 2, 3] }))
    refused(() => O.piecewiseConstant({ boundaries: [1], values: [1] }))
    refused(() => O.piecewiseConstant({ boundaries: [1], values: [1, NaN] }))
    refused(() => O.piecewiseConstant({ boundaries: '1' as unknown as number[], values: [1, 2] }))
    expect(() => O.piecewiseConstant({ boundaries: [1, 2], values: [1, 2, 3] })).not.toThrow()
  })

  it('cosineDecay warms up linearly from initialLearningRate to warmupTarget, then decays from the target', () => {
    const s = O.cosineDecay({ initialLearningRate: 0.2, decaySteps: 10, warmupSteps: 4, warmupTarget: 1 })
    expect(s(0)).toBeCloseTo(0.2, 6)
    expect(s(2)).toBeCloseTo(0.6, 6)
    expect(s(4)).toBeCloseTo(1, 6)
    expect(s(9)).toBeCloseTo(0.5 * (1 + Math.cos(Math.PI * 0.5)), 6)
  })
})
