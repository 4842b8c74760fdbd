/**
 * Shape, normalization, noise and preprocessing layers against TensorFlow.js (in-process, cpu backend), both ways:
 * every kind tfjs has (SpatialDropout2D and Normalization are not in tfjs 4.22: they round-trip through
 * tensorfold files only), BatchNormalization with non-default moving statistics, regularizers,
 * constraints and trainable flags.
 */
import { describe, it, expect, beforeAll } from 'vitest'
import * as tf from '@tensorflow/tfjs'
import { mkdirSync, writeFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { sequential, dense, layers as L, save, load, tensor, dataSync, regularizers, constraints, withTrainable, Model, type Tensor } from '../../src/index.js'
import { artifactsOf, tfjsSave, tfjsLoad } from './helpers.js'

const root = join(process.cwd(), 'tmp', 'test-io-tfjs-norm')

beforeAll(async () => {
  await tf.setBackend('cpu')
  rmSync(root, { recursive: true, force: true })
  mkdirSync(root, { recursive: true })
})

const close = (a: Float32Array | number[], b: Float32Array | number[]) => {
  expect(a.length).toBe(b.length)
  for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThanOrEqual(1e-4 * (1 + Math.abs(b[i])))
}
const seqData = (b: number, t: number, f: number, seed: number): number[][][] =>
  Array.from({ length: b }, (_, i) => Array.from({ length: t }, (_, j) => Array.from({ length: f }, (_, k) => Math.sin(seed + i * 7.1 + j * 1.3 + k * 0.7))))

const tfOut = (m: tf.LayersModel, x: tf.Tensor): Float32Array => (m.predict(x) as tf.Tensor).dataSync() as Float32Array


const img = (b: number, h: number, w: number, c: number, seed: number): number[][][][] =>
  Array.from({ length: b }, (_, i) => Array.from({ length: h }, (_, j) => Array.from({ length: w }, (_, k) => Array.from({ length: c }, (_, l) => Math.sin(seed + i * 7.1 + j * 1.3 + k * 0.7 + l * 0.3)))))
/** Non-default moving statistics, gamma and beta for a batchNormalization of `c` channels. */
const bnWeights = (c: number) => [
  Array.from({ length: c }, (_, i) => 1 + 0.1 * i),
  Array.from({ length: c }, (_, i) => -0.2 + 0.05 * i),
  Array.from({ length: c }, (_, i) => 0.3 - 0.1 * i),
  Array.from({ length: c }, (_, i) => 0.5 + 0.25 * i)
]

describe('tensorfold -> TensorFlow.js (norm family)', () => {
  it('image layers: zeroPadding2d, cropping2d, upSampling2d, batchNormalization (moving statistics set), gaussianNoise, spatialDropout... load in tfjs', async () => {
    const m0 = sequential([
      L.rescaling(0.5, { offset: 0.1, inputShape: [4, 4, 2] }),
      L.zeroPadding2d([[1, 0], [2, 1]]),
      L.cropping2d([[0, 1], [1, 1]]),
      L.upSampling2d([2, 1]),
      L.batchNormalization({ momentum: 0.9, epsilon: 1e-2, gammaRegularizer: 'l2', betaConstraint: 'nonNeg', trainable: false }),
      L.gaussianNoise(0.3),
      L.flatten(),
      dense(3, { kernelRegularizer: regularizers.l1l2({ l1: 0.01, l2: 0.02 }), kernelConstraint: constraints.maxNorm(2, 0), biasConstraint: constraints.nonNeg() }),
      L.repeatVector(2),
      L.permute([2, 1]),
      L.layerNormalization({ epsilon: 1e-3 }),
      L.spatialDropout1d(0.2)
    ])
    const ws = m0.getWeights().map((w) => Array.from(dataSync(w)))
    const bn = bnWeights(2)
    const m = m0.setWeights(ws.map((w, i) => (i < 4 ? tensor(bn[i]) : tensor(w, m0.weights[i].shape))))
    const dir = join(root, 'img-out')
    await save(m, dir)
    const tm = await tfjsLoad(dir)
    expect(tm.layers.map((l) => l.getClassName())).toEqual(['Rescaling', 'ZeroPadding2D', 'Cropping2D', 'UpSampling2D', 'BatchNormalization', 'GaussianNoise', 'Flatten', 'Dense', 'RepeatVector', 'Permute', 'LayerNormalization', 'SpatialDropout1D'])
    expect(tm.layers[4].trainable).toBe(false)
    const x = img(3, 4, 4, 2, 1)
    close(dataSync(m.predict(tensor(x))), tfOut(tm, tf.tensor(x)))
    // and back: the same model, flags and options
    const again = await load(dir)
    expect(again.config).toEqual(m.config)
    close(dataSync(again.predict(tensor(x)) as Tensor), dataSync(m.predict(tensor(x))))
  })
})

describe('TensorFlow.js -> tensorfold (norm family)', () => {
  it('a tfjs model with every norm-family kind tfjs has loads with the same predictions (BatchNormalization statistics included)', async () => {
    const tm = tf.sequential()
    tm.add(tf.layers.zeroPadding2d({ padding: [[1, 1], [0, 2]], inputShape: [3, 4, 2] }))
    tm.add(tf.layers.cropping2D({ cropping: [[1, 0], [0, 1]] }))
    tm.add(tf.layers.upSampling2d({ size: [1, 2] }))
    tm.add(tf.layers.batchNormalization({ momentum: 0.8, epsilon: 1e-3, trainable: false }))
    tm.add(tf.layers.gaussianNoise({ stddev: 0.5 }))
    tm.add(tf.layers.flatten())
    tm.add(tf.layers.dense({ units: 4, kernelRegularizer: tf.regularizers.l2({ l2: 0.05 }), kernelConstraint: tf.constraints.maxNorm({ maxValue: 3 }) }))
    tm.add(tf.layers.repeatVector({ n: 3 }))
    tm.add(tf.layers.permute({ dims: [2, 1] }))
    tm.add(tf.layers.layerNormalization({ epsilon: 1e-4 }))
    tm.add(tf.layers.spatialDropout1d({ rate: 0.3 }))
    const bnLayer = tm.layers[3]
    const bn = bnWeights(2)
    bnLayer.setWeights(bn.map((w) => tf.tensor(w)))
    const dir = join(root, 'tfjs-img')
    await tfjsSave(tm, dir)
    const m = await load(dir)
    expect(m.layers.map((l) => l.kind)).toEqual(['ZeroPadding2D', 'Cropping2D', 'UpSampling2D', 'BatchNormalization', 'GaussianNoise', 'Flatten', 'Dense', 'RepeatVector', 'Permute', 'LayerNormalization', 'SpatialDropout1D'])
    expect(m.layers[3].trainable).toBe(false)
    expect(m.layers[6].regularizers?.kernel?.config).toEqual({ l1: 0, l2: 0.05 })
    expect(m.layers[6].constraints?.kernel?.kind).toBe('MaxNorm')
    expect(Model.weights(m).filter((w) => w.trainable).map((w) => w.name)).not.toContain('batch_normalization/gamma')
    const x = img(2, 3, 4, 2, 5)
    close(dataSync(m.predict(tensor(x)) as Tensor), tfOut(tm, tf.tensor(x)))
    // rescaling alone (tfjs's Rescaling is not a sequential-first layer with an inputShape in 4.22's typings)
    const r = tf.sequential()
    r.add(tf.layers.rescaling({ scale: 2, offset: -1, inputShape: [3] } as never))
    const rdir = join(root, 'tfjs-rescaling')
    await tfjsSave(r, rdir)
    const rm = await load(rdir)
    close(dataSync(rm.predict(tensor([[1, 2, 3]])) as Tensor), [1, 3, 5])
  })

  it('SpatialDropout2D and Normalization (not in tfjs 4.22) round-trip through tensorfold files; frozen models keep their flags', async () => {
    const m = withTrainable(sequential([L.normalization({ mean: [1, 2], variance: [4, 9], inputShape: [2, 2, 2] }), L.spatialDropout2d(0.3), L.flatten(), dense(2, { name: 'head' })]), 'head', false)
    const dir = join(root, 'norm-only')
    await save(m, dir)
    const again = await load(dir)
    expect(again.config).toEqual(m.config)
    expect(Model.weights(again).map((w) => w.trainable)).toEqual([false, false])
    const x = img(2, 2, 2, 2, 3)
    close(dataSync(again.predict(tensor(x)) as Tensor), dataSync(m.predict(tensor(x))))
  })
})
