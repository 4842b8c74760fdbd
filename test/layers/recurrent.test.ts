import { describe, it, expect } from 'vitest'
import * as E from 'fp-ts/lib/Either.js'
import {
  sequential, layers as L, input, model, call, tensor, dataSync, toArray, key, grad, sum, save, load, Layer, type Tensor
} from '../../src/index.js'
import { checkGrads, compiledMatchesEager } from '../../laws/index.js'
import { mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'

const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-5) => {
  expect(a.length).toBe(b.length)
  for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThanOrEqual(tol * (1 + Math.abs(b[i])))
}
const seqData = (b: number, t: number, f: number, seed: number): number[][][] =>
  Array.from({ length: b }, (_, i) => Array.from({ length: t }, (_, j) => Array.from({ length: f }, (_, k) => Math.sin(seed + i * 7.1 + j * 1.3 + k * 0.7))))

// float64 references, written from the Keras equations
type M = number[][]
const mm = (a: M, b: M): M => a.map((r) => b[0].map((_, j) => r.reduce((s, v, k) => s + v * b[k][j], 0)))
const sig = (v: number) => 1 / (1 + Math.exp(-v))
const mat = (t: Tensor): M => toArray(t) as M
const vec = (t: Tensor): number[] => toArray(t) as number[]

const gruRef = (x: number[][][], W: M, U: M, bias: M, u: number): number[][] =>
  x.map((seq) => {
    let h = Array<number>(u).fill(0)
    for (const xt of seq) {
      const xw = mm([xt], W)[0].map((v, j) => v + bias[0][j])
      const hu = mm([h], U)[0].map((v, j) => v + bias[1][j])
      const z = h.map((_, j) => sig(xw[j] + hu[j]))
      const r = h.map((_, j) => sig(xw[u + j] + hu[u + j]))
      const hh = h.map((_, j) => Math.tanh(xw[2 * u + j] + r[j] * hu[2 * u + j]))
      h = h.map((hp, j) => z[j] * hp + (1 - z[j]) * hh[j])
    }
    return h
  })

const lstmRef = (x: number[][][], W: M, U: M, b: number[], u: number): number[][] =>
  x.map((seq) => {
    let h = Array<number>(u).fill(0)
    let c = Array<number>(u).fill(0)
    for (const xt of seq) {
      const z = mm([xt], W)[0].map((v, j) => v + mm([h], U)[0][j] + b[j])
      c = c.map((cp, j) => sig(z[u + j]) * cp + sig(z[j]) * Math.tanh(z[2 * u + j]))
      h = h.map((_, j) => sig(z[3 * u + j]) * Math.tanh(c[j]))
    }
    return h
  })

describe('recurrent layers', () => {
  it('GRU (Keras default resetAfter: true, bias [2, 3u]) matches a float64 reference of the Keras equations', () => {
    const m = sequential([L.gru(3, { inputShape: [4, 2] })])
    const [W, U, b] = m.getWeights()
    expect(b.shape).toEqual([2, 9])
    expect(m.weights.map((w) => w.name)).toEqual(['gru/kernel', 'gru/recurrent_kernel', 'gru/bias'])
    const x = seqData(2, 4, 2, 3)
    // a non-zero bias so both halves count
    const m2 = m.setWeights([W, U, tensor(Array.from({ length: 18 }, (_, i) => Math.sin(i)), [2, 9])])
    const [, , b2] = m2.getWeights()
    close(dataSync(m2.predict(tensor(x))), gruRef(x, mat(W), mat(U), mat(b2), 3).flat())
  })
  it('LSTM matches a float64 reference; unitForgetBias sets the forget bias to 1; the recurrent kernel is orthogonal', () => {
    const m = sequential([L.lstm(2, { inputShape: [3, 2] })])
    const [W, U, b] = m.getWeights()
    expect(vec(b)).toEqual([0, 0, 1, 1, 0, 0, 0, 0])
    // U is [2, 8]: its rows are orthonormal
    const u = mat(U)
    close([u[0].reduce((s, v, j) => s + v * u[1][j], 0), u[0].reduce((s, v) => s + v * v, 0)], [0, 1], 1e-5)
    const x = seqData(3, 3, 2, 1)
    close(dataSync(m.predict(tensor(x))), lstmRef(x, mat(W), mat(U), vec(b), 2).flat())
  })
  it('returnSequences, returnState and goBackwards give Keras shapes and values', () => {
    const x = tensor(seqData(2, 5, 3, 2))
    const inp = input({ shape: [5, 3] })
    const l = L.lstm(4, { returnSequences: true, returnState: true })
    const outs = call(l, inp)
    const mdl = model({ inputs: inp, outputs: [...(outs as never as ReadonlyArray<never>)] })
    const [seq, h, c] = mdl.predict(x) as unknown as Tensor[]
    expect(seq.shape).toEqual([2, 5, 4])
    expect(h.shape).toEqual([2, 4])
    expect(c.shape).toEqual([2, 4])
    // the last output is the final h
    close(dataSync(seq).slice(16, 20), dataSync(h).slice(0, 4))
    // goBackwards on x equals forwards on x reversed in time
    const f = sequential([L.simpleRNN(3, { inputShape: [5, 3], returnSequences: true })])
    const bk = sequential([L.simpleRNN(3, { inputShape: [5, 3], returnSequences: true, goBackwards: true })]).setWeights(f.getWeights())
    const xr = tensor(seqData(2, 5, 3, 2).map((s) => s.slice().reverse()))
    close(dataSync(bk.predict(x)), dataSync(f.predict(xr)))
  })
  it('gradients through an LSTM and a GRU match finite differences (weights and inputs)', () => {
    for (const layer of [L.lstm(2), L.gru(2), L.gru(2, { resetAfter: false, goBackwards: true })]) {
      const built = layer.init(key(1), [null, 3, 2])
      if (E.isLeft(built)) throw new Error(built.left.message)
      const x = tensor(seqData(2, 3, 2, 5))
      const f = ([p, xx]: readonly [typeof built.right.params, Tensor]) => layer.apply(p, built.right.state)(xx, { training: false, key: key(0) }).y
      const r = checkGrads(f as never, [built.right.params, x] as never)
      expect(r.ok, JSON.stringify(r.worst)).toBe(true)
    }
  })
  it('dropout and recurrentDropout act only while training (one mask per sequence)', () => {
    const layer = L.lstm(3, { dropout: 0.5, recurrentDropout: 0.5 })
    const b = layer.init(key(0), [null, 4, 2])
    if (E.isLeft(b)) throw new Error('init')
    const x = tensor(seqData(2, 4, 2, 1))
    const run = (training: boolean, k: number) => dataSync(layer.apply(b.right.params, b.right.state)(x, { training, key: key(k) }).y)
    expect(Array.from(run(false, 1))).toEqual(Array.from(run(false, 2)))
    expect(Array.from(run(true, 1))).not.toEqual(Array.from(run(false, 1)))
  })
  it('refuses bad arguments with tagged errors', () => {
    expect(E.isLeft(Layer.lstm(0))).toBe(true)
    expect(() => L.gru(-1)).toThrow(/positive integer/)
    expect(() => L.simpleRNN(3, { dropout: 1.5 })).toThrow(/rate/)
    expect(() => sequential([L.lstm(3, { inputShape: [4] })])).toThrow(/rank 3/)
  })
  it('save and load keep a GRU(resetAfter true) + LSTM model (tensorfold format)', async () => {
    const dir = join(process.cwd(), 'tmp', 'test-rnn-save')
    rmSync(dir, { recursive: true, force: true })
    mkdirSync(dir, { recursive: true })
    const m = sequential([L.gru(3, { inputShape: [4, 2], returnSequences: true }), L.lstm(2, { goBackwards: true })])
    await save(m, dir)
    const m2 = await load(dir)
    const x = tensor(seqData(2, 4, 2, 9))
    close(dataSync(m2.predict(x) as Tensor), dataSync(m.predict(x)))
  })
})

describe('embedding', () => {
  it('looks up rows exactly (int32 or float indices), any leading shape', () => {
    const m = sequential([L.embedding(5, 3, { inputShape: [2] })])
    const [table] = m.getWeights()
    const t = mat(table)
    const y = m.predict(tensor([[4, 0], [2, 2]], undefined, 'int32'))
    expect(y.shape).toEqual([2, 2, 3])
    close(dataSync(y), [t[4], t[0], t[2], t[2]].flat(), 0)
    close(dataSync(m.predict(tensor([[4, 0], [2, 2]]))), dataSync(y), 0)
  })
  it('refuses out-of-range indices with IndexOutOfRange', () => {
    const m = sequential([L.embedding(5, 3, { inputShape: [2] })])
    expect(() => m.predict(tensor([[5, 0]], undefined, 'int32'))).toThrow(/out of range/)
  })
  it('its gradient is a scatter-add: repeated indices accumulate', () => {
    const layer = L.embedding(4, 2)
    const b = layer.init(key(0), [null, 3])
    if (E.isLeft(b)) throw new Error('init')
    const x = tensor([[1, 1, 3]], undefined, 'int32')
    const g = grad((p: typeof b.right.params) => sum(layer.apply(p, b.right.state)(x, { training: false, key: key(0) }).y))(b.right.params)
    expect(toArray(g.embeddings)).toEqual([[0, 0], [2, 2], [0, 0], [1, 1]])
  })
  it('an Embedding + LSTM classifier trains the same compiled and eager', async () => {
    const m = sequential([L.embedding(7, 4, { inputShape: [5] }), L.lstm(3), L.dense(1, { activation: 'sigmoid' })])
    const x = tensor(Array.from({ length: 8 }, (_, i) => Array.from({ length: 5 }, (_, j) => (i * 3 + j * 2) % 7)), undefined, 'int32')
    const y = tensor(Array.from({ length: 8 }, (_, i) => [i % 2]))
    const r = await compiledMatchesEager(m, { optimizer: 'adam', loss: 'binary_crossentropy' }, x, y, { epochs: 2, batchSize: 4, shuffle: false })
    expect(r.ok, JSON.stringify(r)).toBe(true)
  })
})

describe('masks', () => {
  it('embedding({maskZero}) + LSTM: trailing and inner padding leave the state as if the steps were not there', () => {
    const m = sequential([L.embedding(6, 3, { maskZero: true, inputShape: [null as unknown as number] }), L.lstm(2)])
    const short = dataSync(m.predict(tensor([[3, 1, 4]], undefined, 'int32')))
    close(dataSync(m.predict(tensor([[3, 1, 4, 0, 0]], undefined, 'int32'))), short)
    close(dataSync(m.predict(tensor([[3, 0, 1, 0, 4]], undefined, 'int32'))), short)
    // without maskZero the padding counts
    const u = sequential([L.embedding(6, 3, { inputShape: [null as unknown as number] }), L.lstm(2)]).setWeights(m.getWeights())
    expect(Array.from(dataSync(u.predict(tensor([[3, 1, 4, 0, 0]], undefined, 'int32'))))).not.toEqual(Array.from(short))
  })
  it('masking(v) zeroes masked steps and masks them through the functional API (bidirectional too)', () => {
    const inp = input({ shape: [4, 2] })
    const h = call(L.masking(-1), inp)
    const out = call(L.bidirectional(L.gru(2)), h)
    const mdl = model({ inputs: inp, outputs: out })
    const a = dataSync(mdl.predict(tensor([[[1, 2], [-1, -1], [3, 4], [-1, -1]]])))
    const b = dataSync(mdl.predict(tensor([[[1, 2], [3, 4], [-1, -1], [-1, -1]]])))
    close(a, b)
    expect(Array.from(dataSync(L.masking(-1).apply({}, {})(tensor([[[1, -1], [-1, -1]]]), { training: false, key: key(0) }).y), (v) => v + 0)).toEqual([1, -1, 0, 0])
  })
  it('losses skip masked time steps (the mean over real steps)', async () => {
    const m = sequential([L.embedding(5, 2, { maskZero: true, inputShape: [3] }), L.simpleRNN(2, { returnSequences: true }), L.timeDistributed(L.dense(1))])
    const t = m.compile({ optimizer: 'sgd', loss: 'mse' })
    const x = tensor([[1, 2, 0], [3, 0, 0]], undefined, 'int32')
    const y1 = tensor([[[1], [2], [9]], [[1], [5], [7]]])
    const y2 = tensor([[[1], [2], [-4]], [[1], [0], [0]]])
    const l1 = (await t.evaluate(x, y1, { verbose: 0 })) as unknown as number[] | number
    const l2 = (await t.evaluate(x, y2, { verbose: 0 })) as unknown as number[] | number
    expect(l1).toEqual(l2)
    // and equals the mean of the squared errors over the three real steps
    const p = toArray(m.predict(x)) as number[][][]
    const want = ((p[0][0][0] - 1) ** 2 + (p[0][1][0] - 2) ** 2 + (p[1][0][0] - 1) ** 2) / 3
    expect(Math.abs((Array.isArray(l1) ? l1[0] : l1) - want)).toBeLessThan(1e-5)
  })
})
