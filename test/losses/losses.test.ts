import { describe, it, expect } from 'vitest'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { tensor, withBackend, grad, sum, dataSync, type Tensor } from '../../src/index.js'
import { dataF64 } from '../../src/core/Tensor.js'
import * as L from '../../src/losses/index.js'
import { checkGrads } from '../../laws/index.js'

const EPS = 1e-7
const clip = (x: number, lo: number, hi: number): number => Math.min(Math.max(x, lo), hi)
const softplus = (x: number): number => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)))
const meanOf = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length
const sumOf = (xs: number[]): number => xs.reduce((a, b) => a + b, 0)
const logSoftmax = (xs: number[]): number[] => {
  const m = Math.max(...xs)
  const lse = m + Math.log(sumOf(xs.map((x) => Math.exp(x - m))))
  return xs.map((x) => x - lse)
}

/** Per-row formulas (Keras's), for rows of one sample. */
const formulas: ReadonlyArray<readonly [string, (t: Tensor, p: Tensor) => Tensor, (t: number[], p: number[]) => number, 'any' | 'unit' | 'positive' | 'prob']> = [
  ['mse', L.mse, (t, p) => meanOf(t.map((x, i) => (p[i] - x) ** 2)), 'any'],
  ['mae', L.mae, (t, p) => meanOf(t.map((x, i) => Math.abs(p[i] - x))), 'any'],
  ['mape', L.mape, (t, p) => 100 * meanOf(t.map((x, i) => Math.abs((x - p[i]) / Math.max(Math.abs(x), EPS)))), 'any'],
  ['msle', L.msle, (t, p) => meanOf(t.map((x, i) => (Math.log(Math.max(p[i], EPS) + 1) - Math.log(Math.max(x, EPS) + 1)) ** 2)), 'positive'],
  ['binaryCrossentropy', (t, p) => L.binaryCrossentropy(t, p), (t, p) => meanOf(t.map((x, i) => { const q = clip(p[i], EPS, 1 - EPS); return -(x * Math.log(q) + (1 - x) * Math.log(1 - q)) })), 'unit'],
  ['binaryCrossentropy fromLogits + smoothing', (t, p) => L.binaryCrossentropy(t, p, { fromLogits: true, labelSmoothing: 0.2 }), (t, p) => meanOf(t.map((x0, i) => { const x = x0 * 0.8 + 0.1; return softplus(p[i]) - p[i] * x })), 'unit'],
  ['categoricalCrossentropy', (t, p) => L.categoricalCrossentropy(t, p), (t, p) => { const s = sumOf(p); return -sumOf(t.map((x, i) => x * Math.log(clip(p[i] / s, EPS, 1 - EPS)))) }, 'prob'],
  ['categoricalCrossentropy fromLogits + smoothing', (t, p) => L.categoricalCrossentropy(t, p, { fromLogits: true, labelSmoothing: 0.1 }), (t, p) => { const lp = logSoftmax(p); return -sumOf(t.map((x, i) => (x * 0.9 + 0.1 / t.length) * lp[i])) }, 'prob'],
  ['hinge', L.hinge, (t, p) => meanOf(t.map((x, i) => Math.max(1 - (x === 0 ? -1 : x) * p[i], 0))), 'unit'],
  ['squaredHinge', L.squaredHinge, (t, p) => meanOf(t.map((x, i) => Math.max(1 - (x === 0 ? -1 : x) * p[i], 0) ** 2)), 'unit'],
  ['categoricalHinge', L.categoricalHinge, (t, p) => Math.max(Math.max(...t.map((x, i) => (1 - x) * p[i])) - sumOf(t.map((x, i) => x * p[i])) + 1, 0), 'prob'],
  ['huber', (t, p) => L.huber(t, p, { delta: 0.7 }), (t, p) => meanOf(t.map((x, i) => { const e = p[i] - x; return Math.abs(e) <= 0.7 ? 0.5 * e * e : 0.7 * Math.abs(e) - 0.5 * 0.49 })), 'any'],
  ['logCosh', L.logCosh, (t, p) => meanOf(t.map((x, i) => Math.log(Math.cosh(p[i] - x)))), 'any'],
  ['kld', L.kld, (t, p) => sumOf(t.map((x0, i) => { const x = clip(x0, EPS, 1); return x * Math.log(x / clip(p[i], EPS, 1)) })), 'prob'],
  ['poisson', L.poisson, (t, p) => meanOf(t.map((x, i) => p[i] - x * Math.log(p[i] + EPS))), 'positive'],
  ['cosineSimilarity', L.cosineSimilarity, (t, p) => { const nt = Math.sqrt(Math.max(sumOf(t.map((x) => x * x)), 1e-12)); const np = Math.sqrt(Math.max(sumOf(p.map((x) => x * x)), 1e-12)); return -sumOf(t.map((x, i) => (x / nt) * (p[i] / np))) }, 'any']
]

const rowsArb = (kind: 'any' | 'unit' | 'positive' | 'prob'): fc.Arbitrary<{ b: number; k: number; t: number[]; p: number[] }> =>
  fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 })).chain(([b, k]) => {
    const n = b * k
    const d = (lo: number, hi: number) => fc.array(fc.double({ min: lo, max: hi, noNaN: true }), { minLength: n, maxLength: n })
    const t = kind === 'unit' ? fc.array(fc.integer({ min: 0, max: 1 }), { minLength: n, maxLength: n }) : kind === 'any' ? d(-3, 3) : d(0.01, 1)
    const p = kind === 'unit' ? d(-4, 4) : kind === 'any' ? d(-3, 3) : d(0.01, 1)
    return fc.tuple(t, p).map(([tt, pp]) => ({ b, k, t: tt, p: pp }))
  })

describe('losses match their formulas on random inputs (float64 reference backend)', () => {
  it.each(formulas)('%s', (name, f, formula, kind) => {
    fc.assert(
      fc.property(rowsArb(kind), ({ b, k, t, p }) => {
        // probabilities for the binary losses that take probabilities
        const pv = kind === 'unit' && name === 'binaryCrossentropy' ? p.map((x) => 1 / (1 + Math.exp(-x))) : p
        const got = withBackend('reference', () => Array.from(dataF64(f(tensor(t, [b, k]), tensor(pv, [b, k])))))
        expect(got.length).toBe(b)
        got.forEach((g, i) => {
          const want = formula(t.slice(i * k, (i + 1) * k), pv.slice(i * k, (i + 1) * k))
          expect(Math.abs(g - want), `${name} row ${i}: ${g} vs ${want}`).toBeLessThanOrEqual(1e-9 + 1e-9 * Math.abs(want))
        })
      }),
      { numRuns: 20 }
    )
  })
  it('the same on the default float32 backend, within float32 tolerance', () => {
    for (const [name, f, formula, kind] of formulas) {
      const [{ b, k, t, p: p0 }] = fc.sample(rowsArb(kind), { numRuns: 1, seed: 7 })
      // probabilities away from the clip bounds (1 − 1e-7 is not representable in float32)
      const p = kind === 'unit' && name === 'binaryCrossentropy' ? p0.map((x) => 1 / (1 + Math.exp(-x))) : p0
      const got = Array.from(dataSync(f(tensor(t, [b, k]), tensor(p, [b, k]))))
      got.forEach((g, i) => {
        const want = formula(t.slice(i * k, (i + 1) * k), p.slice(i * k, (i + 1) * k))
        expect(Math.abs(g - want), name).toBeLessThanOrEqual(1e-4 * (1 + Math.abs(want)))
      })
    }
  })
})

describe('numerical stability', () => {
  const big = [1e4, -1e4, 0, 50, -50]
  it('binary crossentropy from logits: finite loss and gradient at ±1e4', () => {
    const y = tensor([[1], [1], [0], [0], [1]])
    const x = tensor(big.map((v) => [v]))
    const l = dataSync(L.binaryCrossentropy(y, x, { fromLogits: true }))
    expect(Array.from(l).every(Number.isFinite)).toBe(true)
    expect(l[0]).toBeCloseTo(0, 5)
    expect(l[1]).toBeCloseTo(1e4, 0)
    const g = dataSync(grad((z: Tensor) => sum(L.binaryCrossentropy(y, z, { fromLogits: true })))(x))
    expect(Array.from(g).every(Number.isFinite)).toBe(true)
    expect(g[1]).toBeCloseTo(-1, 5) // σ(x) − y
  })
  it('categorical and sparse crossentropy from logits: finite at ±1e4', () => {
    const x = tensor([[1e4, -1e4, 0], [-1e4, -1e4, 1e4]])
    const yc = tensor([[0, 1, 0], [0, 0, 1]])
    const ys = tensor([1, 2], undefined, 'int32')
    const lc = dataSync(L.categoricalCrossentropy(yc, x, { fromLogits: true }))
    const ls = dataSync(L.sparseCategoricalCrossentropy(ys, x, { fromLogits: true }))
    expect(Array.from(lc)).toEqual(Array.from(ls))
    expect(lc[0]).toBeCloseTo(2e4, 0)
    expect(lc[1]).toBeCloseTo(0, 5)
    for (const f of [(z: Tensor) => sum(L.categoricalCrossentropy(yc, z, { fromLogits: true })), (z: Tensor) => sum(L.sparseCategoricalCrossentropy(ys, z, { fromLogits: true }))]) {
      const g = dataSync(grad(f)(x))
      expect(Array.from(g).every(Number.isFinite)).toBe(true)
    }
  })
  it('crossentropy from probabilities clips 0 and 1 (finite, as Keras)', () => {
    const l = dataSync(L.binaryCrossentropy(tensor([[1], [0]]), tensor([[0], [1]])))
    expect(l[0]).toBeCloseTo(-Math.log(1e-7), 1)
    const g = dataSync(grad((z: Tensor) => sum(L.categoricalCrossentropy(tensor([[1, 0]]), z)))(tensor([[0, 1]])))
    expect(Array.from(g).every(Number.isFinite)).toBe(true)
  })
  it('gradients match finite differences (float64)', () => {
    const t = tensor([[1, 0, 0], [0, 0, 1]])
    const p = tensor([[0.3, -1.2, 2], [0.1, 0.5, -0.7]])
    for (const f of [
      (x: Tensor) => sum(L.mse(t, x)),
      (x: Tensor) => sum(L.categoricalCrossentropy(t, x, { fromLogits: true, labelSmoothing: 0.1 })),
      (x: Tensor) => sum(L.binaryCrossentropy(t, x, { fromLogits: true })),
      (x: Tensor) => sum(L.logCosh(t, x)),
      (x: Tensor) => sum(L.cosineSimilarity(t, x))
    ])
      expect(checkGrads((xs: Tensor[]) => f(xs[0]), [p]).ok).toBe(true)
  })
})

describe('shapes', () => {
  it('[batch] targets align with [batch, 1] predictions (Keras squeeze-or-expand)', () => {
    const a = dataSync(L.mse(tensor([1, 2]), tensor([[1], [4]])))
    expect(Array.from(a)).toEqual([0, 4])
    const b = dataSync(L.mse(tensor([[1], [2]]), tensor([1, 4])))
    expect(Array.from(b)).toEqual([0, 4])
  })
  it('sparse ids: int32 or float, [batch] or [batch, 1], give the same losses', () => {
    const p = tensor([[0.2, 0.7, 0.1], [0.5, 0.25, 0.25]])
    const want = [-Math.log(0.7), -Math.log(0.25)]
    for (const ids of [tensor([1, 2], undefined, 'int32'), tensor([1, 2]), tensor([[1], [2]]), tensor([[1], [2]], undefined, 'int32')]) {
      const l = dataSync(L.sparseCategoricalCrossentropy(ids, p))
      l.forEach((v, i) => expect(v).toBeCloseTo(want[i], 5))
    }
    expect(() => L.sparseCategoricalCrossentropy(tensor([1, 2, 0]), p)).toThrow(/ShapeMismatch|shape/)
    expect(() => L.categoricalCrossentropy(tensor([1, 2]), p)).toThrow(/sparseCategoricalCrossentropy/)
  })
})

describe('reduce', () => {
  it('is the mean, or sum(l·w) / size(l) with sample weights', () => {
    const l = tensor([1, 2, 3, 4])
    expect(L.reduce(l).item()).toBe(2.5)
    expect(L.reduce(l, tensor([1, 0, 0, 1])).item()).toBe(1.25)
    expect(L.reduce(l, tensor([[1], [0], [0], [1]])).item()).toBe(1.25)
    expect(L.reduce(tensor([[1, 3], [5, 7]]), tensor([1, 0])).item()).toBe(1)
  })
})

describe('by name, per output', () => {
  it('resolves Keras names and aliases to one function each', () => {
    const t = tensor([[0.2, 0.8]])
    const p = tensor([[0.3, 0.6]])
    const groups: ReadonlyArray<ReadonlyArray<string>> = [
      ['mse', 'mean_squared_error', 'MeanSquaredError', 'meanSquaredError'],
      ['mae', 'mean_absolute_error', 'MeanAbsoluteError'],
      ['mape', 'mean_absolute_percentage_error'],
      ['msle', 'mean_squared_logarithmic_error'],
      ['binary_crossentropy', 'BinaryCrossentropy', 'binaryCrossentropy'],
      ['categorical_crossentropy', 'CategoricalCrossentropy'],
      ['hinge', 'Hinge'],
      ['squared_hinge', 'SquaredHinge'],
      ['categorical_hinge', 'CategoricalHinge'],
      ['huber', 'Huber', 'huber_loss'],
      ['log_cosh', 'logcosh', 'LogCosh'],
      ['kld', 'kl_divergence', 'kullback_leibler_divergence', 'KLDivergence'],
      ['poisson', 'Poisson'],
      ['cosine_similarity', 'CosineSimilarity']
    ]
    for (const g of groups) {
      const values = g.map((n) => {
        const r = L.lossFromName(n)
        expect(E.isRight(r), n).toBe(true)
        return E.isRight(r) ? dataSync(r.right(t, p))[0] : Number.NaN
      })
      expect(new Set(values).size, g.join()).toBe(1)
    }
    expect(E.isRight(L.lossFromName('sparse_categorical_crossentropy', { fromLogits: true }))).toBe(true)
    expect(L.canonicalLossName('SparseCategoricalCrossentropy')).toBe('sparse_categorical_crossentropy')
  })
  it('an unknown name or option is a Left naming the nearest', () => {
    const r = L.lossFromName('mean_sqared_error')
    expect(E.isLeft(r) && r.left._tag).toBe('UnknownLoss')
    expect(E.isLeft(r) && r.left.message).toContain("did you mean 'mean_squared_error'?")
    const o = L.lossFromName('mse', { fromLogits: true })
    expect(E.isLeft(o) && o.left.message).toMatch(/takes no options/)
  })
  it('resolveLosses: one for all, a list, a record; resolveLossWeights; totalLoss', () => {
    const names = ['out', 'out_1']
    const one = L.resolveLosses('mse', names)
    expect(E.isRight(one) && one.right.length).toBe(2)
    const rec = L.resolveLosses({ out_1: 'mae' }, names)
    expect(E.isRight(rec) && rec.right[0]).toBeUndefined()
    expect(E.isLeft(L.resolveLosses(['mse'], names))).toBe(true)
    const bad = L.resolveLosses({ outt: 'mse' }, names)
    expect(E.isLeft(bad) && bad.left.message).toContain("did you mean 'out'?")
    const badName = L.resolveLosses(['mse', 'msee'], names)
    expect(E.isLeft(badName) && badName.left.message).toMatch(/^loss\[1\]: unknown loss/)
    const w = L.resolveLossWeights({ out_1: 0.5 }, names)
    expect(E.isRight(w) && w.right).toEqual([1, 0.5])
    expect(E.isLeft(L.resolveLossWeights([1], names))).toBe(true)
    const fns = E.getOrElseW(() => [])(L.resolveLosses(['mse', 'mae'], names))
    const total = L.totalLoss(fns, [1, 0.5], [tensor([[0], [0]]), tensor([[1], [1]])], [tensor([[1], [3]]), tensor([[0], [0]])])
    expect(total.item()).toBeCloseTo(5 + 0.5, 6)
  })
  it('sampleWeightsFromClassWeight: ids or one-hot rows, missing classes weigh 1', () => {
    expect(Array.from(dataSync(L.sampleWeightsFromClassWeight(tensor([0, 1, 2]), { 0: 2, 1: 3 })))).toEqual([2, 3, 1])
    expect(Array.from(dataSync(L.sampleWeightsFromClassWeight(tensor([[0, 1], [1, 0]]), { 1: 5 })))).toEqual([5, 1])
    expect(Array.from(dataSync(L.sampleWeightsFromClassWeight(tensor([[1], [0]]), { 1: 5 })))).toEqual([5, 1])
  })
})
