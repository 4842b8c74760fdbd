/**
 * The LSTM in jax-js (wasm device). jax-js has no `scan`, so the 50 steps are an unrolled loop inside
 * one `jit` of the whole step: `valueAndGrad` of the loss and a hand-written Adam (tfjs defaults, eps
 * 1e-7), as bench/mlp/jax.ts. Keras's LSTM equations and gate order (i, f, c, o), Glorot-uniform
 * kernels, orthogonal-free recurrent init (Glorot-uniform too: the init does not change the step cost),
 * unit forget bias; the input projection of all steps is one matmul before the loop.
 *
 *   node --import tsx bench/lstm/jax.ts [--epochs 3] [--n 1024] [--quick]
 */
import { gatherRows, mulberry32, r, runChild, shuffleInPlace } from '../common.js'
import { jaxAdamStep } from '../jaxAdam.js'
import { EpochClock } from '../mlp/common.js'
import { LSTM, binaryAccuracy, lstmArgs, seqData } from './common.js'

const main = async (): Promise<Record<string, unknown>> => {
  const { epochs, quick, n: N } = lstmArgs(process.argv.slice(2))
  const jax = await import('@jax-js/jax')
  type JArray = import('@jax-js/jax').Array
  type P = Record<string, JArray>
  const { numpy: np, nn, random, tree, jit, valueAndGrad, init, defaultDevice } = jax
  await init('wasm')
  defaultDevice('wasm')
  const clock = new EpochClock()
  const train = seqData(N, 1)
  const test = seqData(256, 2)
  clock.dataLoaded()
  const { T, F, units: U, batch: B, beta1: B1, beta2: B2, eps: EPS } = LSTM

  const glorot = (k: JArray, a: number, b: number): JArray => {
    const lim = Math.sqrt(6 / (a + b))
    return random.uniform(k, [a, b], { minval: -lim, maxval: lim })
  }
  const initParams = (seed: number): P => {
    const keys = random.split(random.key(seed), 3)
    const bias = new Float32Array(4 * U)
    bias.fill(1, U, 2 * U) // unit forget bias
    return {
      W: glorot(keys.ref.slice(0), F, 4 * U),
      U: glorot(keys.ref.slice(1), U, 4 * U),
      b: np.array(bias),
      Wd: glorot(keys.slice(2), U, 1),
      bd: np.zeros([1])
    }
  }
  // x: [T, B, F] (time-major); returns the logits [B, 1]
  const forward = (p: P, x: JArray): JArray => {
    const b = x.shape[1]
    const xw = np.dot(x.reshape([T * b, F]), p.W).add(p.b).reshape([T, b, 4 * U])
    const xs = np.unstack(xw)
    let h = np.zeros([b, U])
    let c = np.zeros([b, U])
    for (let t = 0; t < T; t++) {
      const z = xs[t].add(np.dot(h, p.U.ref))
      const [zi, zf, zc, zo] = np.split(z, 4, 1)
      const c2 = nn.sigmoid(zf).mul(c).add(nn.sigmoid(zi).mul(np.tanh(zc)))
      h = nn.sigmoid(zo).mul(np.tanh(c2.ref))
      c = c2
    }
    p.U.dispose()
    c.dispose()
    return np.dot(h, p.Wd).add(p.bd)
  }
  // binary cross-entropy from logits: mean(softplus(l) - y·l)
  const loss = (p: P, x: JArray, y: JArray): JArray => {
    const l = forward(p, x)
    return nn.softplus(l.ref).sub(l.mul(y)).mean()
  }
  const step = jaxAdamStep(jax, loss, LSTM)
  const predictJit = jit((p: P, x: JArray) => nn.sigmoid(forward(p, x)))

  // time-major copies of the samples: row i of step t at [(t * N + i) * F]
  const timeMajor = (d: { x: Float32Array; n: number }): Float32Array => {
    const out = new Float32Array(d.x.length)
    for (let i = 0; i < d.n; i++) for (let t = 0; t < T; t++) out.set(d.x.subarray((i * T + t) * F, (i * T + t + 1) * F), (t * d.n + i) * F)
    return out
  }
  const batchX = (ids: ReadonlyArray<number>, buf: Float32Array): Float32Array => {
    // [n, T, F] rows gathered, then laid out time-major [T, n, F]
    const rows = gatherRows(train.x, T * F, ids, new Float32Array(ids.length * T * F))
    for (let i = 0; i < ids.length; i++) for (let t = 0; t < T; t++) buf.set(rows.subarray((i * T + t) * F, (i * T + t + 1) * F), (t * ids.length + i) * F)
    return buf.subarray(0, ids.length * T * F)
  }

  let params = initParams(0)
  let mS = tree.map((a: JArray) => np.zeros(a.shape), params) as P
  let vS = tree.map((a: JArray) => np.zeros(a.shape), params) as P
  const rand = mulberry32(1)
  const xb = new Float32Array(B * T * F)
  const yb = new Float32Array(B)
  const trainLoss: number[] = []
  let t = 0
  clock.trainBegin()
  for (let e = 0; e < epochs; e++) {
    clock.epochStart()
    const order = shuffleInPlace([...Array(N).keys()], rand)
    let sum = 0
    for (let b = 0; b * B < N; b++) {
      const ids = order.slice(b * B, (b + 1) * B)
      const n = ids.length
      const x = np.array(batchX(ids, xb).slice()).reshape([T, n, F])
      const y = np.array(gatherRows(train.y, 1, ids, yb).slice(0, n)).reshape([n, 1])
      t++
      const lrT = np.array((LSTM.lr * Math.sqrt(1 - B2 ** t)) / (1 - B1 ** t))
      const [l, p2, m2, v2] = step(params, mS, vS, lrT, x, y)
      params = p2
      mS = m2
      vS = v2
      sum += l.dataSync()[0] * n // forces execution every step
      clock.step()
    }
    clock.epochEnd()
    trainLoss.push(r(sum / N, 4))
  }
  const xt = np.array(timeMajor(test)).reshape([T, test.n, F])
  const probs = predictJit(tree.ref(params), xt).dataSync()
  return {
    backend: 'wasm',
    mode: 'jit (unrolled)',
    epochs,
    quick,
    nTrain: N,
    batch: B,
    trainLoss,
    testAcc: r(binaryAccuracy(probs, test.y), 4),
    ...clock.summary(N)
  }
}

runChild({ bench: 'lstm', id: 'jax-wasm', lib: 'jax-js', api: 'jit(valueAndGrad + hand-written Adam), 50 steps unrolled' }, main)
