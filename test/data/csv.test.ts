import { describe, it, expect, beforeAll, afterAll } from 'vitest'
import * as E from 'fp-ts/lib/Either.js'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createServer, type Server } from 'node:http'
import { Data, data, toArray, TensorfoldError, sequential, dense } from '../../src/index.js'
import { csvRecords } from '../../src/data/csv.js'

const records = async (chunks: string[]) => {
  const out: Array<{ line: number; fields: ReadonlyArray<string> }> = []
  for await (const r of csvRecords('t.csv', (async function* () {
    yield* chunks
  })())) out.push(r)
  return out
}
/** Feed the text one character per chunk: every boundary case of the state machine at once. */
const charByChar = (s: string) => records([...s])

describe('CSV records (RFC 4180)', () => {
  const text = '\uFEFFa,b,c\r\n1,"x, y",3\r\n\r\n4,"say ""hi""",6\n7,"two\nlines",9\n"",,""\n'
  it('handles quotes, escaped quotes, delimiters and newlines in quotes, CRLF, blank lines and a BOM', async () => {
    const want = [
      { line: 1, fields: ['a', 'b', 'c'] },
      { line: 2, fields: ['1', 'x, y', '3'] },
      { line: 4, fields: ['4', 'say "hi"', '6'] },
      { line: 5, fields: ['7', 'two\nlines', '9'] },
      { line: 7, fields: ['', '', ''] }
    ]
    expect(await records([text])).toEqual(want)
    expect(await charByChar(text)).toEqual(want)
    expect(await records(['a,"b"', '"c"\n'])).toEqual([{ line: 1, fields: ['a', 'b"c'] }])
    expect(await records(['a,""', '""\n'])).toEqual([{ line: 1, fields: ['a', '"'] }])
  })
  it('reports an unterminated quote and junk after a closing quote with the line', async () => {
    await expect(records(['a,b\n1,"open\n'])).rejects.toMatchObject({ _tag: 'CsvError', data: { line: 2 } })
    await expect(records(['a,b\n1,"x"y\n'])).rejects.toMatchObject({ _tag: 'CsvError', data: { line: 2, expected: expect.stringContaining('closing quote') } })
  })
})

describe('fromCsvText / fromCsv', () => {
  const houses = 'rooms,area,city,price\n3,120.5,north,300\n2,80,south,200\n4,150,north,410\n'
  const opts = { labelColumn: 'price', columns: { city: { categories: ['north', 'south'] }, rooms: 'int32' as const } }

  it('yields [features, label] with typed and categorical columns', async () => {
    const ds = await data.fromCsvText(houses, opts)
    const els = (await ds.toArray()) as Array<readonly [unknown, unknown]>
    expect(els.map(([x, y]) => [toArray(x as never), toArray(y as never)])).toEqual([
      [[3, 120.5, 0], [300]],
      [[2, 80, 1], [200]],
      [[4, 150, 0], [410]]
    ])
  })
  it('selects feature columns in the given order; no label gives features only', async () => {
    const ds = await data.fromCsvText(houses, { select: ['area', 'rooms'] })
    expect((await ds.toArray()).map((x) => toArray(x as never))).toEqual([
      [120.5, 3],
      [80, 2],
      [150, 4]
    ])
  })
  it('reads headerless files with columnNames', async () => {
    const ds = await data.fromCsvText('1;2\n3;4\n', { header: false, columnNames: ['a', 'b'], delimiter: ';', labelColumn: 'b' })
    expect((await ds.toArray()).length).toBe(2)
  })
  it('refuses bad options and headers before any row, naming the path', async () => {
    const unknownOpt = await Data.fromCsvText(houses, { labelColum: 'price' } as never)()
    expect(E.isLeft(unknownOpt) && unknownOpt.left.message).toMatch(/unknown|labelColum.*did you mean 'labelColumn'/)
    const missing = await Data.fromCsvText(houses, { labelColumn: 'cost' })()
    expect(E.isLeft(missing) && missing.left).toMatchObject({ _tag: 'DatasetOptionError', path: 'labelColumn', received: 'cost' })
    const inherited = await Data.fromCsvText(houses, { toString: 'x' } as never)()
    expect(E.isLeft(inherited) && inherited.left._tag).toBe('DatasetOptionError')
    const noNames = await Data.fromCsvText('1,2\n', { header: false })()
    expect(E.isLeft(noNames) && noNames.left.path).toBe('columnNames')
    const empty = await Data.fromCsvText('', {})()
    expect(E.isLeft(empty) && empty.left._tag).toBe('CsvError')
    const dup = await Data.fromCsvText('a,a\n1,2\n')()
    expect(E.isLeft(dup) && dup.left._tag).toBe('CsvError')
  })
  it('reports bad rows with their line and column while streaming', async () => {
    const bad = 'a,b\n1,2\n3,oops\n'
    const ds = await data.fromCsvText(bad, { labelColumn: 'b' })
    const r = await Data.collect(ds)()
    expect(E.isLeft(r) && r.left).toMatchObject({ _tag: 'CsvError', line: 3, column: 'b', received: 'oops' })
    const short = await Data.collect(await data.fromCsvText('a,b\n1\n'))()
    expect(E.isLeft(short) && short.left).toMatchObject({ _tag: 'CsvError', line: 2, expected: '2 fields' })
    const cat = await Data.collect(await data.fromCsvText(houses.replace('south', 'east'), opts))()
    expect(E.isLeft(cat) && cat.left).toMatchObject({ _tag: 'CsvError', line: 3, column: 'city' })
    const notInt = await Data.collect(await data.fromCsvText(houses.replace('3,120.5', '3.5,120.5'), opts))()
    expect(E.isLeft(notInt) && notInt.left).toMatchObject({ _tag: 'CsvError', line: 2, column: 'rooms', expected: 'an integer' })
  })

  describe('from files and URLs', () => {
    let dir = ''
    let server: Server
    let url = ''
    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'tf-csv-'))
      const rows = ['x1,x2,y', ...Array.from({ length: 5000 }, (_, i) => `${i},${(i % 7) / 7},${i % 2}`)]
      writeFileSync(join(dir, 'big.csv'), rows.join('\n') + '\n')
      server = createServer((req, res) => {
        if (req.url === '/big.csv') {
          res.writeHead(200, { 'content-type': 'text/csv' })
          // in pieces, to stream
          const body = rows.join('\n') + '\n'
          for (let i = 0; i < body.length; i += 1000) res.write(body.slice(i, i + 1000))
          res.end()
        } else {
          res.writeHead(404)
          res.end()
        }
      })
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
      const addr = server.address()
      url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`
    })
    afterAll(() => new Promise<void>((r) => server.close(() => r())))

    it('streams a file and a URL to the same elements, batched for fit', async () => {
      const fromFile = (await data.fromCsv(join(dir, 'big.csv'), { labelColumn: 'y' })).batch(1000)
      const fromUrl = (await data.fromCsv(`${url}/big.csv`, { labelColumn: 'y' })).batch(1000)
      const a = (await fromFile.toArray()) as Array<readonly [never, never]>
      const b = (await fromUrl.toArray()) as Array<readonly [never, never]>
      expect(a.length).toBe(5)
      expect(a.map(([x]) => toArray(x))).toEqual(b.map(([x]) => toArray(x)))
      expect((toArray(a[4][1]) as number[][]).slice(-2)).toEqual([[0], [1]])
    })
    it('trains a model on a CSV file', async () => {
      const ds = (await data.fromCsv(join(dir, 'big.csv'), { labelColumn: 'y', select: ['x2'] })).take(256).batch(64)
      const trainer = sequential([dense(1, { inputShape: [1], activation: 'sigmoid' })], { seed: 0 }).compile({ optimizer: 'adam', loss: 'binary_crossentropy' })
      const { history } = await trainer.fit(ds, undefined, { epochs: 1, verbose: 0 })
      expect(history.history.loss.length).toBe(1)
      expect(Number.isFinite(history.history.loss[0])).toBe(true)
    })
    it('gives tagged errors for a missing file, a directory and a failing URL', async () => {
      const missing = await Data.fromCsv(join(dir, 'nope.csv'))()
      expect(E.isLeft(missing) && missing.left._tag).toBe('FileReadError')
      const isDir = await Data.fromCsv(dir)()
      expect(E.isLeft(isDir) && isDir.left._tag).toBe('FileReadError')
      const r404 = await Data.fromCsv(`${url}/missing.csv`)()
      expect(E.isLeft(r404) && r404.left.message).toMatch(/HTTP 404/)
      await expect(data.fromCsv(join(dir, 'nope.csv'))).rejects.toBeInstanceOf(TensorfoldError)
    })
  })
})
