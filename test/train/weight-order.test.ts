/**
 * Issue 15 item 14 — Keras keeps each layer's weights in the order the layer made them (Dense: kernel,
 * then bias; Keras 2.15 `Layer.weights` is `trainable_weights + non_trainable_weights` in creation order,
 * and `Model.get_weights`/`set_weights` follow it), so `fresh.set_weights(trained.get_weights())` works.
 * The law: the weight names are the same list, in the same order, before and after `fit`, `trainOnBatch`,
 * `withLearningRate`, `setWeights`, save/load, whatever the optimizer.
 */
import { describe, it, expect, beforeAll } from 'vitest'
import fc from 'fast-check'
import { mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { sequential, dense, tensor, save, load, loadTrainer, Tree, type ModelLike } from '../../src/index.js'
import * as Tr from '../../src/train/index.js'
import { regression, run } from './helpers.js'

const root = join(process.cwd(), 'tmp', 'test-weight-order')
beforeAll(() => {
  rmSync(root, { recursive: true, force: true })
  mkdirSync(root, { recursive: true })
})

type Weighted = ModelLike & { readonly weights: ReadonlyArray<{ readonly name: string }> }
const names = (m: ModelLike): ReadonlyArray<string> => (m as Weighted).weights.map((w) => w.name)

describe('weight order (Keras: kernel before bias, always)', () => {
  it('Tree.map, zipWith and unflatten keep a record in its own key order', () => {
    const t = { kernel: tensor([1]), bias: tensor([2]), a: [{ z: tensor([3]), y: tensor([4]) }] }
    expect(Object.keys(Tree.map(t, (x) => x))).toEqual(['kernel', 'bias', 'a'])
    expect(Object.keys(Tree.zipWith(t, t, (x) => x).a[0])).toEqual(['z', 'y'])
    expect(Object.keys(Tree.unflatten(Tree.structure(t), Tree.leaves(t)))).toEqual(['kernel', 'bias', 'a'])
    // the leaf order stays the sorted one (saved files and optimizer states number leaves by it)
    expect(Tree.leaves(t).map((x) => x.toArray())).toEqual([[4], [3], [2], [1]])
    // two records with the same keys written in another order have the same structure
    expect(Tree.sameStructure(Tree.structure({ b: tensor([1]), k: tensor([1]) }), Tree.structure({ k: tensor([1]), b: tensor([1]) }))).toBe(true)
    expect(Tree.sameStructure(Tree.structure({ b: tensor([1]) }), Tree.structure({ c: tensor([1]) }))).toBe(false)
  })

  it('law: the same names in the same order after fit, trainOnBatch, withLearningRate, setWeights (any optimizer, eager or compiled)', async () => {
    const { x, y } = regression(16)
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('sgd', 'adam', 'rmsprop', 'adagrad'), fc.boolean(), fc.integer({ min: 1, max: 3 }), async (optimizer, runEagerly, depth) => {
        const layers = [dense(3, { inputShape: [3], activation: 'tanh' }), ...Array.from({ length: depth }, () => dense(2)), dense(1)]
        const m = sequential(layers)
        const before = names(m)
        expect(before[0]).toBe('dense/kernel')
        expect(before[1]).toBe('dense/bias')
        const t = Tr.compileOrThrow(m, { optimizer, loss: 'mse', runEagerly })
        const fitted = await run(Tr.fit(t, x, y, { epochs: 2, batchSize: 8, verbose: 0 }))
        expect(names(fitted.trainer.model)).toEqual(before)
        const [stepped] = fitted.trainer.trainOnBatch(x, y)
        expect(names(stepped.model)).toEqual(before)
        const lr = stepped.withLearningRate(0.5)
        expect(E.isRight(lr) && names(lr.right.model)).toEqual(before)
        // the Keras idiom: a fresh model takes the trained weights as a list
        const trained = stepped.model as unknown as { getWeights(): ReadonlyArray<never> }
        const fresh = sequential(layers).setWeights(trained.getWeights())
        expect(names(fresh)).toEqual(before)
        expect(fresh.getWeights().map((w) => w.toArray())).toEqual(trained.getWeights().map((w: { toArray(): unknown }) => w.toArray()))
      }),
      { numRuns: 6, seed: 15 }
    )
  })

  it('law: the same names in the same order after save/load of a fitted model and of a trainer', async () => {
    const { x, y } = regression(16)
    const m = sequential([dense(3, { inputShape: [3] }), dense(1)])
    const t = Tr.compileOrThrow(m, { optimizer: 'adam', loss: 'mse' })
    const { trainer } = await run(Tr.fit(t, x, y, { epochs: 1, batchSize: 8, verbose: 0 }))
    await save(trainer, join(root, 'a'))
    const m2 = await load(join(root, 'a'))
    expect(names(m2)).toEqual(names(m))
    const t2 = await loadTrainer(join(root, 'a'))
    expect(names(t2.model)).toEqual(names(m))
    const again = await run(Tr.fit(t2, x, y, { epochs: 1, batchSize: 8, verbose: 0 }))
    expect(names(again.trainer.model)).toEqual(names(m))
  })
})
