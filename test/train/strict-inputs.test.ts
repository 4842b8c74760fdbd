/**
 * No silent wrong answers (issue 13): labels a built-in loss cannot take, targets whose shape does not
 * match their output, and non-finite features are refused before any step, with the batch and index.
 */
import { describe, it, expect } from 'vitest'
import * as E from 'fp-ts/lib/Either.js'
import { sequential, dense, tensor, Trainer, Loss, sparseCategoricalCrossentropy, type TfError, type Tensor } from '../../src/index.js'

const compile = (units: number, loss: unknown, activation = 'linear') => {
  const t = Trainer.compile(sequential([dense(units, { inputShape: [2], activation: activation as never })]), { optimizer: 'sgd', loss: loss as never, seed: 1 })
  if (E.isLeft(t)) throw new Error(t.left.message)
  return t.right
}
const xs = (n: number) => tensor(Array.from({ length: n }, (_, i) => [i / n, 1 - i / n]))
const left = <A>(r: E.Either<TfError, A>): TfError => {
  if (E.isRight(r)) throw new Error('expected a Left')
  return r.left
}

describe('labels a built-in loss cannot take are refused before any step', () => {
  for (const bad of [3, -1, 100, 1.5]) {
    it(`sparse categorical crossentropy, label ${bad}, 3 classes: fit, evaluate, trainOnBatch, testOnBatch`, async () => {
      const t = compile(3, 'sparse_categorical_crossentropy', 'softmax')
      const y = tensor([0, 1, 2, bad, 1, 0])
      const f = left(await Trainer.fit(t, xs(6), y, { verbose: 0, batchSize: 2 })())
      expect(f._tag).toBe('InvalidLabels')
      expect(f).toMatchObject({ index: 3, received: bad, where: 'y' })
      expect(f.message).toContain(`label ${bad}`)
      expect(f.message).toContain('integer class ids in [0, 3)')
      const ev = left(await Trainer.evaluate(t, xs(6), y, { verbose: 0, batchSize: 2 })())
      expect(ev).toMatchObject({ _tag: 'InvalidLabels', batch: 1, index: 1 })
      expect(left(Trainer.trainOnBatch(t, xs(6), y))).toMatchObject({ _tag: 'InvalidLabels', batch: 0, index: 3 })
      expect(left(Trainer.testOnBatch(t, xs(6), y))).toMatchObject({ _tag: 'InvalidLabels', index: 3 })
    })
  }
  it('by function and with a reduction too; [n, 1] ids and valid ids train', async () => {
    for (const loss of [sparseCategoricalCrossentropy, Loss.withReduction(sparseCategoricalCrossentropy, 'sum'), 'SparseCategoricalCrossentropy', sparseCategoricalCrossentropy({ reduction: 'sum' })]) {
      const t = compile(3, loss, 'softmax')
      expect(left(await Trainer.fit(t, xs(4), tensor([0, 1, 7, 2]), { verbose: 0 })())._tag).toBe('InvalidLabels')
      expect(E.isRight(await Trainer.fit(t, xs(4), tensor([[0], [1], [2], [2]]), { verbose: 0 })())).toBe(true)
    }
  })
  it('an iterable of batches: the bad batch is named, and checked before its step', async () => {
    const t = compile(3, 'sparse_categorical_crossentropy', 'softmax')
    const batches = [
      [xs(2), tensor([0, 1])],
      [xs(2), tensor([2, 1])],
      [xs(2), tensor([1, 3])]
    ] as const
    const e = left(await Trainer.fit(t, batches.values(), undefined, { verbose: 0 })())
    expect(e).toMatchObject({ _tag: 'InvalidLabels', batch: 2, index: 1, received: 3 })
  })
  for (const bad of [5, -3, 1.5]) {
    it(`binary crossentropy, label ${bad}`, async () => {
      const t = compile(1, 'binary_crossentropy', 'sigmoid')
      const e = left(await Trainer.fit(t, xs(3), tensor([[0], [1], [bad]]), { verbose: 0 })())
      expect(e).toMatchObject({ _tag: 'InvalidLabels', index: 2, received: bad })
      expect(e.message).toContain('values in [0, 1]')
    })
  }
  it('binary crossentropy takes soft labels in [0, 1]; mse takes any finite target', async () => {
    expect(E.isRight(await Trainer.fit(compile(1, 'binary_crossentropy', 'sigmoid'), xs(3), tensor([[0], [0.25], [1]]), { verbose: 0 })())).toBe(true)
    expect(E.isRight(await Trainer.fit(compile(1, 'mse'), xs(3), tensor([[5], [-3], [100]]), { verbose: 0 })())).toBe(true)
  })
})

describe('a target whose shape does not match its output is an error before the first step', () => {
  it('y [64, 2] for an output [64, 1] (mse, binary crossentropy)', async () => {
    for (const [loss, act] of [['mse', 'linear'], ['binary_crossentropy', 'sigmoid']] as const) {
      const y = tensor(Array.from({ length: 64 }, (_, i) => [i % 2, (i + 1) % 2]))
      const e = left(await Trainer.fit(compile(1, loss, act), xs(64), y, { verbose: 0 })())
      expect(e._tag).toBe('ShapeMismatch')
      expect(e).toMatchObject({ expected: [1], actual: [2] })
      expect(left(Trainer.trainOnBatch(compile(1, loss, act), xs(64), y))._tag).toBe('ShapeMismatch')
      expect(left(await Trainer.evaluate(compile(1, loss, act), xs(64), y, { verbose: 0 })())._tag).toBe('ShapeMismatch')
    }
  })
  it('Keras\'s one-axis rule still holds: y [n] for [n, 1]; sparse ids [n] or [n, 1] for [n, k]; one-hot targets with a sparse loss are refused', async () => {
    expect(E.isRight(await Trainer.fit(compile(1, 'mse'), xs(4), tensor([1, 2, 3, 4]), { verbose: 0 })())).toBe(true)
    const t = compile(3, 'sparse_categorical_crossentropy', 'softmax')
    expect(E.isRight(await Trainer.fit(t, xs(2), tensor([0, 2]), { verbose: 0 })())).toBe(true)
    expect(E.isRight(await Trainer.fit(t, xs(2), tensor([[0], [2]]), { verbose: 0 })())).toBe(true)
    const e = left(await Trainer.fit(t, xs(2), tensor([[1, 0, 0], [0, 0, 1]]), { verbose: 0 })())
    expect(e._tag).toBe('ShapeMismatch')
    expect(e.message).toContain('class ids')
  })
  it('a custom loss function receives its targets as given (no rule)', async () => {
    const mine = (yt: Tensor, yp: Tensor): Tensor => Loss.meanSquaredError(yt, yp)
    const y = tensor(Array.from({ length: 4 }, () => [1, 0]))
    expect(E.isRight(await Trainer.fit(compile(1, mine), xs(4), y, { verbose: 0 })())).toBe(true)
  })
})

describe('NaN and ±Infinity in x are refused, unless checkFiniteInputs: false', () => {
  for (const bad of [NaN, Infinity, -Infinity]) {
    it(`x with ${bad}`, async () => {
      const x = tensor([
        [0, 1],
        [2, 3],
        [4, bad]
      ])
      const y = tensor([[1], [2], [3]])
      const t = compile(1, 'mse')
      const e = left(await Trainer.fit(t, x, y, { verbose: 0 })())
      expect(e).toMatchObject({ _tag: 'InvalidFeatures', where: 'x', index: 2, position: 1 })
      expect(e.message).toContain('checkFiniteInputs: false')
      expect(left(await Trainer.evaluate(t, x, y, { verbose: 0 })())._tag).toBe('InvalidFeatures')
      expect(left(Trainer.trainOnBatch(t, x, y))._tag).toBe('InvalidFeatures')
      expect(left(Trainer.testOnBatch(t, x, y))._tag).toBe('InvalidFeatures')
      const batches = [[x.toArray(), y.toArray()]].map(([a, b]) => [tensor(a as number[][]), tensor(b as number[][])] as const)
      expect(left(await Trainer.fit(t, batches.values(), undefined, { verbose: 0 })()).message).toContain('(batch 0)')
      // the check can be turned off: training then runs (to NaN weights, as Keras)
      expect(E.isRight(await Trainer.fit(t, x, y, { verbose: 0, checkFiniteInputs: false })())).toBe(true)
      expect(E.isRight(Trainer.testOnBatch(t, x, y, { checkFiniteInputs: false }))).toBe(true)
      // predict does not check: a non-finite feature stays in its own row
      expect(E.isRight(await Trainer.predict(t, x, { verbose: 0 })())).toBe(true)
    })
  }
})
