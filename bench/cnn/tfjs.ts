/**
 * The CNN in TensorFlow.js: `tf.sequential` + `compile` + `fit` (shuffle on), the layers of
 * bench/cnn/common.ts, Adam 1e-3, categorical cross-entropy, batch 64. tfjs 4.22's wasm backend has no
 * `Conv2DBackpropFilter` kernel, so it cannot train this model: that child reports why, and tfjs-cpu is
 * the tfjs figure.
 *
 *   node --import tsx bench/cnn/tfjs.ts <cpu|wasm> [--epochs 3] [--quick]
 */
import { loadMnist, quietly, r, runChild } from '../common.js'
import { EpochClock, mlpArgs } from '../mlp/common.js'
import { CNN, trainSize } from './common.js'

const main = async (backend: 'cpu' | 'wasm'): Promise<Record<string, unknown>> => {
  const { epochs, quick } = mlpArgs(process.argv.slice(3))
  const tf = await quietly(async () => {
    const tf = await import('@tensorflow/tfjs')
    if (backend === 'wasm') await import('@tensorflow/tfjs-backend-wasm')
    if (!(await tf.setBackend(backend))) throw new Error(`tfjs: setBackend('${backend}') failed`)
    await tf.ready()
    return tf
  })
  const clock = new EpochClock()
  const data = loadMnist({ nTrain: trainSize(quick) })
  clock.dataLoaded()
  const xs = tf.tensor4d(data.train.X, [data.train.n, 28, 28, 1])
  const ys = tf.tensor2d(data.train.Y1, [data.train.n, 10])
  const xt = tf.tensor4d(data.test.X, [data.test.n, 28, 28, 1])
  const yt = tf.tensor2d(data.test.Y1, [data.test.n, 10])
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: CNN.filters[0], kernelSize: 3, activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: CNN.filters[1], kernelSize: 3, activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: CNN.dense, activation: 'relu' }),
      tf.layers.dense({ units: 10, activation: 'softmax' })
    ]
  })
  model.compile({ optimizer: tf.train.adam(CNN.lr), loss: 'categoricalCrossentropy', metrics: ['accuracy'] })
  clock.trainBegin()
  const hist = await model.fit(xs, ys, {
    batchSize: CNN.batch,
    epochs,
    shuffle: true,
    verbose: 0,
    callbacks: {
      onEpochBegin: async () => clock.epochStart(),
      onBatchEnd: async () => clock.step(),
      onEpochEnd: async () => clock.epochEnd()
    }
  })
  const [, testAcc] = model.evaluate(xt, yt, { batchSize: 500 }) as import('@tensorflow/tfjs').Scalar[]
  return {
    backend: tf.getBackend(),
    version: tf.version.tfjs,
    threads: backend === 'wasm' ? (await import('@tensorflow/tfjs-backend-wasm')).getThreadsCount() : 1,
    epochs,
    quick,
    nTrain: data.train.n,
    nTest: data.test.n,
    batch: CNN.batch,
    trainLoss: (hist.history.loss as number[]).map((v) => r(v, 4)),
    testAcc: r((await testAcc.data())[0], 4),
    ...clock.summary(data.train.n)
  }
}

const backend = process.argv[2] === 'wasm' ? 'wasm' : 'cpu'
runChild({ bench: 'cnn', id: `tfjs-${backend}`, lib: 'tfjs', api: 'sequential + fit' }, () => main(backend))
