/** `npm run demo:lstm`: an Embedding + LSTM classifier on a generated sequence task (see sequences/classifier.ts). */
import { runClassifier } from './sequences/classifier.js'

const { accuracy, loss } = await runClassifier({ epochs: Number(process.env.EPOCHS ?? 10), verbose: 1 })
console.log(`\nTest loss ${loss.toFixed(4)}, test accuracy ${accuracy.toFixed(3)}`)
