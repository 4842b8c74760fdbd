/**
 * Tests that kill mutants StrykerJS found surviving in src/train/registry.ts (docs/laws.md, "Mutation
 * testing"): compile's resolution of optimizer, loss and metric specs, each Left at its path.
 */
import { describe, it, expect } from 'vitest'
import * as E from 'fp-ts/lib/Either.js'
import { resolveOptimizer, resolveLoss, metricDisplay, checkMetric, resolveMetric } from '../../src/train/registry.js'
import * as O from '../../src/optimizers/index.js'
import * as L from '../../src/losses/index.js'
import { accuracy } from '../../src/metrics/index.js'
import { tensor } from '../../src/index.js'

const left = <A>(r: E.Either<unknown, A>): unknown => (E.isLeft(r) ? r.left : { right: r.right })

describe('train/registry: mutants killed', () => {
  it("resolveOptimizer: 'rmsprop' by default, a transformation as given, an unknown name a CompileError", () => {
    const d = resolveOptimizer(undefined)
    expect(E.isRight(d) && d.right[1]).toBe('rmsprop')
    const t = O.sgd()
    expect(left(resolveOptimizer(t))).toEqual({ right: [t, undefined] })
    const a = resolveOptimizer('Adam')
    expect(E.isRight(a) && a.right[1]).toBe('adam')
    expect(left(resolveOptimizer('adamm'))).toMatchObject({ _tag: 'CompileError', path: 'optimizer', nearest: 'adam', allowed: O.optimizerNames })
  })

  it('resolveLoss: a function as given, a name with its canonical name, anything else a CompileError at its path', () => {
    const f = (a: never, b: never) => L.meanSquaredError(a, b)
    expect(left(resolveLoss(f, 'loss'))).toEqual({ right: [f, undefined] })
    const m = resolveLoss('MSE', 'loss.out')
    expect(E.isRight(m) && m.right[1]).toBe('mean_squared_error')
    expect(left(resolveLoss('msee', 'loss.out'))).toMatchObject({ _tag: 'CompileError', path: 'loss.out', received: 'msee', nearest: 'mse' })
    expect(left(resolveLoss(3, 'loss'))).toMatchObject({
      _tag: 'CompileError',
      message: 'loss: expected a loss name or a function (yTrue, yPred) => Tensor, received 3',
      path: 'loss',
      allowed: L.lossNames
    })
  })

  it("metricDisplay: the name given, a function's name or 'metric', a metric value's name", () => {
    expect(metricDisplay('mae')).toBe('mae')
    function myMetric(): never { throw new Error('not called') }
    expect(metricDisplay(myMetric as never)).toBe('myMetric')
    expect(metricDisplay(Object.defineProperty(() => 0, 'name', { value: '' }) as never)).toBe('metric')
    expect(metricDisplay(accuracy({ name: 'acc2' }))).toBe('acc2')
  })

  it('checkMetric: names, functions and metric values pass; anything else is a CompileError at its path', () => {
    expect(E.isRight(checkMetric('accuracy', 'metrics[0]'))).toBe(true)
    expect(E.isRight(checkMetric(() => 0, 'metrics[0]'))).toBe(true)
    expect(E.isRight(checkMetric(accuracy(), 'metrics[0]'))).toBe(true)
    expect(left(checkMetric('acuracy', 'metrics[1]'))).toMatchObject({ _tag: 'CompileError', path: 'metrics[1]', nearest: 'accuracy' })
    const { update, concat, result } = accuracy()
    for (const bad of [null, 3, { update, result }, { update, concat: 1, result }, { concat, result }, { update, concat }])
      expect(left(checkMetric(bad, 'metrics[2]')), String(bad)).toMatchObject({ _tag: 'CompileError', path: 'metrics[2]', received: bad })
    expect(left(checkMetric(null, 'metrics[2]'))).toMatchObject({ message: 'metrics[2]: expected a metric name, a function (yTrue, yPred) => Tensor or a Metric value, received null' })
  })

  it('resolveMetric: a Left from the metric module is prefixed with the path', () => {
    const r = resolveMetric('nope' as never, { loss: undefined, outputShape: [null, 2], targetShape: [null, 2], path: 'metrics.out[0]' })
    expect(E.isLeft(r)).toBe(true)
    if (E.isLeft(r)) {
      expect(r.left.message.startsWith('metrics.out[0]: ')).toBe(true)
      expect(r.left).toMatchObject({ path: 'metrics.out[0]' })
    }
  })

  it("resolveMetric: the output's loss decides which accuracy 'accuracy' is, over the shapes", () => {
    // [[1, 0]] against [[0.6, 0.7]]: binary accuracy (each entry against 0.5) is 1/2, categorical
    // (argmax 1 against 0) is 0; the shapes [null, 2] alone say categorical.
    const yTrue = tensor([[1, 0]])
    const yPred = tensor([[0.6, 0.7]])
    const value = (loss: string | undefined): number => {
      const r = resolveMetric('accuracy', { loss, outputShape: [null, 2], targetShape: [null, 2], path: 'metrics[0]' })
      if (E.isLeft(r)) throw new Error(r.left.message)
      return r.right.result(r.right.update(r.right.empty, yTrue, yPred))
    }
    expect(value(undefined)).toBe(0)
    expect(value('binary_crossentropy')).toBe(0.5)
    expect(value('BinaryCrossentropy')).toBe(0.5)
    expect(value('mse')).toBe(0)
  })
})

describe('checkMetric: undefined (a hole in a metrics list)', () => {
  it('is a Left at its path, not a TypeError (registry.ts:63 typeof spec === "object" → true; re-applied by hand)', () => {
    const r = checkMetric(undefined, 'metrics[0]')
    expect(E.isLeft(r) && r.left._tag).toBe('CompileError')
    expect(E.isLeft(r) && (r.left as unknown as { path: string }).path).toBe('metrics[0]')
  })
})
