/**
 * Issue #10's audit: every image-family layer trains, and compiled `fit` gives the same numbers as eager
 * `fit` (losses per epoch, the final params and state) — convolutions, pooling, shape, normalization,
 * noise and preprocessing layers, with regularizers and constraints, in three small models (1-d, 2-d, 3-d).
 */
import { describe, it, expect } from 'vitest'
import { sequential, layers as L, tensor, dataSync, Tree, compileOrThrow, regularizers, constraints, type Tensor, type AnyLayer } from '../../src/index.js'

const values = (n: number, seed: number): number[] => Array.from({ length: n }, (_, i) => Math.sin(seed + i * 0.731) + 0.1 * Math.cos(i * 3.1))
const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-4) => {
  expect(a.length).toBe(b.length)
  for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i]), `at ${i}: ${a[i]} vs ${b[i]}`).toBeLessThanOrEqual(tol * (1 + Math.abs(b[i])))
}

interface Case {
  readonly name: string
  readonly input: number[]
  readonly layers: () => AnyLayer[]
}
const cases: Case[] = [
  {
    name: '1-d: conv1d (causal, l2), maxPooling1d, averagePooling1d, spatialDropout1d, layerNormalization, globalMaxPooling1d / globalAveragePooling1d',
    input: [8, 2],
    layers: () => [
      L.conv1d(3, 2, { padding: 'causal', activation: 'tanh', kernelRegularizer: regularizers.l2(0.01), inputShape: [8, 2] }),
      L.maxPooling1d(2),
      L.averagePooling1d(2, { strides: 1, padding: 'same' }),
      L.spatialDropout1d(0.3),
      L.layerNormalization(),
      L.globalMaxPooling1d(),
      L.repeatVector(2),
      L.globalAveragePooling1d(),
      L.dense(1)
    ]
  },
  {
    name: '2-d: rescaling, normalization, zeroPadding2d, conv2d (maxNorm), batchNormalization, depthwiseConv2d, upSampling2d, cropping2d, averagePooling2d, conv2dTranspose, separableConv2d, spatialDropout2d, gaussianNoise, globalMaxPooling2d',
    input: [6, 6, 1],
    layers: () => [
      L.rescaling(0.5, { offset: 0.1, inputShape: [6, 6, 1] }),
      L.normalization({ mean: 0.2, variance: 2 }),
      L.zeroPadding2d(1),
      L.conv2d(3, 3, { activation: 'relu', kernelConstraint: constraints.maxNorm(1), biasRegularizer: 'l1' }),
      L.batchNormalization({ momentum: 0.8 }),
      L.depthwiseConv2d(2, { depthMultiplier: 2 }),
      L.upSampling2d(2),
      L.cropping2d([[1, 1], [2, 0]]),
      L.averagePooling2d(2),
      L.conv2dTranspose(2, 2, { strides: 2, activityRegularizer: regularizers.l1(0.001) }),
      L.separableConv2d(2, 2, { activation: 'relu' }),
      L.spatialDropout2d(0.25),
      L.gaussianNoise(0.1),
      L.globalMaxPooling2d(),
      L.dense(1)
    ]
  },
  {
    name: '3-d: conv3d, maxPooling3d, permute, batchNormalization on several axes, flatten',
    input: [4, 4, 4, 1],
    layers: () => [
      L.conv3d(2, 2, { activation: 'relu', inputShape: [4, 4, 4, 1] }),
      L.maxPooling3d(1),
      L.permute([4, 1, 2, 3]),
      L.batchNormalization({ axis: [1, 2] }),
      L.flatten(),
      L.dense(1)
    ]
  }
]

describe('image layers train: compiled = eager', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_n, c) => {
    const n = 8
    const x = tensor(values(n * c.input.reduce((a, b) => a * b, 1), 3), [n, ...c.input])
    const y = tensor(values(n, 9), [n, 1])
    const run = async (runEagerly: boolean) => {
      const m = sequential(c.layers() as never, { seed: 1 })
      const r = await compileOrThrow(m, { optimizer: 'adam', loss: 'mse', runEagerly, seed: 2 }).fit(x, y, { epochs: 3, batchSize: 4, verbose: 0, shuffle: false })
      return { loss: r.history.history.loss as number[], params: Tree.leaves(r.trainer.params).map((t: Tensor) => Array.from(dataSync(t))), state: Tree.leaves(r.trainer.model.state).map((t: Tensor) => Array.from(dataSync(t))), before: Tree.leaves(m.params).map((t: Tensor) => Array.from(dataSync(t))) }
    }
    const eager = await run(true)
    const compiled = await run(false)
    close(compiled.loss, eager.loss, 1e-5)
    expect(compiled.params.length).toBe(eager.params.length)
    compiled.params.forEach((p, i) => close(p, eager.params[i], 1e-4))
    compiled.state.forEach((p, i) => close(p, eager.state[i], 1e-4))
    // every param moved (nothing silently frozen)
    eager.params.forEach((p, i) => expect(p, `param ${i}`).not.toEqual(eager.before[i]))
  })
})

describe('unknown options', () => {
  /** The positional arguments of every constructor in `layers` (a new constructor must be listed here). */
  const positional: Record<string, ReadonlyArray<unknown>> = {
    activation: ['relu'], add: [], additiveAttention: [], attention: [], average: [], averagePooling1d: [2], averagePooling2d: [2], averagePooling3d: [2],
    batchNormalization: [], bidirectional: [L.lstm(2)], concatenate: [], conv1d: [2, 2], conv2d: [2, 2], conv2dTranspose: [2, 2], conv3d: [2, 2], cropping2d: [1],
    dense: [2], depthwiseConv2d: [2], dropout: [0.1], elu: [], embedding: [3, 2], flatten: [], gaussianNoise: [0.1], gelu: [], globalAveragePooling1d: [],
    globalAveragePooling2d: [], globalAveragePooling3d: [], globalMaxPooling1d: [], globalMaxPooling2d: [], globalMaxPooling3d: [], gru: [2], identity: [],
    layerNormalization: [], leakyRelu: [], linear: [], lstm: [2], masking: [0], maxPooling1d: [2], maxPooling2d: [2], maxPooling3d: [2], multiHeadAttention: [2, 2],
    multiply: [], normalization: [], permute: [[1]], relu: [], repeatVector: [2], rescaling: [1], reshape: [[2]], selu: [], separableConv2d: [2, 2], sigmoid: [],
    silu: [], simpleRNN: [2], softmax: [], softplus: [], spatialDropout1d: [0.1], spatialDropout2d: [0.1], swish: [], tanh: [], timeDistributed: [L.dense(2)],
    upSampling2d: [2], zeroPadding2d: [1]
  }
  it('every layer constructor rejects an option it does not know, naming it', () => {
    const ctors = Object.entries(L).filter(([k]) => k !== 'adapt') as Array<[string, (...a: unknown[]) => unknown]>
    expect(ctors.map(([k]) => k).filter((k) => !(k in positional))).toEqual([])
    for (const [k, f] of ctors) {
      expect(() => f(...positional[k]), k).not.toThrow()
      expect(() => f(...positional[k], { bogus: 1 }), k).toThrow(/unknown option 'bogus'/)
    }
  })
})
