/**
 * Tests that kill mutants StrykerJS found surviving in src/optimizers (docs/laws.md, "Mutation
 * testing"): bad schedule options are refused, cosineDecay's warmup ramps from the initial rate to the
 * target (schedule.ts); a state that does not fit the updates is refused (base.ts); the option checks
 * and edge cases of the building blocks (transform.ts); clipping, weight decay, names and the learning
 * rate in the state of the named optimizers (alias.ts).
 */
import { describe, it, expect } from 'vitest'
import * as E from 'fp-ts/lib/Either.js'
import { tensor, type Tensor } from '../../src/index.js'
import { dataF64 } from '../../src/core/Tensor.js'
import { add, mul } from '../../src/primitives/index.js'
import * as O from '../../src/optimizers/index.js'

const refused = (f: () => unknown): void => expect(f).toThrow(expect.objectContaining({ _tag: 'InvalidOption' }))

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

const mismatch = (f: () => unknown): void => expect(f).toThrow(expect.objectContaining({ _tag: 'StructureMismatch' }))

describe('base: mutants killed', () => {
  const one = { w: tensor([1, 2]) }
  const two = { b: tensor([0.5]), w: tensor([1, 2]) }

  it('an update whose state was made for other params is refused, not silently misread', () => {
    // the state has one leaf per param of `one`; the updates have two leaves
    mismatch(() => O.scaleByAdam().update(two, O.scaleByAdam().init(one), one))
    mismatch(() => O.traceMomentum().update(two, O.traceMomentum().init(one), one))
    mismatch(() => O.applyUpdates(one, two))
    // the same structure passes
    expect(() => O.scaleByAdam().update(two, O.scaleByAdam().init(two), two)).not.toThrow()
  })

  it('chain refuses a state with the wrong number of entries, or not a tuple', () => {
    const c = O.chain(O.scale(2), O.scaleByAdam())
    const s = c.init(one) as unknown as ReadonlyArray<unknown>
    expect(s).toHaveLength(2)
    mismatch(() => c.update(one, [s[0]] as never, one))
    mismatch(() => c.update(one, [s[0], s[1], s[1]] as never, one))
    mismatch(() => c.update(one, { 0: s[0], 1: s[1] } as never, one))
    expect(() => c.update(one, s as never, one)).not.toThrow()
  })

  it("scale's state is the empty record (a tree that can be saved)", () => {
    expect(O.scale(2).init(one)).toEqual({})
    expect(O.identity().init(one)).toEqual({})
  })
})

describe('transform: mutants killed', () => {
  const ok = (f: () => unknown): void => expect(f).not.toThrow()
  const values = (t: unknown): number[] => Array.from(dataF64(t as Tensor))

  it('decays and betas are in [0, 1): 0 is accepted, 1 and negatives are refused', () => {
    ok(() => O.traceMomentum({ decay: 0 }))
    refused(() => O.traceMomentum({ decay: 1 }))
    refused(() => O.traceMomentum({ decay: -0.1 }))
    refused(() => O.traceMomentum({ decay: '0.5' as unknown as number })) // '0.5' >= 0 && '0.5' < 1 would pass by coercion
    for (const k of ['beta1', 'beta2'] as const) {
      ok(() => O.scaleByAdam({ [k]: 0 }))
      refused(() => O.scaleByAdam({ [k]: 1 }))
      refused(() => O.scaleByAdamax({ [k]: -0.5 }))
    }
    ok(() => O.scaleByRms({ rho: 0 }))
    refused(() => O.scaleByRms({ rho: 1 }))
    refused(() => O.scaleByAdadelta({ rho: 1 }))
    refused(() => O.scaleByAdadelta({ rho: -1 }))
  })

  it('epsilons, accumulators and weight decay are finite and non-negative; 0 is accepted', () => {
    for (const bad of [-1e-9, Infinity, NaN]) {
      refused(() => O.scaleByAdam({ epsilon: bad }))
      refused(() => O.scaleByRms({ epsilon: bad }))
      refused(() => O.scaleByRss({ epsilon: bad }))
      refused(() => O.scaleByRss({ initialAccumulatorValue: bad }))
      refused(() => O.scaleByAdadelta({ epsilon: bad }))
      refused(() => O.addDecayedWeights(bad))
    }
    refused(() => O.scaleByAdam({ epsilon: '1e-7' as unknown as number }))
    ok(() => O.scaleByAdam({ epsilon: 0 }))
    ok(() => O.scaleByRss({ initialAccumulatorValue: 0, epsilon: 0 }))
    const g = { w: tensor([1, -1]) }
    expect(values((O.addDecayedWeights(0).update(g, {}, { w: tensor([5, 5]) })[0] as { w: Tensor }).w)).toEqual([1, -1])
  })

  it('clip norms are finite and positive; clipByValue needs min ≤ max, and a negative maxDelta is symmetric', () => {
    for (const bad of [0, -1, Infinity, NaN]) {
      refused(() => O.clipByNorm(bad))
      refused(() => O.clipByGlobalNorm(bad))
    }
    ok(() => O.clipByNorm(1e-6))
    refused(() => O.clipByValue(2, 1))
    refused(() => O.clipByValue(NaN))
    refused(() => O.clipByValue(0, NaN))
    ok(() => O.clipByValue(1, 1))
    refused(() => O.clipByValue(0, '1' as unknown as number))
    refused(() => O.clipByValue('0' as unknown as number, 1))
    const g = tensor([-2, 0.25, 3])
    expect(values(O.clipByValue(-0.5).update(g, {}, g)[0])).toEqual([-0.5, 0.25, 0.5])
    expect(values(O.clipByValue(1, 1).update(g, {}, g)[0])).toEqual([1, 1, 1])
  })

  it('clipByGlobalNorm of an empty tree is the empty tree', () => {
    expect(O.clipByGlobalNorm(1).update({}, {}, {})[0]).toEqual({})
  })

  it('scaleByLearningRate: a number gives −lr·u and refuses a non-finite rate; a schedule is read at 0, 1, 2, …', () => {
    refused(() => O.scaleByLearningRate(Infinity))
    refused(() => O.scaleByLearningRate(NaN))
    const g = tensor([1, -2])
    expect(values(O.scaleByLearningRate(0.5).update(g, {}, g)[0])).toEqual([-0.5, 1])
    const t = O.scaleByLearningRate((step) => mul(add(step, 1), 0.5)) // 0.5, 1, 1.5, …
    let s = t.init(g)
    const seen: number[][] = []
    for (let i = 0; i < 3; i++) {
      const [u, s2] = t.update(g, s, g)
      seen.push(values(u))
      s = s2
    }
    expect(seen).toEqual([[-0.5, 1], [-1, 2], [-1.5, 3]])
  })

  it('addDecayedWeights with a mask refuses updates with a leaf that has no parameter', () => {
    const t = O.addDecayedWeights(0.5, { mask: () => true })
    mismatch(() => t.update({ kernel: tensor([1]), extra: tensor([1]) }, {}, { kernel: tensor([1]) }))
  })
})

describe('alias: mutants killed', () => {
  const p = { w: tensor([3, 4]) }
  const step = (opt: O.Optimizer, g: { w: Tensor }): number[] => Array.from(dataF64((opt.update(g, opt.init(p), p)[0] as { w: Tensor }).w))
  const near = (a: number[], b: number[]): void => a.forEach((x, i) => expect(x).toBeCloseTo(b[i], 6))

  it('the clipping options clip the gradient before the step, and are reported in the config', () => {
    const g = { w: tensor([3, 4]) } // norm 5
    near(step(O.sgd({ learningRate: 1, clipvalue: 0.5 }), g), [-0.5, -0.5])
    near(step(O.sgd({ learningRate: 1, clipnorm: 1 }), g), [-0.6, -0.8])
    near(step(O.sgd({ learningRate: 1, globalClipnorm: 2.5 }), g), [-1.5, -2])
    expect(O.adam({ clipnorm: 1, clipvalue: 0.5, globalClipnorm: 2 }).config).toMatchObject({ clipnorm: 1, clipvalue: 0.5, globalClipnorm: 2 })
    expect(O.adam().config).not.toHaveProperty('clipnorm')
    expect(O.adam().config).not.toHaveProperty('weightDecay')
    expect(O.adam().config).not.toHaveProperty('clipvalue')
    expect(O.adam().config).not.toHaveProperty('globalClipnorm')
  })

  it('weight decay without a direction (sgd) and with one: the step gets −lr·λ·p', () => {
    const zero = { w: tensor([0, 0]) }
    near(step(O.sgd({ learningRate: 0.1, weightDecay: 0.5 }), zero), [-0.15, -0.2])
    near(step(O.sgd({ learningRate: 0.1, momentum: 0.5, weightDecay: 0.5 }), zero), [-0.15, -0.2])
    expect(O.sgd({ weightDecay: 0.5 }).config.weightDecay).toBe(0.5)
  })

  it('each config reports the options given, not the defaults', () => {
    expect(O.sgd({ learningRate: 0.2, momentum: 0.5, nesterov: true }).config).toEqual({ learningRate: 0.2, momentum: 0.5, nesterov: true })
    const adamLike = { learningRate: 0.2, beta1: 0.8, beta2: 0.99, epsilon: 1e-3 }
    for (const make of [O.adam, O.adamax, O.nadam]) expect(make(adamLike).config).toEqual(adamLike)
    expect(O.adamax().config).toEqual({ learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 })
    expect(O.nadam().config).toEqual({ learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 })
    expect(O.adamw({ weightDecay: 0.1 }).config).toEqual({ learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, weightDecay: 0.1 })
    expect(O.rmsprop({ rho: 0.8, momentum: 0.5, epsilon: 1e-3, centered: true }).config).toEqual({ learningRate: 0.001, rho: 0.8, momentum: 0.5, epsilon: 1e-3, centered: true })
    expect(O.adagrad({ initialAccumulatorValue: 0.5, epsilon: 1e-3 }).config).toEqual({ learningRate: 0.001, initialAccumulatorValue: 0.5, epsilon: 1e-3 })
    expect(O.adadelta({ rho: 0.9, epsilon: 1e-3 }).config).toEqual({ learningRate: 0.001, rho: 0.9, epsilon: 1e-3 })
    expect(O.adam().name).toBe('adam')
    expect([O.sgd().name, O.adamw().name, O.rmsprop().name, O.adagrad().name, O.adadelta().name, O.adamax().name, O.nadam().name]).toEqual(['sgd', 'adamw', 'rmsprop', 'adagrad', 'adadelta', 'adamax', 'nadam'])
  })

  it('without clipping options the state is { count, learningRate, inner }, inner being the direction\'s own state', () => {
    const keys = (t: unknown): string[] => Object.keys(t as object).sort()
    const s = O.adam().init(p) as { inner: unknown }
    expect(keys(s)).toEqual(['count', 'inner', 'learningRate'])
    expect(keys(s.inner)).toEqual(['count', 'mu', 'nu']) // no weight-decay link when weightDecay is 0
    expect((O.sgd().init(p) as { inner: unknown }).inner).toEqual({}) // no momentum trace when momentum is 0
    expect(keys((O.rmsprop().init(p) as { inner: unknown }).inner)).toEqual(['mu', 'nu'])
  })

  it('a learning rate that is neither a finite number nor a schedule is refused', () => {
    refused(() => O.sgd({ learningRate: Infinity }))
    refused(() => O.adam({ learningRate: '0.1' as unknown as number }))
    refused(() => O.injectLearningRate(O.identity(), NaN))
    expect(() => O.injectLearningRate(O.identity(), O.constant(0.1))).not.toThrow()
    expect(O.sgd({ learningRate: O.constant(0.1) }).config.learningRate).toBe('schedule')
  })

  it('optimizerFromName: a name that is not a string, and names with _, - and spaces', () => {
    const r = O.optimizerFromName(3 as unknown as string)
    expect(E.isLeft(r) && r.left._tag).toBe('UnknownOptimizer')
    for (const n of ['Ada_delta', 'ada-grad', 'Adam W', 'nADAM']) expect(E.isRight(O.optimizerFromName(n)), n).toBe(true)
    const named = O.optimizerFromName('RMS_prop', { momentum: 0.5 })
    expect(E.isRight(named) && [named.right.name, named.right.config.momentum]).toEqual(['rmsprop', 0.5])
    expect(E.isRight(O.optimizerFromName('sgd', undefined))).toBe(true)
  })

  it('getLearningRate and setLearningRate: none in a tensor, every learningRate leaf replaced, a non-number refused', () => {
    expect(O.getLearningRate(tensor([1]))).toBeUndefined()
    expect(O.getLearningRate([{ a: tensor([1]) }, { count: tensor([0]), learningRate: tensor([0.25]) }])).toBe(0.25)
    // keys are searched in sorted order: 'a' before 'b'
    expect(O.getLearningRate({ b: { learningRate: tensor([2]) }, a: { learningRate: tensor([1]) } })).toBe(1)
    // a learningRate that is not a scalar is not a rate
    expect(O.getLearningRate({ learningRate: tensor([1, 2]) })).toBeUndefined()
    const s = { a: { learningRate: tensor([1]) }, b: [{ learningRate: tensor([2]) }], c: tensor([5]) }
    const r = O.setLearningRate(s, 0.5)
    expect(E.isRight(r)).toBe(true)
    if (E.isRight(r)) {
      expect(O.getLearningRate(r.right.a)).toBe(0.5)
      expect(O.getLearningRate(r.right.b)).toBe(0.5)
      expect(r.right.c).toBe(s.c)
    }
    const bad = O.setLearningRate(s, '0.1' as unknown as number)
    expect(E.isLeft(bad) && bad.left._tag).toBe('InvalidOption')
  })
})

describe('alias lines 216–350 (optimizerFromName, getLearningRate, setLearningRate): mutants killed', () => {
  const left = <A>(r: E.Either<unknown, A>): unknown => (E.isLeft(r) ? r.left : 'right')
  const names = "'sgd', 'adam', 'adamw', 'rmsprop', 'adagrad', 'adadelta', 'adamax', 'nadam'"

  it('optimizerFromName: each Left says what came and what is allowed', () => {
    expect(left(O.optimizerFromName(3 as unknown as string))).toMatchObject({
      _tag: 'UnknownOptimizer',
      message: `optimizer: expected a name (one of ${names}), received 3`,
      expected: O.optimizerNames,
      received: 3
    })
    // a near name is suggested; a far one (beyond nearest's cap, since 6e7d28f) is not, and the message has no hint
    expect(left(O.optimizerFromName('adamm'))).toMatchObject({ _tag: 'UnknownOptimizer', message: `unknown optimizer 'adamm' — did you mean 'adam'? (expected one of ${names})`, nearest: 'adam' })
    expect(left(O.optimizerFromName('zzzzzzzzzz'))).toMatchObject({ _tag: 'UnknownOptimizer', message: `unknown optimizer 'zzzzzzzzzz' (expected one of ${names})`, nearest: undefined })
    expect(left(O.optimizerFromName('sgd', { beta1: 0.9 } as never))).toMatchObject({
      _tag: 'InvalidOption',
      message: expect.stringContaining("(expected one of 'learningRate', 'weightDecay', 'clipnorm', 'clipvalue', 'globalClipnorm', 'momentum', 'nesterov')"),
      op: 'sgd',
      path: 'beta1',
      expected: O.optimizers.sgd.options,
      received: 'beta1'
    })
  })

  it('getLearningRate searches every key in sorted order, past keys without a rate', () => {
    expect(O.getLearningRate({ a: { x: tensor([1]) }, b: { learningRate: tensor([2]) } })).toBe(2)
  })

  it('setLearningRate: a learningRate that is not a scalar is not replaced; the Lefts carry their data', () => {
    const vector = { learningRate: tensor([1, 2]) }
    expect(left(O.setLearningRate(vector, 0.5))).toMatchObject({
      _tag: 'NoLearningRate',
      message: 'setLearningRate: this optimizer state has no learningRate leaf; build the optimizer with a named optimizer or injectLearningRate',
      op: 'setLearningRate',
      expected: 'a state with a learningRate leaf',
      received: 'none'
    })
    expect(left(O.setLearningRate({ learningRate: tensor([1]) }, Number.NaN))).toMatchObject({
      _tag: 'InvalidOption',
      message: 'setLearningRate: expected a finite number, received NaN',
      op: 'setLearningRate',
      path: 'learningRate',
      expected: 'finite number'
    })
  })
})
