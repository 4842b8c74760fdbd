/**
 * The CNN in TensorFlow.js: `tf.sequential` + `compile` + `fit` (shuffle on), the layers of
 * bench/cnn/common.ts, Adam 1e-3, categorical cross-entropy, batch 64.
 *
 * - **cpu**: tfjs-cpu trains this CNN at a few dozen samples/s, so a full run would take many minutes;
 *   the child trains one epoch of {@link BOUNDED_BATCHES} batches (fewer, at least 4, when training
 *   passes {@link BOUNDED_TRAIN_S} seconds: a busy machine) and reports samples/s over the batches after the first two (the same throughput the other children report per steady epoch) and
 *   no test accuracy (too few samples to compare).
 * - **wasm**: tfjs 4.22's wasm backend has no `Conv2DBackpropFilter` kernel, so it cannot train a
 *   convolution: the child tries one batch, reports the error as `trainError` (no training figures), and
 *   measures predict throughput, which the wasm backend can do — the predict-only ratio.
 *
 *   node --import tsx bench/cnn/tfjs.ts <cpu|wasm> [--epochs 3] [--quick]
 */
import { loadMnist, quietly, r, runChild } from '../common.js'
import { EpochClock, mlpArgs } from '../mlp/common.js'
import { CNN, BOUNDED_BATCHES, BOUNDED_TRAIN_S, PREDICT_BATCH, PREDICT_SAMPLES, timedBatchesPerS, predictPerS } from './common.js'

const main = async (backend: 'cpu' | 'wasm'): Promise<Record<string, unknown>> => {
  const { quick } = mlpArgs(process.argv.slice(3))
  const tf = await quietly(async () => {
    const tf = await import('@tensorflow/tfjs')
    if (backend === 'wasm') await import('@tensorflow/tfjs-backend-wasm')
    if (!(await tf.setBackend(backend))) throw new Error(`tfjs: setBackend('${backend}') failed`)
    await tf.ready()
    return tf
  })
  const clock = new EpochClock()
  const nTrain = BOUNDED_BATCHES * CNN.batch
  const data = loadMnist({ nTrain })
  clock.dataLoaded()
  const xs = tf.tensor4d(data.train.X, [data.train.n, 28, 28, 1])
  const ys = tf.tensor2d(data.train.Y1, [data.train.n, 10])
  const xt = tf.tensor4d(data.test.X.subarray(0, PREDICT_SAMPLES * 784), [PREDICT_SAMPLES, 28, 28, 1])
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
  const batchEnds: number[] = []
  clock.trainBegin()
  const t0 = performance.now()
  let trainError: string | undefined
  let loss: number[] = []
  try {
    const hist = await model.fit(backend === 'wasm' ? xs.slice(0, CNN.batch) : xs, backend === 'wasm' ? ys.slice(0, CNN.batch) : ys, {
      batchSize: CNN.batch,
      epochs: 1,
      shuffle: true,
      verbose: 0,
      callbacks: {
        onEpochBegin: async () => clock.epochStart(),
        onBatchEnd: async () => {
          clock.step()
          batchEnds.push(performance.now())
          if (batchEnds.length >= 4 && (performance.now() - t0) / 1000 > BOUNDED_TRAIN_S) model.stopTraining = true
        },
        onEpochEnd: async () => clock.epochEnd()
      }
    })
    loss = (hist.history.loss as number[]).map((v) => r(v, 4))
  } catch (e) {
    trainError = (e as Error).message
  }
  // predict throughput: the ratio that tfjs-wasm can give (tfjs-cpu's training figure stands for tfjs)
  const predictSamplesPerS =
    backend === 'wasm'
      ? await predictPerS(PREDICT_SAMPLES, async () => {
          const p = model.predict(xt, { batchSize: PREDICT_BATCH }) as import('@tensorflow/tfjs').Tensor
          await p.data()
          p.dispose()
        })
      : undefined
  const s = clock.summary(nTrain)
  return {
    backend: tf.getBackend(),
    version: tf.version.tfjs,
    threads: backend === 'wasm' ? (await import('@tensorflow/tfjs-backend-wasm')).getThreadsCount() : 1,
    epochs: 1,
    quick,
    nTrain,
    batch: CNN.batch,
    ...(trainError === undefined
      ? { ...s, trainLoss: loss, samplesPerS: timedBatchesPerS(batchEnds, CNN.batch), bounded: `${batchEnds.length} batches, timed from batch 3` }
      : { trainError, samplesPerS: null, firstStepS: null, peakRssMB: s.peakRssMB }),
    testAcc: null,
    predictSamplesPerS
  }
}

const backend = process.argv[2] === 'wasm' ? 'wasm' : 'cpu'
runChild({ bench: 'cnn', id: `tfjs-${backend}`, lib: 'tfjs', api: 'sequential + fit' }, () => main(backend))
