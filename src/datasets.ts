/**
 * The public face of datasets: `Data` (the functional surface: total functions returning `Either` /
 * `TaskEither`, combinators in both data-first and data-last form) and `data` / `datasets` (the
 * notebook surface: methods and Promises that throw or reject with a `TensorfoldError`).
 *
 * ```ts
 * // notebook: tf.data style
 * const ds = data.fromArrays(x, y).shuffle(1000, key(0)).batch(32)
 * // functional: pipe and Either
 * const ds2 = pipe(Data.fromArrays(x, y), E.chain(Data.shuffle(1000, key(0))), E.chain(Data.batch(32)))
 * ```
 *
 * @since 0.2.0
 */
import * as E from 'fp-ts/lib/Either.js'
import type * as TE from 'fp-ts/lib/TaskEither.js'
import { orThrow, toTfError, type TfError, TensorfoldError, totalE, totalTE } from './core/errors.js'
import type { Key } from './core/Key.js'
import { dual } from './core/function.js'
import * as D from './data/Dataset.js'
import { fromArrays as fromArraysE } from './data/arrays.js'
import { fromCsvText as fromCsvTextP, type CsvOptions } from './data/csv.js'
import { mnist as mnistTE, type MnistOptions } from './data/datasets.js'
import { fromCsv as fromCsvTE, imageDatasetFromDirectory as imagesTE, type ImageFolderOptions } from './io/datasets.js'
import { type DatasetOptionError, type DataError, notADataset, asDataError } from './data/errors.js'

export type { Dataset, Cardinality, BatchOptions } from './data/Dataset.js'
export type { SliceSource, SliceSources, SliceOf } from './data/arrays.js'
export type { CsvOptions, ColumnType } from './data/csv.js'
export type { ImageFolderOptions, ImageDataset } from './io/datasets.js'
export type { MnistOptions, Split } from './data/datasets.js'
export type { DatasetError, DataError, DatasetOptionError, CsvError, ImageError, DatasetElementError, DatasetUnavailable, NotADataset } from './data/errors.js'

type Ds<A> = D.Dataset<A>
const isDs = (args: ReadonlyArray<unknown>): boolean => D.isDataset(args[0])

/** A dataset whose every pass fails with `error` (what a combinator given a non-dataset returns: lazy, like datasets). */
const failing = (error: TfError): Ds<never> =>
  D.fromIterable(() => {
    throw new TensorfoldError(error)
  })

/** Guard a dataset-returning function of the functional surface: it never throws; a failure surfaces when the dataset is read. */
const guardDs =
  <A extends ReadonlyArray<unknown>, R>(op: string, f: (ds: Ds<unknown>, ...a: A) => R, first = true) =>
  (ds: unknown, ...a: A): R => {
    if (first && !D.isDataset(ds))
      return failing(notADataset(op, ds)) as unknown as R
    try {
      return f(ds as Ds<unknown>, ...a)
    } catch (err) {
      return failing(toTfError(err)) as unknown as R
    }
  }

/**
 * The functional surface of datasets.
 * @example pipe(Data.fromArrays([[1], [2], [3]]), E.chain(Data.batch(2)))
 */
export const Data = {
  isDataset: D.isDataset,
  /** Rows of arrays as elements (`x_i`, `[x_i, y_i]` or `[x_i, y_i, w_i]`); `Left` on unequal row counts. */
  fromArrays: totalE(fromArraysE),
  /** The given elements, in order. */
  fromElements: guardDs('fromElements', (els) => D.fromElements(els as unknown as ReadonlyArray<unknown>), false) as typeof D.fromElements,
  /** An (async) iterable made afresh for each pass, e.g. a generator function. */
  fromIterable: guardDs('fromIterable', (f, c?: D.Cardinality) => D.fromIterable(f as unknown as () => Iterable<unknown>, c), false) as typeof D.fromIterable,
  /** A CSV dataset from a file path or URL, streamed; the header and options are checked first. */
  fromCsv: totalTE(fromCsvTE),
  /** A CSV dataset from text in memory. */
  fromCsvText: totalTE(
    (text: string, options?: CsvOptions): TE.TaskEither<DataError, Ds<import('./core/Tensor.js').Tensor | readonly [import('./core/Tensor.js').Tensor, import('./core/Tensor.js').Tensor]>> =>
    async () =>
      E.mapLeft(asDataError)(await fromCsvTextP(text, options))
  ),
  /** Images from a folder of class subfolders (Keras's `image_dataset_from_directory`). */
  imageDatasetFromDirectory: totalTE(imagesTE),
  /** Keras's MNIST `load_data()` from the optional `mnist` package. */
  mnist: totalTE(mnistTE),
  map: dual(isDs, guardDs('map', <A, B>(ds: Ds<A>, f: (a: A) => B | Promise<B>) => D.map(f)(ds))) as {
    <A, B>(f: (a: A) => B | Promise<B>): (ds: Ds<A>) => Ds<B>
    <A, B>(ds: Ds<A>, f: (a: A) => B | Promise<B>): Ds<B>
  },
  filter: dual(isDs, guardDs('filter', <A>(ds: Ds<A>, p: (a: A) => boolean | Promise<boolean>) => D.filter(p)(ds))) as {
    <A>(p: (a: A) => boolean | Promise<boolean>): (ds: Ds<A>) => Ds<A>
    <A>(ds: Ds<A>, p: (a: A) => boolean | Promise<boolean>): Ds<A>
  },
  shuffle: totalE(dual(isDs, <A>(ds: Ds<A>, n: number, k: Key) => D.shuffle(n, k)(ds))) as {
    (bufferSize: number, key: Key): <A>(ds: Ds<A>) => E.Either<DatasetOptionError, Ds<A>>
    <A>(ds: Ds<A>, bufferSize: number, key: Key): E.Either<DatasetOptionError, Ds<A>>
  },
  batch: totalE(dual(isDs, <A>(ds: Ds<A>, n: number, o?: D.BatchOptions) => D.batch(n, o)(ds))) as {
    (batchSize: number, options?: D.BatchOptions): <A>(ds: Ds<A>) => E.Either<DatasetOptionError, Ds<A>>
    <A>(ds: Ds<A>, batchSize: number, options?: D.BatchOptions): E.Either<DatasetOptionError, Ds<A>>
  },
  unbatch: guardDs('unbatch', (ds) => D.unbatch()(ds as Ds<import('./core/Tree.js').Tree>)) as <A extends import('./core/Tree.js').Tree>(ds: Ds<A>) => Ds<A>,
  prefetch: totalE(dual(isDs, <A>(ds: Ds<A>, n?: number) => D.prefetch(n)(ds))) as {
    (bufferSize?: number): <A>(ds: Ds<A>) => E.Either<DatasetOptionError, Ds<A>>
    <A>(ds: Ds<A>, bufferSize?: number): E.Either<DatasetOptionError, Ds<A>>
  },
  take: totalE(dual(isDs, <A>(ds: Ds<A>, n: number) => D.take(n)(ds))) as {
    (count: number): <A>(ds: Ds<A>) => E.Either<DatasetOptionError, Ds<A>>
    <A>(ds: Ds<A>, count: number): E.Either<DatasetOptionError, Ds<A>>
  },
  skip: totalE(dual(isDs, <A>(ds: Ds<A>, n: number) => D.skip(n)(ds))) as {
    (count: number): <A>(ds: Ds<A>) => E.Either<DatasetOptionError, Ds<A>>
    <A>(ds: Ds<A>, count: number): E.Either<DatasetOptionError, Ds<A>>
  },
  repeat: totalE(dual(isDs, <A>(ds: Ds<A>, n?: number) => D.repeat(n)(ds))) as {
    (count?: number): <A>(ds: Ds<A>) => E.Either<DatasetOptionError, Ds<A>>
    <A>(ds: Ds<A>, count?: number): E.Either<DatasetOptionError, Ds<A>>
  },
  cache: guardDs('cache', (ds) => D.cache()(ds)) as <A>(ds: Ds<A>) => Ds<A>,
  /** All elements of the first pass, or the tagged error that stopped it. */
  collect:
    <A>(ds: Ds<A>): TE.TaskEither<DataError, ReadonlyArray<A>> =>
    async () => {
      try {
        return E.right(await D.toArray(ds))
      } catch (err) {
        return E.left(asDataError(toTfError(err)))
      }
    }
} as const

const run = async <A>(te: TE.TaskEither<TfError, A>): Promise<A> => {
  const r = await te()
  if (E.isLeft(r)) throw new TensorfoldError(r.left)
  return r.right
}

/**
 * The notebook surface of datasets, `tf.data` style: constructors that return datasets (or Promises of
 * them) and throw a `TensorfoldError` on bad input; chain the dataset's methods.
 * @example const ds = data.fromArrays(x, y).shuffle(100, key(0)).batch(32)
 */
export const data = {
  fromArrays: ((...args: [unknown, ...unknown[]]) => orThrow((fromArraysE as (...a: unknown[]) => E.Either<TfError, unknown>)(...args))) as unknown as {
    <X extends import('./data/arrays.js').SliceSources>(x: X): Ds<import('./data/arrays.js').SliceOf<X>>
    <X extends import('./data/arrays.js').SliceSources, Y extends import('./data/arrays.js').SliceSources>(
      x: X,
      y: Y
    ): Ds<readonly [import('./data/arrays.js').SliceOf<X>, import('./data/arrays.js').SliceOf<Y>]>
    <X extends import('./data/arrays.js').SliceSources, Y extends import('./data/arrays.js').SliceSources>(
      x: X,
      y: Y,
      sampleWeight: import('./data/arrays.js').SliceSource
    ): Ds<readonly [import('./data/arrays.js').SliceOf<X>, import('./data/arrays.js').SliceOf<Y>, import('./core/Tensor.js').Tensor]>
  },
  fromElements: D.fromElements,
  fromIterable: D.fromIterable,
  fromCsv: (source: string | URL, options?: CsvOptions) => run(fromCsvTE(source, options)),
  fromCsvText: (text: string, options?: CsvOptions) => run(Data.fromCsvText(text, options)),
  imageDatasetFromDirectory: (dir: string, options?: ImageFolderOptions) => run(imagesTE(dir, options))
} as const

/**
 * Built-in datasets (notebook surface).
 * @example const { train, test } = await datasets.mnist()
 */
export const datasets = {
  mnist: (options?: MnistOptions) => run(mnistTE(options))
} as const
