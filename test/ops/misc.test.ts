import { describe, it, expect } from 'vitest'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import {
  tensor, toArray, dataSync, item, shape, range, expandDims, squeeze, flatten2d, stack, splitTensor, dot, norm, min, nanToNum,
  isFinite, isNaN, equal, greater, less, greaterEqual, lessEqual, reciprocal, log1p, expm1, sumSquares, linear, swish, silu,
  vdot, isTraced, grad, sum, mul, foldIn, key, Tree, attempt, orThrow, tfError, TensorfoldError, isTensor, withBackend,
  getBackend, getSyncBackend, resolveBackend, availableModes, reference, clip, oneHot, argmax, variance, mean, logSumExp,
  type Tensor
} from '../../src/index.js'
import { shapeArb, tensorOf } from '../../laws/arbitraries.js'
import { dataF64 } from '../../src/core/Tensor.js'

const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-5) => {
  expect(a.length).toBe(b.length)
  for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThanOrEqual(tol * (1 + Math.abs(b[i])))
}

describe('shape ops', () => {
  it('expandDims, squeeze and flatten2d reshape without changing values', () => {
    fc.assert(
      fc.property(shapeArb(1, 3).chain((s) => tensorOf(s)), (x) => {
        const e = expandDims(x, 0)
        expect(e.shape).toEqual([1, ...x.shape])
        expect(squeeze(e, [0]).shape).toEqual(x.shape)
        expect(flatten2d(x).shape).toEqual([x.shape[0], x.size / x.shape[0]])
        expect(dataSync(flatten2d(x))).toEqual(dataSync(x))
      })
    )
    expect(() => squeeze(tensor([[1, 2]]), [1])).toThrow(/axis 1 has size 2/)
  })
  it('stack and split are inverse', () => {
    const a = tensor([1, 2])
    const b = tensor([3, 4])
    const s = stack([a, b], 0)
    expect(toArray(s)).toEqual([[1, 2], [3, 4]])
    const [x, y] = splitTensor(s, [1, 1], 0)
    expect(toArray(x)).toEqual([[1, 2]])
    expect(toArray(y)).toEqual([[3, 4]])
    expect(() => splitTensor(s, [1, 2], 0)).toThrow(/do not add up/)
  })
  it('oneHot and argmax agree', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 8 }), (idx) => {
        const oh = oneHot(tensor(idx, undefined, 'int32'), 6)
        expect(Array.from(dataSync(argmax(oh)))).toEqual(idx)
      })
    )
    expect(() => oneHot(tensor([1]), 0)).toThrow(/positive integer depth/)
  })
})

describe('derived arithmetic and reductions', () => {
  it('match their formulas', () => {
    const x = tensor([0.5, 1, 2])
    close(dataSync(reciprocal(x)), [2, 1, 0.5])
    close(dataSync(log1p(x)), [Math.log1p(0.5), Math.log1p(1), Math.log1p(2)])
    close(dataSync(expm1(x)), [Math.expm1(0.5), Math.expm1(1), Math.expm1(2)])
    expect(item(sumSquares(x))).toBeCloseTo(5.25)
    expect(item(norm(x))).toBeCloseTo(Math.sqrt(5.25))
    expect(item(min(x))).toBe(0.5)
    expect(item(mean(x))).toBeCloseTo(3.5 / 3)
    expect(item(variance(tensor([1, 3])))).toBeCloseTo(1)
    expect(toArray(clip(tensor([-2, 0.5, 3]), -1, 1))).toEqual([-1, 0.5, 1])
    expect(toArray(linear(x))).toEqual(toArray(x))
    close(dataSync(swish(x)), dataSync(silu(x)))
    close(dataSync(silu(x)), [0.5 / (1 + Math.exp(-0.5)), 1 / (1 + Math.exp(-1)), 2 / (1 + Math.exp(-2))])
    expect(item(logSumExp(tensor([0, 0])))).toBeCloseTo(Math.log(2))
  })
  it('comparisons, NaN and infinity tests', () => {
    const a = tensor([1, 2, 3])
    expect(toArray(equal(a, 2))).toEqual([0, 1, 0])
    expect(toArray(greater(a, 2))).toEqual([0, 0, 1])
    expect(toArray(less(a, 2))).toEqual([1, 0, 0])
    expect(toArray(greaterEqual(a, 2))).toEqual([0, 1, 1])
    expect(toArray(lessEqual(a, 2))).toEqual([1, 1, 0])
    const b = tensor([NaN, Infinity, 1])
    expect(toArray(isNaN(b))).toEqual([1, 0, 0])
    expect(toArray(isFinite(b))).toEqual([0, 0, 1])
    expect(toArray(nanToNum(b, 7))).toEqual([7, Infinity, 1])
  })
  it('dot follows numpy for vectors and matrices', () => {
    expect(item(dot(tensor([1, 2]), tensor([3, 4])))).toBe(11)
    expect(toArray(dot(tensor([[1, 2], [3, 4]]), tensor([1, 1])))).toEqual([3, 7])
    expect(toArray(dot(tensor([1, 1]), tensor([[1, 2], [3, 4]])))).toEqual([4, 6])
    expect(toArray(dot(tensor([[1, 0], [0, 1]]), tensor([[5, 6], [7, 8]])))).toEqual([[5, 6], [7, 8]])
  })
})

describe('AD helpers', () => {
  it('vdot is the inner product of trees and isTraced sees tracers', () => {
    expect(item(vdot({ a: tensor([1, 2]), b: tensor([3]) }, { a: tensor([3, 4]), b: tensor([2]) }))).toBe(17)
    let seen = false
    grad((x: Tensor) => {
      seen = isTraced(x)
      return sum(mul(x, x))
    })(tensor([1]))
    expect(seen).toBe(true)
    expect(isTraced(tensor([1]))).toBe(false)
  })
})

describe('values, trees, keys, errors and backends', () => {
  it('readers and constructors', () => {
    expect(shape(tensor([[1, 2, 3]]))).toEqual([1, 3])
    expect(toArray(range(2, 8, 3))).toEqual([2, 5])
    expect(isTensor(tensor([1]))).toBe(true)
    expect(isTensor([1])).toBe(false)
    expect(() => item(tensor([1, 2]))).toThrow(/one element/)
  })
  it('Tree helpers', () => {
    const t = { a: tensor([1, 2]), b: [tensor([[1, 2, 3]])] }
    expect(Tree.countValues(t)).toBe(5)
    expect(Tree.sameStructure(Tree.structure(t), Tree.structure(Tree.map(t, (x) => x)))).toBe(true)
    expect(E.isLeft(Tree.zipWithE(t, { a: tensor([1]) }, (x) => x))).toBe(true)
    const z = Tree.zipWith3(t, t, t, (x, y, w) => mul(mul(x, y), w))
    expect(toArray(z.a)).toEqual([1, 8])
  })
  it('foldIn is a pure function of the key and the data', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer(), (s, d) => {
        expect(foldIn(key(s), d)).toEqual(foldIn(key(s), d))
        expect(foldIn(key(s), d).state).not.toEqual(key(s).state)
      })
    )
  })
  it('attempt, orThrow and tfError round-trip tagged errors', () => {
    const e = tfError('InternalError', 'it broke', { where: 'here' })
    expect(() => orThrow(E.left(e))).toThrow(TensorfoldError)
    const r = attempt(() => orThrow(E.left(e)))
    expect(E.isLeft(r) && r.left).toMatchObject({ _tag: 'InternalError', where: 'here', message: 'it broke' })
    expect(attempt(() => 3)).toEqual(E.right(3))
    const plain = attempt(() => {
      throw new Error('plain')
    })
    expect(E.isLeft(plain) && plain.left._tag).toBe('InternalError')
  })
  it('backend selection', () => {
    expect(getSyncBackend()).toBe(getBackend())
    expect(availableModes()).toEqual(expect.arrayContaining(['webasm', 'cpu']))
    expect(E.isRight(resolveBackend('reference'))).toBe(true)
    const bad = resolveBackend('tpu' as never)
    expect(E.isLeft(bad) && bad.left.message).toMatch(/expected one of 'auto', 'reference'/)
    expect(withBackend(reference, () => getBackend().name)).toBe('reference')
    expect(withBackend('reference', () => dataF64(tensor([0.1]))[0] === 0.1)).toBe(true)
    expect(getBackend().name).not.toBe('reference')
  })
})

describe('softmax and logSoftmax of huge, close values', () => {
  it('a row of −1e9s (an attention row masked everywhere) gives 1/n and −log n, not 1 and 0, on both backends', async () => {
    const { softmax, logSoftmax } = await import('../../src/index.js')
    for (const be of ['webasm', 'reference'] as const)
      withBackend(be, () => {
        const x = tensor([[-1e9, -1e9, -1e9, -1e9], [1e9, 1e9, 1e9 - 64, 1e9], [0, 1, 2, 3]])
        const s = toArray(softmax(x)) as number[][]
        const l = toArray(logSoftmax(x)) as number[][]
        s[0].forEach((v) => expect(v).toBeCloseTo(0.25, 6))
        l[0].forEach((v) => expect(v).toBeCloseTo(-Math.log(4), 5))
        expect(s[1][2]).toBeLessThan(1e-20)
        expect(s[1][0]).toBeCloseTo(1 / 3, 6)
        const e = [0, 1, 2, 3].map((v) => Math.exp(v - 3))
        const z = e.reduce((a, b) => a + b)
        s[2].forEach((v, i) => expect(v).toBeCloseTo(e[i] / z, 6))
        // the gradient of a softmax-weighted sum is unchanged by the rewrite: Σ ∂s_i/∂x_j = 0
        const g = dataSync(grad((t: Tensor) => sum(mul(softmax(t), tensor([1, 2, 3, 4]))))(tensor([0.5, -1, 2, 0])))
        expect(Math.abs(g.reduce((a, b) => a + b))).toBeLessThan(1e-6)
      })
  })
})
