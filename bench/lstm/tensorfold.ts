/**
 * The LSTM in tensorfold: `sequential([layers.lstm(64), layers.dense(1, sigmoid)])`, compile with Adam
 * 1e-3 and binary cross-entropy (`runEagerly: false` = compiled: the LSTM is one `scan` in the plan),
 * `fit(x, y, {batchSize: 64, epochs, shuffle: true})`, then `predict` on a test set.
 *
 *   node --import tsx bench/lstm/tensorfold.ts <compiled|eager> [--epochs 3] [--n 1024] [--quick] [--webgpu]
 */
import * as tf from '../../src/index.js'
import { r, runChild } from '../common.js'
import { EpochClock } from '../mlp/common.js'
import { LSTM, binaryAccuracy, lstmArgs, seqData } from './common.js'

const main = async (mode: 'compiled' | 'eager'): Promise<Record<string, unknown>> => {
  const { epochs, quick, n } = lstmArgs(process.argv.slice(3))
  // --webgpu: the same code with the WebGPU backend (compiled replays on GPU kernels, eager ops on webasm)
  const onWebGpu = process.argv.includes('--webgpu')
  if (onWebGpu) {
    const w = await tf.installWebGpu()
    if (!w.ok) throw new Error(`WebGPU: ${w.reason}`)
  }
  const be = tf.setBackend(onWebGpu ? 'webgpu' : 'webasm')
  const clock = new EpochClock()
  const train = seqData(n, 1)
  const test = seqData(256, 2)
  clock.dataLoaded()
  const { T, F, units, batch } = LSTM
  const x = tf.tensor(train.x, [n, T, F])
  const y = tf.tensor(train.y, [n, 1])
  const model = tf.sequential([tf.layers.lstm(units, { inputShape: [T, F] }), tf.layers.dense(1, { activation: 'sigmoid' })])
  const trainer = model.compile({ optimizer: tf.adam({ learningRate: LSTM.lr, epsilon: LSTM.eps }), loss: 'binaryCrossentropy', runEagerly: mode === 'eager' })
  clock.trainBegin()
  const res = await trainer.fit(x, y, {
    batchSize: batch,
    epochs,
    shuffle: true,
    verbose: 0,
    callbacks: [{ name: 'benchTiming', init: () => null, onEpochBegin: () => clock.epochStart(), onTrainBatchEnd: () => clock.step(), onEpochEnd: () => clock.epochEnd() }]
  })
  const p = (await res.trainer.predict(tf.tensor(test.x, [test.n, T, F]), { batchSize: 256 })) as tf.Tensor
  return {
    backend: be.name,
    mode,
    epochs,
    quick,
    nTrain: n,
    batch,
    trainLoss: res.history.history.loss.map((v) => r(v, 4)),
    testAcc: r(binaryAccuracy(tf.dataSync(p), test.y), 4),
    ...clock.summary(n)
  }
}

const mode = process.argv[2] === 'eager' ? 'eager' : 'compiled'
runChild({ bench: 'lstm', id: process.argv.includes('--webgpu') ? 'tensorfold-webgpu' : `tensorfold-${mode}`, lib: 'tensorfold', api: `sequential([lstm, dense]) + compile({runEagerly: ${mode === 'eager'}}) + fit` }, () => main(mode))
