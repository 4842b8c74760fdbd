import { describe, it, expect } from 'vitest'
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import { resolve as resolveInitializer } from '../../src/layers/initializers.js'
import {
  Layer, layers, Initializers, dense, dropout, flatten, activation, identity, sequential, builtinLayers, fromConfig, tensor, toArray,
  key, mul, ones, zeros, model, input, call, TensorfoldError, type Tensor, type AnyLayer, type Empty
} from '../../src/index.js'
import type { Tree } from '../../src/core/Tree.js'

const init = <P extends Tree, S extends Tree>(l: Layer<P, S>, s: ReadonlyArray<number | null>) => {
  const r = l.init(key(0), s)
  if (E.isLeft(r)) throw new Error(r.left.message)
  return r.right
}

describe('layers', () => {
  it('dense: params {kernel [in, units], bias [units]}, Keras config, last-axis application on rank 3', () => {
    const d = dense(4, { activation: 'relu' })
    expect(d.kind).toBe('Dense')
    expect(d.name).toBe('dense')
    expect(d.autoName).toBe(true)
    expect(d.config).toMatchObject({ units: 4, activation: 'relu', useBias: true, kernelInitializer: { kind: 'GlorotUniform' }, biasInitializer: { kind: 'Zeros' } })
    expect(JSON.parse(JSON.stringify(d.config))).toEqual(d.config)
    const b = init(d, [null, 2, 3])
    expect(Object.keys(b.params)).toEqual(['kernel', 'bias'])
    expect(b.outputShape).toEqual([null, 2, 4])
    const x = tensor([[[1, 0, 0], [0, 1, 0]]])
    const y = d.apply(b.params, b.state)(x, { training: false, key: key(0) }).y
    expect(y.shape).toEqual([1, 2, 4])
    expect(E.isLeft(d.init(key(0), [null]))).toBe(true)
    expect(Object.keys(init(dense(2, { useBias: false }), [null, 3]).params)).toEqual(['kernel'])
    expect(() => dense(0)).toThrow(TensorfoldError)
    expect(E.isLeft(Layer.denseE(2, { activation: 'nope' as never }))).toBe(true)
  })
  it('glorotUniform is the default kernel initializer with Keras limits; initializers are seeded', () => {
    const k = init(dense(50, {}), [null, 30]).params.kernel as Tensor
    const limit = Math.sqrt(6 / 80)
    const v = Array.from(k.dataSync())
    expect(Math.max(...v.map(Math.abs))).toBeLessThanOrEqual(limit)
    expect(Math.max(...v.map(Math.abs))).toBeGreaterThan(limit * 0.9)
    for (const name of ['glorotUniform', 'glorotNormal', 'heNormal', 'heUniform', 'lecunNormal', 'zeros', 'ones', 'randomNormal', 'randomUniform'] as const) {
      const i = pipe(resolveInitializer('t', name, Initializers.zeros), E.getOrElseW(() => { throw new Error(name) }))
      const a = i.init(key(1), [4, 3])
      expect(a.shape).toEqual([4, 3])
      expect(toArray(i.init(key(1), [4, 3]))).toEqual(toArray(a))
    }
    const h = Initializers.heNormal().init(key(2), [1000, 10]).dataSync()
    const sd = Math.sqrt(h.reduce((s, x) => s + x * x, 0) / h.length)
    expect(sd).toBeGreaterThan(Math.sqrt(2 / 1000) * 0.9)
    expect(sd).toBeLessThan(Math.sqrt(2 / 1000) * 1.1)
    expect(toArray(init(dense(2, { kernelInitializer: 'ones', biasInitializer: Initializers.constant(3) }), [null, 1]).params.kernel as Tensor)).toEqual([[1, 1]])
    expect(E.isLeft(Layer.denseE(2, { kernelInitializer: 'nope' as never }))).toBe(true)
  })
  it('activations: every name, as a layer and inside dense', () => {
    const x = tensor([[-1, 0, 2]])
    const run = (l: AnyLayer) => toArray(l.apply({}, {})(x, { training: false, key: key(0) }).y as Tensor) as number[][]
    expect(run(activation('relu'))).toEqual([[0, 0, 2]])
    expect(run(layers.relu())).toEqual([[0, 0, 2]])
    expect(run(layers.linear())).toEqual([[-1, 0, 2]])
    expect(run(layers.sigmoid())[0][1]).toBeCloseTo(0.5)
    expect(run(layers.softmax())[0].reduce((a, b) => a + b)).toBeCloseTo(1)
    expect(run(layers.leakyRelu({ alpha: 0.1 }))[0][0]).toBeCloseTo(-0.1)
    for (const l of [layers.tanh(), layers.elu(), layers.selu(), layers.gelu(), layers.softplus(), layers.swish(), layers.silu()]) expect(run(l)[0]).toHaveLength(3)
    expect(() => activation('nope' as never)).toThrow(TensorfoldError)
  })
  it('dropout: identity in inference; in training zeroes about `rate` and scales the rest, from the key', () => {
    const d = dropout(0.5)
    const x = ones([1, 2000])
    expect(d.apply({}, {})(x, { training: false, key: key(0) }).y).toBe(x)
    const y = d.apply({}, {})(x, { training: true, key: key(3) }).y.dataSync()
    const zerosN = y.filter((v) => v === 0).length
    expect(zerosN).toBeGreaterThan(800)
    expect(zerosN).toBeLessThan(1200)
    expect(y.every((v) => v === 0 || Math.abs(v - 2) < 1e-6)).toBe(true)
    expect(toArray(d.apply({}, {})(x, { training: true, key: key(3) }).y)).toEqual(toArray(d.apply({}, {})(x, { training: true, key: key(3) }).y))
    expect(E.isLeft(Layer.dropoutE(1))).toBe(true)
  })
  it('flatten keeps the batch axis; reshape infers -1; identity', () => {
    expect(init(flatten(), [null, 2, 3]).outputShape).toEqual([null, 6])
    expect(init(layers.reshape([3, -1]), [null, 6]).outputShape).toEqual([null, 3, 2])
    expect(E.isLeft(layers.reshape([4]).init(key(0), [null, 6]))).toBe(true)
    const x = tensor([[[1, 2], [3, 4]]])
    expect(flatten().apply({}, {})(x, { training: false, key: key(0) }).y.shape).toEqual([1, 4])
    expect(identity().apply({}, {})(x, { training: false, key: key(0) }).y).toBe(x)
  })
  it('a custom layer is a plain value: no class, no registry', () => {
    const scale = (c: number): Layer<Empty> => ({
      name: 'scale',
      kind: 'Scale',
      config: { c },
      init: (_k, s) => E.right({ params: {}, state: {}, outputShape: s }),
      apply: () => (x) => ({ y: mul(x, c), state: {} })
    })
    const m = sequential([dense(2, { inputShape: [2], kernelInitializer: 'ones', biasInitializer: 'zeros' }), scale(10)])
    expect(toArray(m.predict([[1, 2]]))).toEqual([[30, 30]])
    expect(m.layers[1].name).toBe('scale')
    const rebuilt = fromConfig({ kind: 'Scale', config: { c: 3 } }, { Scale: (c) => scale(c.c as number) })
    expect(E.isRight(rebuilt) && rebuilt.right.config).toEqual({ c: 3 })
    expect(pipe(fromConfig({ kind: 'Scale', config: {} }), E.mapLeft((e) => e._tag))).toEqual(E.left('UnknownLayer'))
  })
  it('every built-in layer is rebuilt from {kind, config} with the same params for the same key', () => {
    const all: Array<[AnyLayer, ReadonlyArray<number | null> | ReadonlyArray<ReadonlyArray<number | null>>]> = [
      [dense(3, { activation: 'tanh', kernelInitializer: 'heNormal', inputShape: [2], name: 'd' }), [null, 2]],
      [activation('gelu'), [null, 2]],
      [layers.leakyRelu({ alpha: 0.2 }), [null, 2]],
      [dropout(0.3), [null, 2]],
      [flatten(), [null, 2, 2]],
      [layers.reshape([2, 2]), [null, 4]],
      [identity(), [null, 2]],
      [layers.add(), [[null, 2], [null, 2]]],
      [layers.multiply(), [[null, 2], [null, 2]]],
      [layers.average(), [[null, 2], [null, 2]]],
      [layers.concatenate({ axis: -1 }), [[null, 2], [null, 3]]],
      [sequential([dense(2), dense(1)], { name: 's' }) as unknown as AnyLayer, [null, 3]],
      [layers.embedding(6, 2, { maskZero: true, embeddingsInitializer: 'glorotUniform' }) as AnyLayer, [null, 3]],
      [layers.simpleRNN(2, { activation: 'relu', returnSequences: true, dropout: 0.1 }) as AnyLayer, [null, 3, 2]],
      [layers.lstm(2, { goBackwards: true, unitForgetBias: false, recurrentActivation: 'hardSigmoid' }) as AnyLayer, [null, 3, 2]],
      [layers.gru(2, { resetAfter: false, returnState: true, useBias: false }) as unknown as AnyLayer, [null, 3, 2]],
      [layers.bidirectional(layers.lstm(2, { returnSequences: true }), { mergeMode: 'sum' }) as AnyLayer, [null, 3, 2]],
      [layers.timeDistributed(dense(2)) as AnyLayer, [null, 3, 2]],
      [layers.masking(0.5) as AnyLayer, [null, 3, 2]],
      // convolution and pooling
      [layers.conv1d(2, 3, { padding: 'causal', dilationRate: 2, kernelInitializer: 'heNormal' }), [null, 6, 2]],
      [layers.conv2d(2, [3, 2], { strides: 2, padding: 'same', groups: 2, activation: 'relu' }), [null, 5, 5, 4]],
      [layers.conv3d(2, 2, { useBias: false, dataFormat: 'channels_first' }), [null, 1, 3, 3, 3]],
      [layers.conv2dTranspose(3, 3, { strides: 2, outputPadding: 1, biasInitializer: 'ones' }), [null, 4, 4, 2]],
      [layers.depthwiseConv2d(3, { depthMultiplier: 2, depthwiseInitializer: 'heUniform' }), [null, 5, 5, 2]],
      [layers.separableConv2d(4, 2, { depthMultiplier: 2, pointwiseInitializer: 'lecunNormal' }), [null, 5, 5, 2]],
      [layers.maxPooling1d(3, { strides: 1 }), [null, 6, 2]],
      [layers.maxPooling2d(), [null, 6, 6, 2]],
      [layers.maxPooling3d(2, { padding: 'same' }), [null, 3, 3, 3, 1]],
      [layers.averagePooling1d(2), [null, 6, 2]],
      [layers.averagePooling2d([2, 3], { padding: 'same' }), [null, 6, 6, 2]],
      [layers.averagePooling3d(), [null, 4, 4, 4, 1]],
      [layers.globalAveragePooling1d(), [null, 6, 2]],
      [layers.globalAveragePooling2d({ keepdims: true }), [null, 6, 6, 2]],
      [layers.globalAveragePooling3d(), [null, 3, 3, 3, 1]],
      [layers.globalMaxPooling1d(), [null, 6, 2]],
      [layers.globalMaxPooling2d(), [null, 6, 6, 2]],
      [layers.globalMaxPooling3d({ dataFormat: 'channels_first' }), [null, 1, 3, 3, 3]],
      // shape, normalization, noise, preprocessing; weight options and freezing
      [dense(2, { kernelRegularizer: 'l2', biasConstraint: 'nonNeg', activityRegularizer: 'l1', trainable: false }), [null, 3]],
      [layers.upSampling2d([2, 3], { interpolation: 'bilinear' }), [null, 2, 2, 1]],
      [layers.zeroPadding2d([[1, 0], [2, 1]]), [null, 2, 2, 1]],
      [layers.cropping2d(1), [null, 4, 4, 1]],
      [layers.repeatVector(3), [null, 2]],
      [layers.permute([2, 1]), [null, 2, 3]],
      [layers.batchNormalization({ momentum: 0.9, epsilon: 1e-5, center: false, gammaRegularizer: 'l2', movingVarianceInitializer: 'zeros' }), [null, 3]],
      [layers.layerNormalization({ axis: [1, 2], betaConstraint: 'maxNorm' }), [null, 2, 3]],
      [layers.spatialDropout1d(0.2), [null, 2, 3]],
      [layers.spatialDropout2d(0.2), [null, 2, 2, 3]],
      [layers.gaussianNoise(0.3), [null, 3]],
      [layers.rescaling(0.5, { offset: 1 }), [null, 3]],
      [layers.normalization({ mean: [1, 2, 3], variance: 4 }), [null, 3]],
      [layers.normalization({ axis: null }), [null, 3]],
      // attention
      [layers.attention({ useScale: true, scoreMode: 'concat', dropout: 0.1, useCausalMask: true }) as unknown as AnyLayer, [[null, 3, 2], [null, 4, 2]]],
      [layers.additiveAttention({ returnAttentionScores: true }) as unknown as AnyLayer, [[null, 3, 2], [null, 4, 2], [null, 4, 2]]],
      [layers.multiHeadAttention(2, 3, { valueDim: 2, outputShape: [2, 2], kernelRegularizer: 'l2', biasInitializer: 'ones', useCausalMask: true }) as unknown as AnyLayer, [[null, 3, 4], [null, 3, 2]]]
    ]
    // every built-in kind is in the list above (Functional has its own test below)
    expect(Object.keys(builtinLayers).sort()).toEqual([...new Set([...all.map(([l]) => l.kind), 'Functional'])].sort())
    for (const [l, s] of all) {
      const r = fromConfig({ kind: l.kind, config: JSON.parse(JSON.stringify(l.config)) })
      if (E.isLeft(r)) throw new Error(r.left.message)
      expect(r.right.kind).toBe(l.kind)
      expect(r.right.config).toEqual(l.config)
      const a = l.init(key(4), s as never)
      const b = r.right.init(key(4), s as never)
      expect(JSON.stringify(E.map((x: { params: unknown }) => x.params)(b))).toEqual(JSON.stringify(E.map((x: { params: unknown }) => x.params)(a)))
    }
  })
  it('a functional model is rebuilt from its config with the same predictions', () => {
    const a = input({ shape: [3], name: 'a' })
    const d = dense(2, { name: 'out' })
    const h = call(layers.concatenate(), [call(d, a), call(d, a), call(dense(2), a)])
    const fm = model({ inputs: a, outputs: { y: h, z: call(d, a) }, name: 'g', seed: 3 })
    const r = fromConfig({ kind: 'Functional', config: JSON.parse(JSON.stringify(fm.config)) })
    if (E.isLeft(r)) throw new Error(r.left.message)
    const again = r.right as unknown as typeof fm
    expect(again.outputNames).toEqual(['y', 'z'])
    expect(again.weights.map((w) => w.name)).toEqual(fm.weights.map((w) => w.name))
    const x = tensor([[1, 2, 3]])
    expect(toArray(again.predict(x).y)).toEqual(toArray(fm.predict(x).y))
    expect(E.isLeft(fromConfig({ kind: 'Functional', config: {} }))).toBe(true)
  })
  it('layer values are frozen', () => {
    expect(Object.isFrozen(dense(2))).toBe(true)
    expect(Object.isFrozen(dense(2).config)).toBe(true)
    expect(Object.isFrozen(zeros([1]))).toBe(true)
  })
})
