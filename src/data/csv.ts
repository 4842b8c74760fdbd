/**
 * CSV datasets, streamed: text arrives in chunks (from a file, a URL or a string), is split into
 * records by a small RFC 4180 state machine (quoted fields, `""` escapes, delimiters and newlines inside
 * quotes, CRLF, a byte-order mark), and each record becomes one element — `[features, label]` when a
 * `labelColumn` is named, else `features` — without ever holding the whole file. A bad row is a
 * `CsvError` naming the source, the line and the column.
 *
 * Columns are float32 unless typed: `'int32'` (integers only), or `{categories: [...]}` (a string column
 * mapped to the index of its value). Features are the selected columns (default: all but the label) in
 * header order; the label is a `[1]` tensor.
 *
 * @since 0.2.0
 */
import * as t from 'io-ts'
import * as E from 'fp-ts/lib/Either.js'
import { type Tensor, fromBuffer } from '../core/Tensor.js'
import { type Dataset, make } from './Dataset.js'
import { type DatasetError, type DatasetOptionError, decodeOptions, optionError, csvError, raise } from './errors.js'

/** The type of a column. */
export type ColumnType = 'float32' | 'int32' | { readonly categories: ReadonlyArray<string> }

/** Options of `fromCsv`. */
export interface CsvOptions {
  /** the first record names the columns (default true) */
  readonly header?: boolean
  /** column names (required without a header; with one, they must match it) */
  readonly columnNames?: ReadonlyArray<string>
  /** one character (default `,`) */
  readonly delimiter?: string
  /** the column that is the label: elements become `[features, label]` */
  readonly labelColumn?: string
  /** the feature columns, in this order (default: every column but the label, in file order) */
  readonly select?: ReadonlyArray<string>
  /** column types (default float32) */
  readonly columns?: { readonly [name: string]: ColumnType }
}

const ColumnTypeC = t.union([t.literal('float32'), t.literal('int32'), t.strict({ categories: t.readonlyArray(t.string) })], "'float32' | 'int32' | {categories: string[]}")
const csvProps = {
  header: t.boolean,
  columnNames: t.readonlyArray(t.string, 'a list of column names'),
  delimiter: t.refinement(t.string, (s) => s.length === 1 && s !== '"' && s !== '\n' && s !== '\r', 'one character other than a quote or newline'),
  labelColumn: t.string,
  select: t.readonlyArray(t.string, 'a list of column names'),
  columns: t.record(t.string, ColumnTypeC, 'a record of column types')
}

/** @internal Decode `fromCsv` options. */
export const decodeCsvOptions = (u: unknown): E.Either<DatasetOptionError, CsvOptions> => decodeOptions('fromCsv', u, csvProps) as E.Either<DatasetOptionError, CsvOptions>

/** One record: its fields and the (1-based) line it starts on. */
export interface CsvRecord {
  readonly line: number
  readonly fields: ReadonlyArray<string>
}

/**
 * Split text chunks into records. Blank lines are skipped; an unterminated quote at the end is a
 * `CsvError`.
 */
export async function* csvRecords(source: string, chunks: AsyncIterable<string>, delimiter = ','): AsyncGenerator<CsvRecord> {
  let fields: string[] = []
  let field = ''
  let quoted = false // inside a quoted field
  let afterQuote = false // a quote just closed: a delimiter or a line end must follow
  let quoteAtChunkEnd = false // it closed on a chunk's last character: a `"` next is an escaped quote
  let any = false // the current record has content
  let line = 1
  let start = 1
  let first = true
  let pendingCR = false
  const endRecord = function* (): Generator<CsvRecord> {
    if (any) {
      fields.push(field)
      yield { line: start, fields }
    }
    fields = []
    field = ''
    any = false
    afterQuote = false
  }
  for await (let chunk of chunks) {
    if (first && chunk.length > 0) {
      if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1)
      first = false
    }
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i]
      if (quoteAtChunkEnd) {
        quoteAtChunkEnd = false
        if (c === '"') {
          field += '"'
          quoted = true
          afterQuote = false
          continue
        }
      }
      if (pendingCR) {
        pendingCR = false
        if (c === '\n') continue
      }
      if (quoted) {
        if (c !== '"') {
          if (c === '\n') line++
          field += c
        } else if (i + 1 === chunk.length) {
          quoted = false
          afterQuote = true
          quoteAtChunkEnd = true
        } else if (chunk[i + 1] === '"') {
          field += '"'
          i++
        } else {
          quoted = false
          afterQuote = true
        }
      } else if (c === delimiter) {
        fields.push(field)
        field = ''
        any = true
        afterQuote = false
      } else if (c === '\n' || c === '\r') {
        yield* endRecord()
        line++
        start = line
        pendingCR = c === '\r'
      } else if (afterQuote) {
        raise(csvError(source, line, undefined, 'a delimiter or a line end after a closing quote', c))
      } else if (c === '"' && field.length === 0) {
        quoted = true
        any = true
      } else {
        field += c
        any = true
      }
    }
  }
  if (quoted) raise(csvError(source, start, undefined, 'a closing quote', 'the end of the input'))
  yield* endRecord()
}

/** Parse one field by its column type. */
const parseField = (source: string, line: number, column: string, type: ColumnType, text: string): number => {
  const s = text.trim()
  if (typeof type === 'object') {
    const i = type.categories.indexOf(s)
    if (i < 0) raise(csvError(source, line, column, `one of ${type.categories.map((c) => JSON.stringify(c)).join(', ')}`, text))
    return i
  }
  const v = s === '' ? NaN : Number(s)
  if (!Number.isFinite(v)) raise(csvError(source, line, column, type === 'int32' ? 'an integer' : 'a finite number', text))
  if (type === 'int32' && !Number.isSafeInteger(v)) raise(csvError(source, line, column, 'an integer', text))
  return v
}

/** The resolved layout: names, feature indices, label index, types. */
interface Layout {
  readonly names: ReadonlyArray<string>
  readonly features: ReadonlyArray<number>
  readonly label: number | undefined
  readonly types: ReadonlyArray<ColumnType>
}

const resolveLayout = (source: string, names: ReadonlyArray<string>, o: CsvOptions): E.Either<DatasetError, Layout> => {
  const dup = names.find((n, i) => names.indexOf(n) !== i)
  if (dup !== undefined) return E.left(csvError(source, 1, dup, 'unique column names', `'${dup}' twice`))
  const known = (path: string, n: string): E.Either<DatasetError, number> => {
    const i = names.indexOf(n)
    return i < 0 ? E.left(optionError('fromCsv', path, `a column of ${source} (${names.join(', ')})`, n)) : E.right(i)
  }
  let label: number | undefined
  if (o.labelColumn !== undefined) {
    const r = known('labelColumn', o.labelColumn)
    if (E.isLeft(r)) return r
    label = r.right
  }
  const features: number[] = []
  for (const n of o.select ?? names.filter((_, i) => i !== label)) {
    const r = known('select', n)
    if (E.isLeft(r)) return r
    if (r.right === label) return E.left(optionError('fromCsv', 'select', 'feature columns other than the label column', n))
    features.push(r.right)
  }
  if (features.length === 0) return E.left(optionError('fromCsv', 'select', 'at least one feature column', []))
  for (const n of Object.keys(o.columns ?? {})) {
    const r = known(`columns.${n}`, n)
    if (E.isLeft(r)) return r
  }
  const types = names.map((n) => (o.columns !== undefined && Object.prototype.hasOwnProperty.call(o.columns, n) ? o.columns[n] : 'float32'))
  return E.right({ names, features, label, types })
}

/** Text chunks from byte chunks (UTF-8, decoded across chunk boundaries). */
export async function* decodeUtf8(bytes: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  const dec = new TextDecoder('utf-8', { fatal: false })
  for await (const b of bytes) {
    const s = dec.decode(b, { stream: true })
    if (s.length > 0) yield s
  }
  const tail = dec.decode()
  if (tail.length > 0) yield tail
}

/**
 * A CSV dataset over a source of text chunks (`chunks()` is called once per pass and once to read the
 * header). The header and the options are checked before it is returned; rows are checked as they
 * stream.
 */
export const csvDataset = async (
  source: string,
  chunks: () => AsyncIterable<string>,
  options: unknown
): Promise<E.Either<DatasetError, Dataset<Tensor | readonly [Tensor, Tensor]>>> => {
  const decoded = decodeCsvOptions(options)
  if (E.isLeft(decoded)) return decoded
  const o = decoded.right
  const header = o.header ?? true
  let names: ReadonlyArray<string> | undefined = o.columnNames
  if (header) {
    let first: CsvRecord | undefined
    try {
      const it = csvRecords(source, chunks(), o.delimiter)
      const r = await it.next()
      await it.return(undefined)
      first = r.done ? undefined : r.value
    } catch (err) {
      const e = (err as { data?: DatasetError }).data
      if (e !== undefined && e._tag === 'CsvError') return E.left(e)
      throw err
    }
    if (first === undefined) return E.left(csvError(source, 1, undefined, 'a header line', 'an empty file'))
    const found = first.fields.map((f) => f.trim())
    if (names !== undefined && (names.length !== found.length || names.some((n, i) => n !== found[i])))
      return E.left(optionError('fromCsv', 'columnNames', `the header's names (${found.join(', ')})`, names))
    names = found
  }
  if (names === undefined) return E.left(optionError('fromCsv', 'columnNames', 'column names (the file has no header)', undefined))
  const layout = resolveLayout(source, names, o)
  if (E.isLeft(layout)) return layout
  const { features, label, types } = layout.right
  const cols = layout.right.names
  return E.right(
    make(async function* () {
      let skipHeader = header
      for await (const rec of csvRecords(source, chunks(), o.delimiter)) {
        if (skipHeader) {
          skipHeader = false
          continue
        }
        if (rec.fields.length !== cols.length) raise(csvError(source, rec.line, undefined, `${cols.length} fields`, `${rec.fields.length} fields`))
        const x = new Float32Array(features.length)
        features.forEach((c, j) => (x[j] = parseField(source, rec.line, cols[c], types[c], rec.fields[c])))
        const xt = fromBuffer(x, [features.length])
        if (label === undefined) yield xt
        else yield Object.freeze([xt, fromBuffer(Float32Array.of(parseField(source, rec.line, cols[label], types[label], rec.fields[label])), [1])] as const)
      }
    }, 'unknown')
  )
}

/** A CSV dataset from a string already in memory (the browser, tests, small files). */
export const fromCsvText = (text: string, options?: CsvOptions): Promise<E.Either<DatasetError, Dataset<Tensor | readonly [Tensor, Tensor]>>> =>
  csvDataset('<text>', async function* () {
    yield text
  }, options)
