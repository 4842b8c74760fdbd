/**
 * Sequence layers against TensorFlow.js (in-process, cpu backend), both ways, on the same weights:
 * Embedding, SimpleRNN, LSTM, GRU (resetAfter: false — tfjs 4.22 refuses resetAfter: true, which is
 * checked against a float64 reference in test/layers/recurrent.test.ts).
 */
import { describe, it, expect, beforeAll } from 'vitest'
import * as tf from '@tensorflow/tfjs'
import { mkdirSync, writeFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { sequential, layers as L, save, load, tensor, dataSync, type Tensor } from '../../src/index.js'
import { artifactsOf, tfjsSave, tfjsLoad } from './helpers.js'

const root = join(process.cwd(), 'tmp', 'test-io-tfjs-seq')

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
const ids = (b: number, t: number, vocab: number, seed: number): number[][] =>
  Array.from({ length: b }, (_, i) => Array.from({ length: t }, (_, j) => Math.floor(Math.abs(Math.sin(seed + i * 3.3 + j * 1.7)) * vocab)))

const tfOut = (m: tf.LayersModel, x: tf.Tensor): Float32Array => (m.predict(x) as tf.Tensor).dataSync() as Float32Array

describe('tensorfold -> TensorFlow.js (sequence layers)', () => {
  it('Embedding + LSTM (sequences) + GRU(resetAfter false, backwards) + SimpleRNN load in tfjs with the same predictions', async () => {
    const m = sequential([
      L.embedding(11, 5, { inputShape: [6] }),
      L.lstm(7, { returnSequences: true }),
      L.gru(4, { returnSequences: true, resetAfter: false, goBackwards: true }),
      L.simpleRNN(3, { activation: 'relu' })
    ])
    const dir = join(root, 'out-rnn')
    await save(m, dir)
    const tm = await tfjsLoad(dir)
    const x = ids(3, 6, 11, 1)
    close(dataSync(m.predict(tensor(x, undefined, 'int32'))), tfOut(tm, tf.tensor(x, undefined, 'int32')))
  })
  it('an LSTM over a variable-length time axis and returnSequences with goBackwards loads in tfjs', async () => {
    const m = sequential([L.lstm(4, { inputShape: [null as unknown as number, 3], returnSequences: true, goBackwards: true, useBias: false })])
    const dir = join(root, 'out-var')
    await save(m, dir)
    const tm = await tfjsLoad(dir)
    for (const T of [2, 5]) {
      const x = seqData(2, T, 3, T)
      close(dataSync(m.predict(tensor(x))), tfOut(tm, tf.tensor(x)))
    }
  })
})

describe('wrappers, both ways', () => {
  it('tensorfold Bidirectional(LSTM, concat) + Bidirectional(GRU, ave) + TimeDistributed(Dense) loads in tfjs with the same predictions', async () => {
    const m = sequential([
      L.bidirectional(L.lstm(3, { returnSequences: true }), { inputShape: [4, 2] }),
      L.bidirectional(L.gru(2, { returnSequences: true, resetAfter: false }), { mergeMode: 'ave' }),
      L.timeDistributed(L.dense(3, { activation: 'softmax' }))
    ])
    const dir = join(root, 'out-wrap')
    await save(m, dir)
    const tm = await tfjsLoad(dir)
    const x = seqData(3, 4, 2, 4)
    close(dataSync(m.predict(tensor(x))), tfOut(tm, tf.tensor(x)))
  })
  it('tfjs Bidirectional(SimpleRNN, sum) + TimeDistributed(Dense) + Bidirectional(LSTM, mul) loads with the same predictions', async () => {
    const tm = tf.sequential({
      layers: [
        tf.layers.bidirectional({ layer: tf.layers.simpleRNN({ units: 3, returnSequences: true }) as tf.layers.RNN, mergeMode: 'sum', inputShape: [5, 2] }),
        tf.layers.timeDistributed({ layer: tf.layers.dense({ units: 4, activation: 'relu' }) }),
        tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 2 }) as tf.layers.RNN, mergeMode: 'mul' })
      ]
    })
    const dir = join(root, 'in-wrap')
    await tfjsSave(tm, dir)
    const m = await load(dir)
    const x = seqData(2, 5, 2, 8)
    close(dataSync(m.predict(tensor(x)) as Tensor), tfOut(tm, tf.tensor(x)))
  })
})

describe('TensorFlow.js -> tensorfold (sequence layers)', () => {
  it('a tfjs Embedding + LSTM (tfjs defaults: hard sigmoid) + GRU + SimpleRNN model loads with the same predictions', async () => {
    const tm = tf.sequential({
      layers: [
        tf.layers.embedding({ inputDim: 9, outputDim: 4, inputLength: 5 }),
        tf.layers.lstm({ units: 6, returnSequences: true }),
        tf.layers.gru({ units: 5, returnSequences: true, goBackwards: true }),
        tf.layers.simpleRNN({ units: 3 })
      ]
    })
    const dir = join(root, 'in-rnn')
    await tfjsSave(tm, dir)
    const m = await load(dir)
    const x = ids(4, 5, 9, 2)
    close(dataSync(m.predict(tensor(x)) as Tensor), tfOut(tm, tf.tensor(x)))
  })
})

describe('masks against TensorFlow.js', () => {
  it('Masking + LSTM + Embedding(maskZero) + GRU give tfjs predictions on padded data, both ways', async () => {
    const tm = tf.sequential({ layers: [tf.layers.masking({ maskValue: 0, inputShape: [5, 2] }), tf.layers.lstm({ units: 3, returnSequences: true }), tf.layers.simpleRNN({ units: 2 })] })
    const dir = join(root, 'in-mask')
    await tfjsSave(tm, dir)
    const m = await load(dir)
    const x = seqData(2, 5, 2, 1).map((s) => s.map((v, t) => (t === 1 || t === 4 ? [0, 0] : v)))
    close(dataSync(m.predict(tensor(x)) as Tensor), tfOut(tm, tf.tensor(x)))
    const m2 = sequential([L.embedding(7, 3, { maskZero: true, inputShape: [6] }), L.gru(4, { resetAfter: false })])
    const dir2 = join(root, 'out-mask')
    await save(m2, dir2)
    const tm2 = await tfjsLoad(dir2)
    const ix = [[1, 2, 0, 3, 0, 0], [0, 5, 6, 1, 2, 0]]
    close(dataSync(m2.predict(tensor(ix, undefined, 'int32'))), tfOut(tm2, tf.tensor(ix)))
  })
})
