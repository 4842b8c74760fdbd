/**
 * The LSTM in TensorFlow.js: `tf.sequential([tf.layers.lstm(64), tf.layers.dense(1, sigmoid)])`, Adam
 * 1e-3, binary cross-entropy, `fit` with batch 64 and shuffle on.
 *
 *   node --import tsx bench/lstm/tfjs.ts <cpu|wasm> [--epochs 3] [--n 1024] [--quick]
 */
import { quietly, r, runChild } from '../common.js'
import { EpochClock } from '../mlp/common.js'
import { LSTM, binaryAccuracy, lstmArgs, seqData } from './common.js'

const main = async (backend: 'cpu' | 'wasm'): Promise<Record<string, unknown>> => {
  const { epochs, quick, n } = lstmArgs(process.argv.slice(3))
  const tf = await quietly(async () => {
    const tf = await import('@tensorflow/tfjs')
    if (backend === 'wasm') await import('@tensorflow/tfjs-backend-wasm')
    if (!(await tf.setBackend(backend))) throw new Error(`tfjs: setBackend('${backend}') failed`)
    await tf.ready()
    return tf
  })
  const clock = new EpochClock()
  const train = seqData(n, 1)
  const test = seqData(256, 2)
  clock.dataLoaded()
  const { T, F, units, batch } = LSTM
  const xs = tf.tensor3d(train.x, [n, T, F])
  const ys = tf.tensor2d(train.y, [n, 1])
  const model = tf.sequential({ layers: [tf.layers.lstm({ units, inputShape: [T, F] }), tf.layers.dense({ units: 1, activation: 'sigmoid' })] })
  model.compile({ optimizer: tf.train.adam(LSTM.lr, LSTM.beta1, LSTM.beta2, LSTM.eps), loss: 'binaryCrossentropy' })
  clock.trainBegin()
  const hist = await model.fit(xs, ys, {
    batchSize: batch,
    epochs,
    shuffle: true,
    verbose: 0,
    callbacks: { onEpochBegin: async () => clock.epochStart(), onBatchEnd: async () => clock.step(), onEpochEnd: async () => clock.epochEnd() }
  })
  const p = model.predict(tf.tensor3d(test.x, [test.n, T, F])) as import('@tensorflow/tfjs').Tensor
  return {
    backend: tf.getBackend(),
    version: tf.version.tfjs,
    threads: backend === 'wasm' ? (await import('@tensorflow/tfjs-backend-wasm')).getThreadsCount() : 1,
    epochs,
    quick,
    nTrain: n,
    batch,
    trainLoss: (hist.history.loss as number[]).map((v) => r(v, 4)),
    testAcc: r(binaryAccuracy(await p.data(), test.y), 4),
    ...clock.summary(n)
  }
}

const backend = process.argv[2] === 'wasm' ? 'wasm' : 'cpu'
runChild({ bench: 'lstm', id: `tfjs-${backend}`, lib: 'tfjs', api: 'sequential([lstm, dense]) + fit' }, () => main(backend))
