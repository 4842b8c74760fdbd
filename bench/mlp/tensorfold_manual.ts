/**
 * The MLP in tensorfold without the layers/training API: `valueAndGrad` of a hand-written loss and a
 * hand-written Adam (tfjs defaults, eps 1e-7), the whole step wrapped in `jit` (mode `jit`) or run
 * eagerly (mode `eager`). The same program as bench/mlp/jax.ts, so it measures the core engine (kernels,
 * AD, jit replay) apart from whatever `fit` adds. Also used by bench/memory.ts.
 *
 *   node --import tsx bench/mlp/tensorfold_manual.ts <jit|eager> [--epochs 3] [--quick]
 */
import * as tf from '../../src/index.js'
import type { Tensor } from '../../src/index.js'
import { accuracy, gatherRows, loadMnist, mulberry32, runChild, shuffleInPlace, r, type Split } from '../common.js'
import { MLP } from '../config.js'
import { EpochClock, mlpArgs } from './common.js'

export type Params = { readonly w0: Tensor; readonly b0: Tensor; readonly w1: Tensor; readonly b1: Tensor; readonly w2: Tensor; readonly b2: Tensor }
const NAMES = ['w0', 'b0', 'w1', 'b1', 'w2', 'b2'] as const

/** Glorot-uniform kernels and zero biases (the Keras/tfjs dense defaults), from a seeded stream. */
export const initParams = (seed: number, dims: ReadonlyArray<number> = MLP.dims): Params => {
  const rand = mulberry32(seed)
  const p: Record<string, Tensor> = {}
  for (let l = 0; l < 3; l++) {
    const [fi, fo] = [dims[l], dims[l + 1]]
    const lim = Math.sqrt(6 / (fi + fo))
    const w = new Float32Array(fi * fo)
    for (let i = 0; i < w.length; i++) w[i] = (rand() * 2 - 1) * lim
    p[`w${l}`] = tf.tensor(w, [fi, fo])
    p[`b${l}`] = tf.zeros([fo])
  }
  return p as Params
}

export const logits = (p: Params, x: Tensor): Tensor => {
  const h1 = tf.relu(tf.add(tf.matmul(x, p.w0), p.b0))
  const h2 = tf.relu(tf.add(tf.matmul(h1, p.w1), p.b1))
  return tf.add(tf.matmul(h2, p.w2), p.b2)
}

/** Mean categorical cross-entropy against one-hot `y1`. */
const loss = (p: Params, x: Tensor, y1: Tensor): Tensor => tf.mul(tf.sum(tf.mul(tf.logSoftmax(logits(p, x)), y1)), -1 / x.shape[0])

export type StepIn = {
  readonly p: Params
  readonly m: Params
  readonly v: Params
  /** bias-corrected step size lr·√(1−β2^t)/(1−β1^t), a scalar input so that replays see each step's value */
  readonly lrT: Tensor
  readonly x: Tensor
  readonly y: Tensor
}
export type StepOut = {
  readonly loss: Tensor
  readonly p: Params
  readonly m: Params
  readonly v: Params
}

export const step = (s: StepIn): StepOut => {
  const [l, g] = tf.valueAndGrad(loss)(s.p, s.x, s.y)
  const p: Record<string, Tensor> = {}
  const m: Record<string, Tensor> = {}
  const v: Record<string, Tensor> = {}
  for (const k of NAMES) {
    const gk = g[k]
    m[k] = tf.add(tf.mul(s.m[k], MLP.beta1), tf.mul(gk, 1 - MLP.beta1))
    v[k] = tf.add(tf.mul(s.v[k], MLP.beta2), tf.mul(tf.mul(gk, gk), 1 - MLP.beta2))
    p[k] = tf.sub(s.p[k], tf.div(tf.mul(m[k], s.lrT), tf.add(tf.sqrt(v[k]), MLP.eps)))
  }
  return { loss: l, p: p as Params, m: m as Params, v: v as Params }
}

/** A trainer over `data`: `next()` runs one step on the next batch (reshuffling each pass). */
export const makeTrainer = (mode: 'jit' | 'eager', data: Split, batch: number, dims: ReadonlyArray<number> = MLP.dims, seed = 1) => {
  const jitted = mode === 'jit' ? tf.jit((s: StepIn, _k: tf.Key) => step(s)) : undefined
  // `jit(f).async`: replays run large matmuls on the shared worker pool
  const jitAsync = jitted?.async
  const stepFn = jitAsync ?? jitted ?? ((s: StepIn, _k: tf.Key) => step(s))
  const k0 = tf.key(0)
  let p = initParams(0, dims)
  const zerosLike = (q: Params): Params => Object.fromEntries(NAMES.map((k) => [k, tf.zeros(q[k].shape)])) as unknown as Params
  let m = zerosLike(p)
  let v = zerosLike(p)
  let t = 0
  const rand = mulberry32(seed)
  const xb = new Float32Array(batch * 784)
  const yb = new Float32Array(batch * 10)
  return {
    /** One step on rows `ids`; resolves to the batch loss. */
    async run(ids: ReadonlyArray<number>): Promise<number> {
      const n = ids.length
      const x = tf.tensor(gatherRows(data.X, 784, ids, xb).subarray(0, n * 784), [n, 784])
      const y = tf.tensor(gatherRows(data.Y1, 10, ids, yb).subarray(0, n * 10), [n, 10])
      t++
      const lrT = tf.scalar((MLP.lr * Math.sqrt(1 - MLP.beta2 ** t)) / (1 - MLP.beta1 ** t))
      const out = await stepFn({ p, m, v, lrT, x, y }, k0)
      p = out.p
      m = out.m
      v = out.v
      return tf.item(out.loss) // read the loss every step, as a real loop would
    },
    order: (): number[] => shuffleInPlace([...Array(data.n).keys()], rand),
    params: (): Params => p,
    stats: () => jitted?.stats(),
    variant: jitAsync !== undefined ? 'jit(step).async' : jitted !== undefined ? 'jit(step)' : 'eager'
  }
}

const main = async (mode: 'jit' | 'eager'): Promise<Record<string, unknown>> => {
  const { epochs, quick } = mlpArgs(process.argv.slice(3))
  const be = tf.setBackend('webasm')
  const clock = new EpochClock()
  const data = loadMnist()
  clock.dataLoaded()
  const B = MLP.batch
  const tr = makeTrainer(mode, data.train, B)
  const trainLoss: number[] = []
  clock.trainBegin()
  for (let e = 0; e < epochs; e++) {
    clock.epochStart()
    const order = tr.order()
    let sum = 0
    for (let b = 0; b * B < data.train.n; b++) {
      const ids = order.slice(b * B, (b + 1) * B)
      sum += (await tr.run(ids)) * ids.length
      clock.step()
    }
    clock.epochEnd()
    trainLoss.push(r(sum / data.train.n, 4))
  }
  const scores = tf.dataSync(logits(tr.params(), tf.tensor(data.test.X, [data.test.n, 784])))
  return {
    backend: be.name,
    epochs,
    quick,
    nTrain: data.train.n,
    nTest: data.test.n,
    batch: B,
    trainLoss,
    testAcc: r(accuracy(scores, data.test.y), 4),
    variant: tr.variant,
    jit: tr.stats(),
    ...clock.summary(data.train.n)
  }
}

if (process.argv[1]?.endsWith('tensorfold_manual.ts')) {
  const mode = process.argv[2] === 'eager' ? 'eager' : 'jit'
  runChild({ bench: 'mlp', id: `tensorfold-manual-${mode}`, lib: 'tensorfold', api: 'valueAndGrad + hand-written Adam', mode }, () => main(mode))
}
