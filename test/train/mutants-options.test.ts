/**
 * Tests that kill mutants StrykerJS found surviving in src/train/options.ts (docs/laws.md, "Mutation
 * testing"): each codec's edges, the decoding of an options record (unknown keys, required keys,
 * `undefined` values, defaults) and the exact errors, called directly rather than through `fit`.
 */
import { describe, it, expect } from 'vitest'
import * as E from 'fp-ts/lib/Either.js'
import { tensor } from '../../src/index.js'
import * as O from '../../src/train/options.js'
import { sgd } from '../../src/optimizers/index.js'
import { accuracy } from '../../src/metrics/index.js'

const left = <A>(r: E.Either<unknown, A>): unknown => (E.isLeft(r) ? r.left : { right: r.right })
const ok = <A>(r: E.Either<unknown, A>): A => {
  if (E.isLeft(r)) throw new Error(String((r.left as { message?: string }).message))
  return r.right
}
const fit = (o: unknown) => O.decodeFitOptions(o)
const fitErr = (o: Record<string, unknown>) => left(fit(o)) as { readonly _tag: string; readonly path: string; readonly message: string }
const accepts = (field: string, v: unknown): boolean => E.isRight(fit({ [field]: v }))
const compileAccepts = (field: string, v: unknown): boolean => E.isRight(O.decodeCompileOptions({ loss: 'mse', [field]: v }))

describe('train/options: mutants killed', () => {
  it('the integer codecs: batchSize > 0, epochs ≥ 0, both integers and numbers', () => {
    expect([1, 7].map((v) => accepts('batchSize', v))).toEqual([true, true])
    expect([0, -1, 1.5, '2', Infinity, NaN].map((v) => accepts('batchSize', v))).toEqual([false, false, false, false, false, false])
    expect([0, 3].map((v) => accepts('epochs', v))).toEqual([true, true])
    expect([-1, 0.5, '1', null].map((v) => accepts('epochs', v))).toEqual([false, false, false, false])
  })

  it('validationSplit is a number in [0, 1), not a string or null that compares as one', () => {
    expect([0, 0.25, 0.999].map((v) => accepts('validationSplit', v))).toEqual([true, true, true])
    expect([1, -0.1, '0.5', null, true, NaN].map((v) => accepts('validationSplit', v))).toEqual([false, false, false, false, false, false])
  })

  it('classWeight is a record of finite numbers; seed an integer', () => {
    expect(accepts('classWeight', { 0: 1, 1: 5.5 })).toBe(true)
    expect(accepts('classWeight', { 0: Infinity })).toBe(false)
    expect(accepts('classWeight', { 0: '1' })).toBe(false)
    expect([0, -3].map((v) => compileAccepts('seed', v))).toEqual([true, true])
    expect([1.5, '1', NaN].map((v) => compileAccepts('seed', v))).toEqual([false, false, false])
  })

  it('signal is an AbortSignal: an object with a boolean `aborted` and an addEventListener', () => {
    expect(accepts('signal', new AbortController().signal)).toBe(true)
    expect(accepts('signal', { aborted: false, addEventListener: () => undefined })).toBe(true)
    for (const bad of [null, 3, {}, { aborted: 'no', addEventListener: () => undefined }, { aborted: false }, { aborted: false, addEventListener: 1 }])
      expect(accepts('signal', bad), JSON.stringify(bad)).toBe(false)
    // a function carrying the two members is not an AbortSignal
    expect(accepts('signal', Object.assign(() => undefined, { aborted: false, addEventListener: () => undefined }))).toBe(false)
  })

  it('write, trainStep and testStep are functions; sampleWeightMode is temporal or null', () => {
    expect(accepts('write', () => undefined)).toBe(true)
    expect(accepts('write', 'stdout')).toBe(false)
    for (const f of ['trainStep', 'testStep']) {
      expect(compileAccepts(f, () => ({}))).toBe(true)
      expect(compileAccepts(f, {})).toBe(false)
    }
    expect(['temporal', null].map((v) => compileAccepts('sampleWeightMode', v))).toEqual([true, true])
    expect(['Temporal', 'none', 0].map((v) => compileAccepts('sampleWeightMode', v))).toEqual([false, false, false])
  })

  it('callbacks: an array of objects with a name and an init', () => {
    const cb = { name: 'cb', init: () => ({}) }
    expect(accepts('callbacks', [cb])).toBe(true)
    expect(accepts('callbacks', [{ name: 'cb' }])).toBe(false)
    expect(accepts('callbacks', [{ init: () => ({}) }])).toBe(false)
    expect(accepts('callbacks', [null])).toBe(false)
  })

  it('validationData: two or three items, a record with x, or an iterable of batches', () => {
    const x = tensor([[1]])
    expect(accepts('validationData', [x, x])).toBe(true)
    expect(accepts('validationData', [x, x, x])).toBe(true)
    expect(accepts('validationData', { x, y: x })).toBe(true)
    expect(accepts('validationData', new Set([{ x, y: x }]))).toBe(true)
    for (const bad of [[x], [x, x, x, x], { y: x }, 'xy', null, 3]) expect(accepts('validationData', bad), String(bad)).toBe(false)
    expect(fitErr({ validationData: [x] })).toMatchObject({
      _tag: 'InvalidOption',
      path: 'validationData',
      expected: 'validation data: [x, y], [x, y, sampleWeight], {x, y, sampleWeight} or an iterable of batches'
    })
  })

  it('validationFreq: a positive integer or a list of them', () => {
    expect([2, [1, 3], []].map((v) => accepts('validationFreq', v))).toEqual([true, true, true])
    expect([0, [0], [1.5], '2'].map((v) => accepts('validationFreq', v))).toEqual([false, false, false, false])
  })

  it('sampleWeight: anything but undefined is passed on (checked later with the data)', () => {
    const w = tensor([1, 2])
    expect(ok(fit({ sampleWeight: w })).sampleWeight).toBe(w)
    expect(ok(fit({ sampleWeight: [1, 2] })).sampleWeight).toEqual([1, 2])
  })

  it('optimizer: a name or an object with init and update functions', () => {
    expect(compileAccepts('optimizer', 'sgd')).toBe(true)
    expect(compileAccepts('optimizer', sgd())).toBe(true)
    for (const bad of [3, null, { init: () => ({}) }, { update: () => ({}) }, { init: 1, update: () => ({}) }, { init: () => ({}), update: 1 }])
      expect(compileAccepts('optimizer', bad), JSON.stringify(bad)).toBe(false)
    // a function carrying init and update is not a GradientTransformation value
    expect(compileAccepts('optimizer', Object.assign(() => undefined, { init: () => ({}), update: () => [{}, {}] }))).toBe(false)
  })

  it('loss: a name, a function, a non-empty list of those or null, a record of those or null', () => {
    const f = () => tensor([0])
    for (const good of ['mse', f, ['mse', null], [f], { a: 'mse', b: null }, {}]) expect(E.isRight(O.decodeCompileOptions({ loss: good })), String(good)).toBe(true)
    for (const bad of [3, [], [3], ['mse', 3], { a: 3 }, null])
      expect(left(O.decodeCompileOptions({ loss: bad })), JSON.stringify(bad)).toMatchObject({ _tag: 'CompileError', path: 'loss' })
    expect(left(O.decodeCompileOptions({ loss: [] }))).toMatchObject({
      message: 'compile: loss: expected a loss name, a function (yTrue, yPred) => Tensor, or a list / record of those per output, received []'
    })
  })

  it('metrics: a list of specs, a list of lists, or a record of specs or lists — not a metric value itself', () => {
    const f = () => tensor([0])
    const m = accuracy()
    for (const good of [[], ['mae', f, m], [['mae'], [f, m]], { a: 'mae', b: ['mse', m] }, {}]) expect(compileAccepts('metrics', good), JSON.stringify(good)).toBe(true)
    for (const bad of ['mae', [3], ['mae', ['mse']], [['mae'], [3]], [['mae', 3]], { a: 3 }, { a: ['mae', 3] }, m, { update: () => 0, result: 1 }])
      expect(compileAccepts('metrics', bad), JSON.stringify(bad)).toBe(false)
    // an object with update and result but a result that is not a function is not a metric value
    expect(compileAccepts('metrics', [{ update: () => 0, result: 1 }])).toBe(false)
    expect(compileAccepts('metrics', [{ update: 1, result: () => 0 }])).toBe(false)
    expect(compileAccepts('weightedMetrics', [null])).toBe(false)
  })

  it('loss: a hole in a sparse list is refused like undefined (a CompileError at loss), not skipped', () => {
    // bug fix: Array.prototype.every skips holes, so [, 'mse'] was accepted and compile threw a TypeError
    // eslint-disable-next-line no-sparse-arrays
    for (const loss of [[, 'mse'], ['mse', ,], [undefined, 'mse']]) {
      const r = left(O.decodeCompileOptions({ loss })) as { readonly _tag: string; readonly path: string }
      expect([r._tag, r.path], String(loss.length)).toEqual(['CompileError', 'loss'])
    }
  })

  it('metrics: an undefined entry is a CompileError at metrics, not a TypeError from reading its members', () => {
    // isMetricValue checks typeof 'object' before reading .update (StrykerJS g4, options.ts:198)
    for (const [field, bad] of [['metrics', [undefined]], ['metrics', { out: undefined }], ['weightedMetrics', ['mae', undefined]], ['metrics', [['mae', undefined]]]] as const) {
      const r = left(O.decodeCompileOptions({ loss: 'mse', [field]: bad })) as { readonly _tag: string; readonly path: string }
      expect([r._tag, r.path], `${field}: ${String(bad)}`).toEqual(['CompileError', field])
    }
  })

  it('a bad value is an error naming op, path, what was expected and what came; CompileError for compile, InvalidOption otherwise', () => {
    expect(left(fit({ batchSize: 0 }))).toEqual({
      _tag: 'InvalidOption',
      message: 'fit: batchSize: expected a positive integer, received 0',
      op: 'fit',
      path: 'batchSize',
      expected: 'a positive integer',
      received: 0,
      allowed: [],
      nearest: undefined
    })
    expect(left(O.decodeCompileOptions({ loss: 'mse', runEagerly: 'yes' }))).toEqual({
      _tag: 'CompileError',
      message: 'compile: runEagerly: expected boolean, received "yes"',
      op: 'compile',
      path: 'runEagerly',
      expected: 'boolean',
      received: 'yes',
      allowed: [],
      nearest: undefined
    })
    expect(left(O.decodeBatchOptions('trainOnBatch', { returnDict: 1 }))).toMatchObject({ _tag: 'InvalidOption', message: 'trainOnBatch: returnDict: expected boolean, received 1', op: 'trainOnBatch' })
  })

  it('options that are not an object are refused, naming the allowed options; undefined and null are no options', () => {
    expect(left(O.decodePredictOptions(3))).toEqual({
      _tag: 'InvalidOption',
      message: 'predict: expected an options object, received 3',
      op: 'predict',
      path: '',
      expected: 'an object',
      received: 3,
      allowed: ['batchSize', 'verbose', 'steps', 'write', 'callbacks'],
      nearest: undefined
    })
    expect(left(O.decodeCompileOptions([]))).toMatchObject({ _tag: 'CompileError', message: 'compile: expected an options object, received []' })
    expect(ok(fit(undefined)).batchSize).toBe(32)
    expect(ok(fit(null)).batchSize).toBe(32)
  })

  it('an unknown option names the nearest within max(2, ⌈length / 2⌉) edits, and none beyond', () => {
    const all = 'batchSize, verbose, steps, write, callbacks'
    // 3 edits from 'batchSize' (length 12 → 6): suggested
    expect(left(O.decodePredictOptions({ batchSizeXYZ: 1 }))).toEqual({
      _tag: 'InvalidOption',
      message: `predict: unknown option 'batchSizeXYZ' — did you mean 'batchSize'? Options: ${all}.`,
      op: 'predict',
      path: 'batchSizeXYZ',
      allowed: ['batchSize', 'verbose', 'steps', 'write', 'callbacks'],
      received: 'batchSizeXYZ',
      nearest: 'batchSize'
    })
    // 'stepsabcdefg': 7 edits from 'steps', length 12 → 6: not suggested
    expect(left(O.decodePredictOptions({ stepsabcdefg: 1 }))).toMatchObject({ message: `predict: unknown option 'stepsabcdefg' Options: ${all}.`, nearest: undefined })
    // 'stepsabcdef': 6 edits, length 11 → ⌈5.5⌉ = 6: suggested (⌊5.5⌋ would not)
    expect(left(O.decodePredictOptions({ stepsabcdef: 1 }))).toMatchObject({ nearest: 'steps' })
    // 'zzzz': 4 edits or more from every option, length 4 → 2: not suggested
    expect(left(O.decodePredictOptions({ zzzz: 1 }))).toMatchObject({ nearest: undefined })
    // the cap counts the key as written, separators included (as train/errors.ts): 'epochs_abcdefgh' is 8
    // edits from 'epochs' once loosened, within ⌈15 / 2⌉ = 8 (nearest's own default, ⌈14 / 2⌉ = 7, would not suggest it)
    expect(left(fit({ epochs_abcdefgh: 1 }))).toMatchObject({ nearest: 'epochs' })
    expect(left(O.decodeCompileOptions({ loss: 'mse', sead: 1 }))).toMatchObject({ _tag: 'CompileError', path: 'sead', nearest: 'seed' })
    // an own key named like an Object.prototype member is still unknown
    expect(left(fit({ toString: 1 }))).toMatchObject({ _tag: 'InvalidOption', path: 'toString' })
  })

  it('compile requires loss, naming what it expects', () => {
    const expected = 'a loss name, a function (yTrue, yPred) => Tensor, or a list / record of those per output'
    expect(left(O.decodeCompileOptions({ optimizer: 'sgd' }))).toEqual({
      _tag: 'CompileError',
      message: `compile: loss: required (${expected})`,
      op: 'compile',
      path: 'loss',
      expected,
      received: undefined,
      allowed: [],
      nearest: undefined
    })
    expect(left(O.decodeCompileOptions({ loss: undefined }))).toMatchObject({ path: 'loss' })
  })

  it('a field given as undefined is absent: the default applies; every field is present after decoding', () => {
    const d = ok(fit({ batchSize: undefined, epochs: 3, shuffle: false, verbose: 0 }))
    expect(d).toEqual({
      batchSize: 32,
      epochs: 3,
      verbose: 0,
      callbacks: [],
      validationSplit: 0,
      validationData: undefined,
      shuffle: false,
      classWeight: undefined,
      sampleWeight: undefined,
      initialEpoch: 0,
      stepsPerEpoch: undefined,
      validationSteps: undefined,
      validationBatchSize: undefined,
      validationFreq: 1,
      signal: undefined,
      write: undefined,
      checkFiniteInputs: true
    })
    expect(Object.keys(d)).toHaveLength(17)
    expect(Object.isFrozen(d)).toBe(true)
    expect(ok(O.decodeEvaluateOptions({ checkFiniteInputs: false, returnDict: true }))).toMatchObject({ batchSize: 32, verbose: 'auto', returnDict: true, checkFiniteInputs: false })
    expect(ok(O.decodeEvaluateOptions({}))).toMatchObject({ returnDict: false, checkFiniteInputs: true })
    expect(ok(O.decodeBatchOptions('testOnBatch', undefined))).toEqual({ sampleWeight: undefined, classWeight: undefined, returnDict: false, checkFiniteInputs: true })
    expect(ok(O.decodeCompileOptions({ loss: 'mse', seed: undefined }))).toEqual({ loss: 'mse' })
  })

  it("resolveVerbose: 'auto' is 1 on an interactive terminal and 2 otherwise; numbers as given", () => {
    expect([O.resolveVerbose('auto', true), O.resolveVerbose('auto', false)]).toEqual([1, 2])
    expect([0, 1, 2].map((v) => O.resolveVerbose(v as 0 | 1 | 2, true))).toEqual([0, 1, 2])
    expect([0, 1, 2].map((v) => O.resolveVerbose(v as 0 | 1 | 2, false))).toEqual([0, 1, 2])
  })
})
