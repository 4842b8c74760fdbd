/**
 * Tests that kill mutants of `src/train/step.ts`, `engine.ts` and `execution.ts` (issue 9 item 7;
 * docs/laws.md, "Mutation testing"), written from reading them: one training step checked by value
 * against the host — frozen weights, weight penalties and layer losses, constraints (Keras 2.15 applies
 * them after the optimizer's update, to the trainable weights it updated), `lossWeights` — on a model
 * written by hand, so that nothing of `src/layers` is involved.
 */
import { describe, it, expect } from 'vitest'
import * as E from 'fp-ts/lib/Either.js'
import { tensor, matmul, add, mul, sub, sum, mean, square, sgd, adam, dataSync, greater, abs, reshape, Loss, Tree, type Tensor, type ModelLike } from '../../src/index.js'
import * as Tr from '../../src/train/index.js'
import type { ParamSpec } from '../../src/layers/Model.js'
import { trainablePart } from '../../src/train/step.js'
import { compiled, run, runLeft } from './helpers.js'

type P = { readonly w: Tensor; readonly b: Tensor }
const W0 = [0.1, 0.2, 0.3]
const B0 = 0.5
/** `y = x·w + b` (and, with `extra`, a layer loss per call) with the given param specs */
const linear = (specs: ReadonlyArray<ParamSpec> | undefined, extra?: () => ReadonlyArray<Tensor>, params: P = { w: tensor(W0.map((v) => [v])), b: tensor([B0]) }): ModelLike =>
  Object.freeze({
    kind: 'Sequential' as const,
    name: 'linear',
    built: true,
    inputShapes: [[null, 3]],
    outputShapes: [[null, 1]],
    inputNames: ['x'],
    outputNames: ['y'],
    params,
    state: {},
    ...(specs === undefined ? {} : { paramSpecs: specs }),
    withWeights: (p: Tree.Tree) => linear(specs, extra, p as P),
    ensureBuilt() {
      return E.right(this as ModelLike)
    },
    forward: (p: Tree.Tree, s: Tree.Tree, xs: ReadonlyArray<Tensor>) => {
      const q = p as P
      return { outputs: [add(matmul(xs[0], q.w), q.b)], state: s, ...(extra === undefined ? {} : { losses: extra() }) }
    }
  })

const xs = [[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 1]]
const ys = [1, 2, 3, 4]
const LR = 0.1
/** the mse at w, b and its gradient, on the host */
const host = (w: ReadonlyArray<number>, b: number) => {
  const err = xs.map((r, i) => r.reduce((s, v, j) => s + v * w[j], b) - ys[i])
  const n = xs.length
  return {
    loss: err.reduce((s, e) => s + e * e, 0) / n,
    gw: w.map((_, j) => (2 / n) * err.reduce((s, e, i) => s + e * xs[i][j], 0)),
    gb: (2 / n) * err.reduce((s, e) => s + e, 0)
  }
}
const step = (t: Tr.Trainer) => {
  const r = Tr.trainOnBatch(t, tensor(xs), tensor(ys.map((v) => [v])))
  if (E.isLeft(r)) throw new Error(r.left.message)
  return r.right as unknown as readonly [Tr.Trainer, ReadonlyArray<number>]
}
const evaluate = (t: Tr.Trainer): number => {
  const r = Tr.testOnBatch(t, tensor(xs), tensor(ys.map((v) => [v])))
  if (E.isLeft(r)) throw new Error(r.left.message)
  return (r.right as ReadonlyArray<number>)[0]
}
const paramsOf = (t: Tr.Trainer) => t.params as unknown as P
const close = (a: ReadonlyArray<number>, b: ReadonlyArray<number>) => {
  expect(a.length).toBe(b.length)
  a.forEach((v, i) => expect(v).toBeCloseTo(b[i], 5))
}
const spec = (name: 'w' | 'b', o: Partial<ParamSpec> = {}): ParamSpec => ({ name, path: [name], trainable: true, ...o })
/** eager: the very same tensor; compiled: the same bits (the program copies it through) */
const untouched = (after: Tensor, before: Tensor, eager: boolean) => (eager ? expect(after).toBe(before) : expect(Array.from(dataSync(after))).toEqual(Array.from(dataSync(before))))

describe.each([false, true])('step.ts 192–258: one sgd step by value (runEagerly: %s)', (runEagerly) => {
  const compile = (m: ModelLike, optimizer = sgd({ learningRate: LR })) => compiled(m, { optimizer, loss: 'mse', runEagerly })
  const g = host(W0, B0)

  it('all trainable: w − lr·∇w, b − lr·∇b, logging the loss before the step', () => {
    const [t1, logs] = step(compile(linear([spec('w'), spec('b')])))
    close(Array.from(dataSync(paramsOf(t1).w)), W0.map((w, j) => w - LR * g.gw[j]))
    close(Array.from(dataSync(paramsOf(t1).b)), [B0 - LR * g.gb])
    expect(logs[0]).toBeCloseTo(g.loss, 5)
  })

  it('a frozen weight is passed through untouched (the same tensor), and has no optimizer state', () => {
    const m = linear([spec('w'), spec('b', { trainable: false })])
    const t0 = compile(m, adam({ learningRate: LR }))
    const [t1] = step(t0)
    untouched(paramsOf(t1).b, (m.params as P).b, runEagerly)
    expect(dataSync(paramsOf(t1).w)).not.toEqual(dataSync((m.params as P).w))
    expect(trainablePart(m, m.params)).toEqual({ w: (m.params as P).w, b: {} })
    expect(trainablePart(linear(undefined), m.params)).toBe(m.params)
    // adam keeps two moments per trainable leaf (and a count): frozen b has none
    const all = compile(linear([spec('w'), spec('b')]), adam({ learningRate: LR }))
    const [a1] = step(all)
    expect(Tree.leaves(t1.optState as Tree.Tree).length).toBe(Tree.leaves(a1.optState as Tree.Tree).length - 2)
    // the trainable weight moves as when nothing is frozen (its gradient does not depend on it)
    expect(Array.from(dataSync(paramsOf(t1).w))).toEqual(Array.from(dataSync(paramsOf(a1).w)))
  })

  it('weight penalties and layer losses are added to the loss (logged and differentiated), a frozen weight\'s penalty too', () => {
    const l2 = { penalty: (w: Tensor) => mul(sum(square(w)), 0.01) }
    const m = linear([spec('w', { regularizer: l2 }), spec('b', { trainable: false, regularizer: { penalty: (b: Tensor) => mul(sum(b), 2) } })], () => [tensor([1, 2]), tensor(0.5)])
    const t0 = compile(m)
    const penalty = 0.01 * W0.reduce((s, v) => s + v * v, 0) + 2 * B0 + 3 + 0.5
    expect(evaluate(t0)).toBeCloseTo(g.loss + penalty, 5)
    const [t1, logs] = step(t0)
    expect(logs[0]).toBeCloseTo(g.loss + penalty, 5)
    close(Array.from(dataSync(paramsOf(t1).w)), W0.map((w, j) => w - LR * (g.gw[j] + 0.02 * w)))
    untouched(paramsOf(t1).b, (m.params as P).b, runEagerly)
    // no penalty, no layer loss: the plain loss
    expect(evaluate(compile(linear([spec('w'), spec('b')])))).toBeCloseTo(g.loss, 5)
  })

  it('constraints project the trainable weights after the update; a frozen weight is not projected', () => {
    const double = { apply: (w: Tensor) => mul(w, 2) }
    const m = linear([spec('w', { constraint: double }), spec('b', { trainable: false, constraint: double })])
    const [t1] = step(compile(m))
    close(Array.from(dataSync(paramsOf(t1).w)), W0.map((w, j) => 2 * (w - LR * g.gw[j])))
    untouched(paramsOf(t1).b, (m.params as P).b, runEagerly)
  })
})

describe('step.ts 183–187: lossWeights weigh each output in the total; each output logs its own loss', () => {
  it('total = Σ wᵢ·lossᵢ in evaluate and in the step (two outputs of a hand-written model)', async () => {
    const two: ModelLike = {
      ...linear(undefined),
      outputShapes: [[null, 1], [null, 1]],
      outputNames: ['a', 'b'],
      withWeights: () => two,
      forward: (p: Tree.Tree, s: Tree.Tree, x: ReadonlyArray<Tensor>) => {
        const o = add(matmul(x[0], (p as P).w), (p as P).b)
        return { outputs: [o, mul(o, 2)], state: s }
      }
    }
    const y = tensor(ys.map((v) => [v]))
    const e = (lossWeights?: readonly [number, number]) => {
      const t = compiled(two, { optimizer: sgd({ learningRate: 0 }), loss: 'mse', ...(lossWeights === undefined ? {} : { lossWeights }) })
      const r = Tr.testOnBatch(t, tensor(xs), [y, y], { returnDict: true })
      if (E.isLeft(r)) throw new Error(r.left.message)
      return r.right as Record<string, number>
    }
    const plain = e()
    const w = e([0.3, 2])
    expect(w.a_loss).toBeCloseTo(plain.a_loss, 6)
    expect(w.b_loss).toBeCloseTo(plain.b_loss, 6)
    expect(plain.loss).toBeCloseTo(plain.a_loss + plain.b_loss, 5)
    expect(w.loss).toBeCloseTo(0.3 * plain.a_loss + 2 * plain.b_loss, 5)
    expect(e([1, 1]).loss).toBe(plain.loss)
  })
})

describe('step.ts 116–181, engine.ts 148–161: a masked sequence output beside a plain one (Keras 2.15 apply_valid_mask; MetricsContainer weighs by the mask)', () => {
  // output a = 2·x on [n, 3, 1], masked where x = 0; output b = Σ_t x on [n, 1], no mask
  const m: ModelLike = {
    ...linear(undefined),
    inputShapes: [[null, 3, 1]],
    outputShapes: [[null, 3, 1], [null, 1]],
    outputNames: ['a', 'b'],
    withWeights: () => m,
    forward: (_p: Tree.Tree, s: Tree.Tree, x: ReadonlyArray<Tensor>) => ({
      outputs: [mul(x[0], 2), reshape(sum(x[0], [1]), [x[0].shape[0], 1])],
      state: s,
      masks: [reshape(greater(abs(x[0]), 0), [x[0].shape[0], 3]), undefined]
    })
  }
  const x = tensor([[[1], [0], [2]], [[3], [1], [0]]])
  // a: errors 1, (masked), 0 and 1, 0, (masked): squares 1, 0, 1, 0 over 4 real steps
  const ya = tensor([[[1], [5], [4]], [[5], [2], [9]]])
  // b: predictions 3, 4; errors 2, 0
  const yb = tensor([[1], [4]])
  it.each([false, true])('a_loss and a_mae are means over the real steps, b_loss the plain mean, the total their sum (runEagerly: %s)', async (runEagerly) => {
    const t = compiled(m, { optimizer: sgd({ learningRate: 0 }), loss: 'mse', metrics: { a: ['mae'] }, runEagerly })
    expect(t.metricsNames).toEqual(['loss', 'a_loss', 'b_loss', 'a_mae'])
    const r = Tr.testOnBatch(t, x, [ya, yb], { returnDict: true })
    if (E.isLeft(r)) throw new Error(r.left.message)
    const logs = r.right as Record<string, number>
    expect(logs.a_loss).toBeCloseTo(0.5, 6)
    expect(logs.b_loss).toBeCloseTo(2, 6)
    expect(logs.loss).toBeCloseTo(2.5, 6)
    expect(logs.a_mae).toBeCloseTo(0.5, 6)
    const f = Tr.trainOnBatch(t, x, [ya, yb], { returnDict: true } as never)
    if (E.isLeft(f)) throw new Error(f.left.message)
    expect((f.right[1] as Record<string, number>).a_loss).toBeCloseTo(0.5, 6)
  })
})

/** a hand-written model without masks: `f(x, w, training)` on inputs of `inputShape` */
const custom = (inputShape: ReadonlyArray<number | null>, outputNames: ReadonlyArray<string>, f: (x: Tensor, w: Tensor, training: boolean) => ReadonlyArray<Tensor>, params: { readonly w: Tensor } = { w: tensor([1]) }): ModelLike =>
  Object.freeze({
    ...linear(undefined),
    inputShapes: [inputShape],
    outputShapes: outputNames.map(() => inputShape),
    outputNames,
    params,
    withWeights: (p: Tree.Tree) => custom(inputShape, outputNames, f, p as { readonly w: Tensor }),
    forward: (p: Tree.Tree, s: Tree.Tree, x: ReadonlyArray<Tensor>, ctx: { readonly training: boolean }) => ({ outputs: f(x[0], (p as { readonly w: Tensor }).w, ctx.training), state: s })
  })
const dict = (r: E.Either<{ readonly message: string }, unknown>): Record<string, number> => {
  if (E.isLeft(r)) throw new Error(r.left.message)
  return (Array.isArray(r.right) ? r.right[1] : r.right) as Record<string, number>
}
const sq = (yt: Tensor, yp: Tensor): Tensor => square(sub(yt, yp))

describe('step.ts 116–175: losses of other ranks, temporal weights (StrykerJS g3 survivors)', () => {
  // y = x on [n, 3, 1] sequences, targets 0: squared errors 1, 4, 9 / 16, 25, 36 (sum 91)
  const seq = custom([null, 3, 1], ['y'], (x, w) => [mul(x, w)])
  const x = tensor([[[1], [2], [3]], [[4], [5], [6]]])
  const y = tensor([[[0], [0], [0]], [[0], [0], [0]]])
  it("a scalar loss with 'sum' or 'none' stands for every sample (Keras broadcasts it against the weights [1, 3])", () => {
    const scalarLoss = (yt: Tensor, yp: Tensor): Tensor => mean(sq(yt, yp))
    const of = (reduction: 'sum' | 'none') => dict(Tr.testOnBatch(compiled(seq, { optimizer: 'sgd', loss: Loss.withReduction(scalarLoss, reduction) }), x, y, { sampleWeight: tensor([1, 3]), returnDict: true }))
    expect(of('sum').loss).toBeCloseTo((91 / 6) * 4, 4)
    expect(of('none').loss).toBeCloseTo((91 / 6) * 2, 4)
  })
  it('a loss that keeps every axis ([n, 3, 1]) is averaged over the axes after the batch, then over the batch: the mean of all', () => {
    const t = compiled(seq, { optimizer: 'sgd', loss: sq })
    expect(dict(Tr.testOnBatch(t, x, y, { returnDict: true })).loss).toBeCloseTo(91 / 6, 5)
    const x3 = tensor([[[1], [2], [3]], [[4], [5], [6]], [[7], [8], [9]]])
    const y3 = tensor([[[0], [0], [0]], [[0], [0], [0]], [[0], [0], [0]]])
    expect(dict(Tr.testOnBatch(t, x3, y3, { returnDict: true })).loss).toBeCloseTo(285 / 9, 4)
  })
  it('temporal weights on a model that gives no masks: Σ loss·w / (n·time)', () => {
    const t = compiled(seq, { optimizer: 'sgd', loss: 'mse', sampleWeightMode: 'temporal' })
    expect(dict(Tr.testOnBatch(t, x, y, { sampleWeight: tensor([[1, 0, 0], [0, 0, 1]]), returnDict: true })).loss).toBeCloseTo(37 / 6, 5)
  })
  it('temporal weights need a loss of exactly [batch, time]: one of [batch, time, 1] is refused with the shapes', () => {
    const t = compiled(seq, { optimizer: 'sgd', loss: sq, sampleWeightMode: 'temporal' })
    const r = Tr.testOnBatch(t, x, y, { sampleWeight: tensor([[1, 0, 0], [0, 0, 1]]) })
    expect(E.isLeft(r) && r.left).toMatchObject({ _tag: 'ShapeMismatch', op: 'testOnBatch', expected: [1, 3, 1], actual: [1, 3] })
  })
  it("temporal weights of another length in a later batch of an iterable: ShapeMismatch from the loss (op 'loss', the batch's shapes)", async () => {
    const t = compiled(seq, { optimizer: 'sgd', loss: 'mse', sampleWeightMode: 'temporal' })
    const b = (sw: number[][]) => ({ x: [[[1], [2], [3]], [[4], [5], [6]]], y: [[[0], [0], [0]], [[0], [0], [0]]], sampleWeight: sw })
    const list = [b([[1, 1, 1], [1, 1, 1]]), b([[1, 1, 1, 1], [1, 1, 1, 1]])]
    const e = await runLeft(Tr.evaluate(t, { [Symbol.iterator]: () => list[Symbol.iterator]() } as never, undefined, { verbose: 0 }))
    expect(e).toMatchObject({ _tag: 'ShapeMismatch', op: 'loss', expected: [2, 3], actual: [2, 4] })
    expect(e.message).toBe('temporal sample weights of shape [2, 4] need a loss of one value per sample and time step, but the loss gives shape [2, 3] (temporal weights need an output of shape [batch, time, ...])')
  })
})

describe('step.ts 233–276, 336–345: the logged loss, inference mode, compilation (StrykerJS g3 survivors)', () => {
  const x = tensor([[1], [2]])
  const zeros = tensor([[0], [0]])
  it("two outputs, one with a 'none' loss: the step logs the sum of the logged means, not of the trained sums", () => {
    // a = x: mse (1 + 4) / 2 = 2.5; b = 2x: 'none' trains on 4 + 16 = 20 and logs their mean 10
    const two = custom([null, 1], ['a', 'b'], (v, w) => [mul(v, w), mul(v, add(w, 1))])
    const t = compiled(two, { optimizer: sgd({ learningRate: 0 }), loss: ['mse', Loss.withReduction(sq, 'none')] })
    expect(dict(Tr.trainOnBatch(t, x, [zeros, zeros], { returnDict: true }))).toEqual({ loss: 12.5, a_loss: 2.5, b_loss: 10 })
  })
  it.each([false, true])('evaluation and prediction run the model in inference mode (runEagerly: %s)', (runEagerly) => {
    // the model doubles its input while training only
    const t = compiled(custom([null, 1], ['y'], (v, _w, training) => [training ? mul(v, 2) : v]), { optimizer: 'sgd', loss: 'mse', runEagerly })
    expect(dict(Tr.testOnBatch(t, x, zeros, { returnDict: true })).loss).toBe(2.5)
    const p = Tr.predictOnBatch(t, x)
    expect(E.isRight(p) && Array.from(dataSync(p.right as Tensor))).toEqual([1, 2])
  })
  it('compiled, the loss function runs when the step is traced, not at every step; eagerly at every step', async () => {
    const calls = async (runEagerly: boolean) => {
      let n = 0
      const counting = (yt: Tensor, yp: Tensor): Tensor => ((n += 1), sq(yt, yp))
      const t = compiled(custom([null, 1], ['y'], (v, w) => [mul(v, w)]), { optimizer: 'sgd', loss: counting, runEagerly })
      await run(Tr.fit(t, tensor([[1], [2], [3], [4], [5], [6], [7], [8]]), tensor([[0], [0], [0], [0], [0], [0], [0], [0]]), { epochs: 2, batchSize: 2, verbose: 0 }))
      return n
    }
    // the dry run on one sample, then: one trace, or one call per step (2 epochs × 4 batches)
    expect(await calls(false)).toBe(2)
    expect(await calls(true)).toBe(9)
  })
})
