/**
 * batchNormalization with several axes (Keras 2.15 accepts `axis` as an int or a list of ints): weight
 * shapes as Keras's (`[1, h, w, 1]` for `axis: [1, 2]`), training and inference against a float64
 * reference written here, the moving-statistics update (biased variance: Keras's non-fused kernel),
 * frozen = inference, compiled = eager, gradients against finite differences, and files both ways
 * (TensorFlow.js 4.22 refuses a list axis of several entries: tested, and a Keras-style file instead).
 */
import { describe, it, expect, beforeAll } from 'vitest'
import * as E from 'fp-ts/lib/Either.js'
import * as tf from '@tensorflow/tfjs'
import { mkdirSync, rmSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { checkGrads } from '../../laws/index.js'
import {
  sequential, layers as L, tensor, dataSync, Tree, compileOrThrow, withTrainable, key, Layer, save, load, Model, type Tensor
} from '../../src/index.js'
import { tfjsSave, tfjsLoad } from '../io/helpers.js'

const root = join(process.cwd(), 'tmp', 'test-batchnorm-axes')
beforeAll(async () => {
  await tf.setBackend('cpu')
  rmSync(root, { recursive: true, force: true })
  mkdirSync(root, { recursive: true })
})

const arr = (t: Tensor): number[] => Array.from(dataSync(t))
const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-4) => {
  expect(a.length).toBe(b.length)
  for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i]), `at ${i}: ${a[i]} vs ${b[i]}`).toBeLessThanOrEqual(tol * (1 + Math.abs(b[i])))
}
const SHAPE = [3, 4, 5, 2] as const
const values = (n: number, seed: number): number[] => Array.from({ length: n }, (_, i) => Math.sin(seed + i * 1.37) * 2 + ((i * 7) % 5) * 0.3)
const X = values(SHAPE.reduce((a, b) => a * b, 1), 1)

// ---- the float64 reference -------------------------------------------------------------------------
const strides = (s: ReadonlyArray<number>) => s.map((_, i) => s.slice(i + 1).reduce((a, b) => a * b, 1))
/** For each flat index of an array of shape `s`, the flat index of its position on `axes` (the kept axes). */
const keptIndex = (s: ReadonlyArray<number>, axes: ReadonlyArray<number>): number[] => {
  const st = strides(s)
  const keptShape = axes.map((a) => s[a])
  const kst = strides(keptShape)
  const n = s.reduce((a, b) => a * b, 1)
  return Array.from({ length: n }, (_, f) => axes.reduce((k, a, j) => k + (Math.floor(f / st[a]) % s[a]) * kst[j], 0))
}
/** Batch statistics (biased variance) per kept position, in float64. */
const refStats = (x: ReadonlyArray<number>, s: ReadonlyArray<number>, axes: ReadonlyArray<number>) => {
  const ki = keptIndex(s, axes)
  const m = axes.reduce((p, a) => p * s[a], 1)
  const cnt = x.length / m
  const mu = new Array<number>(m).fill(0)
  x.forEach((v, i) => (mu[ki[i]] += v / cnt))
  const va = new Array<number>(m).fill(0)
  x.forEach((v, i) => (va[ki[i]] += (v - mu[ki[i]]) ** 2 / cnt))
  return { mu, va, ki }
}
/** `(x − μ)/sqrt(σ² + ε)·γ + β` with per-kept-position μ, σ², γ, β (flat over the kept axes). */
const refNormalize = (x: ReadonlyArray<number>, ki: ReadonlyArray<number>, mu: ReadonlyArray<number>, va: ReadonlyArray<number>, g: ReadonlyArray<number>, b: ReadonlyArray<number>, eps: number) =>
  x.map((v, i) => ((v - mu[ki[i]]) / Math.sqrt(va[ki[i]] + eps)) * g[ki[i]] + b[ki[i]])

/** The first layer's `axis` in a model's config. */
const axisOf = (m: { readonly config: unknown }): unknown => (m.config as { layers: Array<{ config: { axis: unknown } }> }).layers[0].config.axis

const build = (axis: number | number[], opts: Parameters<typeof L.batchNormalization>[0] = {}) => {
  const l = L.batchNormalization({ axis, ...opts })
  const b = l.init(key(0), [null, ...SHAPE.slice(1)])
  if (E.isLeft(b)) throw new Error(String(b.left.message))
  return { l, ...b.right }
}

describe('batchNormalization with several axes', () => {
  it("weights have Keras 2.15's shapes: one axis a vector, several axes the input's rank with 1 on the reduced ones", () => {
    expect(build(-1).params.gamma?.shape).toEqual([2])
    expect(build([3]).state.moving_mean.shape).toEqual([2])
    const two = build([1, 2])
    for (const t of [two.params.gamma, two.params.beta, two.state.moving_mean, two.state.moving_variance]) expect(t?.shape).toEqual([1, 4, 5, 1])
    expect(build([-1, 1]).params.beta?.shape).toEqual([1, 4, 1, 2])
    const m = sequential([L.batchNormalization({ axis: [1, 2], inputShape: [4, 5, 2] })])
    const s = m.summary({ printFn: () => undefined })
    expect(s).toContain('Trainable params: 40')
    expect(s).toContain('Non-trainable params: 40')
    expect(axisOf(m)).toEqual([1, 2])
    // a one-entry list is the integer (what TensorFlow.js reads)
    expect(axisOf(sequential([L.batchNormalization({ axis: [3], inputShape: [4, 5, 2] })]))).toBe(3)
  })

  it('bad axes are tagged errors: the batch axis, out of range, repeated, empty', () => {
    for (const axis of [[0, 1], [1, 4], [1, -3], [], [1.5]]) {
      const l = Layer.batchNormalization({ axis })
      const r = E.isLeft(l) ? l : l.right.init(key(0), [null, 4, 5, 2])
      expect(E.isLeft(r), JSON.stringify(axis)).toBe(true)
    }
    expect(E.isRight(Layer.batchNormalization({ axis: [2, 1] }))).toBe(true)
  })

  for (const axis of [[1, 2], [-1, 1], [2]]) {
    it(`axis ${JSON.stringify(axis)}: training and inference agree with the float64 reference`, () => {
      const axes = axis.map((a) => (a < 0 ? a + 4 : a)).sort()
      const { l, params, state } = build(axis, { epsilon: 1e-2 })
      const kept = axes.reduce((p, a) => p * SHAPE[a], 1)
      const g = values(kept, 5).map((v) => 1 + 0.2 * v)
      const b = values(kept, 6).map((v) => 0.1 * v)
      const mm = values(kept, 7).map((v) => 0.3 * v)
      const mv = values(kept, 8).map((v) => 0.5 + 0.2 * Math.abs(v))
      const shaped = (v: number[], like: Tensor) => tensor(v, like.shape)
      const p = { gamma: shaped(g, params.gamma as Tensor), beta: shaped(b, params.beta as Tensor) }
      const st = { moving_mean: shaped(mm, state.moving_mean), moving_variance: shaped(mv, state.moving_variance) }
      const x = tensor(X, [...SHAPE])
      const { mu, va, ki } = refStats(X, SHAPE, axes)
      const train = l.apply(p, st)(x, { training: true, key: key(1) })
      close(arr(train.y as Tensor), refNormalize(X, ki, mu, va, g, b, 1e-2))
      close(arr(train.state.moving_mean), mm.map((m, i) => m - (m - mu[i]) * 0.01))
      close(arr(train.state.moving_variance), mv.map((m, i) => m - (m - va[i]) * 0.01))
      const infer = l.apply(p, st)(x, { training: false, key: key(1) })
      close(arr(infer.y as Tensor), refNormalize(X, ki, mm, mv, g, b, 1e-2))
      expect(infer.state).toBe(st)
      // frozen: inference semantics even while training (Keras 2), the statistics untouched
      const frozen = l.apply(p, st)(x, { training: true, frozen: true, key: key(1) })
      expect(arr(frozen.y as Tensor)).toEqual(arr(infer.y as Tensor))
      expect(frozen.state).toBe(st)
    })
  }

  it('gradients with respect to the input, gamma and beta match finite differences (training and inference)', () => {
    const { l, params, state } = build([1, 2])
    const x = tensor(values(2 * 4 * 5 * 2, 3), [2, 4, 5, 2])
    const g = tensor(values(20, 4).map((v) => 1 + 0.3 * v), [1, 4, 5, 1])
    const b = tensor(values(20, 5), [1, 4, 5, 1])
    for (const training of [true, false]) {
      const r = checkGrads(([xx, gg, bb]: readonly Tensor[]) => l.apply({ gamma: gg, beta: bb }, state)(xx, { training, key: key(0) }).y as Tensor, [x, g, b], { eps: 1e-5, atol: 1e-5, rtol: 1e-3 })
      expect(r.ok, JSON.stringify(r.worst)).toBe(true)
    }
    expect(params.gamma?.shape).toEqual(g.shape)
  })

  it('fit: the moving statistics follow Keras (biased variance, several axes); compiled = eager; frozen stays bit-identical', async () => {
    const x = tensor(X, [...SHAPE])
    const y = tensor(X.map((v) => v * 0.5), [...SHAPE])
    const m = sequential([L.batchNormalization({ axis: [1, 2], momentum: 0.9, inputShape: [4, 5, 2] })])
    const [eager, compiled] = await Promise.all(
      [true, false].map(async (runEagerly) => (await compileOrThrow(m, { optimizer: 'sgd', loss: 'mse', runEagerly }).fit(x, y, { batchSize: 3, epochs: 1, verbose: 0, shuffle: false })).trainer)
    )
    const { mu, va } = refStats(X, SHAPE, [1, 2])
    const st = (eager.model.state as ReadonlyArray<Record<string, Tensor>>)[0]
    close(arr(st.moving_mean), mu.map((v) => v * 0.1))
    close(arr(st.moving_variance), va.map((v) => 1 - (1 - v) * 0.1))
    expect(Tree.leaves(compiled.model.state).map(arr)).toEqual(Tree.leaves(eager.model.state).map(arr))
    expect(Tree.leaves(compiled.params).map(arr)).toEqual(Tree.leaves(eager.params).map(arr))
    expect(arr(Tree.leaves(eager.params)[0])).not.toEqual(arr(Tree.leaves(m.params)[0])) // gamma moved
    const frozen = withTrainable(m, () => true, false)
    const after = (await compileOrThrow(frozen, { optimizer: 'sgd', loss: 'mse' }).fit(x, y, { batchSize: 3, epochs: 1, verbose: 0 })).trainer
    expect(Tree.leaves(after.model.state).map(arr)).toEqual(Tree.leaves(frozen.state).map(arr))
    expect(Tree.leaves(after.params).map(arr)).toEqual(Tree.leaves(frozen.params).map(arr))
  })
})

describe('batchNormalization with several axes in files', () => {
  /** A model whose batchNormalization (axis `axis`) carries non-default weights. */
  const withStats = (axis: number | number[]) => {
    const m0 = sequential([L.batchNormalization({ axis, epsilon: 1e-2, inputShape: [4, 5, 2] }), L.flatten()])
    return m0.setWeights(m0.weights.map((w, i) => tensor(values(w.shape.reduce((a, b) => a * b, 1), 10 + i).map((v) => (i === 3 ? 0.5 + Math.abs(v) : v)), w.shape)))
  }
  const x = tensor(X, [...SHAPE])

  it('tensorfold saves and loads a several-axes model (config, weights, predictions)', async () => {
    const m = withStats([1, 2])
    const dir = join(root, 'tf-out')
    await save(m, dir)
    const doc = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'))
    const specs = doc.weightsManifest[0].weights as Array<{ name: string; shape: number[] }>
    expect(specs.map((w) => w.shape)).toEqual([[1, 4, 5, 1], [1, 4, 5, 1], [1, 4, 5, 1], [1, 4, 5, 1]])
    const again = await load(dir)
    expect(again.config).toEqual(m.config)
    expect(arr(again.predict(x) as Tensor)).toEqual(arr(m.predict(x)))
    expect(Model.weights(again).map((w) => w.trainable)).toEqual([true, true, false, false])
  })

  it('TensorFlow.js 4.22 refuses a several-entry list axis (its BatchNormalization takes one integer)', async () => {
    const dir = join(root, 'tf-out-tfjs')
    await save(withStats([1, 2]), dir)
    await expect(tfjsLoad(dir)).rejects.toThrow(/Axis/)
  })

  it("a Keras-style file (Keras 2.15 writes the built axis as a list) loads: one-entry list in tfjs too, several entries in tensorfold", async () => {
    // tfjs writes the file; patch its BatchNormalization into what Keras 2.15 writes after build
    const tm = tf.sequential()
    tm.add(tf.layers.batchNormalization({ axis: 3, epsilon: 1e-2, inputShape: [4, 5, 2] }))
    tm.add(tf.layers.flatten())
    tm.layers[0].setWeights(tm.layers[0].getWeights().map((w, i) => tf.tensor(values(w.size, 20 + i).map((v) => (i === 3 ? 0.5 + Math.abs(v) : v)))))
    const dir = join(root, 'keras-one')
    await tfjsSave(tm, dir)
    const patch = (d: string, f: (doc: { modelTopology: { config: { layers: Array<{ config: Record<string, unknown> }> } }; weightsManifest: Array<{ weights: Array<{ shape: number[] }> }> }) => void) => {
      const p = join(d, 'model.json')
      const doc = JSON.parse(readFileSync(p, 'utf8'))
      f(doc)
      writeFileSync(p, JSON.stringify(doc))
    }
    patch(dir, (doc) => (doc.modelTopology.config.layers[0].config.axis = [3]))
    const one = await load(dir)
    close(arr(one.predict(x) as Tensor), Array.from((tm.predict(tf.tensor(X, [...SHAPE])) as tf.Tensor).dataSync()))
    close(Array.from(((await tfjsLoad(dir)).predict(tf.tensor(X, [...SHAPE])) as tf.Tensor).dataSync()), arr(one.predict(x) as Tensor))
    // several axes: Keras's weight shapes [1, 4, 5, 1]; predictions against the float64 reference
    const two = join(root, 'keras-two')
    const ref = withStats([1, 2])
    await save(ref, two)
    patch(two, (doc) => (doc.modelTopology.config.layers[0].config.axis = [2, 1]))
    const m = await load(two)
    expect(axisOf(m)).toEqual([2, 1])
    const [g, b, mm, mv] = ref.getWeights().map(arr)
    const ki = keptIndex(SHAPE, [1, 2])
    close(arr(m.predict(x) as Tensor), refNormalize(X, ki, mm, mv, g, b, 1e-2))
  })
})
