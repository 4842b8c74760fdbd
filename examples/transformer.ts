/**
 * `npm run demo:transformer`: a causal Transformer encoder block (functional API) learns, at every
 * step of a token sequence, the largest token seen so far (see sequences/transformer.ts).
 */
import { runTransformer } from './sequences/transformer.js'

const { accuracy, loss, baseline } = await runTransformer({ epochs: Number(process.env.EPOCHS ?? 8), verbose: 1 })
console.log(`\nTest loss ${loss.toFixed(4)}, per-step test accuracy ${accuracy.toFixed(3)} (the most frequent answer per step: ${baseline.toFixed(3)})`)
// the block should name the running maximum almost always
if (accuracy < 0.95) {
  console.log('below the expected 0.95')
  process.exitCode = 1
}
