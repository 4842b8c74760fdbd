/**
 * Tests that kill StrykerJS mutants of `src/train/batches.ts` and `src/train/pass.ts` which survived
 * `test/train` (issue 9 item 7; docs/laws.md, "Mutation testing"): rows in a shuffled order, the
 * validation split, class weights as Keras 2.15 folds them into sample weights, one batch from an
 * iterable, and the passes over arrays and streams. Each describe names the lines it guards.
 */
import { describe, it, expect } from 'vitest'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { tensor, dataSync, type Tensor } from '../../src/index.js'
import * as Tr from '../../src/train/index.js'
import { prepareArrays, type DataSpec, type ArrayDataset, type Host, type TensorBatch } from '../../src/train/data.js'
import { rows, hostRows, splitTail, applyClassWeight, arrayBatch, prepareBatch } from '../../src/train/batches.js'
import { rangePass, arrayPass, streamPass, knownSteps, iteratorOf, sourcePass, foldPass, type Pass } from '../../src/train/pass.js'
import { linearModel, compiled, run } from './helpers.js'

const spec = (o: Partial<DataSpec> = {}): DataSpec => ({ op: 'op', inputNames: ['x'], outputNames: ['y'], inputShapes: [[null, 2]], ...o })
const left = <A>(r: E.Either<{ readonly _tag: string; readonly message: string }, A>): { readonly _tag: string; readonly message: string; readonly [k: string]: unknown } => {
  if (E.isRight(r)) throw new Error('expected a Left')
  return r.left as { readonly _tag: string; readonly message: string }
}
const right = <A>(r: E.Either<{ readonly message: string }, A>): A => {
  if (E.isLeft(r)) throw new Error(r.left.message)
  return r.right
}
const vals = (t: Tensor | Host | undefined): number[] | undefined => (t === undefined ? undefined : Array.from('dtype' in t ? dataSync(t) : t.data))
const host = (data: number[], shape: number[]): Host => ({ data: Float32Array.from(data), shape })
/** `n` samples: x row i = [i, 10 + i], y = [i], sample weight 1 + i */
const dataset = (n: number, weighted = true): ArrayDataset => ({
  xs: [host(Array.from({ length: n }, (_, i) => [i, 10 + i]).flat(), [n, 2])],
  ys: [host(Array.from({ length: n }, (_, i) => i), [n, 1])],
  sw: [weighted ? host(Array.from({ length: n }, (_, i) => 1 + i), [n]) : undefined],
  n
})
const sizes = async (p: Pass): Promise<number[]> => right(await foldPass(p, [] as number[], (a, b) => E.right([...a, b.size])))

describe('batches.ts 19–33: rows and hostRows', () => {
  it('rows [start, end) through an order are the gathered rows, for short rows and for rows of 64 and more', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.constantFrom(1, 3, 63, 64, 70),
        fc.boolean(),
        fc.nat(),
        fc.nat(),
        (n, per, shuffled, a, b) => {
          const h = host(Array.from({ length: n * per }, (_, i) => i), [n, per])
          const order = shuffled ? Int32Array.from(Array.from({ length: n }, (_, i) => (i * 5 + 3) % n).reverse()) : undefined
          const [s, e] = [a % (n + 1), b % (n + 1)].sort((p, q) => p - q)
          const t = rows(h, s, e, order)
          const want = Array.from({ length: e - s }, (_, k) => order?.[s + k] ?? s + k).flatMap((r) => Array.from({ length: per }, (_, j) => r * per + j))
          expect(t.shape).toEqual([e - s, per])
          expect(vals(t)).toEqual(want)
        }
      )
    )
    // a permutation really is followed (the property's order above may be the identity for small n)
    expect(vals(rows(host([0, 1, 2, 3, 4, 5], [3, 2]), 0, 3, Int32Array.from([2, 0, 1])))).toEqual([4, 5, 0, 1, 2, 3])
    const wide = host(Array.from({ length: 3 * 64 }, (_, i) => i), [3, 64])
    expect(vals(rows(wide, 1, 3, Int32Array.from([2, 0, 1])))).toEqual([...Array.from({ length: 64 }, (_, j) => j), ...Array.from({ length: 64 }, (_, j) => 64 + j)])
  })

  it('hostRows copies rows [start, end) with their shape', () => {
    const h = host([0, 1, 2, 3, 4, 5, 6, 7], [4, 2, 1])
    const r = hostRows(h, 1, 3)
    expect([vals(r), r.shape]).toEqual([[2, 3, 4, 5], [2, 2, 1]])
    r.data[0] = 99
    expect(h.data[2]).toBe(2)
  })
})

describe('batches.ts 36–53: splitTail (Keras validation_split: floor of the training part, from the tail)', () => {
  it('x, y and the sample weights are split at the same row', () => {
    const [a, b] = right(splitTail(dataset(5), 0.4, 'op'))
    expect([a.n, vals(a.xs[0]), vals(a.ys[0]), vals(a.sw[0]), a.xs[0].shape]).toEqual([3, [0, 10, 1, 11, 2, 12], [0, 1, 2], [1, 2, 3], [3, 2]])
    expect([b.n, vals(b.xs[0]), vals(b.ys[0]), vals(b.sw[0]), b.sw[0]?.shape]).toEqual([2, [3, 13, 4, 14], [3, 4], [4, 5], [2]])
    // an output left out of y (no loss, no metrics) stays left out on both sides
    const [e, f] = right(splitTail({ ...dataset(4), ys: [undefined] }, 0.5, 'op'))
    expect([e.ys, f.ys, vals(f.sw[0])]).toEqual([[undefined], [undefined], [3, 4]])
    const [c, d] = right(splitTail(dataset(4, false), 0.5, 'op'))
    expect([c.sw, d.sw, c.n, d.n]).toEqual([[undefined], [undefined], 2, 2])
  })
  it('a split that leaves no sample on either side is EmptyData at validationSplit (Keras raises the same)', () => {
    expect(left(splitTail(dataset(10), 0.95, 'fit'))).toMatchObject({ _tag: 'EmptyData', op: 'fit', where: 'validationSplit', received: 0.95 })
    expect(left(splitTail(dataset(10), 1e-17, 'fit'))).toMatchObject({ _tag: 'EmptyData', where: 'validationSplit' })
    // floor(10 · (1 − 0.9)) is 0 in floating point, as in Keras's Python: refused there too
    expect(left(splitTail(dataset(10), 0.9, 'fit'))).toMatchObject({ _tag: 'EmptyData', where: 'validationSplit' })
    expect(right(splitTail(dataset(8), 0.75, 'fit')).map((p) => p.n)).toEqual([2, 6])
    expect(right(splitTail(dataset(10), 0.05, 'fit')).map((p) => p.n)).toEqual([9, 1])
  })
  it('fit validates on the weighted tail: val_loss is evaluate on the last rows with their weights', async () => {
    const xs = Array.from({ length: 10 }, (_, i) => [Math.sin(i), Math.cos(i), i / 10])
    const ys = xs.map((r) => [r[0] - r[1]])
    const w = Array.from({ length: 10 }, (_, i) => (i % 3) + 0.5)
    const t = compiled(linearModel(3), { optimizer: 'sgd', loss: 'mse' })
    const r = await run(Tr.fit(t, xs, ys, { epochs: 1, batchSize: 4, verbose: 0, sampleWeight: w, validationSplit: 0.3 }))
    const ev = (await run(Tr.evaluate(r.trainer, xs.slice(7), ys.slice(7), { sampleWeight: w.slice(7), verbose: 0 }))) as number[]
    expect(r.history.history.val_loss[0]).toBeCloseTo(ev[0], 6)
    const unweighted = (await run(Tr.evaluate(r.trainer, xs.slice(7), ys.slice(7), { verbose: 0 }))) as number[]
    expect(ev[0]).not.toBeCloseTo(unweighted[0], 3)
  })
})

describe("batches.ts 60–110: classWeight (Keras 2.15 data_adapter's _class_weights_map_fn)", () => {
  const ds = (y: Host, sw?: Host): ArrayDataset => ({ xs: [host(new Array(y.shape[0]).fill(0), [y.shape[0], 1])], ys: [y], sw: [sw], n: y.shape[0] })
  const cw = { 0: 1, 1: 2, 2: 3 }
  it('the class of a target of rank 1, or of a last axis of 1, is its rounded value', () => {
    const a = right(applyClassWeight(ds(host([0.4, 0.6, 1.4, 2], [4])), cw, 'fit'))
    expect([vals(a.sw[0]), a.sw[0]?.shape]).toEqual([[1, 2, 2, 3], [4]])
    const b = right(applyClassWeight(ds(host([2, 0.51, 0], [3, 1])), cw, 'fit'))
    expect([vals(b.sw[0]), b.sw[0]?.shape]).toEqual([[3, 2, 1], [3]])
  })
  it('the class of a target whose last axis is > 1 is its argmax (the first one on ties, as tf.argmax)', () => {
    const y = host([0.1, 0.2, 0.7, 0.5, 0.5, 0, 0, 0.3, 0.3, 1, 0, 0, 0, 0, 0], [5, 3])
    const a = right(applyClassWeight(ds(y), cw, 'fit'))
    expect([vals(a.sw[0]), a.sw[0]?.shape]).toEqual([[3, 1, 2, 1, 1], [5]])
    // the last row's values must not leak into the next row's argmax
    const two = right(applyClassWeight(ds(host([0, 1, 0, 0], [2, 2])), { 0: 5, 1: 7 }, 'fit'))
    expect(vals(two.sw[0])).toEqual([7, 5])
  })
  it('class weights multiply the sample weights, the smaller repeating over the trailing axis of the other', () => {
    const a = right(applyClassWeight(ds(host([0, 1, 2], [3]), host([10, 20, 30], [3])), cw, 'fit'))
    expect(vals(a.sw[0])).toEqual([10, 40, 90])
    // one class per time step ([2, 2, 3] one-hot) and per-sample weights
    const seq = host([1, 0, 0, 0, 0, 1, 0, 1, 0, 0, 1, 0], [2, 2, 3])
    const b = right(applyClassWeight(ds(seq, host([10, 100], [2])), cw, 'fit'))
    expect([vals(b.sw[0]), b.sw[0]?.shape]).toEqual([[10, 30, 200, 200], [2, 2]])
    // per-sample classes and per-time-step weights
    const c = right(applyClassWeight(ds(host([1, 2], [2]), host([1, 2, 3, 4, 5, 6], [2, 3])), cw, 'fit'))
    expect([vals(c.sw[0]), c.sw[0]?.shape]).toEqual([[2, 4, 6, 12, 15, 18], [2, 3]])
  })
  it('sample weights of as many entries as the classes take the classes\' shape ([n, 1] targets and weights give [n])', () => {
    const a = right(applyClassWeight(ds(host([0, 1], [2, 1]), host([3, 4], [2, 1])), cw, 'fit'))
    expect([vals(a.sw[0]), a.sw[0]?.shape]).toEqual([[3, 8], [2]])
  })
  it('refusals: several outputs, a class without a weight (listed in order), more than two leading axes', () => {
    const multi: ArrayDataset = { ...ds(host([0], [1])), ys: [host([0], [1]), host([0], [1])], sw: [undefined, undefined] }
    expect(left(applyClassWeight(multi, cw, 'fit'))).toMatchObject({ _tag: 'InvalidOption', op: 'fit', where: 'classWeight' })
    expect(left(applyClassWeight({ ...ds(host([0], [1])), ys: [undefined] }, cw, 'fit'))).toMatchObject({ _tag: 'InvalidOption', where: 'classWeight' })
    const m = left(applyClassWeight(ds(host([3, 0, 2, 3], [4])), { 0: 1 }, 'fit'))
    expect(m).toMatchObject({ _tag: 'InvalidOption', where: 'classWeight', missing: [2, 3] })
    expect(m.message).toBe('fit: classWeight has no weight for classes 2, 3 found in y')
    expect(left(applyClassWeight(ds(host([4], [1])), cw, 'fit')).message).toBe('fit: classWeight has no weight for class 4 found in y')
    const deep = host(new Array(2 * 2 * 2 * 3).fill(0), [2, 2, 2, 3])
    expect(left(applyClassWeight(ds(deep), cw, 'fit'))).toMatchObject({ _tag: 'InvalidOption', where: 'classWeight', actual: [2, 2, 2] })
  })
  it('fit: classWeight on one-hot targets trains as the per-class sample weights; validation is not class-weighted (Keras weights the training data only)', async () => {
    const xs = Array.from({ length: 12 }, (_, i) => [Math.sin(i), Math.cos(i), 1])
    const cls = xs.map((_, i) => (i * 7) % 3)
    const ys = cls.map((c) => [0, 1, 2].map((k) => (k === c ? 1 : 0)))
    const t = compiled(linearModel(3, 3), { optimizer: 'sgd', loss: 'mse' })
    const o = { epochs: 2, batchSize: 4, shuffle: false, verbose: 0 as const, validationSplit: 0.25 }
    const a = await run(Tr.fit(t, xs, ys, { ...o, classWeight: { 0: 1, 1: 3, 2: 0.5 } }))
    const b = await run(Tr.fit(t, xs, ys, { ...o, sampleWeight: cls.map((c) => [1, 3, 0.5][c]) }))
    expect(a.history.history.loss).toEqual(b.history.history.loss)
    const ev = (await run(Tr.evaluate(a.trainer, xs.slice(9), ys.slice(9), { verbose: 0 }))) as number[]
    expect(a.history.history.val_loss[1]).toBeCloseTo(ev[0], 6)
  })
})

describe('batches.ts 113–142: arrayBatch and prepareBatch', () => {
  it('[n, 1] sample weights are one per sample ([n]); [n, time] stay per step', () => {
    const d: ArrayDataset = { ...dataset(3), sw: [host([1, 2, 3], [3, 1])] }
    const b = arrayBatch(d, 1, 3)
    expect([b.size, b.sw[0]?.shape, vals(b.sw[0]), b.xs[0].shape, b.ys[0]?.shape]).toEqual([2, [2], [2, 3], [2, 2], [2, 1]])
    const wide = arrayBatch({ ...dataset(3), sw: [host([1, 2, 3, 4, 5, 6], [3, 2])] }, 0, 2, Int32Array.from([2, 1, 0]))
    expect([wide.sw[0]?.shape, vals(wide.sw[0])]).toEqual([[2, 2], [5, 6, 3, 4]])
  })

  it('a batch is [x], [x, y], [x, y, sampleWeight] or {x, y, sampleWeight}; anything else is InvalidData naming the batch', () => {
    const x = [[1, 2], [3, 4]]
    const y = [[1], [2]]
    const shape = (b: TensorBatch) => [b.size, b.xs.map((t) => t.shape), b.ys.map((t) => t?.shape), b.sw.map((t) => vals(t))]
    expect(shape(right(prepareBatch([x], spec(), false)))).toEqual([2, [[2, 2]], [], []])
    expect(shape(right(prepareBatch([x, y], spec(), true)))).toEqual([2, [[2, 2]], [[2, 1]], [undefined]])
    expect(shape(right(prepareBatch([x, y, [3, 4]], spec(), true)))).toEqual([2, [[2, 2]], [[2, 1]], [[3, 4]]])
    expect(shape(right(prepareBatch({ x, y, sampleWeight: [3, 4] }, spec(), true)))).toEqual([2, [[2, 2]], [[2, 1]], [[3, 4]]])
    expect(shape(right(prepareBatch({ x }, spec(), false)))).toEqual([2, [[2, 2]], [], []])
    const forms = { _tag: 'InvalidData', expected: '[x, y] | [x, y, sampleWeight] | {x, y, sampleWeight}' }
    for (const b of [[], [x, y, [3, 4], 1], null, { y }, 7]) expect(left(prepareBatch(b, spec(), true))).toMatchObject({ ...forms, op: 'op', received: b })
    const named = left(prepareBatch([x, y, [3, 4], 1], spec(), true, 3))
    expect(named).toMatchObject({ op: 'op (batch 3)' })
    expect(named.message).toMatch(/^op \(batch 3\): expected a batch/)
    // the checks of in-memory data, under the batch's name
    expect(left(prepareBatch([x], spec(), true, 2))).toMatchObject({ _tag: 'MissingTargets', op: 'op (batch 2)' })
  })
})

describe('pass.ts: the passes', () => {
  it('rangePass knows its steps (none when to < from)', () => {
    expect([rangePass(2, 5).steps, rangePass(5, 2).steps, rangePass(3, 3).steps]).toEqual([3, 0, 0])
  })

  it('arrayPass: ceil(n / batchSize) batches, the last one short, in the order given; with more steps it cycles', async () => {
    const d = dataset(5)
    const p = arrayPass(d, 2, undefined, undefined)
    expect(p.steps).toBe(3)
    expect(await sizes(p)).toEqual([2, 2, 1])
    const firsts: number[] = []
    const cyc = arrayPass(d, 2, Int32Array.from([4, 3, 2, 1, 0]), 5)
    expect(cyc.steps).toBe(5)
    await foldPass(cyc, 0, (a, b) => (firsts.push(...(vals(b.ys[0]) ?? [])), E.right(a)))
    expect(firsts).toEqual([4, 3, 2, 1, 0, 4, 3, 2, 1])
    expect(await sizes(arrayPass(d, 5, undefined, 2))).toEqual([5, 5])
    expect(await sizes(arrayPass(d, 2, undefined, 1))).toEqual([2])
  })

  it('streamPass: reads at most `steps` batches, checks each, and turns a throwing source into BatchSourceError', async () => {
    let pulled = 0
    const gen = function* () {
      for (;;) {
        pulled++
        yield [[[1, 2]], [[1]]]
      }
    }
    expect(await sizes(streamPass(gen(), spec(), 3, undefined, true))).toEqual([1, 1, 1])
    expect(pulled).toBe(3)
    const finite = [[[[1, 2]], [[1]]], [[[1, 2], [3, 4]], [[1], [2]]]]
    expect(await sizes(streamPass(finite.values(), spec(), undefined, undefined, true))).toEqual([1, 2])
    expect(await sizes(streamPass(finite.values(), spec(), 5, undefined, true))).toEqual([1, 2])
    const boom = (err: unknown) =>
      streamPass(
        (function* () {
          yield [[[1, 2]], [[1]]]
          throw err
        })(),
        spec(),
        undefined,
        undefined,
        true
      )
    const e = new Error('disk gone')
    const r = await foldPass(boom(e), 0, (a) => E.right(a + 1))
    expect(left(r)).toMatchObject({ _tag: 'BatchSourceError', op: 'op', batch: 1, cause: e, message: 'op: the batch source threw while producing batch 1: disk gone' })
    expect(left(await foldPass(boom('a string'), 0, (a) => E.right(a + 1))).message).toBe('op: the batch source threw while producing batch 1: a string')
    // each batch is checked with its index
    const bad = [[[[1, 2]], [[1]]], [[[1, 2]]]]
    expect(left(await foldPass(streamPass(bad.values(), spec(), undefined, undefined, true), 0, (a) => E.right(a + 1)))).toMatchObject({ _tag: 'MissingTargets', op: 'op (batch 1)' })
    expect(await sizes(streamPass(bad.values(), spec(), undefined, undefined, false))).toEqual([1, 1])
  })

  it('streamPass on a model not yet built: later batches must have the first batch\'s feature shapes (a bad batch is a Left, built or not)', async () => {
    const unbuilt = spec({ inputShapes: [] })
    const same = [[[[1, 2, 3]], [[1]]], [[[4, 5, 6], [7, 8, 9]], [[1], [2]]]]
    expect(await sizes(streamPass(same.values(), unbuilt, undefined, undefined, true))).toEqual([1, 2])
    const other = [[[[1, 2, 3]], [[1]]], [[[4, 5]], [[1]]]]
    const e = left(await foldPass(streamPass(other.values(), unbuilt, undefined, undefined, true), 0, (a) => E.right(a + 1)))
    expect(e).toMatchObject({ _tag: 'ShapeMismatch', op: 'op (batch 1)', expected: [null, 3], actual: [1, 2] })
    const bad = [[[[1, 2]]]]
    expect(left(await streamPass(bad.values(), unbuilt, undefined, undefined, true).next())).toMatchObject({ _tag: 'MissingTargets' })
    expect(left(await streamPass(bad.values(), spec(), undefined, { 0: 1 }, true).next())).toMatchObject({ _tag: 'MissingTargets' })
    // a built model's free axes stay free from batch to batch
    const seq = spec({ inputShapes: [[null, null, 2]] })
    const steps = [[[[[1, 2], [3, 4]]], [[1]]], [[[[1, 2], [3, 4], [5, 6]]], [[1]]]]
    expect(await sizes(streamPass(steps.values(), seq, undefined, undefined, true))).toEqual([1, 1])
    // several outputs, one left out: classWeight is refused (single output only), not a crash on the missing targets
    const twoOut = spec({ outputNames: ['a', 'b'], targetsNeeded: [false, true] })
    const partial = [[[[1, 2]], [null, tensor([[1]])]]]
    expect(left(await streamPass(partial.values(), twoOut, undefined, { 0: 1, 1: 1 }, true).next())).toMatchObject({ _tag: 'InvalidOption', where: 'classWeight' })
    // class weights need the targets: a batch without them is refused by applyClassWeight
    expect(left(await streamPass(bad.values(), spec(), undefined, { 0: 1 }, false).next())).toMatchObject({ _tag: 'InvalidOption', where: 'classWeight' })
  })

  it('streamPass weights each batch by class when asked', async () => {
    const bs = [[[[1, 2], [3, 4]], [0, 1]], [[[1, 2]], [1], [10]]]
    const ws: Array<number[] | undefined> = []
    await foldPass(streamPass(bs.values(), spec(), undefined, { 0: 2, 1: 3 }, true), 0, (a, b) => (ws.push(vals(b.sw[0])), E.right(a)))
    expect(ws).toEqual([[2, 3], [30]])
  })

  it('knownSteps: a finite, non-negative integer cardinality, else unknown', () => {
    const s = (c: unknown) => knownSteps(Object.assign([].values(), { cardinality: c }))
    expect([s(0), s(4), s(-1), s(2.5), s('infinite'), s(Infinity), s(NaN), s(undefined)]).toEqual([0, 4, undefined, undefined, undefined, undefined, undefined, undefined])
  })

  it('iteratorOf: a dataset is asked for the pass; an async iterable before its sync iterator', async () => {
    const asked: number[] = []
    const ds = { iterate: (p: number) => (asked.push(p), [p][Symbol.iterator]()), [Symbol.iterator]: () => [-1][Symbol.iterator]() }
    expect((await iteratorOf(ds as never, 4).next()).value).toBe(4)
    expect((await iteratorOf(ds as never).next()).value).toBe(0)
    expect(asked).toEqual([4, 0])
    const both = {
      [Symbol.asyncIterator]: async function* () {
        yield 'async'
      },
      [Symbol.iterator]: () => ['sync'][Symbol.iterator]()
    }
    expect((await iteratorOf(both as never).next()).value).toBe('async')
    expect((await iteratorOf(new Set(['sync']) as never).next()).value).toBe('sync')
  })

  it('sourcePass: arrays in order by batchSize; a stream needs its targets', async () => {
    const ys: number[] = []
    const p = sourcePass({ kind: 'arrays', d: dataset(5) }, 2, undefined, spec())
    await foldPass(p, 0, (a, b) => (ys.push(...(vals(b.ys[0]) ?? [])), E.right(a)))
    expect(ys).toEqual([0, 1, 2, 3, 4])
    expect(await sizes(sourcePass({ kind: 'arrays', d: dataset(5) }, 2, 2, spec()))).toEqual([2, 2])
    const s = sourcePass({ kind: 'stream', source: [[[[1, 2]]]].values() as never, classWeight: undefined }, 2, undefined, spec())
    expect(left(await foldPass(s, 0, (a) => E.right(a + 1)))).toMatchObject({ _tag: 'MissingTargets' })
  })

  it('foldPass lets the event loop run during a long fold (every ~30 ms)', async () => {
    let ticked = false
    setImmediate(() => (ticked = true))
    const seen: boolean[] = []
    const busy = (ms: number) => {
      const t0 = performance.now()
      while (performance.now() - t0 < ms);
    }
    await foldPass(rangePass(0, 3), 0, (a) => (seen.push(ticked), busy(40), E.right(a + 1)))
    expect(seen).toEqual([false, true, true])
  })
})

describe('prepareArrays feeds splitTail and applyClassWeight what they need', () => {
  it('a [n, 1] weight column stays [n, 1] on the host and is one weight per sample in a batch', () => {
    const d = right(prepareArrays([[1, 2], [3, 4]], [[1], [2]], [[5], [6]], spec()))
    expect(d.sw[0]?.shape).toEqual([2, 1])
    expect(arrayBatch(d, 0, 2).sw[0]?.shape).toEqual([2])
  })
})
