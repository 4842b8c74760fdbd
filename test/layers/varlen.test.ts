/**
 * Variable-length axes (issue 11): `input({shape: [null]})` of int32 tokens and `input({shape: [null, f]})`
 * train on batches of different lengths across calls and predict on yet another length, compiled and
 * eager alike; a fixed axis that the data violates is a tagged error naming the input and both shapes.
 */
import { describe, it, expect } from 'vitest'
import * as E from 'fp-ts/lib/Either.js'
import { sequential, layers as L, input, model, call, tensor, toArray, type Tensor } from '../../src/index.js'
import * as Tr from '../../src/train/index.js'

const tokens = (n: number, t: number, seed: number): Tensor =>
  tensor(Array.from({ length: n }, (_, i) => Array.from({ length: t }, (_, j) => 1 + ((i * 7 + j * 3 + seed) % 9))), undefined, 'int32')
const labels = (n: number): Tensor => tensor(Array.from({ length: n }, (_, i) => [i % 2]))
const feats = (n: number, t: number): Tensor => tensor(Array.from({ length: n }, (_, i) => Array.from({ length: t }, (_, j) => [Math.sin(i + j), Math.cos(i * j), (i + j) % 3])))

describe('variable-length axes', () => {
  it('input({shape: [null]}) int32 tokens → embedding → lstm → dense: fit on lengths 5 then 7, predict on 9 (compiled = eager)', async () => {
    const i = input({ shape: [null] })
    const out = call(L.dense(1, { activation: 'sigmoid' }), call(L.lstm(4), call(L.embedding(10, 3), i)))
    const m = model({ inputs: i, outputs: out })
    expect(m.inputShapes[0]).toEqual([null, null])
    const results: number[][] = []
    for (const runEagerly of [false, true]) {
      const t0 = m.compile({ optimizer: 'adam', loss: 'binaryCrossentropy', runEagerly })
      const r1 = await t0.fit(tokens(8, 5, 0), labels(8), { epochs: 1, batchSize: 4, verbose: 0 })
      const r2 = await r1.trainer.fit(tokens(8, 7, 1), labels(8), { epochs: 1, batchSize: 4, verbose: 0 })
      expect(r2.trainer.step).toBe(4)
      const p = (await r2.trainer.predict(tokens(3, 9, 2))) as Tensor
      expect(p.shape).toEqual([3, 1])
      results.push(Array.from(toArray(p) as number[][], (r) => r[0]))
    }
    results[0].forEach((v, k) => expect(Math.abs(v - results[1][k])).toBeLessThan(1e-5))
  })

  it('input({shape: [null, 3]}) → lstm(returnSequences) → dense: per-step outputs follow the length', async () => {
    const i = input({ shape: [null, 3] })
    const m = model({ inputs: i, outputs: call(L.dense(2), call(L.lstm(4, { returnSequences: true }), i)) })
    const t = m.compile({ optimizer: 'sgd', loss: 'mse' })
    const r1 = await t.fit(feats(4, 6), tensor(Array.from({ length: 4 }, () => Array.from({ length: 6 }, () => [0, 1]))), { epochs: 1, verbose: 0 })
    const r2 = await r1.trainer.fit(feats(4, 2), tensor(Array.from({ length: 4 }, () => Array.from({ length: 2 }, () => [1, 0]))), { epochs: 1, verbose: 0 })
    expect(((await r2.trainer.predict(feats(2, 11))) as Tensor).shape).toEqual([2, 11, 2])
    // sequential with inputShape [null, 3] too
    const s = sequential([L.gru(3, { inputShape: [null, 3] }), L.dense(1)])
    expect((s.predict(feats(2, 4)) as Tensor).shape).toEqual([2, 1])
    expect((s.predict(feats(2, 9)) as Tensor).shape).toEqual([2, 1])
  })

  it('a fixed axis is checked: data of another length is a tagged error naming the input and the shapes', async () => {
    const i = input({ shape: [4, 3] })
    const m = model({ inputs: i, outputs: call(L.lstm(2), i) })
    const t = m.compile({ optimizer: 'sgd', loss: 'mse' })
    const r = await Tr.fit(t, feats(2, 5), tensor([[0, 0], [1, 1]]), { verbose: 0 })()
    expect(E.isLeft(r) && r.left._tag).toBe('ShapeMismatch')
    expect(E.isLeft(r) && r.left.message).toMatch(/\[4, ?3\]/)
    expect(E.isLeft(r) && r.left.message).toMatch(/\[2, ?5, ?3\]/)
    // the variable axis accepts it
    const j = input({ shape: [null, 3] })
    const ok = await Tr.fit(model({ inputs: j, outputs: call(L.lstm(2), j) }).compile({ optimizer: 'sgd', loss: 'mse' }), feats(2, 5), tensor([[0, 0], [1, 1]]), { verbose: 0 })()
    expect(E.isRight(ok)).toBe(true)
  })
})
