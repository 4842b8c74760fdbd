/**
 * A Transformer encoder block in the functional API, with a causal mask, on a generated task (no
 * downloads): read a sequence of tokens and, at every step t, name the largest token seen so far
 * (steps 0..t). The causal mask is what makes this honest: step t may only look at steps ≤ t.
 *
 * token embedding + learned position embedding (a custom layer, ten lines) -> multi-head self-attention
 * (useCausalMask) -> add & layerNormalization -> feed-forward dense -> add & layerNormalization ->
 * dense softmax per step.
 */
import * as E from 'fp-ts/lib/Either.js'
import { input, call, model, layers, tensor, toArray, add, adam, Initializers, type Layer, type Tensor } from '../../src/index.js'

/** A seeded generator (mulberry32): same seed, same data. */
const rng = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

/** `n` sequences of `len` tokens in 1..vocab−1, and per step the running maximum. */
export const makeData = (n: number, len: number, vocab: number, seed: number): { readonly x: Tensor; readonly y: Tensor } => {
  const r = rng(seed)
  const xs: number[][] = []
  const ys: number[][] = []
  for (let i = 0; i < n; i++) {
    // small tokens are common and large ones rare, so the maximum changes along the sequence
    const s = Array.from({ length: len }, () => 1 + Math.floor(r() ** 2.5 * (vocab - 1)))
    let m = 0
    xs.push(s)
    ys.push(s.map((v) => (m = Math.max(m, v))))
  }
  return { x: tensor(xs, undefined, 'int32'), y: tensor(ys) }
}

/** The best accuracy without looking at the tokens: the most frequent answer at each step (on the same data). */
export const majorityBaseline = (y: Tensor): number => {
  const rows = toArray(y) as number[][]
  let hit = 0
  for (let t = 0; t < rows[0].length; t++) {
    const counts = new Map<number, number>()
    for (const r of rows) counts.set(r[t], (counts.get(r[t]) ?? 0) + 1)
    hit += Math.max(...counts.values())
  }
  return hit / (rows.length * rows[0].length)
}

type PosParams = { readonly embeddings: Tensor }
/** A learned position embedding added to its input `[batch, len, dim]` (a custom layer: a plain value). */
const positionEmbedding = (len: number, dim: number): Layer<PosParams> => ({
  name: 'position_embedding',
  kind: 'PositionEmbedding',
  config: { len, dim },
  init: (k, s) => E.right({ params: { embeddings: Initializers.randomUniform({ minval: -0.05, maxval: 0.05 }).init(k, [len, dim]) }, state: {}, outputShape: s }),
  apply: (p) => (x) => ({ y: add(x, p.embeddings), state: {} })
})

/** The model: one causal Transformer encoder block over token + position embeddings. */
export const transformer = (o: { readonly len: number; readonly vocab: number; readonly dim: number; readonly heads: number; readonly ff: number }) => {
  const ids = input({ shape: [o.len], name: 'tokens' })
  const x = call(positionEmbedding(o.len, o.dim), call(layers.embedding(o.vocab, o.dim), ids))
  const att = call(layers.multiHeadAttention(o.heads, o.dim / o.heads, { useCausalMask: true }), [x, x])
  const x1 = call(layers.layerNormalization(), call(layers.add(), [x, att]))
  const ff = call(layers.dense(o.dim), call(layers.dense(o.ff, { activation: 'relu' }), x1))
  const x2 = call(layers.layerNormalization(), call(layers.add(), [x1, ff]))
  const out = call(layers.dense(o.vocab, { activation: 'softmax', name: 'next' }), x2)
  return model({ inputs: ids, outputs: out, name: 'transformer', seed: 0 })
}

/** Build, train and evaluate; returns the held-out per-step accuracy. */
export const runTransformer = async (
  opts: { readonly n?: number; readonly epochs?: number; readonly verbose?: 0 | 1 } = {}
): Promise<{ readonly accuracy: number; readonly loss: number; readonly baseline: number }> => {
  const shape = { len: 10, vocab: 12, dim: 16, heads: 2, ff: 32 }
  const train = makeData(opts.n ?? 3000, shape.len, shape.vocab, 1)
  const test = makeData(500, shape.len, shape.vocab, 2)
  const m = transformer(shape)
  if (opts.verbose === 1) m.summary()
  const trainer = m.compile({ optimizer: adam({ learningRate: 0.01 }), loss: 'sparse_categorical_crossentropy', metrics: ['accuracy'], seed: 0 })
  const { trainer: trained } = await trainer.fit(train.x, train.y, { epochs: opts.epochs ?? 8, batchSize: 32, verbose: opts.verbose ?? 0 })
  const [loss, accuracy] = (await trained.evaluate(test.x, test.y, { verbose: 0 })) as ReadonlyArray<number>
  return { accuracy, loss, baseline: majorityBaseline(test.y) }
}
