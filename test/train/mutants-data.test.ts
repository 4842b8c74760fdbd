/**
 * Tests that kill StrykerJS mutants of `src/train/data.ts` which survived `test/train` (issue 9 item 7;
 * docs/laws.md, "Mutation testing"): what in-memory data is accepted, and each refusal with its tag
 * and its data (`where`, `expected`, `actual`, …). Each describe names the lines it guards.
 */
import { describe, it, expect } from 'vitest'
import * as E from 'fp-ts/lib/Either.js'
import { tensor } from '../../src/index.js'
import { prepareArrays, toHost, checkFeatureShapes, isShapedArray, isBatchSource, type DataSpec, type ArrayDataset } from '../../src/train/data.js'

const spec = (o: Partial<DataSpec> = {}): DataSpec => ({ op: 'op', inputNames: ['x'], outputNames: ['y'], inputShapes: [[null, 3]], ...o })
/** two inputs `a` `[null, 2]`, `b` `[null, 1]`; two outputs */
const two = (o: Partial<DataSpec> = {}): DataSpec => spec({ inputNames: ['a', 'b'], outputNames: ['out1', 'out2'], inputShapes: [[null, 2], [null, 1]], ...o })

const left = <A>(r: E.Either<{ readonly _tag: string; readonly message: string }, A>): { readonly _tag: string; readonly message: string; readonly [k: string]: unknown } => {
  if (E.isRight(r)) throw new Error('expected a Left')
  return r.left as { readonly _tag: string; readonly message: string }
}
const right = <A>(r: E.Either<{ readonly message: string }, A>): A => {
  if (E.isLeft(r)) throw new Error(r.left.message)
  return r.right
}
const shapes = (d: ArrayDataset) => ({ xs: d.xs.map((h) => h.shape), ys: d.ys.map((h) => h?.shape), sw: d.sw.map((h) => h?.shape), n: d.n })

const x3 = [[1, 2, 3], [4, 5, 6]]
const y2 = [[1], [2]]

describe('data.ts 92–143: what one array of samples may be (isShapedArray, toHost)', () => {
  it('{data, shape} with plain or typed data; not with a bad shape, non-array data, or as an array or a Tensor', () => {
    expect(isShapedArray({ data: [1, 2, 3, 4, 5, 6], shape: [2, 3] })).toBe(true)
    expect(isShapedArray({ data: new Int32Array(6), shape: [2, 3] })).toBe(true)
    expect(isShapedArray({ data: 'abcdef', shape: [2, 3] })).toBe(false)
    expect(isShapedArray({ data: [1, 2], shape: [2, -1] })).toBe(false)
    expect(isShapedArray({ data: [1, 2] })).toBe(false)
    expect(isShapedArray({ shape: [2] })).toBe(false)
    expect(isShapedArray(Object.assign([1, 2], { data: [1, 2], shape: [2] }))).toBe(false)
    expect(isShapedArray(tensor([1, 2]))).toBe(false)
    for (const u of [5, null, undefined, 'ab']) expect(isShapedArray(u)).toBe(false)
  })

  it('typed arrays and {data, shape} give the same host data as nested arrays', () => {
    const h = right(toHost({ data: [1, 2, 3, 4, 5, 6], shape: [2, 3] }, 'x', 'op'))
    expect([Array.from(h.data), h.shape]).toEqual([[1, 2, 3, 4, 5, 6], [2, 3]])
    const f = right(toHost({ data: new Float64Array([1, 2, 3, 4, 5, 6]), shape: [3, 2] }, 'x', 'op'))
    expect([f.data instanceof Float32Array, Array.from(f.data), f.shape]).toEqual([true, [1, 2, 3, 4, 5, 6], [3, 2]])
    const t = right(toHost(new Int32Array([7, 8, 9]), 'x', 'op'))
    expect([t.data instanceof Float32Array, Array.from(t.data), t.shape]).toEqual([true, [7, 8, 9], [3]])
    expect(shapes(right(prepareArrays(new Float32Array([1, 2, 3]), [1, 2, 3], undefined, spec({ inputShapes: [[null, 1]] }))))).toEqual({ xs: [[3, 1]], ys: [[3]], sw: [undefined], n: 3 })
  })

  it('a scalar is InvalidData (rank >= 1); anything else not data is InvalidData naming the forms', () => {
    expect(left(toHost(5, 'x', 'op'))).toMatchObject({ _tag: 'InvalidData', op: 'op', where: 'x', expected: 'rank >= 1', received: [] })
    expect(left(toHost(tensor(5), 'y', 'op'))).toMatchObject({ _tag: 'InvalidData', where: 'y', expected: 'rank >= 1' })
    expect(left(prepareArrays(5, [1], undefined, spec()))).toMatchObject({ _tag: 'InvalidData', where: 'x', expected: 'rank >= 1' })
    const forms = { _tag: 'InvalidData', where: 'x', expected: 'Tensor | number[][] | {data, shape}' }
    expect(left(toHost('abc', 'x', 'op'))).toMatchObject({ ...forms, received: 'abc' })
    expect(left(toHost({ data: 'abcdef', shape: [2, 3] }, 'x', 'op'))).toMatchObject(forms)
    // iterables and async iterables are not records by name (a record missing every input would be MissingData)
    const asyncOnly = { [Symbol.asyncIterator]: async function* () {} }
    for (const u of [new Set([1]), new Map([['x', x3]]), asyncOnly]) expect(left(prepareArrays(u, y2, undefined, spec()))).toMatchObject(forms)
  })

  it("the tensor stack's errors keep their tag and gain the slot (`where`) and the op in the message", () => {
    const bad = left(toHost({ data: [1, 2, 3], shape: [2, 2] }, "x 'a'", 'fit'))
    expect(bad).toMatchObject({ _tag: 'ShapeMismatch', where: "x 'a'", expected: 4, actual: 3 })
    expect(bad.message).toMatch(/^fit: x 'a': /)
    expect(left(prepareArrays(x3, [[1], [2, 3]], undefined, spec()))).toMatchObject({ _tag: 'RaggedArray', where: 'y' })
    expect(left(prepareArrays(x3, y2, [[1], [2, 3]], spec()))).toMatchObject({ _tag: 'RaggedArray', where: 'sampleWeight' })
    const ragged = left(prepareArrays([[1, 2, 3], [4, 5]], y2, undefined, spec()))
    expect(ragged).toMatchObject({ _tag: 'RaggedArray', where: 'x' })
    expect(ragged.message).toMatch(/^op: x: /)
  })
})

describe('data.ts 104–106: isBatchSource', () => {
  it('iterables and async iterables that are not arrays, typed arrays, tensors or strings', () => {
    for (const u of [new Set([1]), [1, 2].values(), (function* () {})(), { [Symbol.asyncIterator]: () => ({}) }]) expect(isBatchSource(u)).toBe(true)
    for (const u of [[1, 2], new Float32Array(2), tensor([1, 2]), 'abc', 5, null, undefined, { x: [1] }]) expect(isBatchSource(u)).toBe(false)
  })
})

describe('data.ts 149–197: perSlot, records by name', () => {
  it("an unknown key is UnknownName at x or y, with the nearest name when one is near", () => {
    const e = left(prepareArrays({ xx: x3 }, y2, undefined, spec()))
    expect(e).toMatchObject({ _tag: 'UnknownName', op: 'op', where: 'x', received: 'xx', allowed: ['x'], nearest: 'x' })
    expect(e.message).toBe("op: x: no input named 'xx' — did you mean 'x'? The model has: 'x'.")
    const o = left(prepareArrays(x3, { zzzzzzzz: y2 }, undefined, spec({ outputNames: ['y', 'out'] })))
    expect(o).toMatchObject({ _tag: 'UnknownName', where: 'y', received: 'zzzzzzzz', allowed: ['y', 'out'], nearest: undefined })
    expect(o.message).toBe("op: y: no output named 'zzzzzzzz' The model has: 'y', 'out'.")
  })

  it('a name is near within half its length (rounded up), at least 2 edits', () => {
    const near = (key: string, name: string) => left(prepareArrays({ [key]: x3 }, y2, undefined, spec({ inputNames: [name] }))).nearest
    expect(near('abcxyz', 'abcdef')).toBe('abcdef') // 3 edits, 6 letters
    expect(near('abwxyz', 'abcdef')).toBe(undefined) // 4 edits
    expect(near('abcwxyz', 'abcdefg')).toBe('abcdefg') // 4 edits, 7 letters: ceil(3.5)
    expect(near('abcdwxyz', 'abcdefgh')).toBe('abcdefgh') // 4 of 8
    expect(near('abcuvwxy', 'abcdefgh')).toBe(undefined) // 5 of 8
    expect(near('q', 'ab')).toBe('ab') // 2 edits: the floor of 2
    // half of the name as compared, without '_' and '-' (a bug fixed: the raw length was halved)
    expect(near('z_z_z_z', 'abcd')).toBe(undefined) // 'zzzz': 4 edits of 4 letters
    expect(near('a_b_c_x', 'abcd')).toBe('abcd') // 'abcx': 1 edit
  })

  it('a record missing an input is MissingData; an output without loss or metrics may be left out', () => {
    expect(left(prepareArrays({ a: [[1, 2]] }, { out1: [1], out2: [1] }, undefined, two()))).toMatchObject({ _tag: 'MissingData', where: 'x', missing: ['b'], expected: ['a', 'b'] })
    const needs = two({ targetsNeeded: [false, true] })
    expect(shapes(right(prepareArrays({ a: [[1, 2]], b: [1] }, { out2: [1] }, undefined, needs)))).toEqual({ xs: [[1, 2], [1, 1]], ys: [undefined, [1]], sw: [undefined, undefined], n: 1 })
    // without targetsNeeded every output needs its targets
    expect(left(prepareArrays({ a: [[1, 2]], b: [1] }, { out2: [1] }, undefined, two()))).toMatchObject({ _tag: 'MissingData', where: 'y', missing: ['out1'] })
    expect(left(prepareArrays({ a: [[1, 2]], b: [1] }, { out1: [1] }, undefined, needs))).toMatchObject({ _tag: 'MissingData', where: 'y', missing: ['out2'] })
  })
})

describe('data.ts 178–196: perSlot, lists', () => {
  const xs = [tensor([[1, 2]]), tensor([1])]
  it('a hole (null or undefined) where an output needs its targets is MissingData, at any index', () => {
    const needs = two({ targetsNeeded: [false, true] })
    expect(shapes(right(prepareArrays(xs, [undefined, tensor([1])], undefined, needs))).ys).toEqual([undefined, [1]])
    expect(shapes(right(prepareArrays(xs, [null, tensor([1])], undefined, needs))).ys).toEqual([undefined, [1]])
    expect(left(prepareArrays(xs, [null, tensor([1])], undefined, two({ targetsNeeded: [true, false] })))).toMatchObject({ _tag: 'MissingData', where: 'y', missing: ['out1'], expected: ['out1', 'out2'] })
    expect(left(prepareArrays(xs, [tensor([1]), undefined], undefined, needs))).toMatchObject({ _tag: 'MissingData', missing: ['out2'] })
  })

  it('a list of the wrong length is DataCardinality (expected and actual counts)', () => {
    expect(left(prepareArrays([...xs, tensor([3])], [tensor([1]), tensor([1])], undefined, two()))).toMatchObject({ _tag: 'DataCardinality', where: 'x', expected: 2, actual: 3 })
    expect(left(prepareArrays(xs, [tensor([1])], undefined, two()))).toMatchObject({ _tag: 'DataCardinality', where: 'y', expected: 2, actual: 1 })
    // a list must be all Tensors or {data, shape} (or holes): a mixed one is one slot
    expect(left(prepareArrays([tensor([[1, 2]]), [[1]]], [tensor([1]), tensor([1])], undefined, two()))).toMatchObject({ _tag: 'DataCardinality', where: 'x', expected: 2, actual: 1 })
    // nested numbers are one slot
    expect(left(prepareArrays([[1, 2]], [tensor([1]), tensor([1])], undefined, two()))).toMatchObject({ _tag: 'DataCardinality', where: 'x', expected: 2, actual: 1 })
  })
})

describe('data.ts 204–209: sample weights per output', () => {
  const xs = [tensor([[1, 2], [3, 4]]), tensor([1, 2])]
  const ys = [tensor([1, 2]), tensor([3, 4])]
  it('a record may leave outputs out but not name an unknown one', () => {
    const d = right(prepareArrays(xs, ys, { out2: [1, 2] }, two()))
    expect([d.sw[0], Array.from(d.sw[1]?.data ?? [])]).toEqual([undefined, [1, 2]])
    expect(left(prepareArrays(xs, ys, { out2: [1, 2], outt: [1, 2] }, two()))).toMatchObject({ _tag: 'UnknownName', where: 'sampleWeight', received: 'outt', nearest: 'out1' })
  })
  it('a list of one per output (a null is unweighted); one array for every output; a list of the wrong length for one output is refused', () => {
    const d = right(prepareArrays(xs, ys, [null, tensor([1, 2])], two()))
    expect([d.sw[0], Array.from(d.sw[1]?.data ?? [])]).toEqual([undefined, [1, 2]])
    expect(right(prepareArrays(xs, ys, [undefined, tensor([1, 2])], two())).sw[0]).toBe(undefined)
    const one = right(prepareArrays(xs, ys, [5, 6], two()))
    expect(one.sw.map((h) => Array.from(h?.data ?? []))).toEqual([[5, 6], [5, 6]])
    expect(left(prepareArrays([[1, 2, 3]], [1], [tensor([1]), tensor([1])], spec()))).toMatchObject({ _tag: 'DataCardinality', where: 'sampleWeight', expected: 1, actual: 2 })
    expect(shapes(right(prepareArrays([[1, 2, 3]], [1], [tensor([2])], spec())))).toEqual({ xs: [[1, 3]], ys: [[1]], sw: [[1]], n: 1 })
    // a list of tensors of another length than the outputs is DataCardinality (it was an InvalidArgument
    // from reading the list as one array of numbers for every output)
    expect(left(prepareArrays(xs, ys, [tensor([1, 2])], two()))).toMatchObject({ _tag: 'DataCardinality', where: 'sampleWeight', expected: 2, actual: 1 })
    expect(left(prepareArrays(xs, ys, [tensor([1, 2]), null, tensor([1, 2])], two()))).toMatchObject({ _tag: 'DataCardinality', where: 'sampleWeight', expected: 2, actual: 3 })
  })
})

describe("data.ts 216–258: Keras's one-axis rule, then the feature shapes (batch axis free)", () => {
  it('[n] for [null, 1] gains the axis, [n, 3, 1] for [null, 3] loses it; nothing else is reshaped', () => {
    const one = spec({ inputShapes: [[null, 1]] })
    expect(shapes(right(prepareArrays([1, 2], y2, undefined, one))).xs).toEqual([[2, 1]])
    expect(shapes(right(prepareArrays([[1], [2]], y2, undefined, one))).xs).toEqual([[2, 1]])
    expect(shapes(right(prepareArrays([[[1], [2], [3]], [[4], [5], [6]]], y2, undefined, spec()))).xs).toEqual([[2, 3]])
    expect(left(prepareArrays([1, 2], y2, undefined, spec()))).toMatchObject({ _tag: 'ShapeMismatch', where: "x 'x'", expected: [null, 3], actual: [2] })
    const pairs = [[[1, 2], [3, 4], [5, 6]], [[1, 2], [3, 4], [5, 6]]]
    expect(left(prepareArrays(pairs, y2, undefined, spec()))).toMatchObject({ _tag: 'ShapeMismatch', expected: [null, 3], actual: [2, 3, 2] })
    // a model not yet built: no rule, no check
    expect(shapes(right(prepareArrays([1, 2], y2, undefined, spec({ inputShapes: [] })))).xs).toEqual([[2]])
  })

  it('free (null) axes take any size; the batch axis is never compared', () => {
    const seq = spec({ inputShapes: [[null, null, 2]] })
    expect(E.isRight(checkFeatureShapes([{ shape: [4, 5, 2] }], seq))).toBe(true)
    expect(E.isRight(checkFeatureShapes([{ shape: [4, 7, 2] }], seq))).toBe(true)
    expect(left(checkFeatureShapes([{ shape: [4, 7, 3] }], seq))).toMatchObject({ _tag: 'ShapeMismatch', op: 'op', where: "x 'x'", expected: [null, null, 2], actual: [4, 7, 3] })
    expect(E.isRight(checkFeatureShapes([{ shape: [2, 3] }], spec({ inputShapes: [[4, 3]] })))).toBe(true)
    expect(left(checkFeatureShapes([{ shape: [2, 1] }, { shape: [2, 2] }], two()))).toMatchObject({ where: "x 'a'", expected: [null, 2], actual: [2, 1] })
  })
})

describe('data.ts 260–300: finite labels and weights, equal sample counts', () => {
  it('a non-finite label or sample weight names its slot, sample and position', () => {
    const y = left(prepareArrays([[1, 2, 0], [3, 4, 0]], [[1, 2], [3, Infinity]], undefined, spec()))
    expect(y).toMatchObject({ _tag: 'InvalidLabels', where: 'y', index: 1, position: 1, received: Infinity })
    expect(y.message).toBe('op: y has a non-finite value (Infinity) at sample 1, position 1: labels must be finite numbers')
    const xs = [tensor([[1, 2], [3, 4], [5, 6]]), tensor([1, 2, 3])]
    const out2 = left(prepareArrays(xs, [tensor([1, 2, 3]), tensor([1, NaN, 3])], undefined, two()))
    expect(out2).toMatchObject({ _tag: 'InvalidLabels', where: "y 'out2'", index: 1, position: 0 })
    expect(out2.message).toBe("op: y 'out2' has a non-finite value (NaN) at sample 1: labels must be finite numbers")
    const w = left(prepareArrays(x3, y2, [1, NaN], spec()))
    expect(w).toMatchObject({ _tag: 'InvalidSampleWeights', where: 'sampleWeight', index: 1, position: 0 })
    expect(Number.isNaN(w.received)).toBe(true)
    expect(left(prepareArrays(xs, [tensor([1, 2, 3]), tensor([1, 2, 3])], { out2: [[1, 1], [1, 1], [1, -Infinity]] }, two()))).toMatchObject({ _tag: 'InvalidSampleWeights', where: "sampleWeight 'out2'", index: 2, position: 1 })
  })

  it('non-finite features pass unless finiteInputs is true', () => {
    expect(E.isRight(prepareArrays([[1, NaN, 3]], [1], undefined, spec()))).toBe(true)
    expect(E.isRight(prepareArrays([[1, NaN, 3]], [1], undefined, spec({ finiteInputs: false })))).toBe(true)
    expect(left(prepareArrays([[1, 2, 3], [1, NaN, 3]], y2, undefined, spec({ finiteInputs: true })))).toMatchObject({ _tag: 'InvalidFeatures', where: 'x', index: 1, position: 1 })
  })

  it('DataCardinality lists the sizes of every slot; a sample weight of another count is refused too', () => {
    const c = left(prepareArrays(x3, [[1]], undefined, spec()))
    expect(c).toMatchObject({ _tag: 'DataCardinality', op: 'op', sizes: { x: [2], y: [1], sampleWeight: [] } })
    expect(c.message).toBe('op: data cardinality is ambiguous: x sizes: 2; y sizes: 1. Make sure all arrays contain the same number of samples.')
    const e = left(prepareArrays(x3, y2, [1, 2, 3], spec()))
    expect(e).toMatchObject({ _tag: 'DataCardinality', sizes: { x: [2], y: [2], sampleWeight: [3] } })
    expect(e.message).toBe('op: data cardinality is ambiguous: x sizes: 2; y sizes: 2; sampleWeight sizes: 3. Make sure all arrays contain the same number of samples.')
    const m = left(prepareArrays([tensor([[1, 2]]), tensor([1, 2])], [tensor([1]), tensor([1])], undefined, two()))
    expect(m).toMatchObject({ sizes: { x: [1, 2], y: [1, 1] } })
    expect(m.message).toMatch(/: x sizes: 1, 2; y sizes: 1, 1\. /)
    expect(left(prepareArrays(tensor(new Float32Array(0), [0, 3]), tensor(new Float32Array(0), [0, 1]), undefined, spec()))).toMatchObject({ _tag: 'EmptyData', op: 'op', expected: '>= 1 sample', actual: 0 })
  })
})

describe('data.ts 306–376: prepareArrays', () => {
  it('no x is MissingData; no y is MissingTargets unless targets are not required', () => {
    for (const x of [undefined, null]) expect(left(prepareArrays(x, y2, undefined, spec()))).toMatchObject({ _tag: 'MissingData', op: 'op', where: 'x' })
    for (const y of [undefined, null]) expect(left(prepareArrays(x3, y, undefined, spec()))).toMatchObject({ _tag: 'MissingTargets', where: 'y', expected: 'targets' })
    expect(shapes(right(prepareArrays(x3, undefined, undefined, spec(), false)))).toEqual({ xs: [[2, 3]], ys: [], sw: [], n: 2 })
    expect(shapes(right(prepareArrays(x3, null, undefined, spec(), false)))).toEqual({ xs: [[2, 3]], ys: [], sw: [], n: 2 })
    expect(shapes(right(prepareArrays(x3, y2, undefined, spec(), false)))).toEqual({ xs: [[2, 3]], ys: [[2, 1]], sw: [undefined], n: 2 })
  })

  it("sample weights: [n] or [n, time]; 'temporal' needs [n, time]; a null weighs nothing", () => {
    expect(shapes(right(prepareArrays(x3, y2, [[1, 2], [3, 4]], spec()))).sw).toEqual([[2, 2]])
    expect(shapes(right(prepareArrays(x3, y2, null, spec()))).sw).toEqual([undefined])
    expect(left(prepareArrays(x3, y2, [[[1]], [[2]]], spec()))).toMatchObject({ _tag: 'InvalidSampleWeights', where: 'sampleWeight', expected: '[n] | [n, time]', actual: [2, 1, 1] })
    const t = spec({ temporal: true })
    expect(shapes(right(prepareArrays(x3, y2, [[1, 2], [3, 4]], t))).sw).toEqual([[2, 2]])
    const e = left(prepareArrays(x3, y2, [1, 2], t))
    expect(e).toMatchObject({ _tag: 'InvalidSampleWeights', where: 'sampleWeight', expected: '[n, time]', actual: [2] })
    expect(e.message).toMatch(/sampleWeightMode 'temporal'/)
    expect(left(prepareArrays([tensor([[1, 2]]), tensor([1])], [tensor([1]), tensor([1])], { out2: [[[1]]] }, two()))).toMatchObject({ where: "sampleWeight 'out2'" })
  })
})

describe('data.ts 181, 206, 333: what is not a list of slots (StrykerJS g1 survivors at 7073705)', () => {
  const xs = [tensor([[1, 2], [3, 4]]), tensor([1, 2])]
  const ys = [tensor([1, 2]), tensor([3, 4])]
  it('a string as x or as sampleWeight is InvalidData naming the forms, not a TypeError from reading it as a list', () => {
    const forms = { _tag: 'InvalidData', op: 'op', expected: 'Tensor | number[][] | {data, shape}' }
    expect(left(prepareArrays('abc', y2, undefined, spec()))).toMatchObject({ ...forms, where: 'x', received: 'abc' })
    expect(left(prepareArrays(x3, y2, 'ab', spec()))).toMatchObject({ ...forms, where: 'sampleWeight', received: 'ab' })
    expect(left(prepareArrays(xs, ys, 'ab', two()))).toMatchObject({ ...forms, where: "sampleWeight 'out1'", received: 'ab' })
  })
  it('an empty list of sample weights for two outputs is one (empty) array for every output: 0 samples against 2', () => {
    const e = left(prepareArrays(xs, ys, [], two()))
    expect(e).toMatchObject({ _tag: 'DataCardinality', sizes: { x: [2, 2], y: [2, 2], sampleWeight: [0, 0] } })
    expect(e.where).toBe(undefined)
  })
  it('a list of sample weights that is not all Tensors or {data, shape} is one array for every output (here not numbers)', () => {
    expect(left(prepareArrays(xs, ys, [tensor([1, 2]), [1, 2]], two()))).toMatchObject({ _tag: 'InvalidArgument', where: "sampleWeight 'out1'" })
  })
  it('a null sampleWeight without targets gives no sample weights (one per target: none)', () => {
    expect(shapes(right(prepareArrays(x3, undefined, null, spec(), false)))).toEqual({ xs: [[2, 3]], ys: [], sw: [], n: 2 })
  })
})
