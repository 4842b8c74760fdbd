/**
 * Tests that kill mutants StrykerJS found surviving in src/train/index.ts and src/train/Trainer.ts
 * (docs/laws.md, "Mutation testing"): each function of the `Trainer` namespace data-first, data-last and
 * given a non-trainer (a tagged Left of the right kind, Either or TaskEither), the notebook surface,
 * and the trainer's own methods (learning rate, eager mode, keys, the model read after steps).
 */
import { describe, it, expect, vi } from 'vitest'
import * as E from 'fp-ts/lib/Either.js'
import { tensor, sequential, dense, TensorfoldError } from '../../src/index.js'
import * as Tr from '../../src/train/index.js'
import { linearModel, compiled } from './helpers.js'

const x = tensor([
  [1, 2, 3],
  [0, 1, 0]
])
const y = tensor([[1], [2]])
const trainer = () => compiled(linearModel(3), { optimizer: 'sgd', loss: 'mse' })
const notTrainer = (op: string, received: unknown) => ({
  _tag: 'NotAModel',
  message: `Trainer.${op}: expected a trainer (from compile), received ${received === null ? 'null' : '{}'}`,
  op,
  path: 'trainer',
  expected: 'a trainer',
  received
})
const rightOf = <A>(r: E.Either<{ readonly message: string }, A>): A => {
  if (E.isLeft(r)) throw new Error(r.left.message)
  return r.right
}

describe('train/index: the Trainer namespace, mutants killed', () => {
  it('the TaskEither functions: data-first with a trainer, data-last, and a Left TaskEither for a non-trainer', async () => {
    const t = trainer()
    // the data-first calls below pass no options (three arguments), so progress goes to stdout: silenced
    const quiet = vi.spyOn(process.stdout, 'write').mockImplementation(() => true)
    try {
      const f1 = rightOf(await Tr.fit(t, x, y)())
      expect(f1.trainer.step).toBe(1)
      const f2 = rightOf(await Tr.fit(x, y, { verbose: 0 })(t)())
      expect(f2.trainer.step).toBe(1)
      expect(await Tr.fit({} as never, x, y, { verbose: 0 })()).toEqual(E.left(notTrainer('fit', {})))
      expect(rightOf(await Tr.evaluate(t, x, y)())).toHaveLength(1)
      expect(rightOf(await Tr.evaluate(x, y, { verbose: 0 })(t)())).toHaveLength(1)
      expect(await Tr.evaluate({} as never, x, y, { verbose: 0 })()).toEqual(E.left(notTrainer('evaluate', {})))
      expect((rightOf(await Tr.predict(t, x)()) as unknown as { shape: number[] }).shape).toEqual([2, 1])
      expect((rightOf(await Tr.predict(x, { verbose: 0 })(t)()) as unknown as { shape: number[] }).shape).toEqual([2, 1])
      expect(await Tr.predict({} as never, x, { verbose: 0 })()).toEqual(E.left(notTrainer('predict', {})))
      expect(quiet).toHaveBeenCalled()
    } finally {
      quiet.mockRestore()
    }
    expect(rightOf(await Tr.trainStepAsync(t, { x, y })())[0].step).toBe(1)
    expect(rightOf(await Tr.trainStepAsync({ x, y })(t)())[0].step).toBe(1)
    expect(await Tr.trainStepAsync({} as never, { x, y })()).toEqual(E.left(notTrainer('trainStepAsync', {})))
  })

  it('trainStepAsync: a bad batch is a tagged Left, not a rejected promise', async () => {
    const r = await Tr.trainStepAsync(trainer(), { x, y: tensor([[1, 2, 3]]) })()
    expect(E.isLeft(r)).toBe(true)
    expect(E.isLeft(r) && r.left._tag).toBe('DataCardinality')
  })

  it('the Either functions: data-first with a trainer, data-last, and a Left (not a function) for a non-trainer', () => {
    const t = trainer()
    expect(rightOf(Tr.trainStep(t, { x, y }))[0].step).toBe(1)
    expect(rightOf(Tr.trainStep({ x, y })(t))[0].step).toBe(1)
    expect(Tr.trainStep({} as never, { x, y })).toEqual(E.left(notTrainer('trainStep', {})))
    expect(Tr.trainStep(t, { x, y: tensor([[1, 2, 3]]) })._tag).toBe('Left')
    expect(rightOf(Tr.trainOnBatch(t, x, y))[0].step).toBe(1)
    expect(rightOf(Tr.trainOnBatch(x, y, {})(t))[0].step).toBe(1)
    expect(Tr.trainOnBatch({} as never, x, y, {})).toEqual(E.left(notTrainer('trainOnBatch', {})))
    expect(rightOf(Tr.testOnBatch(t, x, y))).toHaveLength(1)
    expect(rightOf(Tr.testOnBatch(x, y, {})(t))).toHaveLength(1)
    expect(Tr.testOnBatch({} as never, x, y, {})).toEqual(E.left(notTrainer('testOnBatch', {})))
    expect((rightOf(Tr.predictOnBatch(t, x)) as unknown as { shape: number[] }).shape).toEqual([2, 1])
    expect((rightOf(Tr.predictOnBatch(x)(t)) as unknown as { shape: number[] }).shape).toEqual([2, 1])
    expect(Tr.predictOnBatch(null as never, x)).toEqual(E.left(notTrainer('predictOnBatch', null)))
    expect(rightOf(Tr.withLearningRate(t, 0.5)).learningRate).toBeCloseTo(0.5)
    expect(rightOf(Tr.withLearningRate(0.25)(t)).learningRate).toBeCloseTo(0.25)
    expect(Tr.withLearningRate({} as never, 0.5)).toEqual(E.left(notTrainer('withLearningRate', {})))
    expect(Tr.metricsNames(t)).toEqual(E.right(['loss']))
    expect(Tr.metricsNames({} as never)).toEqual(E.left(notTrainer('metricsNames', {})))
    expect(E.isRight(Tr.learningRate(t)) && Tr.learningRate(t)).toMatchObject({ right: expect.closeTo(0.01, 6) })
    expect(Tr.learningRate({} as never)).toEqual(E.left(notTrainer('learningRate', {})))
  })

  it('compile is dual; compileOrThrow throws the tagged error', () => {
    expect(E.isRight(Tr.compile({ loss: 'mse' })(linearModel(3)))).toBe(true)
    expect(Tr.compileOrThrow(linearModel(3), { loss: 'mse' })).toBeInstanceOf(Tr.Trainer)
    expect(() => Tr.compileOrThrow(linearModel(3), { loss: 'msee' })).toThrow(TensorfoldError)
  })

  it('withTraining: a model that has a compile method is returned as is; otherwise compile is added, not enumerable', () => {
    const m = linearModel(3)
    const w = Tr.withTraining(m)
    expect(w).not.toBe(m)
    expect(Object.getPrototypeOf(w)).toBe(m)
    expect(Object.isFrozen(w)).toBe(true)
    expect(Object.keys(w)).toEqual([])
    expect(w.compile({ loss: 'mse' })).toBeInstanceOf(Tr.Trainer)
    expect(Tr.withTraining(w)).toBe(w)
  })
})

describe('train/Trainer: mutants killed', () => {
  it("is tagged 'Trainer', and printed with its model, step and metric names", () => {
    const t = trainer()
    expect(t._tag).toBe('Trainer')
    expect(Tr.isTrainer(t)).toBe(true)
    expect(Tr.isTrainer({ _tag: 'Trainer' })).toBe(false)
    expect(String(t)).toBe('Trainer(linear, step 0, metrics ["loss"])')
  })

  it('after steps, the model is made once from the last weights and the first model', () => {
    const t = trainer()
    const t2 = t.trainStep({ x, y })[0]
    const t3 = t2.trainStep({ x, y })[0]
    expect(t3.step).toBe(2)
    const m = t3.model
    expect(t3.model).toBe(m)
    expect(m.params).toBe(t3.params)
    expect(m.name).toBe('linear')
    expect(t3.withModel(t.model).params).toBe(t.params)
    expect(t3.optimizer).toBe(t.config.optimizer)
    expect(typeof t3.optimizer.update).toBe('function')
    expect(t3.state).toEqual({})
  })

  it('the learning rate: undefined when unbuilt or kept by no state, each case its error', () => {
    const u = compiled(sequential([dense(1)]), { optimizer: 'sgd', loss: 'mse' })
    expect(u.learningRate).toBeUndefined()
    expect(u.learningRateE('LearningRateScheduler')).toEqual(
      E.left({ _tag: 'NotBuilt', message: 'LearningRateScheduler: the model is not built yet, so the optimizer has no state', op: 'LearningRateScheduler' })
    )
    expect(u.withLearningRate(0.1)).toEqual(E.left({ _tag: 'NotBuilt', message: 'withLearningRate: the model is not built yet, so the optimizer has no state' }))
    const plain = compiled(linearModel(3), { loss: 'mse', optimizer: { init: () => ({}), update: (g: never, s: never) => [g, s] } as never })
    expect(plain.learningRate).toBeUndefined()
    expect(plain.learningRateE('ReduceLROnPlateau')).toEqual(
      E.left({
        _tag: 'NoLearningRate',
        message: "ReduceLROnPlateau: the optimizer keeps no learning rate in its state; compile with a named optimizer ('adam', 'sgd', …) or injectLearningRate",
        op: 'ReduceLROnPlateau'
      })
    )
    expect(trainer().learningRateE('x')).toEqual(E.right(expect.closeTo(0.01, 6)))
  })

  it('withRunEagerly: a boolean only; the same mode is the same trainer; another rebuilds the step functions when built', () => {
    const t = trainer()
    expect(t.runEagerly).toBe(false)
    expect(t.withRunEagerly(false)).toBe(t)
    const e = t.withRunEagerly(true)
    expect([e.runEagerly, e.config.runEagerly, t.runEagerly]).toEqual([true, true, false])
    expect(e.fns).toBeDefined()
    expect(e.fns).not.toBe(t.fns)
    expect(e.optState).toBe(t.optState)
    // the eager step functions are built over the same model, losses and optimizer: the same step
    expect(e.trainStep({ x, y })[0].params).toEqual(t.trainStep({ x, y })[0].params)
    const u = compiled(sequential([dense(1)]), { optimizer: 'sgd', loss: 'mse' }).withRunEagerly(true)
    expect([u.runEagerly, u.fns]).toEqual([true, undefined])
    expect(() => t.withRunEagerly('yes' as never)).toThrow('withRunEagerly: expected a boolean, received yes')
    try {
      t.withRunEagerly(1 as never)
    } catch (err) {
      expect((err as TensorfoldError).data).toEqual({ _tag: 'InvalidOption', message: 'withRunEagerly: expected a boolean, received 1', expected: 'boolean', received: 1 })
    }
  })

  it('three keys from the seed: per step, per epoch shuffle, and inference; each step its own', () => {
    const t = trainer()
    const k = (a: unknown) => JSON.stringify(a)
    const all = [t.stepKey(0), t.stepKey(1), t.shuffleKey(0), t.shuffleKey(1), t.inferenceKey()].map(k)
    expect(new Set(all).size).toBe(5)
    expect(k(t.stepKey())).toBe(k(t.stepKey(0)))
    const t2 = t.trainStep({ x, y })[0]
    expect(k(t2.stepKey())).toBe(k(t.stepKey(1)))
    expect(k(t2.shuffleKey())).toBe(k(t.shuffleKey(1)))
  })

  it('the notebook methods return values and throw the tagged error', async () => {
    const t = trainer()
    expect((await t.fit(x, y, { verbose: 0 })).trainer.step).toBe(1)
    await expect(t.fit(x, y, { epoch: 1 } as never)).rejects.toThrow(TensorfoldError)
    expect(await t.evaluate(x, y, { verbose: 0 })).toHaveLength(1)
    await expect(t.evaluate(x, tensor([[1, 2, 3]]), { verbose: 0 })).rejects.toThrow(TensorfoldError)
    expect(((await t.predict(x, { verbose: 0 })) as unknown as { shape: number[] }).shape).toEqual([2, 1])
    await expect(t.predict(x, { verbos: 0 } as never)).rejects.toThrow(TensorfoldError)
    expect(t.trainOnBatch(x, y)[0].step).toBe(1)
    expect(() => t.trainOnBatch(x, y, { returnDict: 1 } as never)).toThrow(TensorfoldError)
    expect(t.testOnBatch(x, y)).toHaveLength(1)
    expect(() => t.testOnBatch(x, tensor([[1, 2, 3]]))).toThrow(TensorfoldError)
    expect((t.predictOnBatch(x) as unknown as { shape: number[] }).shape).toEqual([2, 1])
    expect(() => t.predictOnBatch(tensor([[1, 2]]))).toThrow(TensorfoldError)
  })
})
