/**
 * Failures in the middle of a run are tagged and lose nothing (issue 13): a callback that answers a
 * malformed decision or throws, and a batch source that throws mid-epoch, end `fit` with a tagged error
 * that carries the trainer as it was after the last completed step (as an AbortSignal does).
 */
import { describe, it, expect } from 'vitest'
import * as E from 'fp-ts/lib/Either.js'
import { sequential, dense, tensor, dataSync, Trainer, Tree, type TfError } from '../../src/index.js'

const compile = () => {
  const t = Trainer.compile(sequential([dense(2, { inputShape: [2] })]), { optimizer: 'adam', loss: 'mse', seed: 5 })
  if (E.isLeft(t)) throw new Error(t.left.message)
  return t.right
}
const batch = (i: number) => [tensor([[i, 1], [1, -i]]), tensor([[1, 0], [0, i]])] as const
const weights = (t: Trainer) => Tree.leaves(t.params).flatMap((l) => Array.from(dataSync(l)))
/** The trainer after fitting exactly the first `k` batches. */
const after = async (k: number) => {
  const r = await Trainer.fit(compile(), Array.from({ length: k }, (_, i) => batch(i)).values(), undefined, { verbose: 0 })()
  if (E.isLeft(r)) throw new Error(r.left.message)
  return r.right.trainer
}
const leftOf = <A>(r: E.Either<TfError, A>): TfError & { trainer?: Trainer; completedSteps?: number } => {
  if (E.isRight(r)) throw new Error('expected a Left')
  return r.left as never
}

describe('a callback that answers nonsense or throws', () => {
  const malformed: ReadonlyArray<readonly [string, unknown]> = [
    ['stop: "yes"', { stop: 'yes' }],
    ['a number', 42],
    ['an unknown key', { stopp: true }],
    ['a trainer that is not one', { trainer: { weights: [] } }],
    ['logs that are not numbers', { logs: { acc: 'high' } }]
  ]
  for (const [what, decision] of malformed)
    it(`${what}: InvalidDecision with the trainer after the last completed step`, async () => {
      const cb = { name: 'bad', init: () => null, onTrainBatchEnd: (_s: unknown, e: { batch: number }) => (e.batch === 2 ? decision : undefined) }
      const data = Array.from({ length: 5 }, (_, i) => batch(i))
      const e = leftOf(await Trainer.fit(compile(), data.values(), undefined, { verbose: 0, callbacks: [cb as never] })())
      expect(e._tag).toBe('InvalidDecision')
      expect(e).toMatchObject({ callback: 'bad', hook: 'onTrainBatchEnd' })
      expect(e.completedSteps).toBe(3)
      expect(e.trainer?.step).toBe(3)
      expect(weights(e.trainer as Trainer)).toEqual(weights(await after(3)))
    })
  it('a hook that throws: CallbackError with the trainer; a throw in onTrainBegin carries the untrained trainer', async () => {
    const cb = {
      name: 'boom',
      init: () => null,
      onTrainBatchBegin: (_s: unknown, e: { batch: number }) => {
        if (e.batch === 1) throw new Error('kaboom')
      }
    }
    const e = leftOf(await Trainer.fit(compile(), [batch(0), batch(1), batch(2)].values(), undefined, { verbose: 0, callbacks: [cb as never] })())
    expect(e._tag).toBe('CallbackError')
    expect(e.message).toContain('kaboom')
    expect(weights(e.trainer as Trainer)).toEqual(weights(await after(1)))
    const early = { name: 'early', init: () => null, onTrainBegin: () => 7 }
    const e2 = leftOf(await Trainer.fit(compile(), tensor([[1, 2]]), tensor([[1, 2]]), { verbose: 0, callbacks: [early as never] })())
    expect(e2._tag).toBe('InvalidDecision')
    expect(e2.trainer?.step).toBe(0)
  })
})

describe('a batch source that throws mid-epoch', () => {
  it('a generator: BatchSourceError naming the batch, with the trainer after the batches before it', async () => {
    function* gen() {
      for (let i = 0; i < 3; i++) yield batch(i)
      throw new Error('disk gone')
    }
    const e = leftOf(await Trainer.fit(compile(), { [Symbol.iterator]: gen }, undefined, { verbose: 0 })())
    expect(e._tag).toBe('BatchSourceError')
    expect(e).toMatchObject({ batch: 3 })
    expect(e.message).toContain('disk gone')
    expect(e.trainer?.step).toBe(3)
    expect(weights(e.trainer as Trainer)).toEqual(weights(await after(3)))
  })
  it('an async iterable, in the second epoch', async () => {
    let pass = 0
    const source = {
      async *[Symbol.asyncIterator]() {
        pass++
        for (let i = 0; i < 2; i++) {
          if (pass === 2 && i === 1) throw new Error('network reset')
          yield batch(i)
        }
      }
    }
    const e = leftOf(await Trainer.fit(compile(), source, undefined, { verbose: 0, epochs: 3 })())
    expect(e._tag).toBe('BatchSourceError')
    expect(e).toMatchObject({ batch: 1, completedSteps: 3 })
    expect(e.trainer?.step).toBe(3)
  })
})
