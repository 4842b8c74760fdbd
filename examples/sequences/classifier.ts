/**
 * An Embedding + LSTM classifier on a generated sequence task (no downloads): variable-length token
 * sequences, padded with 0 (masked), labelled 1 when token 7 appears before token 3 (an order the
 * model has to remember across the sequence).
 */
import { sequential, layers, tensor, adam, type Tensor } from '../../src/index.js'

/** A seeded generator (mulberry32): same seed, same data. */
const rng = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

/** `n` sequences of length ≤ `maxLen` over tokens 1..9, zero-padded, with their labels. */
export const makeData = (n: number, maxLen: number, seed: number): { readonly x: Tensor; readonly y: Tensor } => {
  const r = rng(seed)
  const xs: number[][] = []
  const ys: number[][] = []
  for (let i = 0; i < n; i++) {
    const len = 4 + Math.floor(r() * (maxLen - 3))
    const s = Array.from({ length: len }, () => 1 + Math.floor(r() * 9))
    // half the sequences get a 7 and a 3 in a random order, so the label is balanced
    if (r() < 0.6) {
      const a = Math.floor(r() * len)
      let b = Math.floor(r() * len)
      if (b === a) b = (a + 1) % len
      s[a] = 7
      s[b] = 3
    }
    const i7 = s.indexOf(7)
    const i3 = s.indexOf(3)
    ys.push([i7 >= 0 && (i3 < 0 || i7 < i3) ? 1 : 0])
    xs.push([...s, ...Array(maxLen - len).fill(0)])
  }
  return { x: tensor(xs, undefined, 'int32'), y: tensor(ys) }
}

/** Build, train and evaluate the classifier; returns the held-out accuracy. */
export const runClassifier = async (opts: { readonly n?: number; readonly epochs?: number; readonly verbose?: 0 | 1 } = {}): Promise<{ readonly accuracy: number; readonly loss: number }> => {
  const maxLen = 12
  const train = makeData(opts.n ?? 2000, maxLen, 1)
  const test = makeData(400, maxLen, 2)
  const model = sequential(
    [
      layers.embedding(10, 8, { maskZero: true, inputShape: [maxLen] }),
      layers.lstm(16),
      layers.dense(1, { activation: 'sigmoid' })
    ],
    { name: 'lstm_classifier', seed: 0 }
  )
  if (opts.verbose === 1) model.summary()
  const trainer = model.compile({ optimizer: adam({ learningRate: 0.01 }), loss: 'binary_crossentropy', metrics: ['accuracy'], seed: 0 })
  const { trainer: trained } = await trainer.fit(train.x, train.y, { epochs: opts.epochs ?? 10, batchSize: 32, verbose: opts.verbose ?? 0 })
  const [loss, accuracy] = (await trained.evaluate(test.x, test.y, { verbose: 0 })) as ReadonlyArray<number>
  return { accuracy, loss }
}
