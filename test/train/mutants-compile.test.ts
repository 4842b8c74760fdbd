/**
 * Tests that kill mutants StrykerJS found surviving in src/train/compile.ts (docs/laws.md, "Mutation
 * testing"): what `compile` refuses and where, the metric sources and their paths per output, Keras's
 * `metrics_names`, and the configuration a trainer is given (defaults, loss names, an unbuilt model).
 */
import { describe, it, expect } from 'vitest'
import * as E from 'fp-ts/lib/Either.js'
import { sequential, dense, input, model, call, tensor, TensorfoldError } from '../../src/index.js'
import * as Tr from '../../src/train/index.js'
import { compile } from '../../src/train/compile.js'
import { sgd } from '../../src/optimizers/index.js'
import { accuracy } from '../../src/metrics/index.js'
import { linearModel } from './helpers.js'

const left = (m: unknown, o: unknown): Record<string, unknown> => {
  const r = compile(m as never, o as never)
  if (E.isRight(r)) throw new Error('expected a Left')
  return r.left as unknown as Record<string, unknown>
}
const ok = (m: unknown, o: unknown): Tr.Trainer => {
  const r = compile(m as never, o as never)
  if (E.isLeft(r)) throw new Error(r.left.message)
  return r.right
}
/** Two outputs, 'out' and 'out_1', of one shared dense(2). */
const twoOutputs = () => {
  const inputs = input({ shape: [3] })
  const d = dense(2, { name: 'out' })
  return model({ inputs, outputs: [call(d, inputs), call(d, inputs)] })
}
const paths = (t: Tr.Trainer) => t.config.metrics.map((ms) => ms.map((m) => `${m.path}${m.weighted ? ' (weighted)' : ''}`))

describe('train/compile: mutants killed', () => {
  it('a model needs forward, withWeights, ensureBuilt and a list of outputNames', () => {
    const m = linearModel(3)
    expect(E.isRight(compile(m, { loss: 'mse' }))).toBe(true)
    for (const [k, v] of [['forward', 1], ['withWeights', undefined], ['ensureBuilt', 'yes'], ['outputNames', 'y']] as const) {
      const bad = { ...m, [k]: v }
      expect(left(bad, { loss: 'mse' }), k).toEqual({ _tag: 'NotAModel', message: expect.stringMatching(/^compile: expected a model \(sequential\(…\) or model\(\{inputs, outputs\}\)\), received /), op: 'compile', received: bad })
    }
    expect(left(null, { loss: 'mse' })).toMatchObject({ _tag: 'NotAModel', message: 'compile: expected a model (sequential(…) or model({inputs, outputs})), received null' })
    expect(left(3, { loss: 'mse' })).toMatchObject({ _tag: 'NotAModel' })
    // a function carrying the members is not a model value
    const fn = Object.assign(() => undefined, { forward: m.forward, withWeights: m.withWeights, ensureBuilt: m.ensureBuilt, outputNames: m.outputNames, built: true })
    expect(left(fn, { loss: 'mse' })).toMatchObject({ _tag: 'NotAModel' })
  })

  it("a model without output names has one output called 'output'", () => {
    const m = { ...linearModel(3), outputNames: [] }
    const t = ok(m, { loss: 'mse', metrics: { output: 'mae' } })
    expect(t.metricsNames).toEqual(['loss', 'mae'])
    expect(left(m, { loss: { y: 'mse' } })).toMatchObject({ _tag: 'CompileError', path: 'loss.y', allowed: ['output'] })
  })

  it('metric sources: one list for every output, a list per output, or a record by output name, each with its path', () => {
    const m = twoOutputs()
    expect(paths(ok(m, { loss: 'mse', metrics: ['mae', 'mse'] }))).toEqual([
      ['metrics[0]', 'metrics[1]'],
      ['metrics[0]', 'metrics[1]']
    ])
    expect(paths(ok(m, { loss: 'mse', metrics: [['mae'], ['mse', 'acc']] }))).toEqual([['metrics[0][0]'], ['metrics[1][0]', 'metrics[1][1]']])
    expect(paths(ok(m, { loss: 'mse', metrics: [[], ['mae']] }))).toEqual([[], ['metrics[1][0]']])
    expect(paths(ok(m, { loss: 'mse', metrics: { out_1: ['mae', 'mse'], out: 'acc' }, weightedMetrics: { out: 'mae' } }))).toEqual([
      ['metrics.out', 'weightedMetrics.out (weighted)'],
      ['metrics.out_1[0]', 'metrics.out_1[1]']
    ])
    expect(paths(ok(m, { loss: 'mse', metrics: [] }))).toEqual([[], []])
    expect(paths(ok(m, { loss: 'mse' }))).toEqual([[], []])
    const t = ok(m, { loss: 'mse', metrics: ['mae'], weightedMetrics: ['mae'] })
    expect(t.config.metrics[1].map((s) => [s.spec, s.display, s.weighted])).toEqual([
      ['mae', 'mae', false],
      ['mae', 'mae', true]
    ])
  })

  it('metric sources refused: a wrong count of lists, an unknown output, a bad name at its path', () => {
    const m = twoOutputs()
    expect(left(m, { loss: 'mse', metrics: [['mae']] })).toEqual({
      _tag: 'CompileError',
      message: 'metrics: expected one list of metrics per output (2: out, out_1), received [["mae"]]',
      path: 'metrics',
      allowed: [],
      received: [['mae']],
      nearest: undefined,
      expected: 'one list of metrics per output (2: out, out_1)'
    })
    expect(left(m, { loss: 'mse', metrics: [['mae'], ['mae'], ['mae']] })).toMatchObject({ path: 'metrics' })
    expect(left(m, { loss: 'mse', weightedMetrics: { out_2: 'mae' } })).toMatchObject({ _tag: 'CompileError', path: 'weightedMetrics.out_2', received: 'out_2', allowed: ['out', 'out_1'] })
    expect(left(m, { loss: 'mse', metrics: [['mae'], ['mae', 'maee']] })).toMatchObject({ path: 'metrics[1][1]', nearest: 'mae' })
    expect(left(m, { loss: 'mse', metrics: ['mae', 'maee'] })).toMatchObject({ path: 'metrics[1]' })
    expect(left(m, { loss: 'mse', metrics: { out: ['mae', 'maee'] } })).toMatchObject({ path: 'metrics.out[1]' })
    expect(left(m, { loss: 'mse', metrics: { out: 'maee' } })).toMatchObject({ path: 'metrics.out' })
    expect(left(m, { loss: 'mse', weightedMetrics: ['maee'] })).toMatchObject({ path: 'weightedMetrics[0]' })
  })

  it("metricsNamesOf: Keras's names, a per-output loss only where there is one, weighted_ for a repeat", () => {
    const src = (display: string, weighted = false) => ({ spec: display, display, weighted, path: '' })
    expect(Tr.metricsNamesOf(['y'], [[src('mae'), src('mae', true), src('mse', true)]])).toEqual(['loss', 'mae', 'weighted_mae', 'mse'])
    expect(Tr.metricsNamesOf(['y'], [[src('mae', true), src('mae')]])).toEqual(['loss', 'mae', 'mae'])
    expect(Tr.metricsNamesOf(['a', 'b'], [[src('mae')], [src('mae'), src('mae', true)]])).toEqual(['loss', 'a_loss', 'b_loss', 'a_mae', 'b_mae', 'b_weighted_mae'])
    expect(Tr.metricsNamesOf(['a', 'b'], [[], []], [false, true])).toEqual(['loss', 'b_loss'])
    expect(Object.isFrozen(Tr.metricsNamesOf(['y'], [[]]))).toBe(true)
  })

  it('losses: checked at their paths, a record only by output name, and at least one output with a loss', () => {
    const m = twoOutputs()
    expect(left(m, { loss: ['mse', 'maee'] })).toMatchObject({ _tag: 'CompileError', path: 'loss[1]', nearest: 'mae' })
    expect(left(m, { loss: { out_1: 'maee' } })).toMatchObject({ path: 'loss.out_1' })
    expect(left(m, { loss: { out: 'mse', out_2: 'mse' } })).toMatchObject({ path: 'loss.out_2', received: 'out_2', allowed: ['out', 'out_1'] })
    expect(left(m, { loss: ['mse'] })).toEqual({
      _tag: 'CompileError',
      message: 'loss: expected a list of 2 losses (one per output: out, out_1), received 1',
      path: 'loss',
      expected: 2,
      received: 1,
      allowed: [],
      nearest: undefined
    })
    expect(left(m, { loss: [null, null] })).toMatchObject({
      _tag: 'CompileError',
      message: 'loss: expected a loss for at least one output (out, out_1); every one is null or left out, received [null, null]',
      path: 'loss'
    })
    expect(left(m, { loss: {} })).toMatchObject({ path: 'loss', received: {} })
    const t = ok(m, { loss: [null, 'mae'] })
    expect(t.config.losses.map((l) => l === undefined)).toEqual([true, false])
    expect(t.metricsNames).toEqual(['loss', 'out_1_loss'])
  })

  it('the loss names metrics are resolved with: the name given per output, undefined for a function or none', () => {
    const f = (a: never, b: never) => tensor([0]) ?? [a, b]
    const m = twoOutputs()
    expect(ok(m, { loss: 'binary_crossentropy' }).config.lossNames).toEqual(['binary_crossentropy', 'binary_crossentropy'])
    expect(ok(m, { loss: [f, 'mae'] }).config.lossNames).toEqual([undefined, 'mae'])
    expect(ok(m, { loss: { out_1: 'mae' } }).config.lossNames).toEqual([undefined, 'mae'])
    expect(ok(m, { loss: { out: 'mse', out_1: f } }).config.lossNames).toEqual(['mse', undefined])
    expect(ok(m, { loss: f }).config.lossNames).toEqual([undefined, undefined])
  })

  it('lossWeights: refused with the path, as a CompileError', () => {
    expect(left(twoOutputs(), { loss: 'mse', lossWeights: [1] })).toEqual({
      _tag: 'CompileError',
      message: 'lossWeights: lossWeights: expected 2 weights (one per output: out, out_1), received 1',
      path: 'lossWeights',
      expected: 2,
      received: 1,
      allowed: [],
      nearest: undefined
    })
    expect(ok(twoOutputs(), { loss: 'mse', lossWeights: { out_1: 2 } }).config.lossWeights).toEqual([1, 2])
  })

  it('the configuration: defaults, and the options given', () => {
    const d = ok(linearModel(3), { loss: 'mse' }).config
    expect([d.optimizerName, d.runEagerly, d.stepsPerExecution, d.seed, d.trainStep, d.testStep, 'sampleWeightMode' in d]).toEqual(['rmsprop', false, 1, 0, undefined, undefined, false])
    expect(Object.isFrozen(d) && Object.isFrozen(d.losses) && Object.isFrozen(d.lossNames) && Object.isFrozen(d.lossWeights) && Object.isFrozen(d.metrics)).toBe(true)
    const ts = () => [ok(linearModel(3), { loss: 'mse' }), {}] as never
    const vs = () => ({})
    const opt = sgd()
    const c = ok(linearModel(3), { loss: 'mse', optimizer: opt, runEagerly: true, stepsPerExecution: 3, seed: 7, sampleWeightMode: 'temporal', trainStep: ts, testStep: vs }).config
    expect([c.optimizer, c.optimizerName, c.runEagerly, c.stepsPerExecution, c.seed, c.sampleWeightMode, c.trainStep, c.testStep]).toEqual([opt, undefined, true, 3, 7, 'temporal', ts, vs])
    expect('sampleWeightMode' in ok(linearModel(3), { loss: 'mse', sampleWeightMode: null }).config).toBe(false)
    expect(ok(linearModel(3), { loss: 'mse', optimizer: 'Adam' }).config.optimizerName).toBe('adam')
  })

  it('the key comes from the seed; a built model gets its optimizer state and step functions, an unbuilt one neither', () => {
    const a = ok(linearModel(3), { loss: 'mse', seed: 7 })
    const b = ok(linearModel(3), { loss: 'mse', seed: 7 })
    const c = ok(linearModel(3), { loss: 'mse' })
    expect(a.key).toEqual(b.key)
    expect(a.key).not.toEqual(c.key)
    expect(a.step).toBe(0)
    expect(a.optState).toBeDefined()
    expect(a.fns).toBeDefined()
    expect(a.learningRate).toBeCloseTo(0.001)
    const u = ok(sequential([dense(1)]), { loss: 'mse', optimizer: 'sgd' })
    expect([u.optState, u.fns, u.step]).toEqual([undefined, undefined, 0])
  })

  it("an optimizer whose init fails with a tagged error is a Left, not a throw", () => {
    const bad = {
      init: () => {
        throw new TensorfoldError({ _tag: 'ShapeMismatch', message: 'no' })
      },
      update: () => [{}, {}]
    }
    const r = compile(linearModel(3), { loss: 'mse', optimizer: bad as never })
    expect(E.isLeft(r)).toBe(true)
    expect(E.isLeft(r) && r.left._tag).toBe('ShapeMismatch')
    expect(E.isRight(compile(linearModel(3), { loss: 'mse', metrics: [accuracy()] }))).toBe(true)
  })
})

describe('compile: a sparse loss list (bug fix, 2026-12-03)', () => {
  it('a hole in the loss list is a CompileError at loss, not a TypeError thrown by compile', () => {
    // eslint-disable-next-line no-sparse-arrays
    expect(left(twoOutputs(), { optimizer: 'sgd', loss: [, 'mse'] })).toMatchObject({ _tag: 'CompileError', path: 'loss' })
    expect(ok(twoOutputs(), { optimizer: 'sgd', loss: [null, 'mse'] }).metricsNames).toEqual(['loss', 'out_1_loss'])
  })
})

describe('compile: metric lists (StrykerJS g4)', () => {
  it('a flat list is flat unless every entry is a list: a Metric value that is also an Array stays one metric', () => {
    // compile.ts:46 spec.every(Array.isArray) -> some: the list would be read as one list per output
    const arrayMetric = Object.assign([] as unknown[], { name: 'am', update: () => arrayMetric, concat: () => arrayMetric, result: () => tensor(0) })
    const t = ok(linearModel(2), { optimizer: 'sgd', loss: 'mse', metrics: [arrayMetric, 'mae'] })
    expect(t.metricsNames).toEqual(['loss', 'am', 'mae'])
  })
})
