import { describe, it, expect } from 'vitest'
import fc from 'fast-check'
import { zeros, Tree, type Tensor } from '../../src/index.js'
import { leavesAndKey } from '../../src/compile/record.js'

// trees of small tensors: lists and records (keys from a small alphabet, so records collide and differ in order)
const leafArb: fc.Arbitrary<Tree.Tree> = fc
  .record({ shape: fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }), dtype: fc.constantFrom('float32', 'int32') as fc.Arbitrary<'float32' | 'int32'> })
  .map(({ shape, dtype }) => zeros(shape, dtype) as Tensor)
const { tree } = fc.letrec<{ tree: Tree.Tree }>((tie) => ({
  tree: fc.oneof(
    { maxDepth: 3, depthIdentifier: 't' },
    leafArb,
    fc.array(tie('tree'), { maxLength: 3 }),
    fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c', 'k"', ''), tie('tree')), { maxLength: 3 }).map((es) => Object.fromEntries(es) as Tree.Tree)
  )
}))
// the key jit used before leavesAndKey: the JSON of the structure, then each leaf's dtype and shape
const oldKey = (t: Tree.Tree): string =>
  JSON.stringify(Tree.structure(t)) + '|' + Tree.leaves(t).map((l) => `${l.dtype}${l.shape.join('x')}`).join(',')

describe("jit's one-walk signature (leavesAndKey)", () => {
  it('gives Tree.leaves, and two trees the same key exactly when the old signature (structure JSON + shapes) agrees', () => {
    fc.assert(
      fc.property(tree, tree, (a, b) => {
        const ka = leavesAndKey(a)
        const kb = leavesAndKey(b)
        expect(ka.leaves).toEqual(Tree.leaves(a))
        expect(ka.leaves.every((l, i) => l === Tree.leaves(a)[i])).toBe(true)
        expect(ka.key === kb.key).toBe(oldKey(a) === oldKey(b))
        // a tree and its own copy always share the key
        expect(leavesAndKey(Tree.map(a, (x) => x)).key).toBe(ka.key)
      }),
      { numRuns: 300 }
    )
  })
  it('tells apart record key orders, dtypes, shapes and nesting', () => {
    const x = zeros([2]) as Tensor
    const keys = [{ a: x, b: x }, { b: x, a: x }, [x, x], [[x], x], { a: [x, x] }, zeros([2], 'int32'), zeros([1, 2]), x].map((t) => leavesAndKey(t as Tree.Tree).key)
    expect(new Set(keys).size).toBe(keys.length)
  })
  it('refuses a value that is not a tree as Tree.leaves does', () => {
    const bad = { a: [zeros([1]), 3] } as unknown as Tree.Tree
    expect(() => leavesAndKey(bad)).toThrow(/NotATree|expected a Tensor/)
  })
})
