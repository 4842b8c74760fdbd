import { describe, it, expect } from 'vitest'
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import { Data, data, tensor, toArray, key, sequential, dense, Tree, dataSync, TensorfoldError, type Tensor } from '../../src/index.js'
import { checkDatasetLaws, shufflePermutationLaw, mapCompositionLaw, takeSkipLaw } from '../../laws/index.js'

const nums = (n: number) => Data.fromElements(Array.from({ length: n }, (_, i) => tensor([i])))
const values = async (ds: AsyncIterable<Tensor>) => {
  const out: number[] = []
  for await (const t of ds) out.push(...dataSync(t))
  return out
}

describe('dataset laws', () => {
  it('hold on random datasets (batch/unbatch, shuffle permutation and determinism, take/skip, map)', async () => {
    await checkDatasetLaws(40)
  })
  it('can fail: an impure map, a source that changes between iterations', async () => {
    const ds = nums(10)
    let calls = 0
    expect(await mapCompositionLaw(ds, (t: Tensor) => dataSync(t)[0] + calls++, (v: number) => v)).toBe(false)
    let drawn = 0
    const unstable = Data.fromIterable(() => Array.from({ length: 5 }, () => tensor([drawn++])))
    expect(await shufflePermutationLaw(unstable, 3, 1)).toBe(false)
    expect(await takeSkipLaw(unstable, 2)).toBe(false)
    expect(await shufflePermutationLaw(ds, 3, 1)).toBe(true)
  })
})

describe('fromArrays', () => {
  it('slices x, y and sample weights along the first axis', async () => {
    const ds = data.fromArrays([[1, 2], [3, 4], [5, 6]], [0, 1, 0], [1, 1, 2])
    expect(ds.cardinality).toBe(3)
    const els = await ds.toArray()
    expect(els.map((e) => e.map((t) => toArray(t)))).toEqual([
      [[1, 2], 0, 1],
      [[3, 4], 1, 1],
      [[5, 6], 0, 2]
    ])
  })
  it('slices records of named inputs', async () => {
    const ds = data.fromArrays({ a: [[1], [2]], b: { data: new Float32Array([1, 2, 3, 4]), shape: [2, 2] } }, [5, 6])
    const [first] = await ds.toArray()
    expect(toArray(first[0].a)).toEqual([1])
    expect(toArray(first[0].b)).toEqual([1, 2])
  })
  it('refuses unequal row counts and non-arrays with a tagged Left naming the array (never throws)', () => {
    const r = Data.fromArrays([[1], [2], [3]], [1, 2])
    expect(E.isLeft(r) && r.left._tag).toBe('DatasetOptionError')
    expect(E.isLeft(r) && r.left.path).toBe('y')
    expect(E.isLeft(r) && r.left.message).toMatch(/3 rows.*2 rows/)
    const bad = Data.fromArrays({ a: 'nope' } as never)
    expect(E.isLeft(bad) && bad.left.path).toBe('x.a')
    expect(() => data.fromArrays(7 as never)).toThrow(TensorfoldError)
  })
  it('never shares storage with the caller', async () => {
    const src = new Float32Array([1, 2, 3, 4])
    const ds = data.fromArrays({ data: src, shape: [2, 2] })
    src[0] = 99
    expect(toArray((await ds.toArray())[0])).toEqual([1, 2])
  })
})

describe('combinators', () => {
  it('batch stacks elements and pairs; cardinality follows; dropRemainder drops the short batch', async () => {
    const ds = data.fromArrays([[1], [2], [3], [4], [5]], [1, 2, 3, 4, 5]).batch(2)
    expect(ds.cardinality).toBe(3)
    const bs = await ds.toArray()
    expect(bs.map(([x]) => x.shape)).toEqual([[2, 1], [2, 1], [1, 1]])
    expect(toArray(bs[2][1])).toEqual([5])
    const dropped = data.fromArrays([[1], [2], [3]]).batch(2, { dropRemainder: true })
    expect(dropped.cardinality).toBe(1)
    expect((await dropped.toArray()).length).toBe(1)
  })
  it('batch refuses elements of different shapes with the index, and bad sizes up front', async () => {
    const ds = Data.fromElements([tensor([1, 2]), tensor([1, 2, 3])]).batch(2)
    await expect(ds.toArray()).rejects.toMatchObject({ _tag: 'DatasetElementError', data: { index: 1 } })
    const r = await Data.collect(ds)()
    expect(E.isLeft(r) && r.left._tag).toBe('DatasetElementError')
    expect(pipe(nums(3), Data.batch(0), E.isLeft)).toBe(true)
    expect(() => nums(3).batch(1.5)).toThrow(/batchSize: expected an integer ≥ 1/)
  })
  it('shuffle: a permutation, the same for the same key and pass, another for another pass or key', async () => {
    const ds = nums(30)
    const a = ds.shuffle(30, key(1))
    const first = await values(a)
    expect([...first].sort((x, y) => x - y)).toEqual(Array.from({ length: 30 }, (_, i) => i))
    expect(first).not.toEqual(Array.from({ length: 30 }, (_, i) => i))
    expect(await values(a)).toEqual(first)
    expect(await values(ds.shuffle(30, key(1)))).toEqual(first)
    expect(await values({ [Symbol.asyncIterator]: () => a.iterate(1) })).not.toEqual(first)
    expect(await values(ds.shuffle(30, key(2)))).not.toEqual(first)
    // a small buffer only moves elements locally: the first output comes from the first `bufferSize` inputs
    const local = await values(ds.shuffle(3, key(5)))
    expect(local[0]).toBeLessThan(3)
    expect(pipe(ds, Data.shuffle(0, key(1)), E.isLeft)).toBe(true)
  })
  it('take, skip, repeat and their cardinalities; repeat reshuffles each repetition', async () => {
    const ds = nums(5)
    expect(await values(ds.take(2))).toEqual([0, 1])
    expect(await values(ds.skip(3))).toEqual([3, 4])
    expect(ds.skip(9).cardinality).toBe(0)
    expect(await values(ds.repeat(2))).toEqual([0, 1, 2, 3, 4, 0, 1, 2, 3, 4])
    expect(ds.repeat().cardinality).toBe('infinite')
    expect(await values(ds.repeat().take(7))).toEqual([0, 1, 2, 3, 4, 0, 1])
    const twice = await values(ds.shuffle(5, key(3)).repeat(2))
    expect(twice.slice(0, 5)).not.toEqual(twice.slice(5))
    expect(await values(Data.fromElements<Tensor>([]).repeat())).toEqual([])
    await expect(ds.repeat().toArray()).rejects.toMatchObject({ _tag: 'DatasetOptionError' })
  })
  it('map (sync and async), filter, unbatch', async () => {
    const ds = nums(6)
    expect(await values(ds.map(async (t) => tensor([dataSync(t)[0] * 10])))).toEqual([0, 10, 20, 30, 40, 50])
    const even = ds.filter((t) => dataSync(t)[0] % 2 === 0)
    expect(even.cardinality).toBe('unknown')
    expect(await values(even)).toEqual([0, 2, 4])
    expect(await values(ds.batch(4).unbatch())).toEqual([0, 1, 2, 3, 4, 5])
  })
  it('prefetch keeps order and reads ahead; errors arrive in order', async () => {
    let pulled = 0
    const src = Data.fromIterable(async function* () {
      for (let i = 0; i < 6; i++) {
        pulled = i + 1
        yield tensor([i])
      }
    })
    const it = src.prefetch(3)[Symbol.asyncIterator]()
    const r = await it.next()
    expect(dataSync(r.value as Tensor)[0]).toBe(0)
    await new Promise((res) => setTimeout(res, 5))
    expect(pulled).toBeGreaterThanOrEqual(3)
    const failing = Data.fromIterable(async function* () {
      yield tensor([1])
      throw new Error('disk on fire')
    }).prefetch(2)
    const seen: number[] = []
    await expect(
      (async () => {
        for await (const t of failing) seen.push(dataSync(t)[0])
      })()
    ).rejects.toThrow('disk on fire')
    expect(seen).toEqual([1])
  })
  it('cache reads its source once, then replays', async () => {
    let passes = 0
    const src = Data.fromIterable((pass) => {
      passes += 1
      return [tensor([pass])]
    }).cache()
    expect(await values(src)).toEqual([0])
    expect(await values({ [Symbol.asyncIterator]: () => src.iterate(3) })).toEqual([0])
    expect(passes).toBe(1)
  })
  it('leaves its input dataset unchanged (every combinator returns a new value)', async () => {
    const ds = nums(4)
    const before = await values(ds)
    ds.shuffle(4, key(0)).batch(2).map((x) => x)
    expect(await values(ds)).toEqual(before)
    expect(Object.isFrozen(ds)).toBe(true)
  })
})

describe('fit reads datasets', () => {
  it('fit on fromArrays(x, y).batch(n) equals fit on the arrays without shuffling', async () => {
    const x = tensor(Array.from({ length: 24 }, (_, i) => [Math.sin(i), Math.cos(i), i / 24]))
    const y = tensor(Array.from({ length: 24 }, (_, i) => [Math.sin(i) - i / 24]))
    const trainer = sequential([dense(4, { inputShape: [3], activation: 'tanh' }), dense(1)], { seed: 3 }).compile({ optimizer: 'sgd', loss: 'mse' })
    const a = await trainer.fit(x, y, { batchSize: 8, epochs: 2, shuffle: false, verbose: 0 })
    const b = await trainer.fit(data.fromArrays(x, y).batch(8), undefined, { epochs: 2, verbose: 0 })
    const wa = Tree.leaves(a.trainer.params).map((t) => Array.from(dataSync(t)))
    const wb = Tree.leaves(b.trainer.params).map((t) => Array.from(dataSync(t)))
    expect(wb).toEqual(wa)
    expect(b.history.history.loss).toEqual(a.history.history.loss)
  })
  it('fit asks a dataset for pass e at epoch e (so shuffles reshuffle per epoch) and knows its steps', async () => {
    const x = tensor(Array.from({ length: 12 }, (_, i) => [i / 12]))
    const passes: number[] = []
    const ds = Data.fromIterable((pass) => {
      passes.push(pass)
      return [[x, x] as const, [x, x] as const]
    }, 2)
    const trainer = sequential([dense(1, { inputShape: [1] })], { seed: 0 }).compile({ optimizer: 'sgd', loss: 'mse' })
    const { history } = await trainer.fit(ds, undefined, { epochs: 3, verbose: 0 })
    expect(passes).toEqual([0, 1, 2])
    expect(history.params.steps).toBe(2)
  })
})
