/**
 * Tests that kill mutants StrykerJS found surviving in src/losses (docs/laws.md, "Mutation testing"):
 * the edges of `reduce` and `withReduction` (reduction.ts), and of the loss functions (functions.ts):
 * the last axis at rank 3 and 0, the alignment of ranks, the option checks, the clip bounds.
 */
import { describe, it, expect } from 'vitest'
import { tensor, dataSync, withBackend, type Tensor } from '../../src/index.js'
import { scalar, dataF64 } from '../../src/core/Tensor.js'
import * as E from 'fp-ts/lib/Either.js'
import * as L from '../../src/losses/index.js'

const invalid = (f: () => unknown, more: Record<string, unknown> = {}): void =>
  expect(f).toThrow(expect.objectContaining({ _tag: 'InvalidOption', data: expect.objectContaining(more) }))

describe('reduction: mutants killed', () => {
  it('reduce: integer sample weights are cast, and an empty batch reduces to 0 (Keras divides by max(1, size))', () => {
    const l = tensor([1, 2, 3, 4])
    const w = tensor([1, 0, 0, 1], undefined, 'int32')
    expect(L.reduce(l, w).item()).toBe(1.25)
    expect(L.reduce(tensor([], [0]), tensor([], [0])).item()).toBe(0)
  })

  it('withReduction refuses what is not a function, and names the nearest reduction', () => {
    invalid(() => L.withReduction('mse' as never), { path: 'loss' })
    invalid(() => L.withReduction(L.meanSquaredError, 'summ' as never), { path: 'reduction', nearest: 'sum' })
    invalid(() => L.withReduction(L.meanSquaredError, 3 as never), { path: 'reduction', nearest: undefined })
  })

  it('withReduction of a reduced loss starts again from its per-sample loss', () => {
    const t = tensor([[1, 2], [3, 4]])
    const p = tensor([[1, 3], [3, 6]])
    const none = L.withReduction(L.withReduction(L.meanSquaredError, 'sum'), 'none')
    expect(Array.from(dataSync(none(t, p)))).toEqual([0.5, 2])
    expect(none.perSample).toBe(L.meanSquaredError)
    expect(L.reductionOf(none)).toEqual({ reduction: 'none', perSample: L.meanSquaredError })
    const plain = (a: Parameters<L.LossFn>[0], b: Parameters<L.LossFn>[1]) => L.meanSquaredError(a, b)
    expect(L.reductionOf(plain)).toEqual({ reduction: 'sum_over_batch_size', perSample: plain })
  })

  it("a built-in loss keeps its name, and refuses an unknown option naming the nearest", () => {
    expect(L.meanSquaredError.name).toBe('meanSquaredError')
    expect(L.binaryCrossentropy.name).toBe('binaryCrossentropy')
    invalid(() => L.binaryCrossentropy({ fromLogit: true } as never), { path: 'fromLogit', nearest: 'fromLogits' })
  })
})

const values = (t: Tensor): number[] => Array.from(dataSync(t))
const tagged = (f: () => unknown, tag: string, more: Record<string, unknown> = {}): void =>
  expect(f).toThrow(expect.objectContaining({ _tag: tag, data: expect.objectContaining(more) }))

describe('functions: mutants killed', () => {
  // one-hot targets and positive predictions: valid for every loss
  const t12 = [1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 0]
  const p12 = [0.5, 0.25, 0.25, 0.125, 0.625, 0.25, 0.2, 0.3, 0.5, 0.75, 0.125, 0.125]
  const all: ReadonlyArray<readonly [string, (t: Tensor, p: Tensor) => Tensor]> = [
    ['meanSquaredError', L.meanSquaredError],
    ['meanAbsoluteError', L.meanAbsoluteError],
    ['meanAbsolutePercentageError', L.meanAbsolutePercentageError],
    ['meanSquaredLogarithmicError', L.meanSquaredLogarithmicError],
    ['binaryCrossentropy', (t, p) => L.binaryCrossentropy(t, p, { labelSmoothing: 0.1 })],
    ['categoricalCrossentropy', (t, p) => L.categoricalCrossentropy(t, p)],
    ['categoricalCrossentropy', (t, p) => L.categoricalCrossentropy(t, p, { fromLogits: true })],
    ['hinge', L.hinge],
    ['squaredHinge', L.squaredHinge],
    ['categoricalHinge', L.categoricalHinge],
    ['huber', (t, p) => L.huber(t, p)],
    ['logCosh', L.logCosh],
    ['klDivergence', L.klDivergence],
    ['poisson', L.poisson],
    ['cosineSimilarity', L.cosineSimilarity]
  ]

  it('at rank 3 each loss reduces the last axis only: the same rows as at rank 2', () => {
    for (const [name, f] of all) {
      const got = f(tensor(t12, [2, 2, 3]), tensor(p12, [2, 2, 3]))
      expect(got.shape, name).toEqual([2, 2])
      expect(values(got), name).toEqual(values(f(tensor(t12, [4, 3]), tensor(p12, [4, 3]))))
    }
    for (const fromLogits of [false, true]) {
      const s = L.sparseCategoricalCrossentropy(tensor([0, 1, 2, 1], [2, 2]), tensor(p12, [2, 2, 3]), { fromLogits })
      expect(s.shape).toEqual([2, 2])
      expect(values(s)).toEqual(values(L.sparseCategoricalCrossentropy(tensor([0, 1, 2, 1]), tensor(p12, [4, 3]), { fromLogits })))
      // ids with a trailing 1 at rank 3
      expect(values(L.sparseCategoricalCrossentropy(tensor([0, 1, 2, 1], [2, 2, 1]), tensor(p12, [2, 2, 3]), { fromLogits }))).toEqual(values(s))
    }
  })

  it('scalars: a loss of two scalars is a scalar (no axis to reduce)', () => {
    expect(values(L.meanSquaredError(scalar(1), scalar(3)))).toEqual([4])
    expect(L.meanSquaredError(scalar(1), scalar(3)).shape).toEqual([])
    expect(values(L.klDivergence(scalar(0.5), scalar(0.25)))[0]).toBeCloseTo(0.5 * Math.log(2), 6)
    // categorical hinge of t = 1, p = 0.5: max((1 − 1)·0.5 − 0.5 + 1, 0)
    expect(values(L.categoricalHinge(scalar(1), scalar(0.5)))).toEqual([0.5])
    // cosine of two scalars is their sign product, negated
    expect(values(L.cosineSimilarity(scalar(2), scalar(-3)))).toEqual([1])
    expect(values(L.cosineSimilarity(scalar(2), scalar(3)))).toEqual([-1])
  })

  it('ranks differing by one align only when the longer side ends in 1 (Keras squeeze-or-expand)', () => {
    // [2, 2] against [2]: no alignment, the rank-1 side broadcasts as a row
    expect(values(L.meanSquaredError(tensor([[1, 2], [3, 4]]), tensor([1, 2])))).toEqual([0, 4])
    expect(values(L.meanSquaredError(tensor([1, 2]), tensor([[1, 2], [3, 4]])))).toEqual([0, 4])
    // [2, 2, 1] against [2, 2]: the trailing 1 is dropped, one loss per row
    const a = L.meanSquaredError(tensor([[[1], [2]], [[3], [4]]]), tensor([[1, 4], [3, 3]]))
    expect(a.shape).toEqual([2])
    expect(values(a)).toEqual([2, 0.5])
    const b = L.meanSquaredError(tensor([[1, 4], [3, 3]]), tensor([[[1], [2]], [[3], [4]]]))
    expect(b.shape).toEqual([2])
    expect(values(b)).toEqual([2, 0.5])
  })

  it('a target that is not a tensor is refused naming the loss', () => {
    for (const [name, f] of all) tagged(() => f([1] as never, tensor([[1]])), 'InvalidArgument', { op: name, path: 'arguments[0]' })
    tagged(() => L.sparseCategoricalCrossentropy([1] as never, tensor([[1]])), 'InvalidArgument', { op: 'sparseCategoricalCrossentropy' })
  })

  it('integer targets are read as floats (kl divergence of int32 one-hot rows is finite)', () => {
    const p = tensor([[0.25, 0.75], [0.5, 0.5]])
    const want = values(L.klDivergence(tensor([[0, 1], [1, 0]]), p))
    expect(values(L.klDivergence(tensor([[0, 1], [1, 0]], undefined, 'int32'), p))).toEqual(want)
    expect(want.every(Number.isFinite)).toBe(true)
    expect(values(L.meanSquaredError(tensor([[0, 3]], undefined, 'int32'), tensor([[1, 1]], undefined, 'int32')))).toEqual([2.5])
  })

  it('categorical shape mismatch: same rank, another size is ShapeMismatch with both shapes', () => {
    const p = tensor([[0.5, 0.5]])
    for (const t of [tensor([[0, 1, 0]]), tensor([[0, 1], [1, 0]])])
      tagged(() => L.categoricalCrossentropy(t, p), 'ShapeMismatch', { op: 'categoricalCrossentropy', expected: [1, 2], actual: t.shape })
  })

  it('sparse ids: a batch of one, mismatched shapes named with the shapes ids may have', () => {
    // ids [1] with yPred [1, 3]: a batch of one sample, not ids with a trailing 1
    expect(values(L.sparseCategoricalCrossentropy(tensor([2]), tensor([[0.25, 0.25, 0.5]])))[0]).toBeCloseTo(Math.log(2), 6)
    const p = tensor(p12, [2, 2, 3])
    for (const t of [tensor([0, 1, 2]), tensor([[0, 1, 2], [1, 0, 0]]), tensor(t12, [2, 2, 3])])
      expect(() => L.sparseCategoricalCrossentropy(t, p)).toThrow(
        expect.objectContaining({
          _tag: 'ShapeMismatch',
          message: expect.stringContaining('class ids of shape [2, 2] or [2, 2, 1]'),
          data: expect.objectContaining({ op: 'sparseCategoricalCrossentropy', expected: [2, 2, 3], actual: t.shape })
        })
      )
  })

  it('labelSmoothing must be a number in [0, 1]; 1 is accepted (every target 1/2)', () => {
    const t = tensor([[1], [0]])
    const p = tensor([[0.75], [0.25]])
    for (const ls of [-0.1, 1.1, Number.NaN, '0.1'])
      for (const [op, f] of [
        ['binaryCrossentropy', () => L.binaryCrossentropy(t, p, { labelSmoothing: ls as never })],
        ['categoricalCrossentropy', () => L.categoricalCrossentropy(t, p, { labelSmoothing: ls as never })]
      ] as const)
        tagged(f, 'InvalidOption', { op, path: 'labelSmoothing', received: ls })
    const half = -(0.5 * Math.log(0.75) + 0.5 * Math.log(0.25))
    values(L.binaryCrossentropy(t, p, { labelSmoothing: 1 })).forEach((v) => expect(v).toBeCloseTo(half, 6))
  })

  it('huber: delta must be a positive number', () => {
    const t = tensor([[0]])
    for (const delta of [0, -1, Number.NaN, '1']) tagged(() => L.huber(t, t, { delta: delta as never }), 'InvalidOption', { op: 'huber', path: 'delta', received: delta })
    expect(values(L.huber(t, tensor([[3]]), { delta: 1e-3 }))[0]).toBeCloseTo(3e-3 - 0.5e-6, 9)
  })

  it('probabilities of exactly 0 and 1 are clipped to [ε, 1 − ε] (float64: −log ε, not ∞ or ε-off)', () => {
    const minusLogEps = -Math.log(L.EPSILON)
    withBackend('reference', () => {
      const b = dataF64(L.binaryCrossentropy(tensor([[1], [0]]), tensor([[0], [1]])))
      expect(Math.abs(b[0] - minusLogEps)).toBeLessThan(1e-9)
      expect(Math.abs(b[1] - minusLogEps)).toBeLessThan(1e-9)
      // sparse: log(clip(p)) then logSoftmax; with p = [1, 0] the normaliser is log(1 − ε + ε) = 0
      const s = dataF64(L.sparseCategoricalCrossentropy(tensor([1, 0]), tensor([[1, 0], [1, 0]])))
      expect(Math.abs(s[0] - minusLogEps)).toBeLessThan(1e-12)
      expect(Math.abs(s[1] + Math.log(1 - L.EPSILON))).toBeLessThan(1e-12)
    })
  })
})

describe('index: mutants killed', () => {
  const names = ['out', 'out_1']
  const left = <A>(r: E.Either<unknown, A>): Record<string, unknown> => (E.isLeft(r) ? (r.left as Record<string, unknown>) : { right: r.right })
  const allNames = L.lossNames.map((n) => `'${n}'`).join(', ')
  const t = tensor([[0], [2]])
  const p = tensor([[1], [4]])

  it('lossFromName: a bad reduction, name or option is a Left whose message and data say what came and what is allowed', () => {
    expect(left(L.lossFromName('mse', { reduction: 'summ' as never }))).toMatchObject({
      _tag: 'InvalidOption',
      message: "mse: unknown reduction \"summ\" — did you mean 'sum'? (expected one of 'none', 'sum', 'sum_over_batch_size')",
      path: 'reduction', received: 'summ', nearest: 'sum'
    })
    expect(left(L.lossFromName('mse', { reduction: 3 as never }))).toMatchObject({
      _tag: 'InvalidOption',
      message: "mse: unknown reduction 3 (expected one of 'none', 'sum', 'sum_over_batch_size')",
      received: 3,
      nearest: undefined
    })
    expect(left(L.lossFromName('msee'))).toMatchObject({
      _tag: 'UnknownLoss',
      message: `unknown loss 'msee' — did you mean 'mse'? (expected one of ${allNames}, or a function)`,
      expected: L.lossNames, received: 'msee', nearest: 'mse'
    })
    expect(left(L.lossFromName(3 as never))).toMatchObject({ _tag: 'UnknownLoss', message: `unknown loss 3 (expected one of ${allNames}, or a function)`, received: 3, nearest: undefined })
    expect(left(L.lossFromName('BinaryCrossentropy', { fromLogit: true } as never))).toMatchObject({
      _tag: 'InvalidOption',
      message: "binary_crossentropy: unknown option 'fromLogit' (expected one of 'fromLogits', 'labelSmoothing')",
      op: 'binary_crossentropy', path: 'fromLogit', expected: ['fromLogits', 'labelSmoothing'], received: 'fromLogit'
    })
  })

  it('lossFromName without a reduction is the plain per-sample loss, not a ReducedLoss', () => {
    const f = E.getOrElseW(() => undefined)(L.lossFromName('mse'))
    expect(f).toBeTypeOf('function')
    expect('reduction' in (f as object)).toBe(false)
    expect(values((f as L.LossFn)(t, p))).toEqual([1, 4])
  })

  it('resolveLosses: lists with null entries, records, and every malformed spec as a Left at its path', () => {
    const list = left(L.resolveLosses(['mse', null], names)).right as ReadonlyArray<L.LossFn | undefined>
    expect(list[1]).toBeUndefined()
    expect(values((list[0] as L.LossFn)(t, p))).toEqual([1, 4])
    expect((left(L.resolveLosses([undefined, 'mae'] as never, names)).right as unknown[])[0]).toBeUndefined()
    const rec = left(L.resolveLosses({ out: 'mae', out_1: null }, names)).right as ReadonlyArray<L.LossFn | undefined>
    expect(rec.length).toBe(2)
    expect(rec[1]).toBeUndefined()
    expect(values((rec[0] as L.LossFn)(t, p))).toEqual([1, 2])
    expect(left(L.resolveLosses('msee', names))).toMatchObject({ _tag: 'UnknownLoss', path: 'loss', message: expect.stringMatching(/^loss: unknown loss 'msee'/) })
    expect(left(L.resolveLosses({ out_1: 'msee' }, names))).toMatchObject({ _tag: 'UnknownLoss', path: 'loss.out_1', message: expect.stringMatching(/^loss\.out_1: unknown loss/) })
    expect(left(L.resolveLosses(['mse', 3] as never, names))).toMatchObject({
      _tag: 'InvalidOption',
      message: 'loss[1]: expected a loss name or a function (yTrue, yPred) => Tensor, received 3',
      path: 'loss[1]',
      expected: 'string | function',
      received: 3
    })
    // a function is the loss of every output
    expect(left(L.resolveLosses(L.meanAbsoluteError, names)).right).toEqual([L.meanAbsoluteError, L.meanAbsoluteError])
    expect(left(L.resolveLosses(null as never, names))).toMatchObject({ message: 'loss: expected a loss name, a function, a list or a record of them, received null' })
    expect(left(L.resolveLosses(['mse'], names))).toMatchObject({
      _tag: 'InvalidOption',
      message: 'loss: expected a list of 2 losses (one per output: out, out_1), received 1',
      path: 'loss', expected: 2, received: 1
    })
    expect(left(L.resolveLosses({ outt: 'mse' }, names))).toMatchObject({
      _tag: 'InvalidOption',
      message: "loss: unknown output 'outt' — did you mean 'out'? (outputs: out, out_1)",
      path: 'loss.outt', expected: names, received: 'outt', nearest: 'out'
    })
    for (const bad of [null, 3, tensor([1])])
      expect(left(L.resolveLosses(bad as never, names))).toMatchObject({ _tag: 'InvalidOption', path: 'loss', expected: 'LossesSpec', received: bad })
  })

  it('resolveLossWeights: default ones, a list (copied), a record; malformed weights are Lefts at their path', () => {
    expect(left(L.resolveLossWeights(undefined, names)).right).toEqual([1, 1])
    const list = [1, 0.5]
    const got = left(L.resolveLossWeights(list, names)).right
    expect(got).toEqual([1, 0.5])
    expect(got).not.toBe(list)
    expect(left(L.resolveLossWeights([1], names))).toMatchObject({
      _tag: 'InvalidOption',
      message: 'lossWeights: expected 2 weights (one per output: out, out_1), received 1',
      path: 'lossWeights', expected: 2, received: 1
    })
    expect(left(L.resolveLossWeights([1, Number.NaN], names))).toMatchObject({
      _tag: 'InvalidOption',
      message: 'lossWeights[1]: expected a finite number, received NaN',
      path: 'lossWeights[1]',
      expected: 'finite number'
    })
    expect(left(L.resolveLossWeights([1, '2'] as never, names))).toMatchObject({ path: 'lossWeights[1]', received: '2' })
    expect(left(L.resolveLossWeights({ outt: 1 }, names))).toMatchObject({
      _tag: 'InvalidOption',
      message: "lossWeights: unknown output 'outt' — did you mean 'out'? (outputs: out, out_1)",
      path: 'lossWeights.outt', expected: names, received: 'outt', nearest: 'out'
    })
    expect(left(L.resolveLossWeights({ out: Infinity }, names))).toMatchObject({ path: 'lossWeights.out' })
    expect(left(L.resolveLossWeights({ out: '1' } as never, names))).toMatchObject({ path: 'lossWeights.out' })
    for (const bad of [null, 3]) expect(left(L.resolveLossWeights(bad as never, names))).toMatchObject({ _tag: 'InvalidOption', path: 'lossWeights', received: bad })
  })

  it("totalLoss skips outputs without a loss, and a 'sum' loss counts with its sum", () => {
    expect(L.totalLoss([undefined, L.meanSquaredError], [1, 1], [t, t], [p, p]).item()).toBe(2.5)
    expect(L.totalLoss([undefined, L.withReduction(L.meanSquaredError, 'sum')], [1, 2], [t, t], [p, p]).item()).toBe(10)
    expect(L.totalLoss([undefined], [1], [t], [p]).item()).toBe(0)
  })

  it('sampleWeightsFromClassWeight: the first of equal maxima (numpy argmax), soft rows, a scalar id; shape [n]', () => {
    // rows: argmax 0, 1 (its last entry is below the row's max but above the previous row's last), first of a tie, 1
    const y = tensor([[0.5, 0.3, 0.2], [0.1, 0.6, 0.3], [0.4, 0.4, 0.2], [0.2, 0.7, 0.1]])
    const w = L.sampleWeightsFromClassWeight(y, { 0: 2, 1: 3, 2: 5 })
    expect(w.shape).toEqual([4])
    expect(values(w)).toEqual([2, 3, 2, 3])
    // a row whose next row starts higher than its own maximum
    expect(values(L.sampleWeightsFromClassWeight(tensor([[0.2, 0.3], [0.9, 0.1]]), { 0: 2, 1: 3 }))).toEqual([3, 2])
    const s = L.sampleWeightsFromClassWeight(scalar(1), { 1: 3 })
    expect(s.shape).toEqual([1])
    expect(values(s)).toEqual([3])
  })
})

describe('reduction (reduce, alignWeights, weighted, withReduction): mutants killed', () => {
  const t = tensor([[0], [2]])
  const p = tensor([[1], [4]]) // mse per sample: [1, 4]

  it('sample weights: [batch, 1] is squeezed, the same rank broadcasts, a higher rank broadcasts (Keras)', () => {
    expect(L.reduce(tensor([1, 3]), tensor([[1], [0]])).item()).toBe(0.5)
    // [2, 3] losses, [2, 1] weights: same rank, broadcast over the last axis
    expect(L.reduce(tensor([[1, 2, 3], [4, 5, 6]]), tensor([[1], [0]])).item()).toBe(1)
    // [2] losses, [2, 2] weights: broadcast to [2, 2], divided by its size
    expect(L.reduce(tensor([1, 2]), tensor([[1, 0], [0, 1]])).item()).toBe(0.75)
    // [2, 2] losses, [2, 2, 1] weights: the trailing 1 is dropped
    expect(L.reduce(tensor([[1, 2], [3, 4]]), tensor([[[1], [0]], [[0], [1]]])).item()).toBe(1.25)
    // [2, 2, 2] losses, [2] weights: broadcast over both trailing axes
    expect(L.reduce(tensor([1, 2, 3, 4, 5, 6, 7, 8], [2, 2, 2]), tensor([1, 0])).item()).toBe(1.25)
    expect(values(L.weighted(tensor([1, 3]), tensor([[2], [0]])))).toEqual([2, 0])
    expect(L.weighted(tensor([1, 3]), tensor([[2], [0]])).shape).toEqual([2])
  })

  it('reduce of a scalar is the scalar; a non-tensor is refused naming reduce or weighted', () => {
    expect(L.reduce(scalar(3)).item()).toBe(3)
    tagged(() => L.reduce([1] as never), 'InvalidArgument', { op: 'reduce', path: 'arguments[0]' })
    tagged(() => L.reduce(tensor([1]), [1] as never), 'InvalidArgument', { op: 'reduce', path: 'arguments[1]' })
    tagged(() => L.weighted([1] as never), 'InvalidArgument', { op: 'weighted', path: 'arguments[0]' })
    tagged(() => L.weighted([1] as never, tensor([1])), 'InvalidArgument', { op: 'weighted', path: 'arguments[0]' })
    tagged(() => L.weighted(tensor([1]), [1] as never), 'InvalidArgument', { op: 'weighted', path: 'arguments[1]' })
  })

  it("withReduction: the default is 'sum_over_batch_size'; 'sum' and 'none' weigh each sample", () => {
    const w = tensor([3, 1])
    const dflt = L.withReduction(L.meanSquaredError)
    expect(dflt.reduction).toBe('sum_over_batch_size')
    expect(dflt(t, p).item()).toBe(2.5)
    expect(dflt(t, p, w).item()).toBe(3.5)
    expect(L.withReduction(L.meanSquaredError, 'sum')(t, p, w).item()).toBe(7)
    expect(L.withReduction(L.meanSquaredError, 'sum')(t, p).item()).toBe(5)
    const none = L.withReduction(L.meanSquaredError, 'none')(t, p, w)
    expect(none.shape).toEqual([2])
    expect(values(none)).toEqual([3, 4])
  })

  it('withReduction: its errors say what came and what is allowed', () => {
    expect(() => L.withReduction(3 as never)).toThrow(
      expect.objectContaining({ _tag: 'InvalidOption', message: 'withReduction: expected a loss function (yTrue, yPred) => Tensor, received 3', data: expect.objectContaining({ expected: 'function' }) })
    )
    const all = "(expected one of 'none', 'sum', 'sum_over_batch_size')"
    expect(() => L.withReduction(L.meanSquaredError, 'summ' as never)).toThrow(expect.objectContaining({ message: `withReduction: unknown reduction "summ" — did you mean 'sum'? ${all}` }))
    expect(() => L.withReduction(L.meanSquaredError, 3 as never)).toThrow(expect.objectContaining({ message: `withReduction: unknown reduction 3 ${all}` }))
  })

  it('reductionOf needs both a reduction and a per-sample function; otherwise the function is a plain loss', () => {
    const onlyReduction = Object.assign((a: Tensor, b: Tensor) => L.meanSquaredError(a, b), { reduction: 'sum' as const })
    expect(L.reductionOf(onlyReduction)).toEqual({ reduction: 'sum_over_batch_size', perSample: onlyReduction })
    const onlyPerSample = Object.assign((a: Tensor, b: Tensor) => L.meanSquaredError(a, b), { perSample: L.meanAbsoluteError })
    expect(L.reductionOf(onlyPerSample)).toEqual({ reduction: 'sum_over_batch_size', perSample: onlyPerSample })
  })
})
