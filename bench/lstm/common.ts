/**
 * The LSTM benchmark's task, shared by its children: a generated sequence classification (no
 * downloads). Each sample is `T = 50` steps of `F = 8` features drawn from a fixed PRNG; its label is 1
 * when feature 0 is larger on average over the first half of the sequence than over the second half.
 * Every framework trains the same model — LSTM(64) → Dense(1, sigmoid), binary cross-entropy, Adam
 * 1e-3 (eps 1e-7), batch 64 — and reports the MLP children's fields (bench/mlp/common.ts).
 */
import { argValue, hasFlag, mulberry32 } from '../common.js'

export const LSTM = { T: 50, F: 8, units: 64, batch: 64, lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-7 } as const

export interface LstmArgs {
  readonly epochs: number
  readonly quick: boolean
  /** training samples (default 1024; 256 with --quick) */
  readonly n: number
}

export const lstmArgs = (argv: ReadonlyArray<string>): LstmArgs => {
  const quick = hasFlag(argv, 'quick')
  const epochs = Number(argValue(argv, 'epochs') ?? (quick ? 2 : 3))
  const n = Number(argValue(argv, 'n') ?? (quick ? 256 : 1024))
  if (!Number.isInteger(epochs) || epochs < 1) throw new Error(`--epochs must be a positive integer, received ${argValue(argv, 'epochs')}`)
  if (!Number.isInteger(n) || n < LSTM.batch) throw new Error(`--n must be an integer >= ${LSTM.batch}, received ${argValue(argv, 'n')}`)
  return { epochs, quick, n }
}

export interface SeqData {
  /** `[n, T, F]`, row-major */
  readonly x: Float32Array
  /** `[n]`, 0 or 1 */
  readonly y: Float32Array
  readonly n: number
}

/** `n` samples of the task, from the PRNG seeded with `seed`. */
export const seqData = (n: number, seed: number): SeqData => {
  const { T, F } = LSTM
  const rand = mulberry32(seed)
  const x = new Float32Array(n * T * F)
  const y = new Float32Array(n)
  for (let i = 0; i < n; i++) {
    let first = 0
    let second = 0
    for (let t = 0; t < T; t++)
      for (let f = 0; f < F; f++) {
        const v = 2 * rand() - 1
        x[(i * T + t) * F + f] = v
        if (f === 0) (t < T / 2 ? (first += v) : (second += v))
      }
    y[i] = first > second ? 1 : 0
  }
  return { x, y, n }
}

/** Accuracy of sigmoid outputs against 0/1 labels. */
export const binaryAccuracy = (p: ArrayLike<number>, y: ArrayLike<number>): number => {
  let ok = 0
  for (let i = 0; i < y.length; i++) if ((p[i] > 0.5 ? 1 : 0) === y[i]) ok++
  return ok / y.length
}
