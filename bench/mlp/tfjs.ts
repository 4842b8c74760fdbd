/**
 * The MLP in TensorFlow.js: `tf.sequential` + `compile` + `fit` (shuffle on), 784-128-64-10
 * relu/relu/softmax, Adam 1e-3, categorical cross-entropy, batch 128 (as /work/shared/bench/anchors/mlp_tfjs.mjs).
 *
 *   node --import tsx bench/mlp/tfjs.ts <cpu|wasm> [--epochs 3] [--quick]
 */
import { loadMnist, quietly, r, runChild } from '../common.js'
import { MLP } from '../config.js'
import { EpochClock, mlpArgs } from './common.js'

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
  const data = loadMnist()
  clock.dataLoaded()
  const xs = tf.tensor2d(data.train.X, [data.train.n, 784])
  const ys = tf.tensor2d(data.train.Y1, [data.train.n, 10])
  const xt = tf.tensor2d(data.test.X, [data.test.n, 784])
  const yt = tf.tensor2d(data.test.Y1, [data.test.n, 10])
  const [d0, d1, d2, d3] = MLP.dims
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [d0], units: d1, activation: 'relu' }),
      tf.layers.dense({ units: d2, activation: 'relu' }),
      tf.layers.dense({ units: d3, activation: 'softmax' })
    ]
  })
  model.compile({ optimizer: tf.train.adam(MLP.lr), loss: 'categoricalCrossentropy', metrics: ['accuracy'] })
  clock.trainBegin()
  const hist = await model.fit(xs, ys, {
    batchSize: MLP.batch,
    epochs,
    shuffle: true,
    verbose: 0,
    callbacks: {
      onEpochBegin: async () => clock.epochStart(),
      // fit has computed the batch's loss when onBatchEnd runs (cpu/wasm are synchronous)
      onBatchEnd: async () => clock.step(),
      onEpochEnd: async () => clock.epochEnd()
    }
  })
  const [testLoss, testAcc] = model.evaluate(xt, yt, { batchSize: 1000 }) as import('@tensorflow/tfjs').Scalar[]
  const acc = (await testAcc.data())[0]
  const loss = (await testLoss.data())[0]
  return {
    backend: tf.getBackend(),
    version: tf.version.tfjs,
    threads: backend === 'wasm' ? (await import('@tensorflow/tfjs-backend-wasm')).getThreadsCount() : 1,
    epochs,
    quick,
    nTrain: data.train.n,
    nTest: data.test.n,
    batch: MLP.batch,
    trainLoss: (hist.history.loss as number[]).map((v) => r(v, 4)),
    testAcc: r(acc, 4),
    testLoss: r(loss, 4),
    ...clock.summary(data.train.n)
  }
}

const backend = process.argv[2] === 'wasm' ? 'wasm' : 'cpu'
runChild({ bench: 'mlp', id: `tfjs-${backend}`, lib: 'tfjs', api: 'sequential + fit' }, () => main(backend))
