/**
 * The tagged errors of `data/`: a closed union, so a user can match every case.
 *
 * - `DatasetOptionError`: a bad option to a dataset constructor or combinator (`path`, `expected`, `received`);
 * - `CsvError`: a bad CSV header or row (`source`, 1-based `line`, `column`, `expected`, `received`);
 * - `ImageError`: an image file that cannot be read or decoded (`file`, `reason`);
 * - `DatasetElementError`: elements that cannot be batched together (`index` in the batch, `expected`, `received`);
 * - `DatasetUnavailable`: a dataset whose optional package is not installed (`dataset`, `module`, `reason`).
 *
 * Lazy datasets report errors found while iterating by throwing the thrown form (`TensorfoldError`) from
 * the iterator; `fit` turns that into a tagged `Left`, and `Data.collect` into a `Left`.
 *
 * @since 0.2.0
 */
import * as t from 'io-ts'
import * as E from 'fp-ts/lib/Either.js'
import { tfError, type TfError, show, TensorfoldError, within, VALUE_ERROR_TAGS } from '../core/errors.js'
import { nearest } from '../core/nearest.js'
import { isRecord } from '../core/Tree.js'

/** A bad option. */
export type DatasetOptionError = TfError & {
  readonly _tag: 'DatasetOptionError'
  readonly op: string
  readonly path: string
  readonly expected: string
  readonly received: unknown
}
/** A bad CSV header or row. */
export type CsvError = TfError & {
  readonly _tag: 'CsvError'
  readonly source: string
  readonly line: number
  readonly column: string | undefined
  readonly expected: string
  readonly received: unknown
}
/** An image file that cannot be read or decoded. */
export type ImageError = TfError & { readonly _tag: 'ImageError'; readonly file: string; readonly reason: string }
/** Elements that do not batch together. */
export type DatasetElementError = TfError & {
  readonly _tag: 'DatasetElementError'
  readonly op: string
  readonly index: number
  readonly expected: string
  readonly received: unknown
}
/** A dataset whose optional package is missing. */
export type DatasetUnavailable = TfError & {
  readonly _tag: 'DatasetUnavailable'
  readonly dataset: string
  readonly module: string
  readonly reason: string
}

/** A dataset function given something that is not a dataset. */
export type NotADataset = TfError & { readonly _tag: 'NotADataset'; readonly op: string; readonly received: unknown }

/** Every error of the data module. */
export type DatasetError = DatasetOptionError | CsvError | ImageError | DatasetElementError | DatasetUnavailable | NotADataset

/** The tags of {@link DatasetError}, as a list. */
export const DATA_ERROR_TAGS = ['DatasetOptionError', 'CsvError', 'ImageError', 'DatasetElementError', 'DatasetUnavailable', 'NotADataset'] as const
/** A tag of `data/`. */
export type DataErrorTag = (typeof DATA_ERROR_TAGS)[number]

/** Every tag reading a dataset can end with: data's own and the tensor stack's (its elements are tensors). */
export const DATA_RUN_TAGS = [...DATA_ERROR_TAGS, ...VALUE_ERROR_TAGS] as const
/**
 * What reading a dataset (`Data.collect`, `Data.fromCsvText`) can return: a {@link DatasetError} or an
 * error of the tensor stack, matchable on `_tag`; an error of another module raised by a user's function
 * inside `map`/`filter` is an `InternalError` carrying it as `cause`.
 */
export type DataError = TfError<(typeof DATA_RUN_TAGS)[number]>
/** @internal An error met while reading a dataset, held to {@link DataError} (see {@link within}). */
export const asDataError: (e: TfError) => DataError = within(DATA_RUN_TAGS)

/** @internal */
export const notADataset = (op: string, received: unknown): NotADataset =>
  tfError('NotADataset', `Data.${op}: expected a dataset, received ${show(received)}`, { op, path: 'dataset', expected: 'a Dataset', received }) as NotADataset

/** @internal */
export const optionError = (op: string, path: string, expected: string, received: unknown, hint = ''): DatasetOptionError =>
  tfError('DatasetOptionError', `${op}: ${path}: expected ${expected}, received ${show(received)}${hint}`, { op, path, expected, received }) as DatasetOptionError

/** @internal */
export const csvError = (source: string, line: number, column: string | undefined, expected: string, received: unknown): CsvError =>
  tfError('CsvError', `${source}:${line}${column === undefined ? '' : ` column '${column}'`}: expected ${expected}, received ${show(received)}`, {
    source,
    line,
    column,
    expected,
    received
  }) as CsvError

/** @internal */
export const imageError = (file: string, reason: string): ImageError => tfError('ImageError', `${file}: ${reason}`, { file, reason }) as ImageError

/** @internal */
export const elementError = (op: string, index: number, expected: string, received: unknown): DatasetElementError =>
  tfError('DatasetElementError', `${op}: element ${index} does not match the first: expected ${expected}, received ${show(received)}`, {
    op,
    index,
    expected,
    received
  }) as DatasetElementError

/** @internal Throw a data error from inside an iterator (lazy datasets can only report that way). */
export const raise = (e: DatasetError): never => {
  throw new TensorfoldError(e)
}

/**
 * @internal Decode an options record: unknown keys (own keys only — `toString` is not an option) are
 * refused with the nearest known name; each present value must satisfy its codec.
 */
export const decodeOptions = <P extends Record<string, t.Any>>(
  op: string,
  u: unknown,
  props: P
): E.Either<DatasetOptionError, { readonly [K in keyof P]?: t.TypeOf<P[K]> }> => {
  if (u === undefined || u === null) return E.right({})
  if (!isRecord(u)) return E.left(optionError(op, 'options', 'an options object', u))
  const allowed = Object.keys(props)
  const out: Record<string, unknown> = {}
  for (const k of Object.keys(u)) {
    if (!Object.prototype.hasOwnProperty.call(props, k)) {
      const near = nearest(k, allowed, { maxDistance: Math.max(2, Math.ceil(k.length / 2)) })
      return E.left(optionError(op, k, `one of the options ${allowed.join(', ')}`, k, near === undefined ? '' : ` — did you mean '${near}'?`))
    }
    const v = u[k]
    if (v === undefined) continue
    const codec = props[k]
    const r = codec.decode(v)
    if (E.isLeft(r)) return E.left(optionError(op, k, codec.name, v))
    out[k] = r.right
  }
  return E.right(out as { readonly [K in keyof P]?: t.TypeOf<P[K]> })
}

/** @internal An integer ≥ `min`, named for messages. */
export const intAtLeast = (min: number): t.Type<number> =>
  t.refinement(t.number, (n) => Number.isSafeInteger(n) && n >= min, `an integer ≥ ${min}`) as unknown as t.Type<number>
