import { describe, it, expect } from 'vitest'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { tensor, dataSync, Tree, type Tensor, sequential, dense, dropout } from '../../src/index.js'
import * as Tr from '../../src/train/index.js'
import { linearModel, regression, mlp, compiled, weightsOf, run, runLeft } from './helpers.js'

const batchesOf = (xs: number[][], ys: number[][], size: number): Array<readonly [Tensor, Tensor]> => {
  const out: Array<readonly [Tensor, Tensor]> = []
  for (let i = 0; i < xs.length; i += size) out.push([tensor(xs.slice(i, i + size)), tensor(ys.slice(i, i + size))] as const)
  return out
}

describe('fit: laws', () => {
  it('leaves its input trainer and model unchanged (weights and identity of params)', async () => {
    const { x, y } = regression(64)
    const m = mlp()
    const t = compiled(m, { optimizer: 'adam', loss: 'mse', metrics: ['mae'] })
    const params = t.params
    const before = weightsOf(t)
    const mBefore = Tree.leaves(m.params).map((l) => Array.from(dataSync(l)))
    const r = await run(Tr.fit(t, x, y, { epochs: 2, batchSize: 16, verbose: 0 }))
    expect(t.params).toBe(params)
    expect(t.model).toBe(m)
    expect(t.step).toBe(0)
    expect(weightsOf(t)).toEqual(before)
    expect(Tree.leaves(m.params).map((l) => Array.from(dataSync(l)))).toEqual(mBefore)
    expect(weightsOf(r.trainer)).not.toEqual(before)
    expect(r.trainer.step).toBe(8)
  })

  it('fold law: fitting on batches xs then ys equals fitting on xs ++ ys (same order, same keys)', async () => {
    const { xs, ys } = regression(48, 3)
    const all = batchesOf(xs, ys, 8)
    const t = compiled(mlp(1), { optimizer: 'adam', loss: 'mse', seed: 5 })
    const whole = await run(Tr.fit(t, all.values(), undefined, { verbose: 0 }))
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: all.length }), async (k) => {
        const a = await run(Tr.fit(t, all.slice(0, k).values(), undefined, { verbose: 0 }))
        const b = k === all.length ? a : await run(Tr.fit(a.trainer, all.slice(k).values(), undefined, { verbose: 0 }))
        expect(b.trainer.step).toBe(all.length)
        expect(weightsOf(b.trainer)).toEqual(weightsOf(whole.trainer))
        expect(b.trainer.optState && Tree.leaves(b.trainer.optState).map((l) => Array.from(dataSync(l)))).toEqual(
          whole.trainer.optState && Tree.leaves(whole.trainer.optState).map((l) => Array.from(dataSync(l)))
        )
      }),
      { numRuns: 4, seed: 7 }
    )
  })

  it('fold law for epochs: fit 2 epochs = fit 1 epoch then 1 more (shuffled with keys of the step)', async () => {
    const { x, y } = regression(40, 4)
    const t = compiled(mlp(2), { optimizer: 'sgd', loss: 'mse', seed: 3 })
    const two = await run(Tr.fit(t, x, y, { epochs: 2, batchSize: 8, verbose: 0 }))
    const one = await run(Tr.fit(t, x, y, { epochs: 1, batchSize: 8, verbose: 0 }))
    const again = await run(Tr.fit(one.trainer, x, y, { epochs: 2, initialEpoch: 1, batchSize: 8, verbose: 0 }))
    expect(weightsOf(again.trainer)).toEqual(weightsOf(two.trainer))
  })

  it('trainStep folded over batches equals fit on the same batches without shuffling', async () => {
    const { x, y, xs, ys } = regression(32, 5)
    const t = compiled(linearModel(3), { optimizer: 'sgd', loss: 'mse', metrics: ['mae'] })
    const folded = batchesOf(xs, ys, 8).reduce((acc, [bx, by]) => acc.trainStep({ x: bx, y: by })[0], t)
    const fitted = await run(Tr.fit(t, x, y, { batchSize: 8, shuffle: false, verbose: 0 }))
    expect(weightsOf(folded)).toEqual(weightsOf(fitted.trainer))
    const [, logs] = t.trainStep([tensor(xs.slice(0, 4)), tensor(ys.slice(0, 4))])
    expect(Object.keys(logs)).toEqual(['loss', 'mae'])
  })

  it('trainStepAsync (the Task twin) gives the same trainer as trainStep', async () => {
    const { xs, ys } = regression(16, 14)
    const t = compiled(mlp(4), { optimizer: 'adam', loss: 'mse' })
    const batch = { x: tensor(xs), y: tensor(ys) }
    const [a] = t.trainStep(batch)[0].trainStep(batch)
    const [b1] = await run(Tr.trainStepAsync(t, batch))
    const [b] = await run(Tr.trainStepAsync(b1, batch))
    expect(weightsOf(b)).toEqual(weightsOf(a))
  })

  it('same seed, same weights (shuffle and dropout from the trainer key); another seed, other weights', async () => {
    const { x, y } = regression(48, 6)
    const m = sequential([dense(8, { inputShape: [3], activation: 'relu' }), dropout(0.3), dense(1)], { seed: 0 })
    const fitWith = async (seed: number) => weightsOf((await run(Tr.fit(compiled(m, { optimizer: 'adam', loss: 'mse', seed }), x, y, { epochs: 2, batchSize: 8, verbose: 0 }))).trainer)
    const a = await fitWith(11)
    expect(await fitWith(11)).toEqual(a)
    expect(await fitWith(12)).not.toEqual(a)
  })

  it('compiled (jit) and eager steps give the same weights', async () => {
    const { x, y } = regression(32, 8)
    const eager = await run(Tr.fit(compiled(mlp(), { optimizer: 'adam', loss: 'mse', runEagerly: true }), x, y, { epochs: 2, batchSize: 8, verbose: 0 }))
    const jitted = await run(Tr.fit(compiled(mlp(), { optimizer: 'adam', loss: 'mse' }), x, y, { epochs: 2, batchSize: 8, verbose: 0 }))
    weightsOf(eager.trainer).forEach((w, i) => w.forEach((v, j) => expect(weightsOf(jitted.trainer)[i][j]).toBeCloseTo(v, 5)))
  })
})

describe('fit: options', () => {
  it('validationSplit takes the tail before shuffling; val_ keys; evaluate agrees with val_ on the tail', async () => {
    const { xs, ys } = regression(50, 9)
    const t = compiled(linearModel(3), { optimizer: 'sgd', loss: 'mse', metrics: ['mae'] })
    const r = await run(Tr.fit(t, tensor(xs), tensor(ys), { epochs: 2, batchSize: 10, validationSplit: 0.2, verbose: 0 }))
    expect(Object.keys(r.history.history).sort()).toEqual(['loss', 'mae', 'val_loss', 'val_mae'])
    expect(r.history.params.steps).toBe(4)
    const tail = (await run(Tr.evaluate(r.trainer, tensor(xs.slice(40)), tensor(ys.slice(40)), { verbose: 0 }))) as number[]
    expect(tail[0]).toBeCloseTo(r.history.history.val_loss[1], 5)
    const dict = await run(Tr.evaluate(r.trainer, tensor(xs.slice(40)), tensor(ys.slice(40)), { verbose: 0, returnDict: true }))
    expect(Object.keys(dict)).toEqual(['loss', 'mae'])
  })

  it('validationData and validationFreq', async () => {
    const { x, y } = regression(24, 10)
    const t = compiled(linearModel(3), { optimizer: 'sgd', loss: 'mse' })
    const r = await run(Tr.fit(t, x, y, { epochs: 4, batchSize: 8, validationData: [x, y], validationFreq: 2, verbose: 0 }))
    expect(r.history.history.val_loss.map(Number.isNaN)).toEqual([true, false, true, false])
  })

  it('sample weights of zero leave the weights unchanged (sgd); classWeight scales by class', async () => {
    const { x, y } = regression(16, 11)
    const t = compiled(linearModel(3), { optimizer: 'sgd', loss: 'mse' })
    const r = await run(Tr.fit(t, x, y, { batchSize: 8, sampleWeight: new Array(16).fill(0), verbose: 0 }))
    expect(weightsOf(r.trainer)).toEqual(weightsOf(t))
    const labels = tensor(Array.from({ length: 16 }, (_, i) => [i % 2]))
    const c = await run(Tr.fit(t, x, labels, { batchSize: 8, classWeight: { 0: 0, 1: 0 }, verbose: 0 }))
    expect(weightsOf(c.trainer)).toEqual(weightsOf(t))
    expect((await runLeft(Tr.fit(t, x, labels, { classWeight: { 0: 1 }, verbose: 0 })))._tag).toBe('InvalidOption')
  })

  it('takes nested arrays, {data, shape}, records by input name, and (async) iterables with stepsPerEpoch', async () => {
    const { xs, ys } = regression(16, 12)
    const t = compiled(linearModel(3), { optimizer: 'sgd', loss: 'mse' })
    const a = await run(Tr.fit(t, xs, ys, { batchSize: 8, shuffle: false, verbose: 0 }))
    const b = await run(Tr.fit(t, { data: Float32Array.from(xs.flat()), shape: [16, 3] }, { y: ys }, { batchSize: 8, shuffle: false, verbose: 0 }))
    const c = await run(Tr.fit(t, { x: xs }, ys, { batchSize: 8, shuffle: false, verbose: 0 }))
    expect(weightsOf(b.trainer)).toEqual(weightsOf(a.trainer))
    expect(weightsOf(c.trainer)).toEqual(weightsOf(a.trainer))
    async function* gen() {
      for (let i = 0; ; i = (i + 8) % 16) yield { x: xs.slice(i, i + 8), y: ys.slice(i, i + 8) }
    }
    const d = await run(Tr.fit(t, gen(), undefined, { epochs: 3, stepsPerEpoch: 2, verbose: 0 }))
    expect(d.trainer.step).toBe(6)
    expect(d.history.params.steps).toBe(2)
  })

  it('bad options are errors naming the option', async () => {
    const { x, y } = regression(8)
    const t = compiled(linearModel(3), { optimizer: 'sgd', loss: 'mse' })
    expect(await runLeft(Tr.fit(t, x, y, { epoch: 3 } as never))).toMatchObject({ _tag: 'InvalidOption', path: 'epoch', nearest: 'epochs' })
    expect(await runLeft(Tr.fit(t, x, y, { batchSize: 0 }))).toMatchObject({ path: 'batchSize' })
    expect(await runLeft(Tr.fit(t, x, y, { verbose: 3 as never }))).toMatchObject({ path: 'verbose' })
    expect(await runLeft(Tr.fit(t, x, y, { validationSplit: 1 }))).toMatchObject({ path: 'validationSplit' })
  })
})

describe('fit: bad data is a clear error before any step', () => {
  const t = compiled(linearModel(3), { optimizer: 'sgd', loss: 'mse' })
  let steps = 0
  const counter = Tr.Callbacks.lambdaCallback({ onBatchBegin: () => void steps++ })
  const cases: ReadonlyArray<readonly [string, unknown, unknown, string, RegExp]> = [
    ['mismatched sample counts', [[1, 2, 3], [4, 5, 6]], [[1]], 'DataCardinality', /x sizes: 2; y sizes: 1/],
    ['missing targets', [[1, 2, 3]], undefined, 'MissingTargets', /no targets/],
    ['empty input', tensor(new Float32Array(0), [0, 3]), tensor(new Float32Array(0), [0, 1]), 'EmptyData', /no samples/],
    ['wrong feature shape', [[1, 2]], [[1]], 'ShapeMismatch', /expects samples of shape \[3\].*\[1, 2\]/],
    ['NaN labels', [[1, 2, 3], [4, 5, 6]], [[1], [NaN]], 'InvalidLabels', /non-finite value \(NaN\) at sample 1/],
    ['ragged input', [[1, 2, 3], [4, 5]], [[1], [2]], 'RaggedArray', /ragged/]
  ]
  it.each(cases)('%s', async (_name, x, y, tag, message) => {
    const e = await runLeft(Tr.fit(t, x, y, { verbose: 0, callbacks: [counter] }))
    expect(e._tag).toBe(tag)
    expect(e.message).toMatch(message)
    expect(steps).toBe(0)
  })
  it('the notebook method rejects with the same tagged error', async () => {
    await expect(t.fit([[1, 2]], [[1]], { verbose: 0 })).rejects.toMatchObject({ _tag: 'ShapeMismatch' })
  })
})

describe('evaluate, predict and the batch functions', () => {
  it('predict/predictOnBatch give one row per sample; testOnBatch matches evaluate; trainOnBatch steps once', async () => {
    const { x, y, xs } = regression(20, 13)
    const t = compiled(linearModel(3), { optimizer: 'sgd', loss: 'mse', metrics: ['mae'] })
    const p = (await run(Tr.predict(t, x, { batchSize: 7, verbose: 0 }))) as Tensor
    expect(p.shape).toEqual([20, 1])
    // the values, against the model computed on the host: initial w = [0.1, 0.2, 0.3], b = 0 (helpers.ts), over 3 batches of 7, 7, 6
    Array.from(dataSync(p)).forEach((v, i) => expect(v).toBeCloseTo(0.1 * xs[i][0] + 0.2 * xs[i][1] + 0.3 * xs[i][2], 5))
    const pb = Tr.predictOnBatch(t, x)
    expect(E.isRight(pb) && Array.from(dataSync(pb.right as Tensor))).toEqual(Array.from(dataSync(p)))
    const ev = (await run(Tr.evaluate(t, x, y, { batchSize: 20, verbose: 0 }))) as number[]
    const tb = Tr.testOnBatch(t, x, y)
    expect(E.isRight(tb) && (tb.right as number[])[0]).toBeCloseTo(ev[0], 5)
    const tr = Tr.trainOnBatch(t, x, y)
    expect(E.isRight(tr) && tr.right[0].step).toBe(1)
    // the notebook method gives the same predictions as the functional one
    expect(Array.from(dataSync((await t.predict(x, { verbose: 0 })) as Tensor))).toEqual(Array.from(dataSync(p)))
  })
})
