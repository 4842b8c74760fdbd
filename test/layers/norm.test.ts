/**
 * The norm family: shape layers, normalization (with state updated by fit), noise layers,
 * preprocessing (adapt), regularizers and constraints in training, freezing, unknown options.
 */
import { describe, it, expect } from 'vitest'
import * as E from 'fp-ts/lib/Either.js'
import { resolveRegularizer } from '../../src/layers/weights.js'
import {
  sequential, dense, input, model, call, layers as L, tensor, dataSync, toArray, Tree, compileOrThrow, withTrainable, Model, Sequential,
  regularizers, constraints, adapt, key, Layer, type Tensor, type AnyLayer, type ModelLike
} from '../../src/index.js'

const arr = (t: Tensor): number[] => Array.from(dataSync(t))
const ws = (m: ModelLike) => Model.weights(m)
const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-5) => {
  expect(a.length).toBe(b.length)
  for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThanOrEqual(tol * (1 + Math.abs(b[i])))
}
const seqData = (n: number, f: number, seed = 1): number[][] => Array.from({ length: n }, (_, i) => Array.from({ length: f }, (_, j) => Math.sin(seed + i * 1.7 + j * 0.9) * 2 + j))
/** A layer applied to a tensor (inference unless asked), with init's output shape checked against apply's. */
const runLayer = (l: AnyLayer, x: Tensor, training = false): Tensor => {
  const b = Layer.fromConfig({ kind: l.kind, config: l.config })
  expect(E.isRight(b)).toBe(true)
  const built = l.init(key(0), [null, ...x.shape.slice(1)])
  if (E.isLeft(built)) throw new Error(String(built.left))
  const y = l.apply(built.right.params, built.right.state)(x, { training, key: key(3) }).y as Tensor
  expect([null, ...y.shape.slice(1)]).toEqual(built.right.outputShape)
  return y
}

describe('shape layers', () => {
  const img = tensor(Array.from({ length: 2 * 2 * 3 * 2 }, (_, i) => i), [2, 2, 3, 2])

  it('upSampling2d nearest repeats rows and columns', () => {
    const y = runLayer(L.upSampling2d([2, 1]), img)
    expect(y.shape).toEqual([2, 4, 3, 2])
    const a = toArray(img) as number[][][][]
    const b = toArray(y) as number[][][][]
    for (let r = 0; r < 4; r++) for (let c = 0; c < 3; c++) expect(b[1][r][c]).toEqual(a[1][Math.floor(r / 2)][c])
  })

  it('upSampling2d bilinear: half-pixel centres (a ramp stays a ramp inside, edges clamp)', () => {
    const x = tensor([[[[0], [1]]]]) // [1, 1, 2, 1]
    const y = runLayer(L.upSampling2d([1, 2], { interpolation: 'bilinear' }), x)
    close(arr(y), [0, 0.25, 0.75, 1])
  })

  it('zeroPadding2d and cropping2d undo each other', () => {
    const p = runLayer(L.zeroPadding2d([[1, 0], [2, 1]]), img)
    expect(p.shape).toEqual([2, 3, 6, 2])
    expect(arr(p).filter((v) => v !== 0).length).toBe(arr(img).filter((v) => v !== 0).length)
    const c = runLayer(L.cropping2d([[1, 0], [2, 1]]), p)
    expect(arr(c)).toEqual(arr(img))
    expect(runLayer(L.zeroPadding2d(1), img).shape).toEqual([2, 4, 5, 2])
  })

  it('repeatVector and permute', () => {
    const x = tensor([[1, 2], [3, 4]])
    expect(toArray(runLayer(L.repeatVector(3), x))).toEqual([[[1, 2], [1, 2], [1, 2]], [[3, 4], [3, 4], [3, 4]]])
    const t = tensor([[[1, 2, 3], [4, 5, 6]]]) // [1, 2, 3]
    expect(toArray(runLayer(L.permute([2, 1]), t))).toEqual([[[1, 4], [2, 5], [3, 6]]])
  })

  it('bad arguments and shapes are tagged errors', () => {
    expect(E.isLeft(Layer.permute([1, 1]))).toBe(true)
    expect(E.isLeft(Layer.repeatVector(0))).toBe(true)
    expect(E.isLeft(Layer.cropping2d([[1, 2, 3]] as never))).toBe(true)
    expect(E.isLeft(L.cropping2d(2).init(key(0), [null, 4, 4, 1]))).toBe(true)
    expect(E.isLeft(L.repeatVector(2).init(key(0), [null, 4, 4]))).toBe(true)
  })
})

describe('batchNormalization', () => {
  const xs = seqData(8, 3)
  const x = tensor(xs)

  it('training normalizes per channel; inference uses the moving statistics', () => {
    const y = runLayer(L.batchNormalization(), x, true)
    const v = toArray(y) as number[][]
    for (let j = 0; j < 3; j++) {
      const col = v.map((r) => r[j])
      const m = col.reduce((a, b) => a + b, 0) / col.length
      const s = col.reduce((a, b) => a + (b - m) ** 2, 0) / col.length
      expect(Math.abs(m)).toBeLessThan(1e-5)
      expect(Math.abs(s - 1)).toBeLessThan(1e-2)
    }
    close(arr(runLayer(L.batchNormalization(), x, false)), arr(x).map((a) => a / Math.sqrt(1 + 1e-3)))
  })

  it('fit updates the moving statistics with Keras rule (biased variance for rank 2); compiled = eager', async () => {
    const m = sequential([L.batchNormalization({ inputShape: [3], momentum: 0.9 })])
    const y = tensor(xs.map((r) => r.map((v) => v * 0.5)))
    const out = await Promise.all(
      [false, true].map(async (runEagerly) => (await compileOrThrow(m, { optimizer: 'sgd', loss: 'mse', runEagerly }).fit(x, y, { batchSize: 8, epochs: 1, verbose: 0, shuffle: false })).trainer)
    )
    const [mm, mv] = ['moving_mean', 'moving_variance'].map((k) => arr((out[0].model.state as ReadonlyArray<Record<string, Tensor>>)[0][k]))
    for (let j = 0; j < 3; j++) {
      const col = xs.map((r) => r[j])
      const mu = col.reduce((a, b) => a + b, 0) / 8
      const v = col.reduce((a, b) => a + (b - mu) ** 2, 0) / 8
      expect(mm[j]).toBeCloseTo(0 - (0 - mu) * 0.1, 5)
      expect(mv[j]).toBeCloseTo(1 - (1 - v) * 0.1, 4)
    }
    expect(Tree.leaves(out[1].model.state).map(arr)).toEqual(Tree.leaves(out[0].model.state).map(arr))
    expect(Tree.leaves(out[1].params).map(arr)).toEqual(Tree.leaves(out[0].params).map(arr))
  })

  it('rank-4 inputs update the moving variance with the unbiased batch variance (Keras fused kernel)', async () => {
    const img = tensor(Array.from({ length: 2 * 2 * 2 * 1 }, (_, i) => (i * 7) % 5), [2, 2, 2, 1])
    const m = sequential([L.batchNormalization({ inputShape: [2, 2, 1], momentum: 0 }), L.flatten()])
    const r = await compileOrThrow(m, { optimizer: 'sgd', loss: 'mse' }).fit(img, tensor(Array.from({ length: 2 }, () => [0, 0, 0, 0])), { batchSize: 2, verbose: 0 })
    const v = arr(img)
    const mu = v.reduce((a, b) => a + b, 0) / v.length
    const unbiased = v.reduce((a, b) => a + (b - mu) ** 2, 0) / (v.length - 1)
    expect(arr((r.trainer.model.state as ReadonlyArray<Record<string, Tensor>>)[0].moving_variance)[0]).toBeCloseTo(unbiased, 4)
  })

  it('weights are gamma, beta, moving_mean, moving_variance; summary counts the statistics as non-trainable', () => {
    const m = sequential([dense(4, { inputShape: [3] }), L.batchNormalization()])
    expect(m.weights.map((w) => w.name)).toEqual(['dense/kernel', 'dense/bias', 'batch_normalization/gamma', 'batch_normalization/beta', 'batch_normalization/moving_mean', 'batch_normalization/moving_variance'])
    const s = m.summary({ printFn: () => undefined })
    expect(s).toContain('Trainable params: 24')
    expect(s).toContain('Non-trainable params: 8')
    const bare = L.batchNormalization({ center: false, scale: false }).init(key(0), [null, 3])
    expect(E.isRight(bare) && Object.keys(bare.right.params)).toEqual([])
  })

  it('layerNormalization normalizes each sample', () => {
    const v = toArray(runLayer(L.layerNormalization({ epsilon: 1e-6 }), x)) as number[][]
    for (const r of v) {
      const m = r.reduce((a, b) => a + b, 0) / r.length
      expect(Math.abs(m)).toBeLessThan(1e-4)
      expect(Math.abs(r.reduce((a, b) => a + (b - m) ** 2, 0) / r.length - 1)).toBeLessThan(1e-3)
    }
  })
})

describe('noise and preprocessing layers', () => {
  it('spatialDropout2d drops whole channels in training; every noise layer is the identity in inference', () => {
    const img = tensor(Array.from({ length: 4 * 3 * 3 * 8 }, () => 1), [4, 3, 3, 8])
    const y = toArray(runLayer(L.spatialDropout2d(0.5), img, true)) as number[][][][]
    let dropped = 0
    for (let b = 0; b < 4; b++)
      for (let c = 0; c < 8; c++) {
        const vals = new Set<number>()
        for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) vals.add(y[b][i][j][c])
        expect(vals.size).toBe(1)
        const [v] = [...vals]
        expect([0, 2]).toContain(v)
        if (v === 0) dropped++
      }
    expect(dropped).toBeGreaterThan(0)
    expect(dropped).toBeLessThan(32)
    for (const l of [L.spatialDropout2d(0.5), L.gaussianNoise(1)]) expect(arr(runLayer(l, img))).toEqual(arr(img))
    const seq = tensor(Array.from({ length: 2 * 5 * 4 }, () => 1), [2, 5, 4])
    expect(arr(runLayer(L.spatialDropout1d(0.3), seq))).toEqual(arr(seq))
    const noisy = arr(runLayer(L.gaussianNoise(0.5), img, true))
    expect(noisy.some((v) => v !== 1)).toBe(true)
    const mean = noisy.reduce((a, b) => a + b, 0) / noisy.length
    expect(Math.abs(mean - 1)).toBeLessThan(0.15)
  })

  it('rescaling, normalization with given statistics, adapt returns a new layer', () => {
    close(arr(runLayer(L.rescaling(1 / 255, { offset: -1 }), tensor([[0, 255]]))), [-1, 0])
    const data = [[1, 10], [3, 30]]
    const n0 = L.normalization()
    const n1 = adapt(n0, data)
    expect(n0.config.mean).toBeUndefined()
    expect(n1.config.mean).toEqual([2, 20])
    expect(n1.config.variance).toEqual([1, 100])
    close(arr(runLayer(n1, tensor(data))), [-1, -1, 1, 1])
    close(arr(runLayer(L.normalization({ mean: [2, 20], variance: [1, 100], invert: true }), tensor([[-1, -1]]))), [1, 10])
    // without statistics: Keras's weights mean/variance/count in the state, the identity until loaded
    const m = sequential([L.normalization({ inputShape: [2] })])
    expect(m.weights.map((w) => [w.name, w.trainable])).toEqual([['normalization/mean', false], ['normalization/variance', false], ['normalization/count', false]])
    expect(E.isLeft(Layer.adapt(L.dense(2) as never, data))).toBe(true)
  })
})

describe('regularizers and constraints', () => {
  const x = tensor(seqData(8, 3))
  const y = tensor(seqData(8, 2, 5))

  it('the l2 penalty is added to the loss reported by fit and evaluate (Keras: 0.01·Σw²)', async () => {
    const base = sequential([dense(2, { inputShape: [3], kernelInitializer: 'ones' })])
    const reg = sequential([dense(2, { inputShape: [3], kernelInitializer: 'ones', kernelRegularizer: 'l2' })])
    const opts = { optimizer: 'sgd', loss: 'mse' } as const
    const [a, b] = await Promise.all([base, reg].map((m) => compileOrThrow(m, opts).evaluate(x, y, { verbose: 0 })))
    expect((b as number[])[0] - (a as number[])[0]).toBeCloseTo(0.01 * 6, 4)
    const l1 = sequential([dense(2, { inputShape: [3], kernelInitializer: 'ones', kernelRegularizer: regularizers.l1(0.5), activityRegularizer: regularizers.l2(0.1) })])
    const c = (await compileOrThrow(l1, opts).evaluate(x, y, { verbose: 0 })) as number[]
    const out = arr(l1.predict(x))
    const activity = (0.1 * out.reduce((s, v) => s + v * v, 0)) / 8
    expect(c[0] - (a as number[])[0]).toBeCloseTo(0.5 * 6 + activity, 3)
    // fit reports it too, and the penalty pulls the weights toward 0
    const r0 = await compileOrThrow(base, { optimizer: 'sgd', loss: 'mse' }).fit(x, y, { batchSize: 8, verbose: 0 })
    const r1 = await compileOrThrow(sequential([dense(2, { inputShape: [3], kernelInitializer: 'ones', kernelRegularizer: regularizers.l2(1) })]), { optimizer: 'sgd', loss: 'mse' }).fit(x, y, { batchSize: 8, verbose: 0 })
    expect(r1.history.history.loss[0] - r0.history.history.loss[0]).toBeCloseTo(6, 3)
    const norm = (t: Tensor) => arr(t).reduce((s, v) => s + v * v, 0)
    expect(norm(ws(r1.trainer.model)[0].value)).toBeLessThan(norm(ws(r0.trainer.model)[0].value))
  })

  it('constraints hold after every update (nonNeg, maxNorm, unitNorm); compiled = eager', async () => {
    const m = sequential([
      dense(4, { inputShape: [3], kernelConstraint: constraints.nonNeg(), biasConstraint: 'nonNeg' }),
      dense(3, { kernelConstraint: constraints.maxNorm(0.5) }),
      dense(2, { kernelConstraint: constraints.unitNorm() })
    ])
    const fits = await Promise.all(
      [false, true].map(async (runEagerly) => (await compileOrThrow(m, { optimizer: 'adam', loss: 'mse', runEagerly }).fit(x, y, { batchSize: 4, epochs: 2, verbose: 0 })).trainer.model)
    )
    const [k0, b0, k1, , k2] = ws(fits[0]).map((w) => w.value)
    expect(arr(k0).every((v) => v >= 0)).toBe(true)
    expect(arr(b0).every((v) => v >= 0)).toBe(true)
    const colNorms = (t: Tensor) => {
      const [r, c] = t.shape
      const v = arr(t)
      return Array.from({ length: c }, (_, j) => Math.sqrt(Array.from({ length: r }, (_, i) => v[i * c + j] ** 2).reduce((a, b) => a + b, 0)))
    }
    expect(colNorms(k1).every((n) => n <= 0.5 + 1e-5)).toBe(true)
    colNorms(k2).forEach((n) => expect(n).toBeCloseTo(1, 5))
    ws(fits[0]).forEach((w, i) => close(arr(w.value), arr(ws(fits[1])[i].value), 1e-5))
  })

  it('a constraint is idempotent and bad specs are tagged errors', () => {
    const w = tensor([[3, -4], [4, 3]])
    for (const c of [constraints.maxNorm(1), constraints.unitNorm(), constraints.nonNeg(), constraints.minMaxNorm({ minValue: 0.5, maxValue: 2 })])
      close(arr(c.apply(c.apply(w))), arr(c.apply(w)), 1e-5)
    expect(E.isLeft(Layer.denseE(2, { kernelRegularizer: 'l3' as never }))).toBe(true)
    expect(E.isLeft(Layer.denseE(2, { kernelConstraint: { kind: 'MaxNorm', config: { axis: 'x' } } as never }))).toBe(true)
    expect(E.isLeft(resolveRegularizer('r', { kind: 'L2', config: { l2: -1 } }))).toBe(true)
  })
})

describe('freezing', () => {
  const x = tensor(seqData(16, 3))
  const y = tensor(seqData(16, 2, 4))
  const build = () => sequential([dense(4, { inputShape: [3], name: 'a' }), L.batchNormalization({ name: 'bn' }), dense(2, { name: 'b' })])

  it('trainable: false and withTrainable: frozen weights bit-identical after fit, compiled and eager alike', async () => {
    const viaOption = sequential([dense(4, { inputShape: [3], name: 'a', trainable: false }), L.batchNormalization({ name: 'bn', trainable: false }), dense(2, { name: 'b' })])
    const viaFn = withTrainable(build(), ['a', 'bn'], false)
    for (const m of [viaOption, viaFn])
      for (const runEagerly of [false, true]) {
        const r = await compileOrThrow(m, { optimizer: 'adam', loss: 'mse', runEagerly }).fit(x, y, { batchSize: 4, epochs: 2, verbose: 0 })
        const after = r.trainer.model
        const before = m
        for (let i = 0; i < 6; i++) expect(arr(ws(after)[i].value)).toEqual(arr(before.weights[i].value))
        expect(arr(ws(after)[6].value)).not.toEqual(arr(before.weights[6].value))
      }
    const e = await compileOrThrow(viaFn, { optimizer: 'adam', loss: 'mse', runEagerly: true }).fit(x, y, { batchSize: 4, verbose: 0 })
    const c = await compileOrThrow(viaFn, { optimizer: 'adam', loss: 'mse' }).fit(x, y, { batchSize: 4, verbose: 0 })
    ws(e.trainer.model).forEach((w, i) => close(arr(w.value), arr(ws(c.trainer.model)[i].value), 1e-5))
  })

  it('summary counts frozen weights as non-trainable; the optimizer state covers only trainable weights', () => {
    const m = withTrainable(build(), 'a', false)
    expect(m.weights.filter((w) => w.trainable).map((w) => w.name)).toEqual(['bn/gamma', 'bn/beta', 'b/kernel', 'b/bias'])
    const s = m.summary({ printFn: () => undefined })
    expect(s).toContain('Trainable params: 18')
    expect(s).toContain('Non-trainable params: 24')
    const t = compileOrThrow(m, { optimizer: 'adam', loss: 'mse' })
    const all = compileOrThrow(build(), { optimizer: 'adam', loss: 'mse' })
    const count = (tr: typeof t) => Tree.leaves(tr.optState as Tree.Tree).reduce((n, l) => n + l.size, 0)
    expect(count(all) - count(t)).toBe(2 * 16)
    // unfreezing gives back the original behaviour; the input model is unchanged
    expect(withTrainable(m, 'a', true).weights.every((w) => w.trainable === !w.name.includes('moving'))).toBe(true)
    expect(m.getLayer('a').trainable).toBe(false)
    expect(E.isLeft(Sequential.withTrainable(m, 'nope', false))).toBe(true)
  })

  it('a frozen batchNormalization runs in inference mode: its moving statistics stay', async () => {
    const m = withTrainable(build(), (l) => l.kind === 'BatchNormalization', false)
    const r = await compileOrThrow(m, { optimizer: 'sgd', loss: 'mse' }).fit(x, y, { batchSize: 4, verbose: 0 })
    expect(Tree.leaves(r.trainer.model.state).map(arr)).toEqual(Tree.leaves(m.state).map(arr))
    const open = await compileOrThrow(build(), { optimizer: 'sgd', loss: 'mse' }).fit(x, y, { batchSize: 4, verbose: 0 })
    expect(arr((open.trainer.model.state as ReadonlyArray<Record<string, Tensor>>)[1].moving_mean)).not.toEqual([0, 0, 0, 0])
  })

  it('a nested model frozen as a whole, in a functional model; the flag survives fromConfig', async () => {
    const inner = sequential([dense(3, { inputShape: [3] })], { name: 'inner' })
    const i = input({ shape: [3] })
    const m = withTrainable(model({ inputs: i, outputs: call(dense(2, { name: 'head' }), call(inner, i)) }), 'inner', false)
    expect(m.weights.map((w) => w.trainable)).toEqual([false, false, true, true])
    const r = await compileOrThrow(m, { optimizer: 'sgd', loss: 'mse' }).fit(x, y, { batchSize: 8, verbose: 0 })
    expect(arr(ws(r.trainer.model)[0].value)).toEqual(arr(m.weights[0].value))
    const again = Layer.fromConfig({ kind: m.kind, config: m.config })
    expect(E.isRight(again) && (again.right as unknown as typeof m).weights.map((w) => w.trainable)).toEqual([false, false, true, true])
    // a kind whose constructor has no trainable option (conv2d) is frozen through its config too
    const conv = withTrainable(sequential([L.conv2d(2, 2, { inputShape: [3, 3, 1], name: 'c' }), L.flatten()]), 'c', false)
    const rebuilt = Layer.fromConfig({ kind: conv.kind, config: JSON.parse(JSON.stringify(conv.config)) })
    expect(E.isRight(rebuilt) && (rebuilt.right as unknown as typeof conv).weights.map((w) => w.trainable)).toEqual([false, false])
    const whole = Model.withTrainable(m, () => true, false)
    expect(E.isRight(whole) && whole.right.weights.every((w) => !w.trainable)).toBe(true)
  })
})

describe('unknown options', () => {
  it('every constructor rejects an option it does not know, naming it and the nearest one', () => {
    const r = Layer.denseE(2, { activaton: 'relu' } as never)
    expect(E.isLeft(r) && r.left._tag).toBe('InvalidOption')
    expect(E.isLeft(r) && r.left.message).toContain("did you mean 'activation'")
    const bad = { bogus: 1 } as never
    for (const f of [
      () => L.dropout(0.1, bad), () => L.flatten(bad), () => L.reshape([2], bad), () => L.activation('relu', bad), () => L.leakyRelu(bad), () => L.identity(bad),
      () => L.add(bad), () => L.concatenate(bad), () => L.batchNormalization(bad), () => L.layerNormalization(bad), () => L.upSampling2d(2, bad),
      () => L.zeroPadding2d(1, bad), () => L.cropping2d(1, bad), () => L.repeatVector(2, bad), () => L.permute([1], bad), () => L.spatialDropout1d(0.1, bad),
      () => L.spatialDropout2d(0.1, bad), () => L.gaussianNoise(0.1, bad), () => L.rescaling(1, bad), () => L.normalization(bad),
      () => L.embedding(3, 2, bad), () => L.simpleRNN(2, bad), () => L.lstm(2, bad), () => L.gru(2, bad), () => L.bidirectional(L.lstm(2), bad), () => L.timeDistributed(dense(2), bad)
    ])
      expect(f).toThrow(/unknown option 'bogus'/)
    expect(() => dense(2, { trainable: 'no' } as never)).toThrow(/trainable/)
  })
})
