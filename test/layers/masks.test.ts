/**
 * Masks through merge layers, nested models and multi-output layers, as Keras 2.15's `compute_mask`:
 * `_Merge` (add, multiply, average) ANDs its inputs' masks; `Concatenate` joins them along the time axis
 * (an input without a mask counts as all real) and ANDs them along other axes; a Sequential or
 * functional model used as a layer reports the mask of its output; `RNN` with `returnState` gives
 * `[output mask, None, …]`; `Bidirectional` with `mergeMode: null` gives the mask to both sequences.
 */
import { describe, it, expect } from 'vitest'
import { sequential, layers as L, input, model, call, tensor, toArray, key, type Tensor, type ModelLike } from '../../src/index.js'

const masksOf = (m: ModelLike, xs: ReadonlyArray<Tensor>): unknown[] =>
  (m.forward(m.params, m.state, xs, { training: false, key: key(0) }).masks ?? []).map((k) => (k === undefined ? undefined : toArray(k)))

const a = tensor([[1, 2, 0], [3, 0, 0]], undefined, 'int32') // mask [[1, 1, 0], [1, 0, 0]]
const b = tensor([[0, 2, 4], [3, 1, 0]], undefined, 'int32') // mask [[0, 1, 1], [1, 1, 0]]
const twoEmbedded = () => {
  const ia = input({ shape: [3] })
  const ib = input({ shape: [3] })
  return { ia, ib, ea: call(L.embedding(5, 2, { maskZero: true }), ia), eb: call(L.embedding(5, 2, { maskZero: true }), ib) }
}

describe('masks through merge layers', () => {
  it('add / multiply / average AND the masks of their inputs', () => {
    for (const merge of [L.add(), L.multiply(), L.average()]) {
      const { ia, ib, ea, eb } = twoEmbedded()
      const m = model({ inputs: [ia, ib], outputs: call(L.dense(1), call(merge, [ea, eb])) })
      expect(masksOf(m, [a, b])).toEqual([[[0, 1, 0], [1, 0, 0]]])
    }
  })
  it('an input without a mask does not end the AND', () => {
    const { ia, ib, ea } = twoEmbedded()
    const plain = call(L.embedding(5, 2), ib)
    const m = model({ inputs: [ia, ib], outputs: call(L.add(), [ea, plain]) })
    expect(masksOf(m, [a, b])).toEqual([[[1, 1, 0], [1, 0, 0]]])
  })
  it('concatenate along the time axis joins the masks (ones for an unmasked input); along features it ANDs them', () => {
    const { ia, ib, ea, eb } = twoEmbedded()
    const plain = call(L.embedding(5, 2), ib)
    const m = model({ inputs: [ia, ib], outputs: [call(L.concatenate({ axis: 1 }), [ea, eb]), call(L.concatenate({ axis: 1 }), [ea, plain]), call(L.concatenate(), [ea, eb])] })
    expect(masksOf(m, [a, b])).toEqual([
      [[1, 1, 0, 0, 1, 1], [1, 0, 0, 1, 1, 0]],
      [[1, 1, 0, 1, 1, 1], [1, 0, 0, 1, 1, 1]],
      [[0, 1, 0], [1, 0, 0]]
    ])
  })
  it('the AND-ed mask reaches the LSTM: a step masked in either input leaves the state unchanged', () => {
    const { ia, ib, ea, eb } = twoEmbedded()
    const m = model({ inputs: [ia, ib], outputs: call(L.lstm(3), call(L.add(), [ea, eb])) })
    // changing a (real) token where the other input is masked does not change the result
    const a2 = tensor([[2, 2, 0], [3, 0, 0]], undefined, 'int32')
    const b2 = tensor([[0, 2, 3], [3, 1, 0]], undefined, 'int32')
    expect(toArray(m.predict([a2, b2]) as Tensor)).toEqual(toArray(m.predict([a, b]) as Tensor))
    // while a change at a step real in both does
    const a3 = tensor([[1, 3, 0], [3, 0, 0]], undefined, 'int32')
    expect(toArray(m.predict([a3, b]) as Tensor)).not.toEqual(toArray(m.predict([a, b]) as Tensor))
  })
})

describe('masks through nested models and multi-output layers', () => {
  it('a sequential used as a layer reports the mask of its last layer (Keras Sequential.compute_mask)', () => {
    const inner = sequential([L.embedding(5, 2, { maskZero: true, inputShape: [3] }), L.dense(4)])
    const outer = sequential([inner, L.dense(1)])
    expect(masksOf(outer, [a])).toEqual([[[1, 1, 0], [1, 0, 0]]])
    // and in a functional model
    const i = input({ shape: [3] })
    const f = model({ inputs: i, outputs: call(L.dense(1), call(inner, i)) })
    expect(masksOf(f, [a])).toEqual([[[1, 1, 0], [1, 0, 0]]])
  })
  it('a functional model used as a layer passes its output mask on', () => {
    const i = input({ shape: [3] })
    const inner = model({ inputs: i, outputs: call(L.embedding(5, 2, { maskZero: true }), i) })
    const outer = sequential([inner, L.lstm(2, { returnSequences: true })])
    expect(masksOf(outer, [a])).toEqual([[[1, 1, 0], [1, 0, 0]]])
  })
  it('an LSTM with returnSequences and returnState: the sequence keeps the mask, the states have none', () => {
    const i = input({ shape: [3] })
    const [seq, h, c] = call(L.lstm(2, { returnSequences: true, returnState: true }), call(L.embedding(5, 2, { maskZero: true }), i)) as unknown as ReturnType<typeof input>[]
    const m = model({ inputs: i, outputs: [call(L.dense(1), seq), h, c] })
    expect(masksOf(m, [a])).toEqual([[[1, 1, 0], [1, 0, 0]], undefined, undefined])
  })
  it('bidirectional with mergeMode null gives the mask to both sequences', () => {
    const i = input({ shape: [3] })
    const [fw, bw] = call(L.bidirectional(L.gru(2, { returnSequences: true }), { mergeMode: null }), call(L.embedding(5, 2, { maskZero: true }), i)) as unknown as ReturnType<typeof input>[]
    const m = model({ inputs: i, outputs: [fw, bw] })
    expect(masksOf(m, [a])).toEqual([[[1, 1, 0], [1, 0, 0]], [[1, 1, 0], [1, 0, 0]]])
  })
})
