/**
 * Errors as closed unions (docs/errors.md): every literal tag the source raises (`tfError('X', …)`,
 * `fail('X', …)`, `dataError('X', …)`, `ioError('X', …)`) is in its module's list, or in the tensor
 * stack's list that every module may raise.
 */
import { describe, it, expect } from 'vitest'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { ERROR_TAGS } from '../src/errors.js'
import { isErrorOf, VALUE_ERROR_TAGS, tfError, fail, within, attemptOf } from '../src/core/errors.js'
import { TRAIN_RUN_TAGS } from '../src/train/errors.js'
import { tensor, safe } from '../src/index.js'
import { fit as fitTE } from '../src/train/fit.js'

const SRC = join(__dirname, '..', 'src')
const files = (dir: string): string[] =>
  readdirSync(dir).flatMap((n) => {
    const p = join(dir, n)
    return statSync(p).isDirectory() ? files(p) : n.endsWith('.ts') ? [p] : []
  })

/** Which list a folder's tags come from (the tensor stack shares one). */
const LIST: Readonly<Record<string, ReadonlyArray<string>>> = {
  core: [],
  backend: [],
  primitives: [],
  ad: [],
  compile: [],
  ops: [],
  platform: [],
  '.': [],
  api: [],
  layers: ERROR_TAGS.layers,
  losses: ERROR_TAGS.losses,
  metrics: ERROR_TAGS.metrics,
  optimizers: ERROR_TAGS.optimizers,
  plot: ERROR_TAGS.plot,
  data: ERROR_TAGS.data,
  train: ERROR_TAGS.train,
  io: ERROR_TAGS.io
}

describe('error tags are closed unions, per module', () => {
  it('every tag raised in src/ is in its module list or the tensor stack list', () => {
    const stray: string[] = []
    let seen = 0
    for (const f of files(SRC)) {
      const rel = relative(SRC, f)
      const folder = rel.includes('/') ? rel.slice(0, rel.indexOf('/')) : '.'
      const allowed = [...(LIST[folder] ?? []), ...ERROR_TAGS.value]
      for (const m of readFileSync(f, 'utf8').matchAll(/\b(?:tfError|fail|dataError|ioError)\(\s*'([A-Za-z]+)'/g)) {
        seen++
        if (!allowed.includes(m[1])) stray.push(`${rel}: '${m[1]}'`)
      }
      if (LIST[folder] === undefined) stray.push(`${rel}: folder '${folder}' has no error list`)
    }
    expect(seen).toBeGreaterThan(100)
    expect(stray, 'add the tag to its module list (and docs/errors.md)').toEqual([])
  })

  it('isErrorOf narrows to a union a switch can cover', () => {
    const r = safe.matmul(tensor([[1, 2]]), tensor([[1, 2]]))
    expect(E.isLeft(r)).toBe(true)
    if (E.isLeft(r) && isErrorOf(VALUE_ERROR_TAGS)(r.left)) {
      const kind = ((): string => {
        switch (r.left._tag) {
          case 'ShapeMismatch':
          case 'InvalidShape':
          case 'InvalidAxis':
          case 'RaggedArray':
          case 'StructureMismatch':
          case 'NotATree':
          case 'NotAScalar':
          case 'IndexOutOfRange':
            return 'shape'
          case 'InvalidArgument':
          case 'BackendUnavailable':
          case 'ResourceLimit':
          case 'InternalError':
            return 'other'
        }
      })()
      expect(kind).toBe('shape')
    } else expect.unreachable()
    expect(isErrorOf(VALUE_ERROR_TAGS)({ _tag: 'CsvError', message: '' })).toBe(false)
  })

  it('within/attemptOf: a tag outside the union at a boundary becomes InternalError carrying it as cause', () => {
    const io = tfError('FileReadError', 'no file', { path: 'x' })
    const shape = tfError('ShapeMismatch', 'bad shape')
    expect(within(TRAIN_RUN_TAGS)(shape)).toBe(shape)
    const mapped = within(TRAIN_RUN_TAGS)(io)
    expect(mapped).toMatchObject({ _tag: 'InternalError', cause: io })
    expect(mapped.message).toContain('FileReadError')
    expect(attemptOf(VALUE_ERROR_TAGS)(() => fail('InvalidArgument', 'no'))).toMatchObject(E.left({ _tag: 'InvalidArgument' }))
    expect(attemptOf(VALUE_ERROR_TAGS)(() => fail('UnknownLoss', 'no'))).toMatchObject(E.left({ _tag: 'InternalError' }))
    expect(attemptOf(VALUE_ERROR_TAGS)(() => 3)).toEqual(E.right(3))
    expect(ERROR_TAGS.trainRun).toBe(TRAIN_RUN_TAGS)
    expect(TRAIN_RUN_TAGS).toEqual(expect.arrayContaining([...ERROR_TAGS.train, ...ERROR_TAGS.layers, ...ERROR_TAGS.losses, ...ERROR_TAGS.optimizers, 'InvalidFilepath']))
  })

  it('the specific tag where one fits: fit on a non-trainer is NotAModel (as Trainer.fit says), not InvalidArgument', async () => {
    const r = await fitTE({} as never, [[1]], [[1]])()
    expect(E.isLeft(r) && r.left._tag).toBe('NotAModel')
  })
})
