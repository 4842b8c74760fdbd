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
import { lossFromName, resolveLosses, resolveLossWeights, categoricalCrossentropy, withReduction, meanSquaredError } from '../src/losses/index.js'
import { resolveMetric, auc } from '../src/metrics/index.js'
import { optimizerFromName, setLearningRate, exponentialDecay, clipByValue } from '../src/optimizers/index.js'
import { connect } from '../src/layers/symbolic.js'
import { dense } from '../src/layers/layers.js'

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

/** The folders of the tensor stack, whose union (ValueError) is the one with InvalidArgument as its own tag. */
const TENSOR_STACK = ['core', 'backend', 'primitives', 'ad', 'compile', 'ops']

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
        // InvalidArgument is the tensor stack's own tag: above it, a module says InvalidOption, InvalidData, … (docs/errors.md)
        else if (m[1] === 'InvalidArgument' && !TENSOR_STACK.includes(folder)) stray.push(`${rel}: 'InvalidArgument' outside the tensor stack`)
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

  it("losses, metrics and optimizers say InvalidOption for a bad option or spec (their union's tag), not InvalidArgument", () => {
    const tag = <A>(r: E.Either<{ readonly _tag: string }, A>): string | undefined => (E.isLeft(r) ? r.left._tag : undefined)
    const thrown = (f: () => unknown): unknown => E.mapLeft((e: unknown) => (e as { _tag: unknown })._tag)(E.tryCatch(f, (e) => e))
    expect(tag(resolveLosses(3 as never, ['out']))).toBe('InvalidOption')
    expect(tag(resolveLosses(['mse', 'mse'], ['out']))).toBe('InvalidOption')
    expect(tag(resolveLosses({ ot: 'mse' }, ['out']))).toBe('InvalidOption')
    expect(tag(lossFromName('mse', { reduction: 'summ' as never }))).toBe('InvalidOption')
    expect(tag(lossFromName('mse', { fromLogits: true } as never))).toBe('InvalidOption')
    expect(tag(resolveLosses('msee', ['out']))).toBe('UnknownLoss')
    expect(tag(resolveLossWeights([NaN], ['out']))).toBe('InvalidOption')
    expect(tag(resolveLossWeights({ ot: 1 }, ['out']))).toBe('InvalidOption')
    expect(tag(resolveMetric(3 as never))).toBe('InvalidOption')
    expect(tag(optimizerFromName('adam', { betaa1: 0.9 } as never))).toBe('InvalidOption')
    expect(tag(setLearningRate({}, NaN))).toBe('InvalidOption')
    expect(thrown(() => categoricalCrossentropy({ labelSmoothing: 2 })(tensor([[0, 1]]), tensor([[0.5, 0.5]])))).toEqual(E.left('InvalidOption'))
    expect(thrown(() => withReduction(meanSquaredError, 'summ' as never))).toEqual(E.left('InvalidOption'))
    expect(thrown(() => auc({ numThresholds: 1 }))).toEqual(E.left('InvalidOption'))
    expect(thrown(() => exponentialDecay({ initialLearningRate: 0.1, decaySteps: 0, decayRate: 0.5 }))).toEqual(E.left('InvalidOption'))
    expect(thrown(() => clipByValue(2, 1))).toEqual(E.left('InvalidOption'))
    expect(tag(connect(dense(2), 3 as never))).toBe('InvalidOption')
  })

  it('the specific tag where one fits: fit on a non-trainer is NotAModel (as Trainer.fit says), not InvalidArgument', async () => {
    const r = await fitTE({} as never, [[1]], [[1]])()
    expect(E.isLeft(r) && r.left._tag).toBe('NotAModel')
  })
})
