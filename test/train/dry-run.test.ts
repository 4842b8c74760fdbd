/**
 * The dry run that checks a model and its losses on one sample before `fit`, `evaluate` and `predict`
 * (`engine.ts` `dryRun`) runs with shapes only: it builds no kernel for the one-sample shapes (the CNN
 * bench's first step spent ~110 ms on them), and runs with values only where shapes are not enough.
 */
import { describe, it, expect } from 'vitest'
import * as E from 'fp-ts/lib/Either.js'
import { sequential, dense, item, sum, sub, mul, mean, type Tensor } from '../../src/index.js'
import { dryRun, ready } from '../../src/train/engine.js'
import { arrayBatch } from '../../src/train/batches.js'
import { prepareArrays, type TensorBatch } from '../../src/train/data.js'
import { onWebasm } from '../compile/on-webasm.js'
import { compiled } from './helpers.js'

/** `n` samples of 13 features and 3 targets (sizes no other test uses, so no kernel of them is cached) */
const batch = (n: number): TensorBatch => {
  const d = prepareArrays(
    Array.from({ length: n }, (_, i) => Array.from({ length: 13 }, (_, j) => (i + j) / 10)),
    Array.from({ length: n }, (_, i) => [i, 0, 1]),
    undefined,
    { op: 't', inputNames: ['x'], outputNames: ['y'], inputShapes: [[null, 13]] },
    true
  )
  if (E.isLeft(d)) throw new Error(d.left.message)
  return arrayBatch(d.right, 0, n)
}

const model = () => sequential([dense(11, { inputShape: [13], activation: 'relu' }), dense(3)], { seed: 1 })

describe('the dry run before fit, evaluate and predict', () => {
  it('checks the shapes with shapes only: the prediction shapes of one sample, and no kernel built', () => {
    onWebasm((be) => {
      const t = ready(compiled(model(), { optimizer: 'sgd', loss: 'mse' }), [[5, 13]], 'fit')
      if (E.isLeft(t)) throw new Error(t.left.message)
      be.clearKernels()
      const built = be.cacheStats().created
      expect(dryRun(t.right, batch(5), 'fit')).toEqual(E.right([[1, 3]]))
      expect(be.cacheStats().created).toBe(built)
    })
  })

  it('a loss that reads a value back runs again with values, and gives the same shapes', () => {
    onWebasm((be) => {
      const reads: number[] = []
      const peeking = (yTrue: Tensor, yPred: Tensor): Tensor => {
        const d = sub(yPred, yTrue)
        reads.push(item(sum(d)))
        return mean(mul(d, d), -1)
      }
      const t = ready(compiled(model(), { optimizer: 'sgd', loss: peeking }), [[5, 13]], 'fit')
      if (E.isLeft(t)) throw new Error(t.left.message)
      be.clearKernels()
      const built = be.cacheStats().created
      expect(dryRun(t.right, batch(5), 'fit')).toEqual(E.right([[1, 3]]))
      // the value run computed it: kernels were built, and the loss read a number
      expect(be.cacheStats().created).toBeGreaterThan(built)
      expect(reads.length).toBeGreaterThanOrEqual(1)
      expect(Number.isFinite(reads[reads.length - 1])).toBe(true)
    })
  })

})
