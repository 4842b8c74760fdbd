/**
 * Datasets: lazy, immutable, typed streams of elements — `tf.data` as values.
 *
 * A `Dataset<A>` is an `AsyncIterable<A>` that can be iterated any number of times. Its `iterate(pass)`
 * gives the elements of the `pass`-th iteration: `shuffle` folds the pass into its key, so every epoch of
 * `fit` sees a new order, and the same key gives the same orders on every run. Nothing is read or
 * computed until it is iterated; nothing is ever written back.
 *
 * Combinators (each returns a new dataset and leaves its input unchanged): `map`, `filter`,
 * `shuffle(bufferSize, key)`, `batch(n)`, `unbatch()`, `prefetch(n)`, `take(n)`, `skip(n)`,
 * `repeat(count?)`, `cache()`.
 *
 * Laws (laws/data.ts): `batch` then `unbatch` is the identity; `shuffle` is a permutation, the same key
 * giving the same order; `take(n)` then `skip(n)` partition the elements; `map` composes.
 *
 * @since 0.2.0
 */
import * as E from 'fp-ts/lib/Either.js'
import type { Tree } from '../core/Tree.js'
import { type Key, isKey, foldIn, uniforms } from '../core/Key.js'
import { orThrow } from '../core/errors.js'
import { type DatasetOptionError, optionError, raise } from './errors.js'
import { stackTrees, unstackTree } from './stack.js'

/** How many elements a dataset has, when that is known without iterating. */
export type Cardinality = number | 'unknown' | 'infinite'

/** A lazy, re-iterable stream of elements. */
export interface Dataset<A> extends AsyncIterable<A> {
  readonly _tag: 'Dataset'
  /** the number of elements, `'infinite'` after `repeat()`, `'unknown'` after `filter` */
  readonly cardinality: Cardinality
  /** the elements of the `pass`-th iteration (`fit` passes the epoch) */
  iterate(pass: number): AsyncIterator<A>
  /** `f` applied to every element (it may return a Promise). */
  map<B>(f: (a: A) => B | Promise<B>): Dataset<B>
  /** The elements for which `p` holds. */
  filter(p: (a: A) => boolean | Promise<boolean>): Dataset<A>
  /** Shuffle through a buffer of `bufferSize` elements (a full permutation when it holds them all). Throws on a bad size. */
  shuffle(bufferSize: number, key: Key): Dataset<A>
  /** Stack `batchSize` consecutive elements along a new first axis (the last batch may be smaller). Throws on a bad size. */
  batch(batchSize: number, options?: BatchOptions): Dataset<A>
  /** Split every element along its first axis (the inverse of `batch`). */
  unbatch(): Dataset<A>
  /** Read up to `bufferSize` elements ahead while the consumer works. */
  prefetch(bufferSize?: number): Dataset<A>
  /** The first `count` elements. */
  take(count: number): Dataset<A>
  /** All but the first `count` elements. */
  skip(count: number): Dataset<A>
  /** The elements `count` times over (forever when `count` is omitted); each repetition is a new pass. */
  repeat(count?: number): Dataset<A>
  /** The elements of the first complete pass, kept in memory and replayed by later passes. */
  cache(): Dataset<A>
  /** All elements of pass 0, in memory. */
  toArray(): Promise<A[]>
}

/** Options of `batch`. */
export interface BatchOptions {
  /** drop a last batch smaller than `batchSize` (default false) */
  readonly dropRemainder?: boolean
}

type Iterate<A> = (pass: number) => AsyncIterator<A>

const fromGen = <A>(gen: (pass: number) => AsyncGenerator<A>): Iterate<A> => (pass) => gen(pass)

/** @internal Build a dataset value from its iteration and cardinality. */
export const make = <A>(iterate: Iterate<A>, cardinality: Cardinality): Dataset<A> => {
  const ds: Dataset<A> = {
    _tag: 'Dataset',
    cardinality,
    iterate,
    [Symbol.asyncIterator]: () => iterate(0),
    map: (f) => map(f)(ds),
    filter: (p) => filter(p)(ds),
    shuffle: (n, k) => orThrow(shuffle(n, k)(ds)),
    batch: (n, o) => orThrow(batch(n, o)(ds)) as Dataset<A>,
    unbatch: () => unbatch()(ds as unknown as Dataset<Tree>) as unknown as Dataset<A>,
    prefetch: (n = 2) => orThrow(prefetch(n)(ds)),
    take: (n) => orThrow(take(n)(ds)),
    skip: (n) => orThrow(skip(n)(ds)),
    repeat: (n) => orThrow(repeat(n)(ds)),
    cache: () => cache<A>()(ds),
    toArray: () => toArray(ds)
  }
  return Object.freeze(ds)
}

/** Whether a value is a dataset. */
export const isDataset = (u: unknown): u is Dataset<unknown> =>
  typeof u === 'object' && u !== null && (u as Dataset<unknown>)._tag === 'Dataset' && typeof (u as Dataset<unknown>).iterate === 'function'

const countOk = (n: unknown, min: number): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= min

/** A dataset of the given elements, in order. @example fromElements([1, 2, 3]) */
export const fromElements = <A>(elements: ReadonlyArray<A>): Dataset<A> => {
  const items = elements.slice()
  return make(
    fromGen(async function* () {
      yield* items
    }),
    items.length
  )
}

/**
 * A dataset from a function that makes an (async) iterable for each pass, e.g. a generator function.
 * @example fromIterable(function* () { for (let i = 0; i < 3; i++) yield i })
 */
export const fromIterable = <A>(make_: (pass: number) => Iterable<A> | AsyncIterable<A>, cardinality: Cardinality = 'unknown'): Dataset<A> =>
  make(
    fromGen(async function* (pass) {
      yield* make_(pass) as AsyncIterable<A>
    }),
    cardinality
  )

/** `f` applied to every element. Data-last: `pipe(ds, map(f))`. */
export const map =
  <A, B>(f: (a: A) => B | Promise<B>) =>
  (ds: Dataset<A>): Dataset<B> =>
    make(
      fromGen(async function* (pass) {
        const it = ds.iterate(pass)
        for (let r = await it.next(); !r.done; r = await it.next()) yield await f(r.value)
      }),
      ds.cardinality
    )

/** The elements for which `p` holds. */
export const filter =
  <A>(p: (a: A) => boolean | Promise<boolean>) =>
  (ds: Dataset<A>): Dataset<A> =>
    make(
      fromGen(async function* (pass) {
        const it = ds.iterate(pass)
        for (let r = await it.next(); !r.done; r = await it.next()) if (await p(r.value)) yield r.value
      }),
      ds.cardinality === 'infinite' ? 'infinite' : 'unknown'
    )

/** Uniform doubles from a key, drawn lazily in blocks (each block its own folded key). */
const uniformStream = (k: Key): (() => number) => {
  let block = 0
  let buf = uniforms(foldIn(k, 0), 1024)
  let i = 0
  return () => {
    if (i === buf.length) {
      block += 1
      buf = uniforms(foldIn(k, block), 1024)
      i = 0
    }
    return buf[i++]
  }
}

/**
 * Shuffle through a buffer of `bufferSize` elements, as `tf.data`'s `shuffle`: the buffer is filled,
 * then each output is a uniformly chosen buffer element, replaced by the next input. The pass number is
 * folded into `key`, so each pass (epoch) has its own order; the same key and pass give the same order.
 */
export const shuffle =
  (bufferSize: number, key: Key) =>
  <A>(ds: Dataset<A>): E.Either<DatasetOptionError, Dataset<A>> => {
    if (!countOk(bufferSize, 1)) return E.left(optionError('shuffle', 'bufferSize', 'an integer ≥ 1', bufferSize))
    if (!isKey(key)) return E.left(optionError('shuffle', 'key', 'a random key (key(seed))', key))
    return E.right(
      make(
        fromGen(async function* (pass) {
          const u = uniformStream(foldIn(key, pass))
          const buf: A[] = []
          const it = ds.iterate(pass)
          for (let r = await it.next(); !r.done; r = await it.next()) {
            if (buf.length < bufferSize) {
              buf.push(r.value)
              continue
            }
            const j = Math.floor(u() * bufferSize)
            yield buf[j]
            buf[j] = r.value
          }
          while (buf.length > 0) {
            const j = Math.floor(u() * buf.length)
            yield buf[j]
            buf[j] = buf[buf.length - 1]
            buf.pop()
          }
        }),
        ds.cardinality
      )
    )
  }

/**
 * Stack `batchSize` consecutive elements along a new first axis; elements are tensors or lists/records
 * of tensors (`[x, y]` pairs batch into `[xs, ys]`, which `fit` reads as batches).
 */
export const batch =
  (batchSize: number, options: BatchOptions = {}) =>
  <A>(ds: Dataset<A>): E.Either<DatasetOptionError, Dataset<A>> => {
    if (!countOk(batchSize, 1)) return E.left(optionError('batch', 'batchSize', 'an integer ≥ 1', batchSize))
    const drop = options.dropRemainder ?? false
    if (typeof drop !== 'boolean') return E.left(optionError('batch', 'dropRemainder', 'a boolean', drop))
    const card = ds.cardinality
    return E.right(
      make(
        fromGen(async function* (pass) {
          let group: A[] = []
          const it = ds.iterate(pass)
          for (let r = await it.next(); !r.done; r = await it.next()) {
            group.push(r.value)
            if (group.length === batchSize) {
              yield stackTrees('batch', group) as A
              group = []
            }
          }
          if (group.length > 0 && !drop) yield stackTrees('batch', group) as A
        }),
        typeof card === 'number' ? (drop ? Math.floor(card / batchSize) : Math.ceil(card / batchSize)) : card
      )
    )
  }

/** Split every element (a tree of tensors with one leading size) along its first axis. */
export const unbatch =
  () =>
  <A extends Tree>(ds: Dataset<A>): Dataset<A> =>
    make(
      fromGen(async function* (pass) {
        const it = ds.iterate(pass)
        let index = 0
        for (let r = await it.next(); !r.done; r = await it.next(), index++) {
          yield* unstackTree('unbatch', r.value, index) as Iterable<A>
        }
      }),
      ds.cardinality === 'infinite' ? 'infinite' : 'unknown'
    )

/** Read up to `bufferSize` elements ahead of the consumer (for slow sources such as files and `map`s). */
export const prefetch =
  (bufferSize = 2) =>
  <A>(ds: Dataset<A>): E.Either<DatasetOptionError, Dataset<A>> => {
    if (!countOk(bufferSize, 1)) return E.left(optionError('prefetch', 'bufferSize', 'an integer ≥ 1', bufferSize))
    return E.right(
      make(
        fromGen(async function* (pass) {
          const it = ds.iterate(pass)
          const ahead: Array<Promise<IteratorResult<A>>> = []
          const fill = (): void => {
            while (ahead.length < bufferSize) ahead.push(it.next())
          }
          fill()
          for (;;) {
            const r = await (ahead.shift() as Promise<IteratorResult<A>>)
            if (r.done) return
            fill()
            yield r.value
          }
        }),
        ds.cardinality
      )
    )
  }

/** The first `count` elements. */
export const take =
  (count: number) =>
  <A>(ds: Dataset<A>): E.Either<DatasetOptionError, Dataset<A>> => {
    if (!countOk(count, 0)) return E.left(optionError('take', 'count', 'an integer ≥ 0', count))
    const card = ds.cardinality
    return E.right(
      make(
        fromGen(async function* (pass) {
          if (count === 0) return
          const it = ds.iterate(pass)
          let n = 0
          for (let r = await it.next(); !r.done; r = await it.next()) {
            yield r.value
            if (++n === count) {
              await it.return?.()
              return
            }
          }
        }),
        typeof card === 'number' ? Math.min(card, count) : card === 'infinite' ? count : 'unknown'
      )
    )
  }

/** All but the first `count` elements. */
export const skip =
  (count: number) =>
  <A>(ds: Dataset<A>): E.Either<DatasetOptionError, Dataset<A>> => {
    if (!countOk(count, 0)) return E.left(optionError('skip', 'count', 'an integer ≥ 0', count))
    const card = ds.cardinality
    return E.right(
      make(
        fromGen(async function* (pass) {
          const it = ds.iterate(pass)
          let n = 0
          for (let r = await it.next(); !r.done; r = await it.next()) if (n++ >= count) yield r.value
        }),
        typeof card === 'number' ? Math.max(0, card - count) : card
      )
    )
  }

/** A pass number for repetition `i` of outer pass `pass` (Cantor pairing: distinct for distinct pairs). */
const innerPass = (pass: number, i: number): number => ((pass + i) * (pass + i + 1)) / 2 + i

/** The elements `count` times over, each repetition a new pass (so a shuffle reshuffles); forever without `count`. */
export const repeat =
  (count?: number) =>
  <A>(ds: Dataset<A>): E.Either<DatasetOptionError, Dataset<A>> => {
    if (count !== undefined && !countOk(count, 0)) return E.left(optionError('repeat', 'count', 'an integer ≥ 0 (or nothing, for forever)', count))
    const card = ds.cardinality
    return E.right(
      make(
        fromGen(async function* (pass) {
          for (let i = 0; count === undefined || i < count; i++) {
            const it = ds.iterate(innerPass(pass, i))
            let any = false
            for (let r = await it.next(); !r.done; r = await it.next()) {
              any = true
              yield r.value
            }
            if (!any) return // an empty dataset repeated forever is empty, not a hang
          }
        }),
        count === undefined ? (card === 0 ? 0 : 'infinite') : typeof card === 'number' ? card * count : card
      )
    )
  }

/**
 * The elements of the first complete pass, kept in memory and replayed by every later pass (a pass
 * stopped early caches nothing). Put `cache()` before `shuffle` to reshuffle cached elements per epoch.
 */
export const cache =
  <A>() =>
  (ds: Dataset<A>): Dataset<A> => {
    let kept: ReadonlyArray<A> | undefined
    return make(
      fromGen(async function* (pass) {
        if (kept !== undefined) {
          yield* kept
          return
        }
        const seen: A[] = []
        const it = ds.iterate(pass)
        for (let r = await it.next(); !r.done; r = await it.next()) {
          seen.push(r.value)
          yield r.value
        }
        kept = seen
      }),
      ds.cardinality
    )
  }

/** All elements of pass 0 (rejects with the dataset's tagged error). */
export const toArray = async <A>(ds: Dataset<A>): Promise<A[]> => {
  if (ds.cardinality === 'infinite') raise(optionError('toArray', 'dataset', 'a finite dataset (take(n) first)', 'an infinite dataset'))
  const out: A[] = []
  const it = ds.iterate(0)
  for (let r = await it.next(); !r.done; r = await it.next()) out.push(r.value)
  return out
}
