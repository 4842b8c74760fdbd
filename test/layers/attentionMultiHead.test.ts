/**
 * MultiHeadAttention (Keras 2.15) against a float64 reference of the Keras equations
 * (test/layers/attention-ref.ts): weight layout and names, key/value of other sizes, masks from the
 * inputs, the attention mask and the causal mask combined as Keras's `_compute_attention_mask`,
 * attention axes, output shape, options; gradients against finite differences; compiled == eager.
 */
import { describe, it, expect } from 'vitest'
import * as E from 'fp-ts/lib/Either.js'
import { layers as L, input, model, call, tensor, dataSync, toArray, key, Layer, regularizers, type Tensor, type AnyLayer } from '../../src/index.js'
import { checkGrads, compiledMatchesEager } from '../../laws/index.js'
import { mhaRef, stepMask, type Seq, type MhaWeights } from './attention-ref.js'

const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-5) => {
  expect(a.length).toBe(b.length)
  for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThanOrEqual(tol * (1 + Math.abs(b[i])))
}
const seqData = (b: number, t: number, f: number, seed: number): Seq =>
  Array.from({ length: b }, (_, i) => Array.from({ length: t }, (_, j) => Array.from({ length: f }, (_, k) => Math.sin(seed + i * 7.1 + j * 1.3 + k * 0.7))))
const pad = (x: Seq, n: number[]): Seq => x.map((s, b) => s.map((st, t) => (t >= s.length - n[b] ? st.map(() => 0) : st)))
const flat = (x: unknown[]): number[] => x.flat(4) as number[]
/** non-zero biases so that they count */
const withBiases = (m: ReturnType<typeof model>) => m.setWeights(m.getWeights().map((w, i) => (w.shape.length <= 2 && i % 2 === 1 ? tensor(Array.from({ length: w.size }, (_, j) => 0.1 * Math.sin(i + j)), w.shape) : w)))
const weightsOf = (m: ReturnType<typeof model>, bias = true): MhaWeights => {
  const w = m.getWeights().map((t) => toArray(t))
  return bias
    ? { wq: w[0] as never, bq: w[1] as never, wk: w[2] as never, bk: w[3] as never, wv: w[4] as never, bv: w[5] as never, wo: w[6] as never, bo: w[7] as never }
    : { wq: w[0] as never, wk: w[1] as never, wv: w[2] as never, wo: w[3] as never }
}

describe('multiHeadAttention', () => {
  it("has Keras's weight layout and names; cross-attention with a key of its own matches the Keras equations", () => {
    const q = input({ shape: [3, 4] })
    const v = input({ shape: [5, 2] })
    const k = input({ shape: [5, 3] })
    const m = withBiases(model({ inputs: [q, v, k], outputs: call(L.multiHeadAttention(2, 3, { valueDim: 4 }), [q, v, k]) }))
    expect(m.weights.map((w) => [w.name, w.shape])).toEqual([
      ['multi_head_attention/query/kernel', [4, 2, 3]],
      ['multi_head_attention/query/bias', [2, 3]],
      ['multi_head_attention/key/kernel', [3, 2, 3]],
      ['multi_head_attention/key/bias', [2, 3]],
      ['multi_head_attention/value/kernel', [2, 2, 4]],
      ['multi_head_attention/value/bias', [2, 4]],
      ['multi_head_attention/attention_output/kernel', [2, 4, 4]],
      ['multi_head_attention/attention_output/bias', [4]]
    ])
    const [qd, vd, kd] = [seqData(2, 3, 4, 1), seqData(2, 5, 2, 2), seqData(2, 5, 3, 3)]
    const y = m.predict([tensor(qd), tensor(vd), tensor(kd)]) as Tensor
    expect(y.shape).toEqual([2, 3, 4])
    close(dataSync(y), flat(mhaRef(qd, vd, kd, weightsOf(m)).out))
  })
  it('query/value masks (masking), an attention mask input and the causal mask combine as Keras; scores [b, heads, T, S] are returned', () => {
    const q = input({ shape: [4, 3] })
    const v = input({ shape: [4, 3] })
    const am = input({ shape: [4, 4] })
    const [mq, mv] = [call(L.masking(0), q), call(L.masking(0), v)]
    const [y, s] = call(L.multiHeadAttention(2, 2, { useCausalMask: true, returnAttentionScores: true, outputShape: 5 }), [mq, mv, mv, am])
    const m = withBiases(model({ inputs: [q, v, am], outputs: [y, s] }))
    const qd = pad(seqData(2, 4, 3, 4), [1, 0])
    const vd = pad(seqData(2, 4, 3, 5), [0, 2])
    // a user mask that also removes one pair; 2 means "attend" as any non-zero value (Keras casts to bool)
    const amd = [0, 1].map((b) => [0, 1, 2, 3].map((i) => [0, 1, 2, 3].map((j) => (b === 0 && i === 3 && j === 1 ? 0 : 2))))
    const [yt, st] = m.predict([tensor(qd), tensor(vd), tensor(amd)]) as unknown as Tensor[]
    expect(yt.shape).toEqual([2, 4, 5])
    expect(st.shape).toEqual([2, 2, 4, 4])
    const qm = stepMask(qd)
    const vm = stepMask(vd)
    const mask = [0, 1].map((b) => [0, 1, 2, 3].map((i) => [0, 1, 2, 3].map((j) => (amd[b][i][j] !== 0 && qm[b][i] === 1 && vm[b][j] === 1 && j <= i ? 1 : 0))))
    const ref = mhaRef(qd, vd, vd, weightsOf(m), mask)
    close(dataSync(yt), flat(ref.out))
    close(dataSync(st), flat(ref.scores))
  })
  it('embedding({maskZero}) masks reach it in a functional model, and the output carries the query mask', () => {
    const net = (t: number, maskZero = true) => {
      const ids = input({ shape: [t] })
      const e = call(L.embedding(9, 4, { maskZero }), ids)
      const att = call(L.multiHeadAttention(2, 2, { useBias: false }), [e, e])
      return model({ inputs: ids, outputs: call(L.lstm(3), att) })
    }
    const m = net(5)
    const m3 = net(3).setWeights(m.getWeights())
    // padding at the end changes nothing: attention ignores it and the LSTM skips it (the query mask passed on)
    const a = dataSync(m3.predict(tensor([[3, 1, 4]], undefined, 'int32')) as Tensor)
    const b = dataSync(m.predict(tensor([[3, 1, 4, 0, 0]], undefined, 'int32')) as Tensor)
    // without maskZero the padding counts
    const u = dataSync(net(5, false).setWeights(m.getWeights()).predict(tensor([[3, 1, 4, 0, 0]], undefined, 'int32')) as Tensor)
    expect(Math.abs(u[0] - a[0])).toBeGreaterThan(1e-4)
    close(b, a)
  })
  it('attention axes: over one axis of a 4-d input it equals attention per slice; over both it equals the flattened sequence', () => {
    const layer1 = L.multiHeadAttention(2, 3, { attentionAxes: [2] })
    const x4 = input({ shape: [2, 3, 4] })
    const m4 = withBiases(model({ inputs: x4, outputs: call(layer1, [x4, x4]) }))
    const x3 = input({ shape: [3, 4] })
    const m3 = model({ inputs: x3, outputs: call(L.multiHeadAttention(2, 3), [x3, x3]) }).setWeights(m4.getWeights())
    const d = Array.from({ length: 2 }, (_, b) => seqData(2, 3, 4, b + 1))
    const y4 = toArray(m4.predict(tensor(d)) as Tensor) as number[][][][]
    for (let s = 0; s < 2; s++) close(flat(y4.map((b) => b[s])), dataSync(m3.predict(tensor(d.map((b) => b[s]))) as Tensor))
    // default axes on 4-d: every non-batch, non-feature axis attends -> the flattened [b, 6, f] sequence
    const all = model({ inputs: x4, outputs: call(L.multiHeadAttention(2, 3), [x4, x4]) }).setWeights(m4.getWeights())
    const x6 = input({ shape: [6, 4] })
    const m6 = model({ inputs: x6, outputs: call(L.multiHeadAttention(2, 3), [x6, x6]) }).setWeights(m4.getWeights())
    close(dataSync(all.predict(tensor(d)) as Tensor), dataSync(m6.predict(tensor(d.map((b) => b.flat()))) as Tensor))
    expect(flat(toArray(all.predict(tensor(d)) as Tensor) as never)).not.toEqual(flat(y4))
  })
  it('outputShape as a list, useBias false, regularizers on every projection kernel, and bad options are Left', () => {
    const x = input({ shape: [3, 4] })
    const m = model({ inputs: x, outputs: call(L.multiHeadAttention(1, 2, { outputShape: [2, 3], useBias: false, kernelRegularizer: regularizers.l2(0.1) }), [x, x]) })
    expect(m.outputShapes[0]).toEqual([null, 3, 2, 3])
    expect(m.weights.map((w) => w.name)).toEqual(['query', 'key', 'value', 'attention_output'].map((s) => `multi_head_attention/${s}/kernel`))
    expect(m.paramSpecs.filter((p) => p.regularizer !== undefined).length).toBe(4)
    // the same as outputShape 6 with the kernel [1, 2, 6]: the output projection contracts heads and channels
    const m6 = model({ inputs: x, outputs: call(L.multiHeadAttention(1, 2, { outputShape: 6, useBias: false }), [x, x]) })
    const ws = m.getWeights()
    const m6w = m6.setWeights([ws[0], ws[1], ws[2], tensor(dataSync(ws[3]), [1, 2, 6])])
    const xd = tensor(seqData(2, 3, 4, 2))
    close(dataSync(m.predict(xd) as Tensor), dataSync(m6w.predict(xd) as Tensor))
    close(dataSync(m6w.predict(xd) as Tensor), flat(mhaRef(seqData(2, 3, 4, 2), seqData(2, 3, 4, 2), seqData(2, 3, 4, 2), weightsOf(m6w, false)).out))
    for (const bad of [
      Layer.multiHeadAttention(0, 2),
      Layer.multiHeadAttention(2, 2, { dropout: 1.5 }),
      Layer.multiHeadAttention(2, 2, { attentionAxis: 1 } as never),
      Layer.multiHeadAttention(2, 2, { outputShape: [0] })
    ])
      expect(E.isLeft(bad)).toBe(true)
    expect(() => model({ inputs: x, outputs: call(L.multiHeadAttention(2, 2, { attentionAxes: [2] }), [x, x]) })).toThrow(/attentionAxes/)
    expect(() => call(L.multiHeadAttention(2, 2), [x, input({ shape: [4] })])).toThrow(/same rank/)
  })
})

describe('multiHeadAttention: gradients and training', () => {
  it('gradients (weights and inputs, causal mask and a value mask) match finite differences', () => {
    const layer: AnyLayer = L.multiHeadAttention(2, 2, { valueDim: 3, useCausalMask: true })
    const built = layer.init(key(3), [[null, 3, 2], [null, 3, 2]])
    if (E.isLeft(built)) throw new Error(built.left.message)
    // a value mask (a fully masked query row would be Keras's garbage row: −1e9 swamps float64 finite differences)
    const masks = [undefined, tensor([[1, 1, 1], [1, 0, 1]])]
    const f = ([p, q, v]: readonly [typeof built.right.params, Tensor, Tensor]) =>
      layer.apply(p, built.right.state)([q, v], { training: false, key: key(0), masks }).y as Tensor
    const r = checkGrads(f as never, [built.right.params, tensor(seqData(2, 3, 2, 1)), tensor(seqData(2, 3, 2, 2))] as never)
    expect(r.ok, JSON.stringify(r.worst)).toBe(true)
  })
  it('a causal self-attention block trains the same compiled and eager (with dropout)', async () => {
    const x = input({ shape: [4, 3] })
    const h = call(L.multiHeadAttention(2, 2, { useCausalMask: true, dropout: 0.2 }), [x, x])
    const m = model({ inputs: x, outputs: call(L.dense(1, { activation: 'sigmoid' }), call(L.flatten(), call(L.add(), [x, h]))) })
    const xs = tensor(seqData(8, 4, 3, 2))
    const ys = tensor(Array.from({ length: 8 }, (_, i) => [i % 2]))
    const r = await compiledMatchesEager(m, { optimizer: 'adam', loss: 'binary_crossentropy' }, xs, ys, { epochs: 2, batchSize: 4, shuffle: false })
    expect(r.ok, JSON.stringify(r)).toBe(true)
  })
})
