/**
 * Dataset laws (DESIGN §7, data): pure predicates over datasets, and fast-check drivers.
 *
 * - batch/unbatch: `unbatch(batch(n)(ds))` has the elements of `ds`, in order, for every `n`;
 * - shuffle is a permutation: the same multiset of elements, whatever the buffer size;
 * - shuffle is deterministic: the same key and pass give the same order; another pass gives its own;
 * - take/skip partition: `take(n) ++ skip(n) = ds`;
 * - map composes: `map(g)(map(f)(ds)) = map(g ∘ f)(ds)`.
 *
 * Elements are compared by their values (`toArray`).
 *
 * @since 0.2.0
 */
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { type Tensor, tensor, toArray, isTensor } from '../src/core/Tensor.js'
import { key } from '../src/core/Key.js'
import { type Dataset, fromElements, batch, unbatch, shuffle, take, skip, map, toArray as collect } from '../src/data/Dataset.js'

const right = <A>(e: E.Either<unknown, A>): A => {
  if (E.isLeft(e)) throw new Error(`law setup: ${JSON.stringify(e.left)}`)
  return e.right
}

/** The elements of a pass as plain values (for comparison). */
export const passValues = async <A>(ds: Dataset<A>, pass = 0): Promise<unknown[]> => {
  const out: unknown[] = []
  const it = ds.iterate(pass)
  for (let r = await it.next(); !r.done; r = await it.next()) out.push(plain(r.value))
  return out
}

const plain = (v: unknown): unknown =>
  isTensor(v) ? toArray(v) : Array.isArray(v) ? v.map(plain) : typeof v === 'object' && v !== null ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)])) : v

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b)
const sortedKeys = (xs: ReadonlyArray<unknown>): string[] => xs.map((x) => JSON.stringify(x)).sort()

/** `unbatch(batch(n)(ds))` yields the elements of `ds` in order. */
export const batchUnbatchLaw = async (ds: Dataset<Tensor | readonly Tensor[]>, n: number): Promise<boolean> =>
  same(await passValues(unbatch()(right(batch(n)(ds)) as Dataset<Tensor>)), await passValues(ds))

/** `shuffle` yields a permutation of the elements. */
export const shufflePermutationLaw = async <A>(ds: Dataset<A>, bufferSize: number, seed: number, pass = 0): Promise<boolean> =>
  same(sortedKeys(await passValues(right(shuffle(bufferSize, key(seed))(ds)), pass)), sortedKeys(await passValues(ds, pass)))

/** The same key and pass give the same order (and two iterations of one value agree). */
export const shuffleDeterminismLaw = async <A>(ds: Dataset<A>, bufferSize: number, seed: number, pass = 0): Promise<boolean> => {
  const a = right(shuffle(bufferSize, key(seed))(ds))
  const b = right(shuffle(bufferSize, key(seed))(ds))
  return same(await passValues(a, pass), await passValues(b, pass)) && same(await passValues(a, pass), await passValues(a, pass))
}

/** `take(n)` then `skip(n)` give back the elements. */
export const takeSkipLaw = async <A>(ds: Dataset<A>, n: number): Promise<boolean> =>
  same([...(await passValues(right(take(n)(ds)))), ...(await passValues(right(skip(n)(ds))))], await passValues(ds))

/** `map` composes. */
export const mapCompositionLaw = async <A, B, C>(ds: Dataset<A>, f: (a: A) => B, g: (b: B) => C): Promise<boolean> =>
  same(await passValues(map(g)(map(f)(ds))), await passValues(map((a: A) => g(f(a)))(ds)))

/** Datasets of 0–40 small float tensors of one random shape (values distinct enough to tell apart). */
export const tensorDatasetArb = (): fc.Arbitrary<{ readonly ds: Dataset<Tensor>; readonly n: number; readonly shape: readonly number[] }> =>
  fc
    .record({
      n: fc.integer({ min: 0, max: 40 }),
      shape: fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }),
      offset: fc.integer({ min: -100, max: 100 })
    })
    .map(({ n, shape, offset }) => {
      const size = shape.reduce((a, b) => a * b, 1)
      const items = Array.from({ length: n }, (_, i) => tensor(Float32Array.from({ length: size }, (_, j) => offset + i * size + j), shape))
      return { ds: fromElements(items), n, shape }
    })

/** Run every dataset law on random datasets. Resolves when all hold; rejects with a counterexample. */
export const checkDatasetLaws = async (numRuns = 40): Promise<void> => {
  await fc.assert(
    fc.asyncProperty(tensorDatasetArb(), fc.integer({ min: 1, max: 12 }), fc.integer(), fc.integer({ min: 0, max: 5 }), async ({ ds }, n, seed, pass) => {
      return (
        (await batchUnbatchLaw(ds, n)) &&
        (await shufflePermutationLaw(ds, n, seed, pass)) &&
        (await shuffleDeterminismLaw(ds, n, seed, pass)) &&
        (await takeSkipLaw(ds, n)) &&
        (await mapCompositionLaw(ds, (t: Tensor) => toArray(t), (v) => JSON.stringify(v).length))
      )
    }),
    { numRuns }
  )
}

export { collect as datasetToArray }
