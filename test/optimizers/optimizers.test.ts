import { describe, it, expect } from 'vitest'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { tensor, scalar, dataSync, withBackend, Tree, key, jit, type Tensor } from '../../src/index.js'
import { dataF64 } from '../../src/core/Tensor.js'
import * as O from '../../src/optimizers/index.js'
import { checkOptimizerLaws, checkChainAssociativity, checkIdentityAndSgd, treesClose, paramsAndGradsArb } from '../../laws/index.js'
import * as K from './reference.js'

// two leaves, so the tests also cover trees; leaves() order is by sorted key: b then w
const P0 = [0.5, -1.5, 2.0, 0.25]
const GRADS = [
  [0.1, -0.3, 0.7, 0.0],
  [-0.2, 0.4, 0.05, -1.2],
  [0.3, 0.3, -0.6, 0.9]
]
const toTree = (v: ReadonlyArray<number>): Tree.Tree => ({ w: tensor(v.slice(1)), b: tensor(v.slice(0, 1)) })
const fromTree = (t: Tree.Tree): number[] => Tree.leaves(t).flatMap((l) => Array.from(dataF64(l)))

/** Run an optimizer for `steps` steps, returning the parameters after each. */
const run = (opt: O.GradientTransformation, steps: number): number[][] => {
  let p = toTree(P0)
  let s = opt.init(p)
  const out: number[][] = []
  for (let i = 0; i < steps; i++) {
    const [u, s2] = opt.update(toTree(GRADS[i]), s, p)
    p = O.applyUpdates(p, u)
    s = s2
    out.push(fromTree(p))
  }
  return out
}
const runKeras = (rule: K.Rule, steps: number): number[][] => {
  const step = rule()
  let p = P0.slice()
  const out: number[][] = []
  for (let i = 0; i < steps; i++) {
    p = step(p, GRADS[i])
    out.push(p)
  }
  return out
}
const close = (a: number[][], b: number[][], rtol: number, atol: number): void => {
  expect(a.length).toBe(b.length)
  a.forEach((row, i) =>
    row.forEach((x, j) => {
      expect(Math.abs(x - b[i][j]), `step ${i + 1}, entry ${j}: ${x} vs ${b[i][j]}`).toBeLessThanOrEqual(atol + rtol * Math.abs(b[i][j]))
    })
  )
}

const cases: ReadonlyArray<readonly [string, () => O.GradientTransformation, K.Rule]> = [
  ['sgd (defaults)', () => O.sgd(), K.kerasSgd()],
  ['sgd lr 0.1', () => O.sgd({ learningRate: 0.1 }), K.kerasSgd(0.1)],
  ['sgd momentum', () => O.sgd({ learningRate: 0.1, momentum: 0.9 }), K.kerasSgd(0.1, 0.9)],
  ['sgd nesterov', () => O.sgd({ learningRate: 0.1, momentum: 0.9, nesterov: true }), K.kerasSgd(0.1, 0.9, true)],
  ['adam (defaults)', () => O.adam(), K.kerasAdam()],
  ['adam lr 0.1, beta2 0.9, eps 0.01', () => O.adam({ learningRate: 0.1, beta2: 0.9, epsilon: 0.01 }), K.kerasAdam(0.1, 0.9, 0.9, 0.01)],
  ['adamw (defaults)', () => O.adamw(), K.kerasAdam(0.001, 0.9, 0.999, 1e-7, 0.004)],
  ['adamw wd 0.1, lr 0.05', () => O.adamw({ learningRate: 0.05, weightDecay: 0.1 }), K.kerasAdam(0.05, 0.9, 0.999, 1e-7, 0.1)],
  ['rmsprop (defaults)', () => O.rmsprop(), K.kerasRmsprop()],
  ['rmsprop centered + momentum', () => O.rmsprop({ learningRate: 0.01, momentum: 0.5, centered: true, epsilon: 1e-3 }), K.kerasRmsprop(0.01, 0.9, 0.5, 1e-3, true)],
  ['adagrad (defaults)', () => O.adagrad(), K.kerasAdagrad()],
  ['adagrad lr 0.1, init 0.5', () => O.adagrad({ learningRate: 0.1, initialAccumulatorValue: 0.5 }), K.kerasAdagrad(0.1, 0.5)],
  ['adadelta (defaults)', () => O.adadelta(), K.kerasAdadelta()],
  ['adadelta lr 1, rho 0.9, eps 1e-3', () => O.adadelta({ learningRate: 1, rho: 0.9, epsilon: 1e-3 }), K.kerasAdadelta(1, 0.9, 1e-3)],
  ['adamax (defaults)', () => O.adamax(), K.kerasAdamax()],
  ['adamax lr 0.1', () => O.adamax({ learningRate: 0.1, beta2: 0.99 }), K.kerasAdamax(0.1, 0.9, 0.99)],
  ['nadam (defaults)', () => O.nadam(), K.kerasNadam()],
  ['nadam lr 0.1', () => O.nadam({ learningRate: 0.1, beta1: 0.8 }), K.kerasNadam(0.1, 0.8)]
]

describe('named optimizers match Keras update rules', () => {
  it.each(cases)('%s: three steps in float64 (reference backend)', (_n, make, rule) => {
    const ours = withBackend('reference', () => run(make(), 3))
    close(ours, runKeras(rule, 3), 1e-10, 1e-12)
  })
  it.each(cases)('%s: three steps in float32 (default backend)', (_n, make, rule) => {
    close(run(make(), 3), runKeras(rule, 3), 2e-5, 2e-6)
  })
  it('each named optimizer reports its Keras defaults', () => {
    expect(O.sgd().config).toEqual({ learningRate: 0.01, momentum: 0, nesterov: false })
    expect(O.adam().config).toEqual({ learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 })
    expect(O.adamw().config).toMatchObject({ learningRate: 0.001, weightDecay: 0.004 })
    expect(O.rmsprop().config).toEqual({ learningRate: 0.001, rho: 0.9, momentum: 0, epsilon: 1e-7, centered: false })
    expect(O.adagrad().config).toEqual({ learningRate: 0.001, initialAccumulatorValue: 0.1, epsilon: 1e-7 })
    expect(O.adadelta().config).toEqual({ learningRate: 0.001, rho: 0.95, epsilon: 1e-7 })
    expect(O.adamax().config.learningRate).toBe(0.001)
    expect(O.nadam().config.learningRate).toBe(0.001)
  })
})

describe('optimizer laws', () => {
  it('identity leaves updates unchanged, and one SGD step is p − lr·g', () => checkIdentityAndSgd({ numRuns: 25 }))
  it.each(O.optimizerNames)('%s keeps structures and has identity() as chain unit', (name) => checkOptimizerLaws(O.optimizers[name].make({}), { numRuns: 6 }))
  it.each([
    ['clipByGlobalNorm', () => O.clipByGlobalNorm(0.5)],
    ['clipByNorm', () => O.clipByNorm(0.5)],
    ['clipByValue', () => O.clipByValue(0.3)],
    ['addDecayedWeights', () => O.addDecayedWeights(0.1)],
    ['scaleBySchedule', () => O.scaleBySchedule(O.cosineDecay({ initialLearningRate: 1, decaySteps: 3 }))],
    ['clip options', () => O.adam({ clipnorm: 1, clipvalue: 0.5, globalClipnorm: 2 })],
    ['rmsprop centered momentum', () => O.rmsprop({ centered: true, momentum: 0.9 })]
  ] as const)('%s keeps structures', (_n, make) => checkOptimizerLaws(make() as O.GradientTransformation, { numRuns: 5 }))
  it('chain is associative', () => {
    checkChainAssociativity(O.clipByValue(0.5), O.traceMomentum({ decay: 0.5 }), O.scaleByAdam(), { numRuns: 6 })
    checkChainAssociativity(O.scaleByRms(), O.addDecayedWeights(0.1), O.scaleByLearningRate(0.1), { numRuns: 6 })
  })
  it('the tree generator is not degenerate', () => {
    const shapes = new Set(fc.sample(paramsAndGradsArb(1), { numRuns: 50, seed: 3 }).map((x) => JSON.stringify(Tree.structure(x.params))))
    expect(shapes.size).toBeGreaterThan(10)
  })
  it('a chain of building blocks equals the named optimizer', () => {
    const named = run(O.adam({ learningRate: 0.01 }), 3)
    const chained = run(O.chain(O.scaleByAdam(), O.scaleByLearningRate(0.01)), 3)
    close(chained, named, 1e-6, 1e-7)
  })
})

describe('clipping and decay', () => {
  it('clipByGlobalNorm scales all leaves by maxNorm / global norm when above it', () => {
    const g = { a: tensor([3, 0]), b: tensor([4]) }
    const [u] = O.clipByGlobalNorm(1).update(g, O.clipByGlobalNorm(1).init(g), g)
    expect(fromTree(u).map((x) => +x.toFixed(6))).toEqual([0.6, 0, 0.8])
    const [v] = O.clipByGlobalNorm(10).update(g, {}, g)
    expect(fromTree(v)).toEqual([3, 0, 4])
  })
  it('clipByValue clips symmetric or between bounds; clipByNorm per leaf', () => {
    const g = tensor([-2, 0.1, 3])
    expect(Array.from(dataSync(O.clipByValue(0.5).update(g, {}, g)[0] as Tensor))).toEqual([-0.5, 0.1, 0.5].map(Math.fround))
    expect(Array.from(dataSync(O.clipByValue(-1, 2).update(g, {}, g)[0] as Tensor))).toEqual([-1, 0.1, 2].map(Math.fround))
    const [u] = O.clipByNorm(1).update({ a: tensor([3, 4]), b: tensor([0.5]) }, {}, {})
    expect(fromTree(u).map((x) => +x.toFixed(6))).toEqual([0.6, 0.8, 0.5])
  })
  it('addDecayedWeights with a mask decays only the chosen leaves', () => {
    const p = { kernel: tensor([1, 2]), bias: tensor([3]) }
    const g = { kernel: tensor([0, 0]), bias: tensor([0]) }
    const t = O.addDecayedWeights(0.5, { mask: (path) => path !== 'bias' })
    expect(fromTree(t.update(g, t.init(p), p)[0])).toEqual([0, 0.5, 1])
  })
  it('rejects bad hyperparameters with tagged errors', () => {
    expect(() => O.scaleByAdam({ beta1: 1.5 })).toThrow(/beta1/)
    expect(() => O.clipByGlobalNorm(-1)).toThrow(/maxNorm/)
    expect(() => O.sgd({ learningRate: Number.NaN })).toThrow(/learningRate/)
  })
})

describe('learning rate in the state', () => {
  it('getLearningRate reads it, setLearningRate changes the next step only through the state', () => {
    const opt = O.sgd({ learningRate: 0.1 })
    const p = { w: tensor([1, 2]) }
    const g = { w: tensor([1, -1]) }
    const s0 = opt.init(p)
    expect(O.getLearningRate(s0)).toBeCloseTo(0.1, 7)
    const s1 = E.getOrElseW(() => undefined)(O.setLearningRate(s0, 0.5))!
    expect(O.getLearningRate(s1)).toBe(0.5)
    expect(O.getLearningRate(s0)).toBeCloseTo(0.1, 7) // unchanged input
    const [u] = opt.update(g, s1, p)
    expect(fromTree(u)).toEqual([-0.5, 0.5])
    // the rate stays after a step, and the state structure is the same
    const [, s2] = opt.update(g, s1, p)
    expect(O.getLearningRate(s2)).toBe(0.5)
    expect(Tree.sameStructure(Tree.structure(s2), Tree.structure(s0))).toBe(true)
  })
  it('is found inside chains (clipping options) and missing from plain chains', () => {
    const s = O.adam({ globalClipnorm: 1, learningRate: 0.02 }).init({ w: tensor([1]) })
    expect(O.getLearningRate(s)).toBeCloseTo(0.02, 7)
    expect(O.getLearningRate(E.getOrElseW(() => s)(O.setLearningRate(s, 0.3)))).toBeCloseTo(0.3, 7)
    const plain = O.chain(O.scaleByAdam(), O.scaleByLearningRate(0.1)).init({ w: tensor([1]) })
    expect(O.getLearningRate(plain)).toBeUndefined()
    const r = O.setLearningRate(plain, 0.1)
    expect(E.isLeft(r) && r.left._tag).toBe('NoLearningRate')
    expect(E.isLeft(O.setLearningRate(s, Number.NaN))).toBe(true)
  })
  it('a schedule sets the rate of each step from the step count', () => {
    const sched = O.piecewiseConstant({ boundaries: [0, 1], values: [1, 0.5, 0.25] })
    const opt = O.sgd({ learningRate: sched })
    const p = { w: tensor([0]) }
    const g = { w: tensor([1]) }
    let s = opt.init(p)
    const used: number[] = []
    for (let i = 0; i < 3; i++) {
      const [u, s2] = opt.update(g, s, p)
      used.push(-fromTree(u)[0])
      s = s2
    }
    expect(used).toEqual([1, 0.5, 0.25])
    expect(O.getLearningRate(s)).toBe(0.25)
  })
  it('a jitted training step replays with a changed learning rate', () => {
    const opt = O.adam({ learningRate: 0.1 })
    const step = (inp: { p: Tree.Tree; s: Tree.Tree; g: Tree.Tree }) => {
      const [u, s] = opt.update(inp.g, inp.s, inp.p)
      return { p: O.applyUpdates(inp.p, u), s }
    }
    const js = jit(step)
    let a = { p: toTree(P0) as Tree.Tree, s: opt.init(toTree(P0)) as Tree.Tree }
    let b = a
    for (let i = 0; i < 3; i++) {
      if (i === 2) {
        a = { ...a, s: E.getOrElseW(() => a.s)(O.setLearningRate(a.s, 0.01)) }
        b = { ...b, s: E.getOrElseW(() => b.s)(O.setLearningRate(b.s, 0.01)) }
      }
      a = step({ ...a, g: toTree(GRADS[i]) })
      b = js({ ...b, g: toTree(GRADS[i]) }, key(0))
      expect(treesClose(b.p, a.p, 0, 0)).toBe(true)
    }
    expect(js.stats().replays).toBe(2)
  })
})

describe('schedules', () => {
  it('exponentialDecay, staircase or not', () => {
    const s = O.exponentialDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.5 })
    const st = O.exponentialDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.5, staircase: true })
    for (const n of [0, 5, 10, 15, 37]) {
      expect(s(n)).toBeCloseTo(0.1 * 0.5 ** (n / 10), 7)
      expect(st(n)).toBeCloseTo(0.1 * 0.5 ** Math.floor(n / 10), 7)
    }
  })
  it('cosineDecay with alpha, and with warmup', () => {
    const s = O.cosineDecay({ initialLearningRate: 2, decaySteps: 100, alpha: 0.1 })
    for (const n of [0, 25, 50, 100, 150]) {
      const c = 0.5 * (1 + Math.cos((Math.PI * Math.min(n, 100)) / 100))
      expect(s(n)).toBeCloseTo(2 * (0.9 * c + 0.1), 6)
    }
    const w = O.warmupCosineDecay({ peakLearningRate: 1, warmupSteps: 10, decaySteps: 20 })
    expect(w(0)).toBeCloseTo(0, 7)
    expect(w(5)).toBeCloseTo(0.5, 7)
    expect(w(10)).toBeCloseTo(1, 6)
    expect(w(20)).toBeCloseTo(0.5, 6)
    expect(w(30)).toBeCloseTo(0, 6)
  })
  it('piecewiseConstant uses Keras boundaries (value i while step ≤ boundary i)', () => {
    const s = O.piecewiseConstant({ boundaries: [100, 200], values: [1, 0.5, 0.1] })
    expect([0, 100, 101, 200, 201].map((n) => s(n))).toEqual([1, 1, 0.5, 0.5, 0.1].map(Math.fround))
    expect(() => O.piecewiseConstant({ boundaries: [1], values: [1] })).toThrow(/one more value/)
  })
  it('linearWarmup rises then stays', () => {
    const s = O.linearWarmup({ initialLearningRate: 0.1, targetLearningRate: 1.1, warmupSteps: 10 })
    expect([0, 5, 10, 50].map((n) => +s(n).toFixed(6))).toEqual([0.1, 0.6, 1.1, 1.1])
  })
  it('number and tensor forms agree', () => {
    const all = [
      O.exponentialDecay({ initialLearningRate: 0.3, decaySteps: 7, decayRate: 0.8, staircase: true }),
      O.cosineDecay({ initialLearningRate: 1, decaySteps: 50, warmupTarget: 2, warmupSteps: 5 }),
      O.constant(0.25)
    ]
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 200 }), (n) => all.every((s) => s(scalar(n)).item() === s(n))),
      { numRuns: 30 }
    )
  })
})

describe('optimizerFromName', () => {
  it('resolves Keras names case-insensitively, with overrides', () => {
    for (const n of ['sgd', 'SGD', 'Adam', 'adamW', 'RMSprop', 'Adagrad', 'adadelta', 'Adamax', 'Nadam']) {
      const r = O.optimizerFromName(n)
      expect(E.isRight(r), n).toBe(true)
    }
    const r = O.optimizerFromName('adam', { learningRate: 0.01 })
    expect(E.isRight(r) && r.right.config.learningRate).toBe(0.01)
  })
  it('an unknown name names the nearest and the allowed ones', () => {
    const r = O.optimizerFromName('adamm')
    expect(E.isLeft(r)).toBe(true)
    if (E.isLeft(r)) {
      expect(r.left._tag).toBe('UnknownOptimizer')
      expect(r.left.message).toContain("unknown optimizer 'adamm' — did you mean 'adam'?")
      expect(r.left.message).toContain("'rmsprop'")
      expect(r.left.nearest).toBe('adam')
    }
  })
  it('an option the optimizer does not take is an error', () => {
    const r = O.optimizerFromName('adam', { momentum: 0.9 })
    expect(E.isLeft(r) && r.left.message).toMatch(/adam: unknown option 'momentum'/)
    const bad = O.optimizerFromName('sgd', { momentum: 2 })
    expect(E.isLeft(bad) && bad.left._tag).toBe('InvalidOption')
  })
})
