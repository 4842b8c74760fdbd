/**
 * The CNN through tensorfold's Keras-style API: `sequential([conv2d, maxPooling2d, …])`, compile with
 * Adam 1e-3 and categorical cross-entropy (compiled), `fit(x, y, {batchSize: 64, epochs, shuffle})`,
 * then `predict` on the test set (accuracy on the host), and the predict throughput on its first 1,000 digits (batch 500: the
 * predict-only ratio against tfjs-wasm, which cannot train a convolution).
 *
 *   node --import tsx bench/cnn/tensorfold.ts [--epochs 3] [--quick] [--webgpu]
 */
import * as tf from '../../src/index.js'
import { accuracy, loadMnist, r, runChild } from '../common.js'
import { EpochClock, mlpArgs } from '../mlp/common.js'
import { CNN, trainSize, PREDICT_BATCH, PREDICT_SAMPLES, predictPerS } from './common.js'
import { cnnModel } from './model.js'

const main = async (): Promise<Record<string, unknown>> => {
  const { epochs, quick } = mlpArgs(process.argv.slice(2))
  const onWebGpu = process.argv.includes('--webgpu')
  if (onWebGpu) {
    const w = await tf.installWebGpu()
    if (!w.ok) throw new Error(`WebGPU: ${w.reason}`)
  }
  const be = tf.setBackend(onWebGpu ? 'webgpu' : 'webasm')
  const clock = new EpochClock()
  const data = loadMnist({ nTrain: trainSize(quick) })
  clock.dataLoaded()
  const x = tf.tensor(data.train.X, [data.train.n, 28, 28, 1])
  const y = tf.tensor(data.train.Y1, [data.train.n, 10])
  const model = cnnModel()
  const trainer = model.compile({ optimizer: tf.adam({ learningRate: CNN.lr }), loss: 'categorical_crossentropy', seed: 0 })
  const timing: tf.Callback = {
    name: 'benchTiming',
    init: () => null,
    onEpochBegin: () => clock.epochStart(),
    onTrainBatchEnd: () => clock.step(),
    onEpochEnd: () => clock.epochEnd()
  } as unknown as tf.Callback
  clock.trainBegin()
  const res = await trainer.fit(x, y, { batchSize: CNN.batch, epochs, shuffle: true, verbose: 0, callbacks: [timing] })
  const xt = tf.tensor(data.test.X, [data.test.n, 28, 28, 1])
  const probs = (await res.trainer.predict(xt, { batchSize: PREDICT_BATCH, verbose: 0 })) as unknown as tf.Tensor
  const xp = tf.tensor(data.test.X.subarray(0, PREDICT_SAMPLES * 784), [PREDICT_SAMPLES, 28, 28, 1])
  const predictSamplesPerS = await predictPerS(PREDICT_SAMPLES, async () => {
    tf.dataSync((await res.trainer.predict(xp, { batchSize: PREDICT_BATCH, verbose: 0 })) as unknown as tf.Tensor)
  })
  const loss = res.history.history.loss
  return {
    backend: be.name,
    epochs,
    quick,
    nTrain: data.train.n,
    nTest: data.test.n,
    batch: CNN.batch,
    trainLoss: Array.isArray(loss) ? loss.map((v: number) => r(v, 4)) : null,
    testAcc: r(accuracy(tf.dataSync(probs), data.test.y), 4),
    ...clock.summary(data.train.n),
    predictSamplesPerS
  }
}

runChild({ bench: 'cnn', id: process.argv.includes('--webgpu') ? 'tensorfold-webgpu' : 'tensorfold-compiled', lib: 'tensorfold', api: 'sequential + compile + fit' }, main)
