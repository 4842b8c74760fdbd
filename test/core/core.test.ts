import { describe, it, expect } from 'vitest'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import {
  tensor, fromValues, zeros, ones, fill, scalar, range, toArray, dataSync, item, Tree, key, split, foldIn,
  randomNormal, randomUniform, randomInt, shuffleIndices, TensorfoldError, safe, add, matmul, Tensor, isTensor
} from '../../src/index.js'
import { shapeArb, tensorOf } from '../../laws/arbitraries.js'

const nested = (shape: number[], start = 0): unknown => {
  if (shape.length === 0) return start
  const stride = shape.slice(1).reduce((p, d) => p * d, 1)
  return Array.from({ length: shape[0] }, (_, i) => nested(shape.slice(1), start + i * stride))
}

describe('Tensor values', () => {
  it('round-trips nested arrays of any rank', () => {
    fc.assert(
      fc.property(shapeArb(0, 4), (s) => {
        const v = nested(s)
        const t = tensor(v as number)
        expect(t.shape).toEqual(s)
        expect(toArray(t)).toEqual(v)
      })
    )
  })
  it('accepts typed arrays with a shape and copies them', () => {
    const src = new Float32Array([1, 2, 3, 4, 5, 6])
    const t = tensor(src, [2, 3])
    src[0] = 100
    expect(toArray(t)).toEqual([[1, 2, 3], [4, 5, 6]])
    const d = dataSync(t)
    d[1] = 50
    expect(dataSync(t)[1]).toBe(2)
  })
  it('dataSync refuses int32 values float32 cannot hold (an index past 2^24), toArray keeps them exact', () => {
    // tfjs hands back an Int32Array; tensorfold's dataSync is a Float32Array, so 2^24 + 1 would silently read as 2^24
    const ok = tensor([16777216, -16777216, 7], undefined, 'int32')
    expect(Array.from(dataSync(ok))).toEqual([16777216, -16777216, 7])
    const big = tensor([3, 16777217, 16777221], undefined, 'int32')
    expect(toArray(big)).toEqual([3, 16777217, 16777221])
    expect(() => dataSync(big)).toThrow(/dataSync: expected int32 values float32 can hold exactly .* at \[1\], received 16777217/)
    expect(() => big.dataSync()).toThrow(/InvalidArgument|float32 can hold exactly/)
    // a float32 tensor is its own values: nothing to refuse
    expect(dataSync(tensor([16777216, 1e30]))[1]).toBe(Math.fround(1e30))
  })
  it('is frozen', () => {
    const t = tensor([1, 2])
    expect(Object.isFrozen(t)).toBe(true)
    expect(Object.isFrozen(t.shape)).toBe(true)
    expect(() => {
      ;(t as unknown as { shape: number[] }).shape = [3]
    }).toThrow()
  })
  it('constructors', () => {
    expect(toArray(zeros([2]))).toEqual([0, 0])
    expect(toArray(ones([1, 2]))).toEqual([[1, 1]])
    expect(toArray(fill([2], 7))).toEqual([7, 7])
    expect(item(scalar(3))).toBe(3)
    expect(toArray(range(0, 5))).toEqual([0, 1, 2, 3, 4])
    expect(toArray(range(3))).toEqual([0, 1, 2])
    expect(toArray(range(1, 2, 0.5))).toEqual([1, 1.5])
    expect(tensor([1, 2], undefined, 'int32').dtype).toBe('int32')
  })
  it('rejects ragged arrays with the path', () => {
    const r = fromValues([[1, 2], [3]])
    expect(E.isLeft(r) && r.left._tag).toBe('RaggedArray')
    expect(E.isLeft(r) && r.left.message).toContain('[1]')
    expect(() => tensor([[1, 2], [3]] as unknown as number[][])).toThrow(TensorfoldError)
  })
  it('rejects non-numbers, bad shapes and size mismatches', () => {
    const a = fromValues([1, 'x'])
    expect(E.isLeft(a) && a.left.message).toMatch(/expected a number at \[1\], received "x"/)
    const b = fromValues([1, 2], [NaN])
    expect(E.isLeft(b) && b.left._tag).toBe('InvalidArgument')
    const c = fromValues(new Float32Array(5), [2, 3])
    expect(E.isLeft(c) && c.left._tag).toBe('ShapeMismatch')
    expect(E.isLeft(fromValues({ a: 1 }))).toBe(true)
    expect(() => zeros([-1])).toThrow(/shape/)
  })
  it('gives clear errors to plain JavaScript callers', () => {
    expect(() => add('a' as unknown as number, 1)).toThrow(/add: expected a Tensor or a number for argument 1, received "a"/)
    const r = safe.matmul(tensor([[1, 2]]), tensor([[1, 2]]))
    expect(E.isLeft(r) && r.left._tag).toBe('ShapeMismatch')
    expect(E.isLeft(r) && r.left.message).toMatch(/matmul: inner dimensions differ/)
    expect(E.isRight(safe.add(tensor([1]), 2))).toBe(true)
  })
})

describe('Tree', () => {
  it('map keeps the structure and visits leaves in leaves() order', () => {
    const t = { w: tensor([1]), b: tensor([2, 3]), nested: [tensor([4]), { z: tensor([5]), a: tensor([6]) }] }
    const ls = Tree.leaves(t)
    let i = 0
    const m = Tree.map(t, (x) => {
      expect(x).toBe(ls[i++])
      return x
    })
    expect(Tree.structure(m)).toEqual(Tree.structure(t))
  })
  it('zipWith pairs leaves by position whatever the key insertion order', () => {
    const a = { w: tensor([1, 1, 1]), b: tensor([2]) }
    const b = { b: tensor([10]), w: tensor([20, 20, 20]) }
    const c = Tree.zipWith(a, b, (x, y) => add(x, y))
    expect(toArray(c.w)).toEqual([21, 21, 21])
    expect(toArray(c.b)).toEqual([12])
    expect(() => Tree.zipWith(a, [tensor([1])], add)).toThrow(/different structures/)
  })
  it('unflatten(structure(t), leaves(t)) rebuilds t', () => {
    fc.assert(
      fc.property(fc.array(shapeArb(0, 2), { minLength: 1, maxLength: 4 }), (shapes) => {
        const t = { xs: shapes.map((s) => zeros(s)), y: ones([1]) }
        const back = Tree.unflatten<typeof t>(Tree.structure(t), Tree.leaves(t))
        expect(Tree.leaves(back)).toEqual(Tree.leaves(t))
        expect(back.xs.length).toBe(shapes.length)
      })
    )
  })
  it('rejects non-trees', () => {
    expect(() => Tree.leaves({ a: 3 } as never)).toThrow(/Tree: expected a Tensor/)
  })
})

describe('Key and random', () => {
  it('same seed, same numbers', () => {
    fc.assert(
      fc.property(fc.integer(), shapeArb(1, 2), (seed, s) => {
        expect(dataSync(randomNormal(key(seed), s))).toEqual(dataSync(randomNormal(key(seed), s)))
        expect(dataSync(randomUniform(key(seed), s))).toEqual(dataSync(randomUniform(key(seed), s)))
      })
    )
  })
  it('split gives distinct keys and distinct streams', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const ks = split(key(seed), 4)
        const states = new Set(ks.map((k) => k.state.join(',')))
        expect(states.size).toBe(4)
        expect(ks.map((k) => k.state.join(','))).not.toContain(key(seed).state.join(','))
        expect(foldIn(key(seed), 1).state).not.toEqual(foldIn(key(seed), 2).state)
      })
    )
  })
  it('distributions look right', () => {
    const n = randomNormal(key(1), [20000])
    const d = dataSync(n)
    const m = d.reduce((a, b) => a + b, 0) / d.length
    const v = d.reduce((a, b) => a + (b - m) ** 2, 0) / d.length
    expect(Math.abs(m)).toBeLessThan(0.03)
    expect(Math.abs(v - 1)).toBeLessThan(0.05)
    const u = dataSync(randomUniform(key(2), [10000], -1, 1))
    expect(Math.min(...u)).toBeGreaterThanOrEqual(-1)
    expect(Math.max(...u)).toBeLessThan(1)
    const ints = dataSync(randomInt(key(3), [1000], 0, 3))
    expect(new Set(ints)).toEqual(new Set([0, 1, 2]))
    const p = shuffleIndices(key(4), 10)
    expect([...p].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    expect([...p]).not.toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
  })
  it('rejects a missing key', () => {
    expect(() => randomNormal(undefined as never, [2])).toThrow(/expected a Key/)
  })
})

describe('tensors from the arbitraries', () => {
  it('are tensors of the requested shape', () => {
    fc.assert(fc.property(shapeArb(0, 3).chain((s) => tensorOf(s).map((t) => [s, t] as const)), ([s, t]) => isTensor(t) && t.shape.join() === s.join()))
  })
  it('ops do not mutate their inputs', () => {
    const a = tensor([[1, 2], [3, 4]])
    const before = dataSync(a)
    matmul(a, a)
    add(a, 1)
    expect(dataSync(a)).toEqual(before)
    expect(a).toBeInstanceOf(Tensor)
  })
})
