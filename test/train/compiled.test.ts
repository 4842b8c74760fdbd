import { describe, it, expect } from 'vitest'
import fc from 'fast-check'
import { sequential, dense, dropout, randomNormal, key } from '../../src/index.js'
import { compiledMatchesEager } from '../../laws/index.js'

const activations = ['relu', 'tanh', 'sigmoid', 'gelu', 'elu', 'softplus'] as const
const optimizers = ['sgd', 'adam', 'rmsprop', 'adagrad', 'nadam'] as const

describe('compiled = eager (law over random models and data)', () => {
  it('gives the same weights within float32 tolerance after N steps', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          inputs: fc.integer({ min: 1, max: 5 }),
          hidden: fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 1, maxLength: 3 }),
          act: fc.constantFrom(...activations),
          outputs: fc.integer({ min: 1, max: 3 }),
          rate: fc.constantFrom(0, 0.3),
          optimizer: fc.constantFrom(...optimizers),
          n: fc.integer({ min: 4, max: 24 }),
          batchSize: fc.integer({ min: 2, max: 8 }),
          seed: fc.integer({ min: 0, max: 1000 })
        }),
        async (c) => {
          const layers = c.hidden.flatMap((h, i) => [dense(h, { activation: c.act, ...(i === 0 ? { inputShape: [c.inputs] } : {}) }), ...(c.rate > 0 ? [dropout(c.rate)] : [])])
          const model = sequential([...layers, dense(c.outputs)], { seed: c.seed })
          const x = randomNormal(key(c.seed), [c.n, c.inputs])
          const y = randomNormal(key(c.seed + 1), [c.n, c.outputs])
          const r = await compiledMatchesEager(model, { optimizer: c.optimizer, loss: 'mse', seed: c.seed }, x, y, { epochs: 2, batchSize: c.batchSize, shuffle: true })
          expect(r.ok, `worst ${r.worst}, max |Δ| ${r.maxAbsDiff}`).toBe(true)
        }
      ),
      { numRuns: 12 }
    )
  })
})
