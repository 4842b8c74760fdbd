/**
 * Interop with TensorFlow.js (in-process, cpu backend): tfjs loads what tensorfold saves, tensorfold
 * loads what tfjs saves (the same format Keras models take after conversion), with identical
 * predictions within float32 tolerance.
 */
import { describe, it, expect, beforeAll } from 'vitest'
import * as tf from '@tensorflow/tfjs'
import { mkdirSync, writeFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { sequential, dense, dropout, flatten, activation, input, model, call, concatenate, multiply, average, layers as L, Io, save, load, tensor, dataSync, compileOrThrow, type Tensor } from '../../src/index.js'
import { artifactsOf, tfjsSave, tfjsLoad } from './helpers.js'

const root = join(process.cwd(), 'tmp', 'test-io-tfjs')

beforeAll(async () => {
  await tf.setBackend('cpu')
  rmSync(root, { recursive: true, force: true })
  mkdirSync(root, { recursive: true })
})

const close = (a: Float32Array | number[], b: Float32Array | number[]) => {
  expect(a.length).toBe(b.length)
  for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(b[i])))
}

const data = (rows: number, cols: number, seed: number): number[][] =>
  Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => Math.sin(seed + i * 7.1 + j * 1.3)))


describe('tensorfold -> TensorFlow.js', () => {
  it('a Sequential model with Dense/Activation/Dropout/Flatten/Reshape loads in tfjs with the same predictions', async () => {
    const m = sequential([
      dense(6, { inputShape: [4], activation: 'relu' }),
      dropout(0.3),
      L.reshape([3, 2]),
      flatten(),
      dense(5, { activation: 'tanh', useBias: false }),
      activation('softmax'),
      dense(2, { activation: 'sigmoid' })
    ])
    const dir = join(root, 'seq-out')
    await save(m, dir)
    const tm = await tfjsLoad(dir)
    const x = data(5, 4, 1)
    close(dataSync(m.predict(tensor(x))), (tm.predict(tf.tensor(x)) as tf.Tensor).dataSync() as Float32Array)
  })

  it('a Sequential model built from input(...) (an InputLayer in the file) loads in tfjs', async () => {
    const m = sequential([input({ shape: [3] }), dense(2, { activation: 'elu' })])
    const dir = join(root, 'seq-input')
    await save(m, dir)
    const tm = await tfjsLoad(dir)
    const x = data(4, 3, 2)
    close(dataSync(m.predict(tensor(x))), (tm.predict(tf.tensor(x)) as tf.Tensor).dataSync() as Float32Array)
  })

  it('a functional model with Add/Concatenate/Multiply/Average, two inputs and two outputs loads in tfjs', async () => {
    const a = input({ shape: [4], name: 'a' })
    const b = input({ shape: [4], name: 'b' })
    const d = dense(4, { activation: 'relu' })
    const s = call(L.add(), [call(d, a), b])
    const c = call(concatenate(), [s, call(multiply(), [a, b])])
    const o2 = call(average(), [call(d, b), a])
    const m = model({ inputs: [a, b], outputs: [call(dense(3), c), o2] })
    const dir = join(root, 'fn-out')
    await save(m, dir)
    const tm = await tfjsLoad(dir)
    const xa = data(3, 4, 3)
    const xb = data(3, 4, 4)
    const ours = m.predict([tensor(xa), tensor(xb)]) as unknown as ReadonlyArray<Tensor>
    const theirs = tm.predict([tf.tensor(xa), tf.tensor(xb)]) as tf.Tensor[]
    close(dataSync(ours[0]), theirs[0].dataSync() as Float32Array)
    close(dataSync(ours[1]), theirs[1].dataSync() as Float32Array)
  })

  it("a saved trainer still loads in tfjs (its optimizer weights are in the manifest's optimizer group)", async () => {
    const m = sequential([dense(3, { inputShape: [2] }), dense(1)])
    const t = compileOrThrow(m, { optimizer: 'adam', loss: 'mse' })
    const { trainer } = await t.fit(tensor(data(8, 2, 5)), tensor(data(8, 1, 6)), { epochs: 1, batchSize: 4, verbose: 0 })
    const dir = join(root, 'trainer-out')
    await save(trainer, dir)
    const tm = await tfjsLoad(dir)
    const x = data(3, 2, 7)
    close(dataSync((await trainer.predict(tensor(x))) as Tensor), (tm.predict(tf.tensor(x)) as tf.Tensor).dataSync() as Float32Array)
  })
})

describe('TensorFlow.js -> tensorfold', () => {
  it('a tfjs Sequential model (Dense, Dropout, Reshape, Flatten, Activation, LeakyReLU) loads with the same predictions', async () => {
    const tm = tf.sequential()
    tm.add(tf.layers.dense({ units: 6, activation: 'relu', inputShape: [4] }))
    tm.add(tf.layers.dropout({ rate: 0.2 }))
    tm.add(tf.layers.reshape({ targetShape: [3, 2] }))
    tm.add(tf.layers.flatten())
    tm.add(tf.layers.leakyReLU({ alpha: 0.2 }))
    tm.add(tf.layers.dense({ units: 3, activation: 'softmax', useBias: false }))
    tm.add(tf.layers.activation({ activation: 'tanh' }))
    const dir = join(root, 'tfjs-seq')
    await tfjsSave(tm, dir)
    const m = await load(dir)
    const x = data(6, 4, 8)
    close(dataSync(m.predict(tensor(x)) as Tensor), (tm.predict(tf.tensor(x)) as tf.Tensor).dataSync() as Float32Array)
  })

  it('a tfjs functional model with shared layers and merge layers loads with the same predictions', async () => {
    const a = tf.input({ shape: [4], name: 'xa' })
    const b = tf.input({ shape: [4] })
    const d = tf.layers.dense({ units: 4, activation: 'sigmoid' })
    const s = tf.layers.add().apply([d.apply(a) as tf.SymbolicTensor, d.apply(b) as tf.SymbolicTensor]) as tf.SymbolicTensor
    const c = tf.layers.concatenate().apply([s, tf.layers.multiply().apply([a, b]) as tf.SymbolicTensor]) as tf.SymbolicTensor
    const o = tf.layers.dense({ units: 2 }).apply(c) as tf.SymbolicTensor
    const av = tf.layers.average().apply([a, b]) as tf.SymbolicTensor
    const tm = tf.model({ inputs: [a, b], outputs: [o, av] })
    const dir = join(root, 'tfjs-fn')
    await tfjsSave(tm, dir)
    const m = await load(dir)
    const xa = data(3, 4, 9)
    const xb = data(3, 4, 10)
    const ours = m.predict([tensor(xa), tensor(xb)]) as unknown as ReadonlyArray<Tensor>
    const theirs = tm.predict([tf.tensor(xa), tf.tensor(xb)]) as tf.Tensor[]
    close(dataSync(ours[0]), theirs[0].dataSync() as Float32Array)
    close(dataSync(ours[1]), theirs[1].dataSync() as Float32Array)
  })

  it('a layer tensorfold does not have is an UnknownLayerKind error naming the path', async () => {
    const tm = tf.sequential()
    tm.add(tf.layers.dense({ units: 2, inputShape: [3] }))
    tm.add(tf.layers.gaussianDropout({ rate: 0.2 }))
    const dir = join(root, 'tfjs-gaussian-dropout')
    await tfjsSave(tm, dir)
    const r = await Io.load(dir)()
    expect(E.isLeft(r) && r.left._tag).toBe('UnknownLayerKind')
    expect(E.isLeft(r) && r.left.path).toContain('layers[1]')
  })
})
