/**
 * Attention and AdditiveAttention (Keras 2.15) against float64 references of the Keras equations
 * (test/layers/attention-ref.ts), with masks, the causal mask and returned scores; options; gradients
 * against finite differences.
 */
import { describe, it, expect } from 'vitest'
import * as E from 'fp-ts/lib/Either.js'
import { layers as L, input, model, call, tensor, dataSync, toArray, key, Layer, type Tensor, type AnyLayer } from '../../src/index.js'
import { checkGrads, compiledMatchesEager } from '../../laws/index.js'
import { denseAttentionRef, stepMask, dot, type Seq } from './attention-ref.js'

const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-5) => {
  expect(a.length).toBe(b.length)
  for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThanOrEqual(tol * (1 + Math.abs(b[i])))
}
export const seqData = (b: number, t: number, f: number, seed: number): Seq =>
  Array.from({ length: b }, (_, i) => Array.from({ length: t }, (_, j) => Array.from({ length: f }, (_, k) => Math.sin(seed + i * 7.1 + j * 1.3 + k * 0.7))))
/** zero the last `n[b]` steps of each sequence (padding, masked by `masking(0)`) */
const pad = (x: Seq, n: number[]): Seq => x.map((s, b) => s.map((st, t) => (t >= s.length - n[b] ? st.map(() => 0) : st)))
const flat = (x: Seq | number[][][][]): number[] => (x as unknown[]).flat(3) as number[]

/** A functional model applying `layer` to [query, value] (or [query, value, key]) through `masking(0)` when `masked`. */
const wire = (layer: AnyLayer, shapes: ReadonlyArray<ReadonlyArray<number>>, masked = false) => {
  const ins = shapes.map((s) => input({ shape: s }))
  const xs = masked ? ins.map((i) => call(L.masking(0), i)) : ins
  const out = call(layer as never, xs as never) as unknown
  return model({ inputs: ins, outputs: out as never })
}

describe('attention (dot / concat scores)', () => {
  it('dot scores without scale match the Keras equations; weights are none; output is [b, Tq, dv]', () => {
    const q = seqData(2, 3, 4, 1)
    const v = seqData(2, 5, 4, 2)
    const m = wire(L.attention(), [[3, 4], [5, 4]])
    expect(m.getWeights()).toEqual([])
    const y = m.predict([tensor(q), tensor(v)]) as Tensor
    expect(y.shape).toEqual([2, 3, 4])
    close(dataSync(y), flat(denseAttentionRef(q, v, v, { score: dot }).out))
  })
  it('useScale (a learned scalar), a key input, masks from masking(0) and the causal mask, with scores returned', () => {
    const q = pad(seqData(2, 4, 3, 1), [1, 0])
    const v = pad(seqData(2, 4, 2, 2), [0, 2])
    const k = seqData(2, 4, 3, 3)
    const layer = L.attention({ useScale: true, useCausalMask: true, returnAttentionScores: true })
    const m0 = wire(layer, [[4, 3], [4, 2], [4, 3]], true)
    expect(m0.weights.map((w) => w.name)).toEqual(['attention/scale'])
    const m = m0.setWeights([tensor(1.7)])
    const [y, w] = m.predict([tensor(q), tensor(v), tensor(k)]) as unknown as Tensor[]
    expect(y.shape).toEqual([2, 4, 2])
    expect(w.shape).toEqual([2, 4, 4])
    const ref = denseAttentionRef(q, v, k, { score: (a, b) => 1.7 * dot(a, b), qMask: stepMask(q), vMask: stepMask(v), causal: true })
    close(dataSync(y), flat(ref.out))
    close(dataSync(w), flat(ref.weights))
  })
  it("scoreMode 'concat' (with scale): concat_score_weight · Σ tanh(scale·(q + k))", () => {
    const q = seqData(2, 3, 3, 4)
    const v = seqData(2, 2, 3, 5)
    const m0 = wire(L.attention({ scoreMode: 'concat', useScale: true }), [[3, 3], [2, 3]])
    expect(m0.weights.map((w) => w.name)).toEqual(['attention/scale', 'attention/concat_score_weight'])
    const m = m0.setWeights([tensor(0.6), tensor(-1.3)])
    const score = (a: number[], b: number[]) => -1.3 * a.reduce((s, x, i) => s + Math.tanh(0.6 * (x + b[i])), 0)
    close(dataSync(m.predict([tensor(q), tensor(v)]) as Tensor), flat(denseAttentionRef(q, v, v, { score }).out))
  })
  it('the output carries the query mask (Keras compute_mask) and rejects bad options and inputs', () => {
    expect(E.isLeft(Layer.attention({ scoreMode: 'general' as never }))).toBe(true)
    expect(E.isLeft(Layer.attention({ dropout: 1 }))).toBe(true)
    expect(E.isLeft(Layer.attention({ causal: true } as never))).toBe(true)
    expect(() => wire(L.attention(), [[3, 4], [5, 3]])).toThrow(/same last axis/)
    expect(() => call(L.attention() as never, [input({ shape: [3, 4] })] as never)).toThrow(/\[query, value\]/)
  })
})

describe('additiveAttention', () => {
  it('Σ scale·tanh(q + k) (scale [dim], glorot-uniform) with masks matches the Keras equations', () => {
    const q = pad(seqData(2, 3, 4, 6), [0, 1])
    const v = pad(seqData(2, 5, 4, 7), [2, 0])
    const m = wire(L.additiveAttention({ returnAttentionScores: true }), [[3, 4], [5, 4]], true)
    expect(m.weights.map((w) => [w.name, w.value.shape])).toEqual([['additive_attention/scale', [4]]])
    const scale = toArray(m.getWeights()[0]) as number[]
    const [y, w] = m.predict([tensor(q), tensor(v)]) as unknown as Tensor[]
    const score = (a: number[], b: number[]) => a.reduce((s, x, i) => s + scale[i] * Math.tanh(x + b[i]), 0)
    const ref = denseAttentionRef(q, v, v, { score, qMask: stepMask(q), vMask: stepMask(v) })
    close(dataSync(y), flat(ref.out))
    close(dataSync(w), flat(ref.weights))
  })
  it('useScale false has no weights', () => {
    const m = wire(L.additiveAttention({ useScale: false }), [[3, 2], [2, 2]])
    expect(m.getWeights()).toEqual([])
  })
})

describe('gradients, training, dropout', () => {
  it('gradients through attention (dot+scale, concat, additive) with masks and the causal mask match finite differences (weights and inputs)', () => {
    const masks = [tensor([[1, 1, 0], [1, 1, 1]]), tensor([[1, 0, 1, 1], [1, 1, 1, 0]])]
    const cases: AnyLayer[] = [
      L.attention({ useScale: true }),
      L.attention({ scoreMode: 'concat', useScale: true, useCausalMask: true }),
      L.additiveAttention({ useCausalMask: true })
    ]
    for (const layer of cases) {
      const built = layer.init(key(1), [[null, 3, 2], [null, 4, 2]])
      if (E.isLeft(built)) throw new Error(built.left.message)
      const q = tensor(seqData(2, 3, 2, 5))
      const v = tensor(seqData(2, 4, 2, 6))
      const f = ([p, qq, vv]: readonly [typeof built.right.params, Tensor, Tensor]) =>
        layer.apply(p, built.right.state)([qq, vv], { training: false, key: key(0), masks }).y as Tensor
      const r = checkGrads(f as never, [built.right.params, q, v] as never)
      expect(r.ok, `${layer.kind} ${JSON.stringify(r.worst)}`).toBe(true)
    }
  })
  it('self-attention models train the same compiled and eager', async () => {
    for (const att of [L.attention({ useScale: true, useCausalMask: true }), L.additiveAttention()] as AnyLayer[]) {
      const x = input({ shape: [4, 3] })
      const h = call(att as never, [x, x] as never) as never
      const m = model({ inputs: x, outputs: call(L.dense(1, { activation: 'sigmoid' }), call(L.flatten(), h)) })
      const xs = tensor(seqData(8, 4, 3, 2))
      const ys = tensor(Array.from({ length: 8 }, (_, i) => [i % 2]))
      const r = await compiledMatchesEager(m, { optimizer: 'adam', loss: 'binary_crossentropy' }, xs, ys, { epochs: 2, batchSize: 4, shuffle: false })
      expect(r.ok, JSON.stringify(r)).toBe(true)
    }
  })
  it('dropout acts on the attention weights only while training (the returned scores are the dropped weights, as Keras)', () => {
    const layer = L.attention({ dropout: 0.5, returnAttentionScores: true })
    const b = layer.init(key(0), [[null, 3, 2], [null, 3, 2]])
    if (E.isLeft(b)) throw new Error('init')
    const q = tensor(seqData(1, 3, 2, 1))
    const run = (training: boolean, k: number) => layer.apply(b.right.params, b.right.state)([q, q], { training, key: key(k) }).y
    const [y0, w0] = run(false, 1)
    expect(Array.from(dataSync(run(false, 2)[0]))).toEqual(Array.from(dataSync(y0)))
    const [, w1] = run(true, 1)
    const kept = Array.from(dataSync(w1))
    const full = Array.from(dataSync(w0))
    // each weight is dropped (0) or scaled by 1 / (1 − 0.5)
    kept.forEach((v, i) => expect(v === 0 || Math.abs(v - 2 * full[i]) < 1e-6).toBe(true))
    expect(kept.some((v) => v === 0)).toBe(true)
  })
})
