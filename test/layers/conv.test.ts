/**
 * Convolution and pooling layers: every kind against TensorFlow.js (in-process, cpu backend) — a tfjs
 * model saved as model.json + weights.bin loads in tensorfold and predicts the same (so each layer's
 * forward pass agrees with tfjs on the same weights), and a tensorfold model loads in tfjs — plus
 * Keras defaults, weight names and layouts, option errors, channels_first and training.
 */
import { describe, it, expect, beforeAll } from 'vitest'
import * as tf from '@tensorflow/tfjs'
import { mkdirSync, writeFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { sequential, layers as L, type AnyLayer, save, load, tensor, dataSync, compileOrThrow, transpose, key, conv, pad, add, type Tensor } from '../../src/index.js'
import { artifactsOf, tfjsSave, tfjsLoad } from '../io/helpers.js'

const root = join(process.cwd(), 'tmp', 'test-layers-conv')

beforeAll(async () => {
  await tf.setBackend('cpu')
  rmSync(root, { recursive: true, force: true })
  mkdirSync(root, { recursive: true })
})

const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-4) => {
  expect(a.length).toBe(b.length)
  for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i]), `at ${i}: ${a[i]} vs ${b[i]}`).toBeLessThanOrEqual(tol * (1 + Math.abs(b[i])))
}
const values = (n: number, seed: number): number[] => Array.from({ length: n }, (_, i) => Math.sin(seed + i * 0.731) + 0.1 * Math.cos(i * 3.1))


/** tfjs's initial biases are zeros: give every weight non-trivial values so the bias path is checked too. */
const perturb = (m: tf.LayersModel) => m.setWeights(m.getWeights().map((w, i) => tf.add(w, tf.mul(0.1, tf.sin(tf.add(tf.range(0, w.size).reshape(w.shape), i)))) as tf.Tensor))

interface Arch {
  readonly name: string
  readonly input: number[]
  readonly tfjs: () => tf.layers.Layer[]
  readonly ours: () => AnyLayer[]
}

const archs: Arch[] = [
  {
    name: '1-d: conv1d (dilated same; strided same), maxPooling1d, averagePooling1d, globalMaxPooling1d',
    input: [12, 3],
    tfjs: () => [
      tf.layers.conv1d({ filters: 4, kernelSize: 3, padding: 'same', dilationRate: 2, activation: 'relu', inputShape: [12, 3] }),
      tf.layers.maxPooling1d({ poolSize: 2 }),
      tf.layers.conv1d({ filters: 5, kernelSize: 2, strides: 2, padding: 'same' }),
      tf.layers.averagePooling1d({ poolSize: 2, strides: 1, padding: 'same' }),
      tf.layers.globalMaxPooling1d()
    ],
    ours: () => [
      L.conv1d(4, 3, { padding: 'same', dilationRate: 2, activation: 'relu', inputShape: [12, 3] }),
      L.maxPooling1d(2),
      L.conv1d(5, 2, { strides: 2, padding: 'same' }),
      L.averagePooling1d(2, { strides: 1, padding: 'same' }),
      L.globalMaxPooling1d()
    ]
  },
  {
    name: '1-d: conv1d valid, averagePooling1d valid, globalAveragePooling1d',
    input: [10, 2],
    tfjs: () => [tf.layers.conv1d({ filters: 3, kernelSize: 3, useBias: false, inputShape: [10, 2] }), tf.layers.averagePooling1d({ poolSize: 3 }), tf.layers.globalAveragePooling1d()],
    ours: () => [L.conv1d(3, 3, { useBias: false, inputShape: [10, 2] }), L.averagePooling1d(3), L.globalAveragePooling1d()]
  },
  {
    name: '2-d: conv2d, maxPooling2d, depthwiseConv2d, separableConv2d, averagePooling2d, conv2dTranspose, globalAveragePooling2d',
    input: [9, 8, 3],
    tfjs: () => [
      tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', inputShape: [9, 8, 3] }),
      tf.layers.maxPooling2d({ poolSize: 2, padding: 'same' }),
      tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, padding: 'same' }),
      // (tfjs leaves depth_multiplier out of SeparableConv2D's saved config, so its files only say 1)
      tf.layers.separableConv2d({ filters: 5, kernelSize: 2, activation: 'tanh' }),
      tf.layers.averagePooling2d({ poolSize: [2, 2], strides: 1, padding: 'same' }),
      tf.layers.conv2dTranspose({ filters: 3, kernelSize: 3, strides: 2, padding: 'same' }),
      tf.layers.globalAveragePooling2d({})
    ],
    ours: () => [
      L.conv2d(4, 3, { padding: 'same', activation: 'relu', inputShape: [9, 8, 3] }),
      L.maxPooling2d(2, { padding: 'same' }),
      L.depthwiseConv2d(3, { depthMultiplier: 2, padding: 'same' }),
      L.separableConv2d(5, 2, { activation: 'tanh' }),
      L.averagePooling2d([2, 2], { strides: 1, padding: 'same' }),
      L.conv2dTranspose(3, 3, { strides: 2, padding: 'same' }),
      L.globalAveragePooling2d()
    ]
  },
  {
    name: '2-d: strided and dilated conv2d, conv2dTranspose valid, depthwise strided, globalMaxPooling2d',
    input: [11, 10, 2],
    tfjs: () => [
      tf.layers.conv2d({ filters: 3, kernelSize: [3, 2], strides: [2, 1], inputShape: [11, 10, 2] }),
      tf.layers.conv2d({ filters: 4, kernelSize: 2, dilationRate: 2, padding: 'same', activation: 'sigmoid' }),
      tf.layers.conv2dTranspose({ filters: 2, kernelSize: [2, 3], strides: [1, 2], activation: 'relu' }),
      tf.layers.depthwiseConv2d({ kernelSize: 2, strides: 2, useBias: false }),
      tf.layers.maxPooling2d({ poolSize: [2, 3], strides: 1 }),
      tf.layers.globalMaxPooling2d({})
    ],
    ours: () => [
      L.conv2d(3, [3, 2], { strides: [2, 1], inputShape: [11, 10, 2] }),
      L.conv2d(4, 2, { dilationRate: 2, padding: 'same', activation: 'sigmoid' }),
      L.conv2dTranspose(2, [2, 3], { strides: [1, 2], activation: 'relu' }),
      L.depthwiseConv2d(2, { strides: 2, useBias: false }),
      L.maxPooling2d([2, 3], { strides: 1 }),
      L.globalMaxPooling2d()
    ]
  },
  {
    name: '3-d: conv3d, maxPooling3d, averagePooling3d',
    input: [5, 6, 5, 2],
    tfjs: () => [
      tf.layers.conv3d({ filters: 3, kernelSize: [2, 3, 2], padding: 'same', activation: 'relu', inputShape: [5, 6, 5, 2] }),
      tf.layers.maxPooling3d({ poolSize: 2 }),
      tf.layers.conv3d({ filters: 2, kernelSize: 1 }),
      tf.layers.averagePooling3d({ poolSize: [1, 2, 2], padding: 'same' }),
      tf.layers.flatten()
    ],
    ours: () => [
      L.conv3d(3, [2, 3, 2], { padding: 'same', activation: 'relu', inputShape: [5, 6, 5, 2] }),
      L.maxPooling3d(2),
      L.conv3d(2, 1),
      L.averagePooling3d([1, 2, 2], { padding: 'same' }),
      L.flatten()
    ]
  }
]

describe.each(archs.map((a) => [a.name, a] as const))('%s', (_n, arch) => {
  const batch = 3
  const x = values(batch * arch.input.reduce((a, b) => a * b, 1), 1)
  it('a tfjs model of these layers loads in tensorfold and predicts the same (same weights, same forward)', async () => {
    const tm = tf.sequential({ layers: arch.tfjs() })
    perturb(tm)
    const dir = join(root, `tfjs-${archs.indexOf(arch)}`)
    await tfjsSave(tm, dir)
    const m = await load(dir)
    const ours = m.predict(tensor(x, [batch, ...arch.input])) as Tensor
    const theirs = tm.predict(tf.tensor(x, [batch, ...arch.input])) as tf.Tensor
    expect(ours.shape).toEqual(theirs.shape)
    close(dataSync(ours), theirs.dataSync())
  })
  it('a tensorfold model of these layers loads in tfjs and predicts the same', async () => {
    const m = sequential(arch.ours() as never)
    const dir = join(root, `ours-${archs.indexOf(arch)}`)
    await save(m, dir)
    const tm = await tfjsLoad(dir)
    // the same weight names and shapes, in the same order
    expect(tm.weights.map((w) => w.shape)).toEqual(m.weights.map((w) => [...w.value.shape]))
    const ours = m.predict(tensor(x, [batch, ...arch.input])) as Tensor
    const theirs = tm.predict(tf.tensor(x, [batch, ...arch.input])) as tf.Tensor
    close(dataSync(ours), theirs.dataSync())
  })
})

describe('convolution layers: Keras conventions', () => {
  it('weights have Keras names and layouts', () => {
    const m = sequential([
      L.conv2d(4, 3, { inputShape: [8, 8, 2], name: 'c' }),
      L.depthwiseConv2d(3, { depthMultiplier: 2, name: 'd' }),
      L.separableConv2d(5, 1, { name: 's' }),
      L.conv2dTranspose(3, [2, 3], { name: 't' }),
      L.globalAveragePooling2d({ name: 'g' })
    ] as never)
    expect(m.weights.map((w) => [w.name, [...w.value.shape]])).toEqual([
      ['c/kernel', [3, 3, 2, 4]],
      ['c/bias', [4]],
      ['d/depthwise_kernel', [3, 3, 4, 2]],
      ['d/bias', [8]],
      ['s/depthwise_kernel', [1, 1, 8, 1]],
      ['s/pointwise_kernel', [1, 1, 8, 5]],
      ['s/bias', [5]],
      ['t/kernel', [2, 3, 3, 5]],
      ['t/bias', [3]]
    ])
  })
  it('output shapes follow Keras, unknown spatial sizes stay unknown', () => {
    const shape = (l: AnyLayer, s: Array<number | null>) => {
      const r = l.init(key(0), s as never)
      return E.isRight(r) ? (r.right as { outputShape: unknown }).outputShape : r.left.message
    }
    expect(shape(L.conv2d(8, 3), [null, 28, 28, 1])).toEqual([null, 26, 26, 8])
    expect(shape(L.conv2d(8, 3, { strides: 2, padding: 'same' }), [null, 7, 7, 1])).toEqual([null, 4, 4, 8])
    expect(shape(L.conv2d(8, 3), [null, null, null, 1])).toEqual([null, null, null, 8])
    expect(shape(L.conv1d(2, 3, { padding: 'causal' }), [null, 10, 4])).toEqual([null, 10, 2])
    expect(shape(L.maxPooling2d(), [null, 7, 9, 3])).toEqual([null, 3, 4, 3])
    expect(shape(L.maxPooling2d(2, { padding: 'same' }), [null, 7, 9, 3])).toEqual([null, 4, 5, 3])
    expect(shape(L.conv2dTranspose(2, 3, { strides: 2 }), [null, 5, 5, 3])).toEqual([null, 11, 11, 2])
    expect(shape(L.globalAveragePooling2d({ keepdims: true }), [null, 5, 5, 3])).toEqual([null, 1, 1, 3])
    expect(shape(L.conv2d(8, 3, { dataFormat: 'channels_first' }), [null, 1, 28, 28])).toEqual([null, 8, 26, 26])
    expect(shape(L.conv2d(8, 3), [null, 28, 28])).toMatch(/expected an input of rank 4/)
    expect(shape(L.conv2d(8, 5), [null, 3, 3, 1])).toMatch(/smaller than the \(dilated\) kernel/)
    expect(shape(L.conv2d(4, 3, { groups: 2 }), [null, 5, 5, 3])).toMatch(/divisible by groups 2/)
  })
  it('unknown or bad options are clear errors', () => {
    expect(() => L.conv2d(4, 3, { kernel_size: 3 } as never)).toThrow(/conv2d: unknown option 'kernel_size'.*'strides'/)
    expect(() => L.maxPooling2d(2, { poolSize: 2 } as never)).toThrow(/maxPooling2d: unknown option 'poolSize'/)
    expect(() => L.conv2d(0, 3)).toThrow(/filters to be a positive integer/)
    expect(() => L.conv2d(4, [3, 3, 3])).toThrow(/kernelSize must be a positive integer or 2 of them/)
    expect(() => L.conv2d(4, 3, { padding: 'causal' as never })).toThrow(/padding must be 'valid' or 'same'/)
    expect(() => L.conv2d(4, 3, { strides: 2, dilationRate: 2 })).toThrow(/cannot be combined/)
    expect(() => L.conv2d(4, 3, { activation: 'nope' as never })).toThrow(/unknown activation/)
    expect(() => L.depthwiseConv2d(3, { dataFormat: 'NHWC' as never })).toThrow(/dataFormat must be/)
    expect(() => L.conv2dTranspose(4, 3, { strides: 2, outputPadding: 2 })).toThrow(/smaller than the strides/)
    expect(() => L.globalMaxPooling1d({ keepdims: 1 } as never)).toThrow(/keepdims must be a boolean/)
  })
  it('channels_first gives the channels_last result transposed, with the same weights', () => {
    const first = sequential([L.conv2d(3, 2, { dataFormat: 'channels_first', inputShape: [2, 5, 4] }), L.maxPooling2d(2, { dataFormat: 'channels_first' }), L.globalAveragePooling2d({ dataFormat: 'channels_first' })] as never)
    const last = sequential([L.conv2d(3, 2, { inputShape: [5, 4, 2] }), L.maxPooling2d(2), L.globalAveragePooling2d()] as never).setWeights(first.getWeights())
    const x = tensor(values(2 * 2 * 5 * 4, 3), [2, 2, 5, 4])
    close(dataSync(first.predict(x) as Tensor), dataSync(last.predict(transpose(x, [0, 2, 3, 1])) as Tensor), 1e-6)
  })
  it('causal conv1d (tfjs has no causal padding) equals a valid conv1d on the left-padded input, and round-trips', async () => {
    const m = sequential([L.conv1d(3, 3, { padding: 'causal', dilationRate: 2, inputShape: [7, 2] })] as never)
    const x = tensor(values(2 * 7 * 2, 9), [2, 7, 2])
    const [kernel, bias] = m.getWeights()
    const want = add(conv(pad(x, [[0, 0], [4, 0], [0, 0]]), kernel, { dilation: 2 }), bias)
    close(dataSync(m.predict(x) as Tensor), dataSync(want), 1e-6)
    const dir = join(root, 'ours-causal')
    await save(m, dir)
    const back = await load(dir)
    expect(Array.from(dataSync(back.predict(x) as Tensor))).toEqual(Array.from(dataSync(m.predict(x) as Tensor)))
  })
  it('grouped conv2d and every 3-d / global 3-d pooling kind save and load (tensorfold round trip)', async () => {
    const m = sequential([
      L.conv3d(4, 2, { groups: 2, inputShape: [4, 4, 4, 2], padding: 'same' }),
      L.averagePooling3d(2),
      L.globalMaxPooling3d({ keepdims: true }),
      L.globalAveragePooling3d()
    ] as never)
    const dir = join(root, 'ours-3d')
    await save(m, dir)
    const back = await load(dir)
    const x = tensor(values(2 * 4 * 4 * 4 * 2, 5), [2, 4, 4, 4, 2])
    expect(Array.from(dataSync(back.predict(x) as Tensor))).toEqual(Array.from(dataSync(m.predict(x) as Tensor)))
    expect(back.layers.map((l) => l.config)).toEqual(m.layers.map((l) => l.config))
  })
  it('a small CNN trains: the loss falls, compiled and eager steps agree', async () => {
    const make = () =>
      sequential([L.conv2d(4, 3, { activation: 'relu', inputShape: [6, 6, 1] }), L.maxPooling2d(2), L.separableConv2d(3, 2, { padding: 'same' }), L.globalAveragePooling2d(), L.dense(1, { activation: 'sigmoid' })] as never)
    const x = tensor(values(16 * 36, 7).map((v) => Math.abs(v)), [16, 6, 6, 1])
    const y = tensor(Array.from({ length: 16 }, (_, i) => i % 2), [16, 1])
    const run = async (jit: boolean) => {
      const t = compileOrThrow(make(), { optimizer: 'adam', loss: 'binaryCrossentropy', runEagerly: !jit })
      const r = await t.fit(x, y, { epochs: 4, batchSize: 8, verbose: 0, shuffle: false })
      return r.history.history.loss as number[]
    }
    const eager = await run(false)
    const compiled = await run(true)
    expect(eager[eager.length - 1]).toBeLessThan(eager[0])
    close(compiled, eager, 1e-5)
  })
})
